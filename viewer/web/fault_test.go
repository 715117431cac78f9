package web

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/config"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/live"
)

// startFaultServer is the whole viewer as rtmon-viewer builds it, with
// its log kept for the test and the poller running every interval.
// stop shuts it down and waits for its goroutines.
func startFaultServer(t *testing.T, dataDir, socket, host string, interval time.Duration) (url string, p *live.Poller, log *collectdenv.LogRecorder, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log = &collectdenv.LogRecorder{}
	sl := slog.New(log)
	cfg := &config.Config{Listen: ln.Addr().String(), DataDir: dataDir, Socket: socket, Interval: interval,
		Hostname: host, DiskUsagePaths: []string{"/"}, MaxRenders: 2}
	store := datadir.NewStore(dataDir, time.Hour) // the index keeps what it saw; misses walk again
	p = live.New(live.Config{Socket: socket, Store: store, Interval: interval, Hostname: host, DiskPaths: []string{"/"}, Log: sl})
	ctx, cancel := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() { p.Run(ctx); close(polled) }()
	e, err := New(Deps{Config: cfg, Store: store, Poller: p, Renderer: graphs.NewRenderer(p, cfg.MaxRenders, 16<<20, sl), Log: sl})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, Server(e, sl), ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-served; err != nil && err != http.ErrServerClosed {
				t.Errorf("Serve: %v", err)
			}
			<-polled
		})
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), p, log, stop
}

// faultGoroutines waits (bounded) for the goroutine count to come down
// to want and returns it.
func faultGoroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		client.CloseIdleConnections()
		runtime.GC()
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestFaultDamagedRRDFiles: next to a real collectd's files, an archived
// host's RRD files go missing, get truncated, turn to garbage, or get a
// corrupt header of the kind that makes librrd abort. Each graph of a bad
// file answers an HTTP error with a plain message (404 for a file that is
// gone, 500 for a damaged one), and the viewer's log
// names the file in one line per request; the good graphs of both hosts,
// the host pages and the live JSON keep working; the viewer keeps
// serving; no goroutines are left behind.
func TestFaultDamagedRRDFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts collectd")
	}
	testenv.Need(t, "rrdtool", collectdenv.CollectdBin)
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "fault"})
	const old = "archived"
	file := func(rel string) string { return filepath.Join(c.DataDir, old, rel) }
	gauge := func(i, j int) float64 { return float64(i + j) }
	collectdenv.RRD(t, c.DataDir, old+"/load/load.rrd", []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}, 30, gauge)
	collectdenv.RRD(t, c.DataDir, old+"/memory/memory-used.rrd", []string{"value:GAUGE"}, 30, gauge)
	collectdenv.RRD(t, c.DataDir, old+"/memory/memory-free.rrd", []string{"value:GAUGE"}, 30, gauge)
	collectdenv.RRD(t, c.DataDir, old+"/swap/swap-used.rrd", []string{"value:GAUGE"}, 30, gauge)
	collectdenv.RRD(t, c.DataDir, old+"/interface-eth0/if_octets.rrd", []string{"rx:DERIVE", "tx:DERIVE"}, 30, gauge)
	collectdenv.RRD(t, c.DataDir, old+"/uptime/uptime.rrd", []string{"value:GAUGE"}, 30, gauge)
	c.WaitValues(t, 10*time.Second, "load/load")

	base := runtime.NumGoroutine()
	url, _, log, stop := startFaultServer(t, c.DataDir, c.Sock, "fault", time.Second)
	graphs := []string{"load.load", "memory.memory", "swap.swap", "interface-eth0.octets", "uptime.uptime"}
	for _, g := range graphs {
		if r := get(t, url, "/graph/"+old+"/"+g); r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/png") {
			t.Fatalf("intact %s: %d %s", g, r.Code, r.Body)
		}
	}

	// The damage, after the viewer indexed the files.
	if err := os.Remove(file("load/load.rrd")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file("memory/memory-used.rrd"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file("memory/memory-used.rrd"), b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file("swap/swap-used.rrd"), []byte(strings.Repeat("not an rrd\n", 300)), 0o644); err != nil {
		t.Fatal(err)
	}
	// A step of 2^62 seconds: librrd 1.7.2 aborts in rrd_fetch and
	// rrd_graph on it (malloc of an absurd size), which without the
	// header check takes the whole viewer (here: this test) down.
	b, err = os.ReadFile(file("interface-eth0/if_octets.rrd"))
	if err != nil {
		t.Fatal(err)
	}
	binary.NativeEndian.PutUint64(b[40:], 1<<62)
	if err := os.WriteFile(file("interface-eth0/if_octets.rrd"), b, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, graph, path, logWords string
		code                        int
	}{
		{"missing", "load.load", file("load/load.rrd"), "no such file", 404},
		{"truncated", "memory.memory", file("memory/memory-used.rrd"), "truncated", 500},
		{"garbage", "swap.swap", file("swap/swap-used.rrd"), "no RRD signature", 500},
		{"corrupt header", "interface-eth0.octets", file("interface-eth0/if_octets.rrd"), "step", 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{
				"/graph/" + old + "/" + tc.graph,
				"/graph/" + old + "/" + tc.graph + "?fmt=svg&range=1d",
				"/api/series?host=" + old + "&graph=" + tc.graph + "&range=1h",
			} {
				before := len(log.Matching("WARN", tc.path))
				r := get(t, url, path)
				if r.Code != tc.code || strings.Contains(string(r.Body), "<") {
					t.Errorf("%s: %d %q, want %d with a plain message", path, r.Code, r.Body, tc.code)
				}
				lines := log.Matching("WARN", tc.path)
				if len(lines) != before+1 || !strings.Contains(lines[len(lines)-1], tc.logWords) {
					t.Errorf("%s: log lines naming %s: %d new, want 1 saying %q:\n%s", path, tc.path, len(lines)-before, tc.logWords, log)
				} else if strings.HasPrefix(path, "/graph/") && !strings.Contains(path, "?") {
					t.Logf("%s: %d %s; log: %s", path, r.Code, strings.TrimSpace(string(r.Body)), lines[len(lines)-1])
				}
			}
			// The graph page answers 200 with the error in it: the page
			// still gives its links and ranges.
			if r := get(t, url, "/host/"+old+"/"+tc.graph); r.Code != 200 || !strings.Contains(string(r.Body), "could not be drawn") {
				t.Errorf("graph page: %d", r.Code)
			}
		})
	}

	// The rest keeps working: the intact graph of the archived host, the
	// graphs of collectd's live host, the pages and the live JSON.
	for _, path := range []string{"/graph/" + old + "/uptime.uptime", "/graph/fault/load.load", "/graph/fault/memory.memory",
		"/host/" + old, "/host/fault", "/hosts", "/"} {
		if r := get(t, url, path); r.Code != 200 {
			t.Errorf("%s: %d %s", path, r.Code, r.Body)
		}
	}
	r := get(t, url, "/json/live")
	var s live.Snapshot
	if err := json.Unmarshal(r.Body, &s); err != nil || r.Code != 200 || s.Source != "collectd" {
		t.Errorf("/json/live: %d %v source %q", r.Code, err, s.Source)
	}
	for _, l := range log.Matching("WARN") {
		if strings.Contains(l, "\n") {
			t.Errorf("a log entry spans lines: %q", l)
		}
	}
	if l := log.Matching("ERROR"); len(l) != 0 {
		t.Errorf("errors logged (a panic or an unexpected failure):\n%s", strings.Join(l, "\n"))
	}
	stop()
	if g := faultGoroutines(base); g > base+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines %d before the viewer, %d after it stopped\n%s", base, g, buf[:runtime.Stack(buf, true)])
	}
}

// TestFaultCollectdRestartedUnderViewer: the viewer runs (its poller every
// 300 ms) while collectd is stopped and started again. Meanwhile
// /json/live answers 200 from the RRD files with a note that says so, and
// the log says so once, not at every poll; once collectd answers, the
// live data comes from it again by itself within a poll or two, and the
// log says that once. Then collectd is frozen (SIGSTOP): the graphs are
// still drawn from the files, without waiting on collectd, and the live
// JSON falls back again until SIGCONT. Nothing leaks.
func TestFaultCollectdRestartedUnderViewer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts collectd")
	}
	testenv.Need(t, "rrdtool", collectdenv.CollectdBin)
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "fault"})
	base := runtime.NumGoroutine()
	url, p, log, stop := startFaultServer(t, c.DataDir, c.Sock, "fault", 300*time.Millisecond)
	liveNow := func() live.Snapshot {
		t.Helper()
		r := get(t, url, "/json/live")
		var s live.Snapshot
		if err := json.Unmarshal(r.Body, &s); err != nil || r.Code != 200 {
			t.Fatalf("/json/live: %d %v %s", r.Code, err, r.Body)
		}
		return s
	}
	waitFor := func(what string, ok func(live.Snapshot) bool) live.Snapshot {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			s := liveNow()
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s after 20 s: source %q note %q error %q", what, s.Source, s.Note, s.Error)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("snapshot from collectd", func(s live.Snapshot) bool { return s.Source == "collectd" })

	c.Stop()
	s := waitFor("fallback to the RRD files", func(s live.Snapshot) bool { return s.Source == "rrd" })
	if !strings.Contains(s.Note, "unixsock unavailable") || !strings.Contains(s.Note, c.Sock) || len(s.Hosts) != 1 || s.Hosts[0].Load == nil {
		t.Fatalf("fallback: note %q hosts %d", s.Note, len(s.Hosts))
	}
	want := p.Polls() + 6
	for limit := time.After(20 * time.Second); p.Polls() < want; {
		select {
		case <-p.Changed():
		case <-limit:
			t.Fatalf("the poller took fewer than 6 snapshots in 20 s")
		}
	}
	if w := log.Matching("WARN", "unixsock unavailable", c.Sock); len(w) != 1 {
		t.Fatalf("%d warnings about the unixsock over 6 polls of the fallback, want 1:\n%s", len(w), log)
	}
	if r := get(t, url, "/graph/fault/load.load"); r.Code != 200 {
		t.Errorf("graph without collectd: %d %s", r.Code, r.Body)
	}

	d := c.Restart(t)
	polls := p.Polls()
	s = waitFor("snapshot from collectd again", func(s live.Snapshot) bool { return s.Source == "collectd" })
	if n := p.Polls() - polls; n > 2 || s.Note != "" || s.Error != "" {
		t.Errorf("back after %d polls, note %q error %q", n, s.Note, s.Error)
	}
	if i := log.Matching("INFO", "answers again"); len(i) != 1 {
		t.Errorf("%d notes of collectd's return, want 1:\n%s", len(i), log)
	}
	if r := get(t, url, "/graph/fault/load.load?range=1h"); r.Code != 200 {
		t.Errorf("graph after the restart: %d %s", r.Code, r.Body)
	}

	// collectd frozen (SIGSTOP): its socket accepts and never answers.
	// Graphs are drawn from the files as they are, without waiting out
	// the render timeout on collectd; the live JSON falls back and says
	// so once; after SIGCONT all is back.
	if err := syscall.Kill(d.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	frozen := time.Now()
	s = waitFor("fallback while collectd is frozen", func(s live.Snapshot) bool {
		return s.Source == "rrd" && s.Time > float64(frozen.UnixMilli())/1000
	})
	if len(s.Hosts) != 1 || s.Hosts[0].Load == nil || !strings.Contains(s.Note, "unixsock unavailable") {
		t.Errorf("fallback with collectd frozen: hosts %d, note %q", len(s.Hosts), s.Note)
	}
	// The graphs' LISTVAL is now older than the 2 s they accept, so each
	// render asks collectd again: it must give up on a frozen collectd
	// well before the 20 s render timeout (8 s of patience here).
	patient := &http.Client{Timeout: 8 * time.Second}
	for _, g := range []string{"load.load", "memory.memory", "uptime.uptime"} {
		resp, err := patient.Get(url + "/graph/fault/" + g + "?range=1h")
		if err != nil {
			t.Fatalf("graph %s with collectd frozen: %v", g, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("graph %s with collectd frozen: %d", g, resp.StatusCode)
		}
	}
	if w := log.Matching("WARN", "unixsock unavailable", c.Sock); len(w) != 2 {
		t.Errorf("%d warnings about the unixsock after two outages, want 2:\n%s", len(w), log)
	}
	if err := syscall.Kill(d.PID(), syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	waitFor("snapshot from collectd after SIGCONT", func(s live.Snapshot) bool { return s.Source == "collectd" })
	if l := log.Matching("ERROR"); len(l) != 0 {
		t.Errorf("errors logged:\n%s", strings.Join(l, "\n"))
	}
	stop()
	d.Stop()
	if g := faultGoroutines(base); g > base+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines %d before the viewer, %d after it stopped\n%s", base, g, buf[:runtime.Stack(buf, true)])
	}
}
