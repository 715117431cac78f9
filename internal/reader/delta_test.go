package reader

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestDeltaScan checks that between full scans the reader reads only busy
// items, yet a start, stop or erase made in rTorrent is seen at the next
// scan: the fast tier's view sizes call for a full scan.
func TestDeltaScan(t *testing.T) {
	rt, tors := startIdle(t, 30, "delta")
	for _, tor := range tors[:5] {
		rt.MustCall(t, "d.start", tor.InfoHash)
	}
	// A scan at every read: the cadence is not under test here.
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval = 1, time.Millisecond
	r := newReader(t, rt.URL, opt)
	ctx := context.Background()
	var prev time.Time
	read := func(step string, wantFull bool) *Snapshot {
		t.Helper()
		time.Sleep(5 * time.Millisecond) // past the 1 ms scan gap
		s, err := r.Read(ctx, false)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if s.Scan == nil || s.Scan.Full != wantFull || !s.Scan.Time.After(prev) {
			t.Fatalf("%s: scan %+v, want a scan at this read with full=%v", step, s.Scan, wantFull)
		}
		prev = s.Scan.Time
		g := groundTruth(t, rt)
		if int64(s.Scan.Items) != g.total || s.Sizes.SizeBytes != g.size || s.Sizes.LeftBytes != g.left || s.Sizes.Files != g.files {
			t.Errorf("%s: items %d size %d left %d files %d; rTorrent has %d, %d, %d, %d",
				step, s.Scan.Items, s.Sizes.SizeBytes, s.Sizes.LeftBytes, s.Sizes.Files, g.total, g.size, g.left, g.files)
		}
		return s
	}
	read("first read", true)
	read("nothing changed", false)

	rt.MustCall(t, "d.stop", tors[0].InfoHash)
	if s := read("after d.stop", true); s.Events.Stopped != 1 {
		t.Errorf("after d.stop: events %+v, want one stopped", *s.Events)
	}
	rt.MustCall(t, "d.erase", tors[20].InfoHash)
	if s := read("after d.erase", true); s.Events.Erased != 1 {
		t.Errorf("after d.erase: events %+v, want one erased", *s.Events)
	}
	rt.MustCall(t, "d.start", tors[21].InfoHash)
	if s := read("after d.start", true); s.Events.Started != 1 {
		t.Errorf("after d.start: events %+v, want one started", *s.Events)
	}
	read("quiet again", false)
}

// TestDeltaScanFullEvery checks that delta scans give way to a full scan
// once MaxScanInterval has passed since the last one.
func TestDeltaScanFullEvery(t *testing.T) {
	rt, _ := startIdle(t, 5, "every")
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval, opt.MaxScanInterval = 1, time.Millisecond, 300*time.Millisecond
	r := newReader(t, rt.URL, opt)
	var kinds []bool
	var prev time.Time
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		s, err := r.Read(context.Background(), false)
		if err != nil {
			t.Fatal(err)
		}
		if s.Scan != nil && s.Scan.Time.After(prev) {
			kinds = append(kinds, s.Scan.Full)
			prev = s.Scan.Time
		}
		if len(kinds) > 2 && kinds[len(kinds)-1] && !kinds[len(kinds)-2] {
			return // full, some deltas, full again
		}
	}
	t.Fatalf("scan kinds (full=true) %v: want a full scan again after MaxScanInterval", kinds)
}

// TestBudgetCountsFastReads: the load budget counts every RPC since the
// latest scan began, not the scan alone. Fast reads back to back keep
// rTorrent busy most of the wall time, far above a 50% budget, so no scan
// may start even though the scan's own gap has passed; once enough idle
// time has gone by, the next read scans.
func TestBudgetCountsFastReads(t *testing.T) {
	rt, _ := startIdle(t, 5, "budget")
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval = 0.5, time.Millisecond
	r := newReader(t, rt.URL, opt)
	ctx := context.Background()
	first, err := r.Read(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for time.Since(start) < 200*time.Millisecond {
		if _, err := r.ReadFast(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s, err := r.Read(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Scan.Time.Equal(first.Scan.Time) {
		waited := r.Client().Stats().CallTime
		t.Fatalf("a scan ran right after 200 ms of back-to-back fast reads (%v waiting on rTorrent in all), over the 50%% budget", waited)
	}
	waitFor(t, 10*time.Second, "a scan once the budget allows", func() bool {
		time.Sleep(50 * time.Millisecond)
		s, err := r.Read(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		return s.Scan.Time.After(first.Scan.Time)
	})
}

// TestDeltaScanSwarm reads a leecher during a real transfer with a scan
// at every read. The download starts and ends without a view size the
// reader watches changing (main, started, hashing), so after the first
// scan every scan is a delta: the busy item's rows must carry the
// download to its end, and once it is complete and quiet, the re-read of
// items gone quiet must leave its final left bytes (zero) and count the
// finish once.
func TestDeltaScanSwarm(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: 4 << 20, UploadKiB: 1024})
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval = 1, time.Millisecond
	r := newReader(t, sw.Leecher.URL, opt)
	ctx := context.Background()
	sawBusy := false
	var s *Snapshot
	var last string
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last read: %s", last)
		}
	})
	waitFor(t, 120*time.Second, "the leecher complete, with its left bytes read as zero by a delta scan", func() bool {
		time.Sleep(50 * time.Millisecond)
		var err error
		if s, err = r.Read(ctx, false); err != nil {
			t.Fatal(err)
		}
		if s.Scan == nil {
			t.Fatal("no scan")
		}
		if !s.Scan.Full && deref(s.Items.Active) == 1 && s.Sizes.LeftBytes > 0 {
			sawBusy = true
		}
		done := s.Items.Complete == 1 && !s.Scan.Full && s.Sizes.LeftBytes == 0
		if !done {
			last = fmt.Sprintf("complete %d hashing %d started %d, left %d, scan %+v, sub-errors %v",
				s.Items.Complete, s.Items.Hashing, s.Items.Started, s.Sizes.LeftBytes, *s.Scan, r.SubErrors())
		}
		return done
	})
	if !sawBusy {
		t.Errorf("no delta scan saw the item busy with bytes left")
	}
	if s.Events.Finished != 1 {
		t.Errorf("events %+v, want one finished", *s.Events)
	}
	rows := sw.Leecher.MustCall(t, "d.multicall2", "", "main", "d.left_bytes=", "d.size_bytes=").([]any)
	f := rows[0].([]any)
	if len(rows) != 1 || s.Sizes.LeftBytes != f[0].(int64) || s.Sizes.SizeBytes != f[1].(int64) {
		t.Errorf("left %d size %d, rTorrent has %v (left, size)", s.Sizes.LeftBytes, s.Sizes.SizeBytes, rows)
	}
}

// TestDeltaScanRereadsQuietItems: an item busy at one delta scan and quiet
// at the next is read again, so the values its last busy row left behind
// do not stay. The busy row is made up by a proxy in front of a real
// rTorrent (stopped items, nothing moves, so no item is ever busy for
// real): it claims a peer and 1 byte left; the next delta scan must put
// the item's real left bytes back.
func TestDeltaScanRereadsQuietItems(t *testing.T) {
	rt, tors := startIdle(t, 4, "quiet")
	x := tors[1]
	rt.MustCall(t, "d.start", x.InfoHash)
	proxy := testenv.StartTamperProxy(t, rt)
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval = 1, time.Millisecond
	r := newReader(t, proxy.URL, opt)
	ctx := context.Background()
	truth := groundTruth(t, rt)
	read := func(step string, wantFull bool) *Snapshot {
		t.Helper()
		time.Sleep(5 * time.Millisecond)
		s, err := r.Read(ctx, false)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if s.Scan == nil || s.Scan.Full != wantFull {
			t.Fatalf("%s: scan %+v, want full=%v", step, s.Scan, wantFull)
		}
		return s
	}
	read("first", true)
	proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		if m == "d.multicall.filtered" && len(args) > 2 && args[2] == activeFilter {
			return []any{[]any{x.InfoHash, int64(1), int64(0), int64(0), int64(0), int64(0), int64(1), "", int64(0), int64(1), int64(0), int64(1), int64(0), int64(0)}}, nil
		}
		return v, f
	})
	if s := read("made-up busy row", false); s.Sizes.LeftBytes != truth.left-x.Size+1 || s.Peers.Connected != 1 {
		t.Fatalf("made-up busy row: left %d, peers %+v; want %d (the row's 1 byte for %s), 1 peer", s.Sizes.LeftBytes, s.Peers, truth.left-x.Size+1, x.InfoHash)
	}
	proxy.Set(nil)
	if s := read("quiet again", false); s.Sizes.LeftBytes != truth.left || s.Peers.Connected != 0 {
		t.Errorf("after the item went quiet: left %d, peers %+v; rTorrent has %d left, no peers", s.Sizes.LeftBytes, s.Peers, truth.left)
	}
}
