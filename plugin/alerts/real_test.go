package alerts

import (
	"context"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
)

// read feeds one real read to the tracker and returns what it says.
func read(t *testing.T, tr *Tracker, r *reader.Reader) []string {
	t.Helper()
	s, err := r.Read(context.Background(), true)
	var ns []Notification
	if err != nil {
		ns = tr.Failed(time.Now(), err)
	} else {
		ns = tr.Succeeded(time.Now(), s, r.SubErrors())
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Severity.String()+" "+n.Cond)
	}
	return out
}

// TestRealScanAndMessages: against a real rTorrent, the conditions that
// depend on what the reader reports. A reply cap the item scan exceeds
// (the fast tier fits) makes the scan fail on every read: the WARNING at
// the NotifyFailedScans-th, once. Items started with a tracker that
// refuses connections get a tracker message each (ground truth: d.message
// read directly): the messages WARNING, once.
func TestRealScanAndMessages(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(500, "http://127.0.0.1:1/announce", "alerts")), false)
	rt.WaitItems(t, 500, 30*time.Second)

	t.Run("scan failing", func(t *testing.T) {
		c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: rt.URL, MaxReplyBytes: 128 << 10})
		if err != nil {
			t.Fatal(err)
		}
		r := reader.NewReader(c, reader.DefaultOptions())
		tr := New(Options{ScanFailures: 3})
		var got [][]string
		for i := 0; i < 5; i++ {
			got = append(got, read(t, tr, r))
		}
		if len(got[0])+len(got[1]) != 0 || len(got[2]) != 1 || got[2][0] != "WARNING scan" || len(got[3])+len(got[4]) != 0 {
			t.Errorf("notifications per read %v, want only WARNING scan at the third", got)
		}
	})

	t.Run("tracker messages", func(t *testing.T) {
		// Start 100 of the 500: their announces to a closed port fail.
		rows, _ := rt.MustCall(t, "d.multicall2", "", "main", "d.hash=").([]any)
		for _, row := range rows[:100] {
			rt.MustCall(t, "d.start", row.([]any)[0])
		}
		withMessage := func() int {
			n := 0
			rows, _ := rt.MustCall(t, "d.multicall2", "", "main", "d.message=").([]any)
			for _, row := range rows {
				if m, _ := row.([]any)[0].(string); m != "" {
					n++
				}
			}
			return n
		}
		deadline := time.Now().Add(60 * time.Second)
		for withMessage() < 100 {
			if time.Now().After(deadline) {
				t.Fatalf("rTorrent shows %d items with a message after 60 s, want 100", withMessage())
			}
			time.Sleep(250 * time.Millisecond)
		}
		c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: rt.URL})
		if err != nil {
			t.Fatal(err)
		}
		r := reader.NewReader(c, reader.DefaultOptions())
		// 100 of 500 is 20 %: over 10 %, within 25 %.
		for _, tc := range []struct {
			share float64
			want  string
		}{{0.10, "WARNING messages"}, {0.25, ""}} {
			tr := New(Options{MessageShare: tc.share})
			first, second := read(t, tr, r), read(t, tr, r)
			if got := join(first); got != tc.want || len(second) != 0 {
				t.Errorf("share %v: first read %v, second %v; want %q once", tc.share, first, second, tc.want)
			}
		}
	})
}

func join(s []string) string {
	if len(s) == 0 {
		return ""
	}
	out := s[0]
	for _, x := range s[1:] {
		out += "; " + x
	}
	return out
}
