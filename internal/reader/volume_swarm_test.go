package reader

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// volItem is one torrent of the volume swarm and what happens to it.
type volItem struct {
	tor            testenv.Torrent
	domain, label  string
	lateOnLeecher  bool // loaded on the leecher only after the baseline
	relabel        bool // relabelled alpha -> beta mid-run, on both sides
	stopStart      bool // stopped and started again on the leecher mid-run
	eraseOnLeecher bool // erased from the leecher mid-run
}

// volTruth is the test's own account of one rTorrent, from d.up.total and
// d.down.total read directly after each of the reader's reads.
type volTruth struct {
	rt   *testenv.RTorrent
	prev map[string][2]int64 // hash -> last [up, down]; nil: the next read is a baseline
	// per group ("label/<name>", "tracker/<domain>"): [up, down] moved
	sum map[string][2]int64
	// slack per group: bytes that may fairly land in either of two groups
	// (a relabelled item's bytes between the relabel and the reader's
	// next label re-read)
	slack map[string]int64
	// bytes between the reader's read and ours at each discontinuity
	// (erase, restart): lost to one of us and not the other
	items map[string]*volItem
	// the global throttle totals, to compare with the items' sum
	globalPrev, globalMoved [2]int64
	itemMoved               [2]int64
}

func newVolTruth(rt *testenv.RTorrent, items map[string]*volItem) *volTruth {
	return &volTruth{rt: rt, sum: map[string][2]int64{}, slack: map[string]int64{}, items: items}
}

// read takes the test's reading; ambiguous names the relabelled item's
// hash while the reader may not have re-read its label yet.
func (v *volTruth) read(t *testing.T, ambiguous string) {
	t.Helper()
	rows := v.rt.MustCall(t, "d.multicall2", "", "main", "d.hash=", "d.up.total=", "d.down.total=", "d.custom1=").([]any)
	global := [2]int64{v.rt.MustInt(t, "throttle.global_up.total"), v.rt.MustInt(t, "throttle.global_down.total")}
	base := v.prev == nil
	cur := map[string][2]int64{}
	for _, row := range rows {
		f := row.([]any)
		h := f[0].(string)
		tot := [2]int64{f[1].(int64), f[2].(int64)}
		cur[h] = tot
		if base {
			continue
		}
		last := v.prev[h] // an item new since the baseline counts from 0
		d := [2]int64{tot[0] - last[0], tot[1] - last[1]}
		if d[0] < 0 || d[1] < 0 {
			t.Fatalf("rTorrent's own totals of %s fell: %v -> %v", h, last, tot)
		}
		it := v.items[h]
		for _, g := range []string{"label/" + label(f[3].(string)), "tracker/" + it.domain} {
			s := v.sum[g]
			v.sum[g] = [2]int64{s[0] + d[0], s[1] + d[1]}
		}
		if h == ambiguous {
			v.slack["label/alpha"] += d[0] + d[1]
			v.slack["label/beta"] += d[0] + d[1]
		}
		v.itemMoved[0] += d[0]
		v.itemMoved[1] += d[1]
	}
	if !base {
		v.globalMoved[0] += global[0] - v.globalPrev[0]
		v.globalMoved[1] += global[1] - v.globalPrev[1]
	}
	v.prev, v.globalPrev = cur, global
}

// volumesOf returns the reader's volumes per group, keyed as volTruth.sum.
func volumesOf(s *Snapshot) map[string][2]int64 {
	out := map[string][2]int64{}
	for _, g := range s.Labels {
		out["label/"+g.Name] = [2]int64{g.UpBytes, g.DownBytes}
	}
	for _, g := range s.Trackers {
		out["tracker/"+g.Name] = [2]int64{g.UpBytes, g.DownBytes}
	}
	return out
}

// withAnnounce rewrites the announce URL of a metainfo file made by
// testenv.MakeTorrent ("d8:announce<len>:<url>4:info..."): the info hash
// does not cover it.
func withAnnounce(t *testing.T, meta []byte, from, to string) []byte {
	t.Helper()
	old := fmt.Sprintf("d8:announce%d:%s", len(from), from)
	if !bytes.HasPrefix(meta, []byte(old)) {
		t.Fatalf("metainfo does not start with %q", old)
	}
	return append([]byte(fmt.Sprintf("d8:announce%d:%s", len(to), to)), meta[len(old):]...)
}

// TestVolumesSwarm: a real swarm, a seeder and a leecher rTorrent, one
// opentracker reached under two host names (two tracker domains,
// 127.0.0.1 and localhost), two labels. Mid-run an item is relabelled, one
// stopped and started, one erased, one loaded only after the baseline,
// and the leecher's rTorrent restarts. The erased item moved 512 KiB
// after the reader's last read; the leecher's erase log (the rc snippet of
// ErasedLogMethod) hands them to the reader. After each of the reader's reads
// the test reads every item's d.up.total and d.down.total itself: at the
// end, each per-label and per-tracker counter's increase equals the sum
// of its items' increases, within one piece per discontinuity (the
// moment between the reader's read and the test's), plus, for the two
// labels, the relabelled item's bytes until the reader re-read labels.
func TestVolumesSwarm(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker")
	const size = 4 << 20
	seeder := testenv.StartRTorrent(t, testenv.RTorrentOptions{BindAddress: "127.0.0.2", UploadKiB: 1024})
	const placeholder = "http://127.0.0.1:1/announce"
	specs := []*volItem{
		{domain: "127.0.0.1", label: "alpha", relabel: true},
		{domain: "localhost", label: "beta", stopStart: true},
		{domain: "127.0.0.1", label: "beta", eraseOnLeecher: true},
		{domain: "localhost", label: "alpha"},
		{domain: "127.0.0.1", label: "alpha", lateOnLeecher: true},
	}
	var hashes []string
	for i, it := range specs {
		it.tor = testenv.MakeTorrent(t, seeder.DownloadDir, fmt.Sprintf("vol-%d.bin", i), size, placeholder)
		hashes = append(hashes, it.tor.InfoHash)
	}
	tracker := testenv.StartTracker(t, hashes)
	byHash := map[string]*volItem{}
	var metas, early [][]byte
	for _, it := range specs {
		to := tracker.Announce
		if it.domain == "localhost" {
			to = strings.Replace(to, "127.0.0.1", "localhost", 1)
		}
		it.tor.Meta = withAnnounce(t, it.tor.Meta, placeholder, to)
		byHash[it.tor.InfoHash] = it
		metas = append(metas, it.tor.Meta)
		if !it.lateOnLeecher {
			early = append(early, it.tor.Meta)
		}
	}
	seeder.LoadRaw(t, metas, true)
	seeder.WaitItems(t, len(metas), 30*time.Second)
	waitFor(t, time.Minute, "the seeder to seed every item", func() bool {
		rows := seeder.MustCall(t, "d.multicall2", "", "main", "d.complete=", "d.state=", "d.hashing=").([]any)
		for _, row := range rows {
			f := row.([]any)
			if f[0] != int64(1) || f[1] != int64(1) || f[2] != int64(0) {
				return false
			}
		}
		return len(rows) == len(metas)
	})
	// The leecher imports the shipped rc snippet, whose erase log
	// (ErasedLogMethod) closes the erase hole: the reader's fast tier
	// reads and empties it.
	snippet, err := filepath.Abs("../../dist/rtorrent/rtmon-events.rc")
	if err != nil {
		t.Fatal(err)
	}
	leecher := testenv.StartRTorrent(t, testenv.RTorrentOptions{BindAddress: "127.0.0.3", ExtraRC: []string{
		"import = " + snippet,
	}})
	leecher.LoadRaw(t, early, false) // stopped: nothing moves before the baseline
	leecher.WaitItems(t, len(early), 30*time.Second)
	for _, it := range specs {
		seeder.MustCall(t, "d.custom1.set", it.tor.InfoHash, it.label)
		if !it.lateOnLeecher {
			leecher.MustCall(t, "d.custom1.set", it.tor.InfoHash, it.label)
		}
	}

	// A scan at every read, a full one (with labels re-read) at least
	// every second, delta scans between.
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval, opt.MaxScanInterval, opt.PeerFlags = 1, time.Millisecond, time.Second, false
	readers := map[string]*Reader{"seeder": newReader(t, seeder.URL, opt), "leecher": newReader(t, leecher.URL, opt)}
	truths := map[string]*volTruth{"seeder": newVolTruth(seeder, byHash), "leecher": newVolTruth(leecher, byHash)}
	ctx := context.Background()
	last := map[string]map[string][2]int64{}
	var snaps map[string]*Snapshot
	sawDelta := false
	ambiguous, ambiguousUntil := "", time.Time{}
	step := func(what string) {
		t.Helper()
		snaps = map[string]*Snapshot{}
		amb := ""
		if time.Now().Before(ambiguousUntil) {
			amb = ambiguous
		}
		for _, side := range []string{"seeder", "leecher"} {
			s, err := readers[side].Read(ctx, false)
			if err != nil {
				t.Fatalf("%s: %s read: %v", what, side, err)
			}
			truths[side].read(t, amb)
			snaps[side] = s
			if s.Scan != nil && !s.Scan.Full {
				sawDelta = true
			}
			// No counter ever falls.
			now := volumesOf(s)
			for g, v := range last[side] {
				if n, ok := now[g]; ok && (n[0] < v[0] || n[1] < v[1]) {
					t.Fatalf("%s: %s %s fell from %v to %v", what, side, g, v, n)
				}
			}
			last[side] = now
		}
	}
	step("baseline")
	for _, it := range specs {
		if !it.lateOnLeecher {
			leecher.MustCall(t, "d.start", it.tor.InfoHash)
		}
	}
	down := func() (done int64) {
		for _, row := range leecher.MustCall(t, "d.multicall2", "", "main", "d.bytes_done=").([]any) {
			done += row.([]any)[0].(int64)
		}
		return done
	}
	total := int64(size * len(specs))
	// Each event runs once, in order, when the leecher holds its share of
	// all data.
	events := []struct {
		at   float64
		what string
		do   func()
	}{
		{0.05, "late item loaded", func() {
			late := specs[4]
			leecher.LoadRaw(t, [][]byte{late.tor.Meta}, true)
			leecher.WaitItems(t, len(early)+1, 30*time.Second)
			leecher.MustCall(t, "d.custom1.set", late.tor.InfoHash, late.label)
		}},
		{0.12, "relabel", func() {
			h := specs[0].tor.InfoHash
			for _, rt := range []*testenv.RTorrent{seeder, leecher} {
				rt.MustCall(t, "d.custom1.set", h, "beta")
			}
			// Until a full scan re-read labels (at most MaxScanInterval
			// and a read later), either label may get its bytes.
			ambiguous, ambiguousUntil = h, time.Now().Add(opt.MaxScanInterval+2*time.Second)
		}},
		{0.25, "stop", func() { leecher.MustCall(t, "d.stop", specs[1].tor.InfoHash) }},
		{0.30, "start again", func() { leecher.MustCall(t, "d.start", specs[1].tor.InfoHash) }},
		{0.40, "erase", func() {
			// Once the item moved 512 KiB since the reader's last read
			// (more than the tolerance below): without the erase log those
			// bytes would be lost. The test reads rTorrent's totals just
			// before the erase; the reader gets the log as its fast tier
			// would, read and cleared in one system.multicall.
			h := specs[2].tor.InfoHash
			last := truths["leecher"].prev[h][1]
			waitFor(t, 30*time.Second, "the item to move 512 KiB unread", func() bool {
				return leecher.MustInt(t, "d.down.total", h) >= last+512<<10
			})
			truths["leecher"].read(t, "")
			leecher.MustCall(t, "d.erase", h)
			if log, _ := leecher.MustCall(t, ErasedLogMethod, "").(string); !strings.HasPrefix(log, h+" ") {
				t.Fatalf("erase log %q, want an entry for %s", log, h)
			}
			// The reader's next read takes the log; it must empty it.
			step("erase log")
			if log, _ := leecher.MustCall(t, ErasedLogMethod, "").(string); log != "" {
				t.Fatalf("after the reader's read the erase log is %q, want it emptied", log)
			}
		}},
		{0.55, "leecher restart", func() { leecher.Restart(t) }},
	}
	deadline := time.Now().Add(4 * time.Minute)
	for next := 0; ; {
		time.Sleep(200 * time.Millisecond)
		step("transfer")
		got := down()
		if next < len(events) && float64(got) >= events[next].at*float64(total) {
			e := events[next]
			e.do()
			t.Logf("%s at %d of %d bytes", e.what, got, total)
			if e.what == "leecher restart" {
				truths["leecher"].prev = nil // the restart's baseline is taken at the next read
			}
			next++
			continue
		}
		if next == len(events) && leecher.MustInt(t, "view.size", "", "complete") == int64(len(specs)-1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("leecher at %d of %d bytes after 4 minutes, %d of %d events done", got, total, next, len(events))
		}
	}
	// Quiet: the rates decay and the totals stop. Reads go on until two in
	// a row find every total as it was.
	waitFor(t, time.Minute, "the totals to settle", func() bool {
		before := [2]int64{truths["seeder"].itemMoved[0], truths["leecher"].itemMoved[1]}
		step("settling")
		time.Sleep(time.Second)
		step("settling")
		return before == [2]int64{truths["seeder"].itemMoved[0], truths["leecher"].itemMoved[1]}
	})
	if !sawDelta {
		t.Error("no delta scan ran: the test did not exercise the delta scan's accounting")
	}

	const piece = 64 << 10 // MakeTorrent's piece length for 4 MiB
	// Discontinuities where the reader's read and the test's can differ
	// by what moved between them: the erase and the restart (twice: the
	// last read before and the baseline after).
	const tolerance = 3 * 2 * piece
	for _, side := range []string{"seeder", "leecher"} {
		want, got := truths[side].sum, volumesOf(snaps[side])
		keys := []string{"label/alpha", "label/beta", "tracker/127.0.0.1", "tracker/localhost"}
		for _, g := range keys {
			w, ok := want[g]
			if !ok {
				t.Fatalf("%s: the test saw nothing move in %s", side, g)
			}
			gv, ok := got[g]
			if !ok {
				t.Errorf("%s: no volume for %s (groups %v)", side, g, got)
				continue
			}
			slack := tolerance + truths[side].slack[g]
			for i, dir := range []string{"up", "down"} {
				if diff := gv[i] - w[i]; diff > slack || -diff > slack {
					t.Errorf("%s %s %s: reader counted %d bytes, rTorrent's items moved %d (off by %d, allowed %d)", side, g, dir, gv[i], w[i], diff, slack)
				}
			}
		}
		if len(got) != len(keys) {
			t.Errorf("%s: groups %v, want exactly %v", side, got, keys)
		}
		t.Logf("%s: volumes %v; the test's %v (slack %v); global throttle totals moved [up down] %v, the items %v",
			side, got, want, truths[side].slack, truths[side].globalMoved, truths[side].itemMoved)
	}
	// Something real was measured: the leecher downloaded most of the data
	// in each label, the seeder uploaded it.
	for _, g := range []string{"label/alpha", "label/beta"} {
		if d := truths["leecher"].sum[g][1]; d < size {
			t.Errorf("leecher %s downloaded %d bytes, want at least one item's %d: the swarm did not move", g, d, size)
		}
		if u := truths["seeder"].sum[g][0]; u < size {
			t.Errorf("seeder %s uploaded %d bytes, want at least %d", g, u, size)
		}
	}
}
