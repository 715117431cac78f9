package reader

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestParseMovers: the movers reply is bounded and every row must be a
// hash; anything else fails the whole list (not read, not a false count).
func TestParseMovers(t *testing.T) {
	hash := strings.Repeat("AB", 20)
	rows := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = []any{hash}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		v    any
		n    int    // hashes read, when ok
		err  string // in the error, when not
	}{
		{"empty", []any{}, 0, ""},
		{"two", rows(2), 2, ""},
		{"at the bound", rows(maxMovers), maxMovers, ""},
		{"just past the bound", rows(maxMovers + 1), 0, "more than the 131072 accepted"},
		{"not an array", "x", 0, "want an array"},
		{"row not an array", []any{"x"}, 0, "row 0"},
		{"two fields", []any{[]any{hash, hash}}, 0, "want one field"},
		{"not a hash", []any{[]any{hash}, []any{"../etc"}}, 0, "row 1: d.hash"},
		{"an integer", []any{[]any{int64(5)}}, 0, "want 40 hex digits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseMovers(tc.v)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || m.ok {
					t.Fatalf("got %d hashes ok=%v err %v, want an error with %q", len(m.hashes), m.ok, err, tc.err)
				}
				return
			}
			if err != nil || !m.ok || len(m.hashes) != tc.n {
				t.Fatalf("got %d hashes ok=%v err %v, want %d", len(m.hashes), m.ok, err, tc.n)
			}
		})
	}
}

// TestApplyMovers: the fast tier's movers replace the scan's active counts,
// per group from the static cache, without touching the scan's lists.
func TestApplyMovers(t *testing.T) {
	a, b, c := strings.Repeat("A", 40), strings.Repeat("B", 40), strings.Repeat("C", 40)
	r := &Reader{static: map[string]staticInfo{
		a: {domain: "one.org", label: "x"},
		b: {domain: "two.org", label: "x"},
	}}
	scanTrackers := []GroupCounts{{Name: "one.org", Active: 0}, {Name: "two.org", Active: 5}}
	s := &Snapshot{Trackers: scanTrackers, Labels: []GroupCounts{{Name: "x"}},
		moving: movers{hashes: []string{a, b, c}, ok: true}}
	r.applyMovers(s)
	if deref(s.Items.Active) != 3 || s.Trackers[0].Active != 1 || s.Trackers[1].Active != 1 || s.Labels[0].Active != 2 {
		t.Errorf("active %d, trackers %+v, labels %+v; want 3 (one unknown to the cache), 1, 1, 2", deref(s.Items.Active), s.Trackers, s.Labels)
	}
	if scanTrackers[1].Active != 5 {
		t.Errorf("the scan's list was changed: %+v", scanTrackers)
	}
	unread := &Snapshot{Items: Items{Active: ptr(int64(7))}}
	r.applyMovers(unread)
	if deref(unread.Items.Active) != 7 {
		t.Errorf("movers not read: active %d, want the scan's 7", deref(unread.Items.Active))
	}
}

// TestActiveWithinOneRead: in a real swarm, an item that starts moving is
// active, and so is its tracker's and label's group, at the first read
// after rTorrent shows it moving, with no scan since it was idle. The item
// is the seeder's: idle once the leecher has it all, moving again when the
// leecher loads it anew.
func TestActiveWithinOneRead(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: 2 << 20, UploadKiB: 2048})
	tor := sw.Torrents[0]
	waitFor(t, 60*time.Second, "the leecher to finish", func() bool {
		return sw.Leecher.MustInt(t, "d.complete", tor.InfoHash) == 1
	})
	waitFor(t, 150*time.Second, "the seeder's item to be idle (its rate decays over about a minute)", func() bool {
		return rates(t, sw.Seeder, tor.InfoHash) == 0
	})
	// Slow enough that the second transfer lasts past the read below.
	sw.Seeder.MustCall(t, "throttle.global_up.max_rate.set_kb", "", "64")
	opt := DefaultOptions()
	opt.MinScanInterval, opt.MaxScanInterval = time.Hour, time.Hour // no scan after the first
	r := newReader(t, sw.Seeder.URL, opt)
	ctx := context.Background()
	first, err := r.Read(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if deref(first.Items.Active) != 0 || len(first.Trackers) != 1 || first.Trackers[0].Active != 0 || len(first.Labels) != 1 {
		t.Fatalf("idle: active %d, trackers %+v, labels %+v; want 0", deref(first.Items.Active), first.Trackers, first.Labels)
	}
	scanAt := first.Scan.Time
	up := sw.Seeder.MustInt(t, "d.up.total", tor.InfoHash)
	if err := sw.RestartIfComplete(tor); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "rTorrent to show the seeder's item moving again", func() bool {
		return sw.Seeder.MustInt(t, "d.up.total", tor.InfoHash) > up && rates(t, sw.Seeder, tor.InfoHash) > 0
	})
	s, err := r.Read(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Scan.Time.Equal(scanAt) {
		t.Fatalf("a scan ran (%v, first %v): the test wants the fast tier alone", s.Scan.Time, scanAt)
	}
	if deref(s.Items.Active) != 1 || s.Trackers[0].Active != 1 || s.Labels[0].Active != 1 {
		t.Errorf("moving item: active %d, tracker %+v, label %+v; want 1 each", deref(s.Items.Active), s.Trackers[0], s.Labels[0])
	}
}

// rates reads an item's up plus down rate straight from rTorrent.
func rates(t *testing.T, rt *testenv.RTorrent, hash string) int64 {
	t.Helper()
	return rt.MustInt(t, "d.up.rate", hash) + rt.MustInt(t, "d.down.rate", hash)
}
