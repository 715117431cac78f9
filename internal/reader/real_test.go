package reader

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
)

// truth is what the test computes itself from a direct d.multicall2 on
// rTorrent through the test environment, never through the code under test.
type truth struct {
	total, started, stopped, complete, incomplete, seeding, leeching, messages, active int64
	size, left, files                                                                  int64
	perDomain                                                                          map[string]int64
}

func groundTruth(t *testing.T, rt *testenv.RTorrent) truth {
	t.Helper()
	v := rt.MustCall(t, "d.multicall2", "", "main", "d.state=", "d.complete=", "d.message=", "d.up.rate=", "d.down.rate=",
		"d.size_bytes=", "d.left_bytes=", "d.size_files=", "t.multicall=,t.url=")
	var g truth
	g.perDomain = map[string]int64{}
	for _, r := range v.([]any) {
		f := r.([]any)
		n := func(i int) int64 { return f[i].(int64) }
		g.total++
		started, complete := n(0) == 1, n(1) == 1
		if started {
			g.started++
		} else {
			g.stopped++
		}
		if complete {
			g.complete++
		} else {
			g.incomplete++
		}
		if started && complete {
			g.seeding++
		}
		if started && !complete {
			g.leeching++
		}
		if f[2].(string) != "" {
			g.messages++
		}
		if n(3) > 0 || n(4) > 0 {
			g.active++
		}
		g.size += n(5)
		g.left += n(6)
		g.files += n(7)
		domain := NoTracker
		if urls := f[8].([]any); len(urls) > 0 {
			domain = "" // filled below from the first URL's host
			u := urls[0].([]any)[0].(string)
			switch u {
			case "http://tracker.example.org:6969/announce":
				domain = "example.org"
			case "http://127.0.0.1:1/announce":
				domain = "127.0.0.1"
			default:
				t.Fatalf("unexpected tracker URL %q", u)
			}
		}
		g.perDomain[domain]++
	}
	return g
}

func newReaderB(tb testing.TB, url string) *Reader {
	tb.Helper()
	c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: url, Timeout: 30 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return NewReader(c, DefaultOptions())
}

// startIdle starts a real rTorrent holding n stopped items (named after
// tag) whose tracker does not answer: nothing moves unless a test starts
// an item.
func startIdle(t *testing.T, n int, tag string) (*testenv.RTorrent, []testenv.Torrent) {
	t.Helper()
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	tors := testenv.FakeTorrents(n, "http://127.0.0.1:1/announce", tag)
	rt.LoadRaw(t, testenv.Metas(tors), false)
	rt.WaitItems(t, n, time.Minute)
	return rt, tors
}

func newReader(t *testing.T, url string, opt Options) *Reader {
	t.Helper()
	c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: url, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return NewReader(c, opt)
}

// TestSnapshotMatchesGroundTruth puts items in known states — stopped with a
// tracker, started without data (leeching), complete and seeding, complete
// and stopped, with a message — and checks every count and sum.
func TestSnapshotMatchesGroundTruth(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})

	// rTorrent refuses torrents without an announce URL, and a started
	// item announces and collects a "Couldn't connect" message at its own
	// pace. So items to be started point at a closed port and have their
	// tracker disabled before they start: their messages are ours alone.
	const closed = "http://127.0.0.1:1/announce"
	stopped := testenv.FakeTorrents(20, "http://tracker.example.org:6969/announce", "stopped")
	leeching := testenv.FakeTorrents(7, closed, "leeching")
	var complete []testenv.Torrent
	for _, name := range []string{"seed-a", "seed-b", "seed-c"} {
		complete = append(complete, testenv.MakeTorrent(t, rt.DownloadDir, name, 300<<10, closed))
	}
	rt.LoadRaw(t, testenv.Metas(stopped), false)
	rt.LoadRaw(t, testenv.Metas(leeching), false)
	rt.LoadRaw(t, testenv.Metas(complete), false)
	rt.WaitItems(t, 30, 20*time.Second)
	for _, tor := range append(append([]testenv.Torrent{}, leeching...), complete...) {
		rt.MustCall(t, "t.multicall", tor.InfoHash, "", "t.disable=")
		rt.MustCall(t, "d.start", tor.InfoHash)
	}
	waitFor(t, 20*time.Second, "complete items hashed", func() bool {
		return rt.MustInt(t, "view.size", "", "complete") == 3 && rt.MustInt(t, "view.size", "", "hashing") == 0
	})
	rt.MustCall(t, "d.stop", complete[2].InfoHash)
	rt.MustCall(t, "d.message.set", stopped[0].InfoHash, "Tracker: [Failure reason \"unregistered torrent\"]")
	rt.MustCall(t, "d.message.set", leeching[1].InfoHash, "Storage error: [File not found]")

	r := newReader(t, rt.URL, DefaultOptions())
	s, err := r.Read(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	g := groundTruth(t, rt)
	checks := []struct {
		name      string
		got, want int64
	}{
		{"total", s.Items.Total, g.total},
		{"started", s.Items.Started, g.started},
		{"stopped", s.Items.Stopped, g.stopped},
		{"complete", s.Items.Complete, g.complete},
		{"incomplete", s.Items.Incomplete, g.incomplete},
		{"seeding", s.Items.Seeding, g.seeding},
		{"leeching", s.Items.Leeching, g.leeching},
		{"messages", deref(s.Items.Messages), g.messages},
		{"active", deref(s.Items.Active), g.active},
		{"size_bytes", s.Sizes.SizeBytes, g.size},
		{"left_bytes", s.Sizes.LeftBytes, g.left},
		{"files", s.Sizes.Files, g.files},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, rTorrent says %d", c.name, c.got, c.want)
		}
	}
	// The states were chosen so that the counts are not trivially equal.
	if g.total != 30 || g.stopped != 21 || g.seeding != 2 || g.leeching != 7 || g.messages != 2 {
		t.Errorf("test setup: %+v", g)
	}
	got := map[string]int64{}
	for _, tr := range s.Trackers {
		got[tr.Name] = tr.Items
	}
	if len(got) != 2 || got["example.org"] != g.perDomain["example.org"] || got["127.0.0.1"] != g.perDomain["127.0.0.1"] {
		t.Errorf("per tracker %v, rTorrent says %v", got, g.perDomain)
	}
	if s.PID != int64(rt.PID) || s.ClientVersion != "0.9.8" || s.Process == nil || s.Uptime == nil || s.UptimeSource != "/proc" {
		t.Errorf("identity: pid %d (want %d) version %q process %v uptime %v (%s)", s.PID, rt.PID, s.ClientVersion, s.Process, s.Uptime, s.UptimeSource)
	}
	if s.Process != nil && (s.Process.RSS <= 0 || s.Process.VSZ < s.Process.RSS) {
		t.Errorf("process figures %+v", s.Process)
	}
	if s.Resources.OpenSockets == nil || s.Resources.PieceMemory == nil || s.Resources.OpenFiles == nil {
		t.Errorf("resources %+v", s.Resources)
	}
	offNames := map[string]bool{}
	for _, o := range s.Off {
		offNames[o.Command] = true
	}
	if !offNames["network.open_files"] || !offNames["system.startup_time"] {
		t.Errorf("disabled %v: want network.open_files and system.startup_time, which stock 0.9.8 lacks", s.Off)
	}

	// The static cache: a second scan fetches nothing new, a new item is
	// fetched alone.
	if s.Scan.NewHashes != 30 {
		t.Errorf("first scan fetched static data for %d hashes, want 30", s.Scan.NewHashes)
	}
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(1, closed, "late")), false)
	rt.WaitItems(t, 31, 10*time.Second)
	s, err = r.Read(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Scan.NewHashes != 1 || s.Items.Total != 31 || s.Events.Inserted != 1 {
		t.Errorf("second scan: new hashes %d, total %d, inserted %d; want 1, 31, 1", s.Scan.NewHashes, s.Items.Total, s.Events.Inserted)
	}
}

// TestStartupTime: where the user's rc defines system.startup_time, it is
// the uptime's source, and it works without /proc.
func TestStartupTime(t *testing.T) {
	testenv.Need(t, "rtorrent")
	started := time.Now().Add(-time.Hour).Unix()
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{ExtraRC: []string{
		"method.insert = system.startup_time, value|const, " + strconv.FormatInt(started, 10),
	}})
	opt := DefaultOptions()
	opt.ProcRoot = t.TempDir() // no /proc here
	s, err := newReader(t, rt.URL, opt).Read(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Uptime == nil || s.UptimeSource != "system.startup_time" || *s.Uptime < 3600 || *s.Uptime > 3700 {
		t.Fatalf("uptime %v from %q, want about 3600 from system.startup_time", s.Uptime, s.UptimeSource)
	}
	if s.Process != nil {
		t.Errorf("process figures without /proc: %+v", s.Process)
	}
}

// TestRestartAndOutage: a killed rTorrent gives a transport error; once it
// is back the reader recovers on the next read, with the new pid.
func TestRestartAndOutage(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	r := newReader(t, rt.URL, DefaultOptions())
	ctx := context.Background()
	if _, err := r.Read(ctx, false); err != nil {
		t.Fatal(err)
	}
	oldPID := rt.PID
	rt.Kill()
	if _, err := r.Read(ctx, false); err == nil || !rtorrent.IsTransport(err) {
		t.Fatalf("read of a dead rTorrent: %v, want a transport error", err)
	}
	rt.Restart(t)
	s, err := r.Read(ctx, false)
	if err != nil {
		t.Fatalf("read after restart: %v", err)
	}
	if s.PID == int64(oldPID) || s.PID != int64(rt.PID) {
		t.Errorf("pid after restart %d, old %d, new %d", s.PID, oldPID, rt.PID)
	}
}

// TestFrozen: an rTorrent stopped with SIGSTOP makes the read fail at its
// deadline, not hang, and a read after SIGCONT works.
func TestFrozen(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	r := newReader(t, rt.URL, DefaultOptions())
	rt.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	start := time.Now()
	_, err := r.Read(ctx, false)
	cancel()
	rt.Resume()
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("read of a frozen rTorrent: %v after %v", err, time.Since(start))
	}
	if _, err := r.Read(context.Background(), false); err != nil {
		t.Fatalf("read after SIGCONT: %v", err)
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestScanFailureKeepsFastTier: a scan that fails (here its reply is over
// the cap) costs the scan-tier fields only; the fast tier's values are
// still returned and the failure is reported once as a sub-error.
func TestScanFailureKeepsFastTier(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(500, "http://127.0.0.1:1/announce", "capped")), false)
	rt.WaitItems(t, 500, 20*time.Second)
	c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: rt.URL, MaxReplyBytes: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(c, DefaultOptions())
	s, err := r.Read(context.Background(), true)
	if err != nil {
		t.Fatalf("read with a failing scan: %v", err)
	}
	// items_active comes from the fast tier (moving.go): 0, nothing moves.
	if s.Items.Total != 500 || s.Sizes != nil || deref(s.Items.Active) != 0 {
		t.Errorf("total %d, sizes %v, active %d; want 500 and active 0 from the fast tier and no scan fields", s.Items.Total, s.Sizes, deref(s.Items.Active))
	}
	errs := r.SubErrors()
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "item scan: ") || !strings.Contains(errs[0].Error(), "reply larger than 128 KiB") {
		t.Errorf("sub-errors %v, want one naming the item scan and the cap", errs)
	}
	// The failed scan backs off: the next read does not try it again.
	before := c.Stats().Calls
	if _, err := r.Read(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if calls := c.Stats().Calls - before; calls != 1 {
		t.Errorf("read after a failed scan made %d calls, want 1 (fast tier only)", calls)
	}
}
