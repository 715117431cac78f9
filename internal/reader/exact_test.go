package reader

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// eventsRC is the shipped snippet, imported as a user would.
func eventsRC(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../dist/rtorrent/rtmon-events.rc")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rcCounts reads rtmon-events.rc's counters straight from rTorrent: the
// ground truth, not through the reader.
func rcCounts(t *testing.T, rt *testenv.RTorrent) Events {
	t.Helper()
	var e Events
	for _, k := range exactKeys {
		*k.field(&e) = rt.MustInt(t, EventsPrefix+k.key, "")
	}
	return e
}

// TestExactEventsReal imports rtmon-events.rc into a real rTorrent and
// causes every event, several of each within one read interval: each is
// counted exactly once, in rTorrent's own counters and in the reader's
// Events, and the reader's totals keep rising across an rTorrent restart
// (the counters start again at 0).
func TestExactEventsReal(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: 1 << 20, UploadKiB: 2048})
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{BindAddress: "127.0.0.4", ExtraRC: []string{"import = " + eventsRC(t)}})
	r := newReader(t, rt.URL, DefaultOptions())
	ctx := context.Background()

	first, err := r.Read(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if first.EventsSource != EventsExact || first.Events == nil || *first.Events != (Events{}) {
		t.Fatalf("first read: source %q, events %+v; want %q and a zero baseline", first.EventsSource, first.Events, EventsExact)
	}
	base := rcCounts(t, rt)

	// Between two reads: three items inserted, started, paused, resumed,
	// stopped, closed and erased, and one real download that finishes.
	fakes := testenv.FakeTorrents(3, "http://127.0.0.1:1/announce", "exact")
	rt.LoadRaw(t, testenv.Metas(fakes), false)
	rt.WaitItems(t, 3, 30*time.Second)
	hashDone := func(n int64) func() bool {
		return func() bool { return rt.MustInt(t, EventsPrefix+"hash_done", "")-base.HashDone >= n }
	}
	for _, f := range fakes {
		rt.MustCall(t, "d.start", f.InfoHash)
	}
	// The first start hash-checks each item; pausing before the check
	// ends would make the sequence depend on timing.
	waitFor(t, 30*time.Second, "the hash checks of the started items", hashDone(3))
	for _, op := range []string{"d.pause", "d.resume", "d.stop", "d.close", "d.erase"} {
		for _, f := range fakes {
			rt.MustCall(t, op, f.InfoHash)
		}
	}
	rt.LoadRaw(t, testenv.Metas(sw.Torrents), true)
	real := sw.Torrents[0].InfoHash
	waitFor(t, 90*time.Second, "the real download to finish and its check on completion to end", func() bool {
		return rt.MustInt(t, "view.size", "", "complete") == 1 && rt.MustInt(t, "view.size", "", "hashing") == 0 &&
			rt.MustInt(t, "d.is_active", real) == 1 && rt.MustInt(t, "d.is_hash_checking", real) == 0 &&
			rt.MustInt(t, EventsPrefix+"resumed", "")-base.Resumed == 5
	})

	// What the test caused, event by event. The real download is
	// inserted started (no start event: it was never stopped), opened,
	// hash-checked and resumed on load; at completion rTorrent 0.9.8 queues
	// a check, pauses and closes the item (paused with d.state 1, closed,
	// the check taken off the queue: hash_removed), then opens and resumes
	// it (measured: the same at every run).
	want := Events{Inserted: 4, Erased: 3, Finished: 1, Started: 3, Stopped: 3, Paused: 3 + 1, Resumed: 3 + 2,
		Opened: 3 + 2, Closed: 3 + 1, HashQueued: 3 + 2, HashDone: 3 + 1, HashRemoved: 3 + 1}
	got := rcCounts(t, rt).sub(base)
	for _, k := range exactKeys {
		if *k.field(&got) != *k.field(&want) {
			t.Errorf("rTorrent's rtmon.events.%s rose by %d, want %d (the events the test caused)", k.key, *k.field(&got), *k.field(&want))
		}
	}

	// One read sees them all, each once; more reads add nothing.
	for i := 0; i < 3; i++ {
		s, err := r.ReadFast(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.EventsSource != EventsExact || *s.Events != got {
			t.Fatalf("read %d: events %+v (source %q), want rTorrent's own increases %+v", i, *s.Events, s.EventsSource, got)
		}
	}

	// A restart sets the counters back to 0 and loads the session (one
	// item): the reader's totals continue, plus that load.
	rt.Restart(t)
	var after *Snapshot
	waitFor(t, 60*time.Second, "a read of the restarted rTorrent", func() bool {
		after, err = r.Read(ctx, false)
		return err == nil && after.PID == int64(rt.PID)
	})
	// rTorrent may still be busy with its session after the first answer:
	// compare once a read and rTorrent's counters agree.
	var restarted, wantAfter Events
	waitFor(t, 30*time.Second, "the reader's totals to equal the totals before plus rTorrent's new counters", func() bool {
		if after, err = r.Read(ctx, false); err != nil {
			t.Fatal(err)
		}
		restarted = rcCounts(t, rt)
		wantAfter = got
		wantAfter.add(restarted)
		return *after.Events == wantAfter
	})
	if restarted.Loaded != 1 {
		t.Errorf("after the restart rtmon.events.loaded = %d, want 1 (one item in the session)", restarted.Loaded)
	}
	for _, k := range exactKeys {
		if *k.field(after.Events) < *k.field(&got) {
			t.Errorf("events.%s went backwards across the restart: %d → %d", k.key, *k.field(&got), *k.field(after.Events))
		}
	}
}

// TestEventsFallBackToScans: without the snippet the reader says its events
// come from the scans, and only the scan-derived keys count.
func TestEventsFallBackToScans(t *testing.T) {
	rt, tors := startIdle(t, 4, "fallback")
	r := newReader(t, rt.URL, DefaultOptions())
	ctx := context.Background()
	if _, err := r.Read(ctx, true); err != nil {
		t.Fatal(err)
	}
	rt.MustCall(t, "d.erase", tors[0].InfoHash)
	rt.MustCall(t, "d.start", tors[1].InfoHash)
	s, err := r.Read(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	want := Events{Erased: 1, Started: 1}
	if s.EventsSource != EventsScan || s.Events == nil || *s.Events != want {
		t.Errorf("events %+v from %q, want %+v from %q", s.Events, s.EventsSource, want, EventsScan)
	}
	for _, d := range s.Off {
		if d.Sensor == "events.inserted" {
			t.Errorf("the counters were asked for without the snippet: %+v", d)
		}
	}
}

// TestExactCounterFold covers the folding rules without rTorrent.
func TestExactCounterFold(t *testing.T) {
	n := len(exactKeys)
	vals := func(v ...int64) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = -1
		}
		copy(out, v)
		return out
	}
	tests := []struct {
		name string
		seq  [][]int64 // raw values per read (inserted, erased, ...)
		pids []int64
		want Events
	}{
		{"baseline only", [][]int64{vals(5, 2)}, []int64{10}, Events{}},
		{"increases", [][]int64{vals(5, 2), vals(7, 2), vals(9, 3)}, []int64{10, 10, 10}, Events{Inserted: 4, Erased: 1}},
		{"restart by pid adds the new value", [][]int64{vals(5, 2), vals(7, 4)}, []int64{10, 11}, Events{Inserted: 7, Erased: 4}},
		{"restart by a fall", [][]int64{vals(5, 2), vals(1, 0)}, []int64{10, 10}, Events{Inserted: 1}},
		{"unread then restart", [][]int64{vals(5, 2), vals(-1, 3), vals(2, 4)}, []int64{10, 11, 11}, Events{Inserted: 2, Erased: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var x exactCounter
			var got Events
			for i, raw := range tc.seq {
				x.fold(raw, tc.pids[i], &got)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
