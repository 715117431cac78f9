package collector

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/testenv"
)

// The fault suite: a real rTorrent killed, restarted, frozen with SIGSTOP
// in the middle of a read, and slowed down by a delaying proxy (the one
// fault a real rTorrent cannot be made to produce on demand). For each:
// the read ends within its deadline, the error is logged once per outage,
// values come back at the first read after the fault ends, and many fault
// cycles leave no goroutines or heap behind.

// faultInterval is short so that many cycles fit in a few seconds; the
// read deadline is 80% of it.
const faultInterval = 500 * time.Millisecond

// leakCheck records the goroutine count and the live heap now; the
// returned function checks, after the caller's fault cycles, that both
// came back near where they were. extra reports goroutines the test itself
// still runs (its proxy's) that are not the collector's.
func leakCheck(t *testing.T, extra func() int) func() {
	t.Helper()
	baseG, baseH := settle(extra)
	return func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			g, h := settle(extra)
			// A few goroutines come and go in the runtime and the test
			// bed (rTorrent's reaper); a leak per read would be dozens.
			// The live heap moves by a few hundred KiB between runs; 1 MiB
			// over the 30-60 reads of a test catches a snapshot kept per
			// read.
			const slackG, slackH = 3, 1 << 20
			if g <= baseG+slackG && h <= baseH+slackH {
				t.Logf("goroutines %d -> %d, live heap %d KiB -> %d KiB", baseG, g, baseH>>10, h>>10)
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Fatalf("after the fault cycles: goroutines %d (before %d), live heap %d KiB (before %d KiB)\n%s",
					g, baseG, h>>10, baseH>>10, buf)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// settle returns the goroutines (less the test's own extra ones) and the
// live heap after a collection.
func settle(extra func() int) (int, uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	g := runtime.NumGoroutine()
	if extra != nil {
		g -= extra()
	}
	return g, ms.HeapAlloc
}

// derives returns every DERIVE value the sink holds, by identifier/DS.
func (s *sink) derives() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for id, vl := range s.last {
		for i, v := range vl.Values {
			if d, ok := v.(api.Derive); ok {
				out[id+"/"+vl.DSNames[i]] = int64(d)
			}
		}
	}
	return out
}

// checkRising fails when a DERIVE counter fell since prev: collectd would
// store a negative rate (a gap) or, for a COUNTER, a wrap-around spike.
// It returns the current counters.
func checkRising(t *testing.T, s *sink, prev map[string]int64, when string) map[string]int64 {
	t.Helper()
	cur := s.derives()
	for k, v := range prev {
		if c, ok := cur[k]; ok && c < v {
			t.Errorf("%s: DERIVE %s fell from %d to %d", when, k, v, c)
		}
	}
	return cur
}

// TestFaultKilledAndRestarted: rTorrent killed and restarted many times
// (a new pid each time). Each outage logs one ERROR and each return one
// NOTICE; the first read after rTorrent answers again writes the values;
// the DERIVE counters never fall although every new process starts them
// from zero; nothing leaks.
func TestFaultKilledAndRestarted(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(5, "http://127.0.0.1:1/announce", "fault")), true)
	rt.WaitItems(t, 5, 20*time.Second)
	var s sink
	c, log := newCollector(t, rt.URL, 5*time.Second, s.write)
	ctx := context.Background()
	if c.Read(ctx, faultInterval) == 0 || c.Read(ctx, faultInterval) == 0 {
		t.Fatalf("first reads wrote nothing\n%s", log)
	}
	check := leakCheck(t, nil)
	prev := s.derives()
	if len(prev) < 6 {
		t.Fatalf("only %d DERIVE values before the faults: %v", len(prev), prev)
	}
	pids := map[int]bool{rt.PID: true}
	const cycles = 8
	for i := 0; i < cycles; i++ {
		rt.Kill()
		for j := 0; j < 3; j++ {
			start := time.Now()
			if n := c.Read(ctx, faultInterval); n != 0 {
				t.Fatalf("cycle %d: read of a dead rTorrent wrote %d values", i, n)
			}
			if d := time.Since(start); d > Deadline(5*time.Second, faultInterval) {
				t.Fatalf("cycle %d: read of a dead rTorrent took %v", i, d)
			}
		}
		rt.Restart(t)
		if pids[rt.PID] {
			t.Fatalf("cycle %d: pid %d reused", i, rt.PID)
		}
		pids[rt.PID] = true
		// Recovery within one interval of the fault's end: the very next
		// read writes, with the new process's values.
		if n := c.Read(ctx, faultInterval); n < 20 {
			t.Fatalf("cycle %d: first read after the restart wrote %d values\n%s", i, n, log)
		}
		if got, want := s.get(t, "count-items_total").Values[0], api.Gauge(rt.MustInt(t, "view.size", "", "main")); got != want {
			t.Fatalf("cycle %d: items_total %v, rTorrent says %v", i, got, want)
		}
		prev = checkRising(t, &s, prev, "restart")
		c.Read(ctx, faultInterval)
		prev = checkRising(t, &s, prev, "read after restart")
	}
	if e, n := log.count("error"), log.count("notice"); e != cycles || n != cycles {
		t.Fatalf("%d errors and %d notices for %d outages of 3 reads each, want one of each per outage\n%s", e, n, cycles, log)
	}
	for _, l := range log.lines {
		if l.sev == "error" && !(strings.Contains(l.msg, rt.Socket) && strings.Contains(l.msg, "logged once")) {
			t.Errorf("error does not name the rTorrent or say it is logged once: %s", l.msg)
		}
	}
	check()
}

// delayProxy sits between the collector and rTorrent's socket: each
// connection waits delay (or until hold is released) before it is passed
// on. It stands in for an rTorrent that answers slowly, which a real one
// does only under loads a test cannot make on demand. onRequest, when
// set, runs once the request has arrived, before it is forwarded.
type delayProxy struct {
	URL       string
	ln        net.Listener
	upstream  string
	delay     atomic.Int64 // nanoseconds
	onRequest atomic.Pointer[func()]
	active    atomic.Int64 // goroutines of the proxy
	wg        sync.WaitGroup
	closed    chan struct{}

	mu    sync.Mutex
	conns map[net.Conn]struct{} // closed by close, so nothing waits on a frozen rTorrent
}

// track remembers conn for close; it reports false once closed.
func (p *delayProxy) track(conn net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		conn.Close()
		return false
	}
	p.conns[conn] = struct{}{}
	return true
}

func (p *delayProxy) untrack(conn net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, conn)
}

func startDelayProxy(t *testing.T, upstream string) *delayProxy {
	t.Helper()
	sock := filepath.Join(shortDir(t), "proxy.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	p := &delayProxy{URL: "scgi://" + sock, ln: ln, upstream: upstream, closed: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	p.goRun(p.accept)
	t.Cleanup(p.close)
	return p
}

func (p *delayProxy) goRun(f func()) {
	p.wg.Add(1)
	p.active.Add(1)
	go func() {
		defer p.wg.Done()
		defer p.active.Add(-1)
		f()
	}()
}

func (p *delayProxy) close() {
	select {
	case <-p.closed:
		return
	default:
	}
	close(p.closed)
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *delayProxy) accept() {
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.goRun(func() { p.serve(conn) })
	}
}

func (p *delayProxy) serve(conn net.Conn) {
	defer conn.Close()
	if !p.track(conn) {
		return
	}
	defer p.untrack(conn)
	// Read the first bytes so the request has arrived before the hook
	// runs: the collector's read is then in flight.
	first := make([]byte, 64<<10)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := conn.Read(first)
	conn.SetReadDeadline(time.Time{})
	if err != nil {
		return
	}
	if f := p.onRequest.Load(); f != nil {
		(*f)()
	}
	select {
	case <-time.After(time.Duration(p.delay.Load())):
	case <-p.closed:
		return
	}
	up, err := net.DialTimeout("unix", p.upstream, 5*time.Second)
	if err != nil || !p.track(up) {
		return
	}
	defer p.untrack(up)
	defer up.Close()
	if _, err := up.Write(first[:n]); err != nil {
		return
	}
	done := make(chan struct{})
	p.goRun(func() {
		defer close(done)
		io.Copy(up, conn)
		if uc, ok := up.(*net.UnixConn); ok {
			uc.CloseWrite()
		}
	})
	io.Copy(conn, up)
	conn.Close()
	up.Close()
	<-done
}

// shortDir is a temp dir whose paths fit a unix socket (108 bytes).
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "flt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startBehindProxy starts a real rTorrent, a delaying proxy in front of
// it and a collector reading through the proxy; after one good read it
// arms the leak check (the proxy's own goroutines counted out).
func startBehindProxy(t *testing.T) (*testenv.RTorrent, *delayProxy, *Collector, *fakeLog, func()) {
	t.Helper()
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	px := startDelayProxy(t, rt.Socket)
	var s sink
	c, log := newCollector(t, px.URL, 5*time.Second, s.write)
	if c.Read(context.Background(), faultInterval) == 0 {
		t.Fatalf("first read wrote nothing\n%s", log)
	}
	return rt, px, c, log, leakCheck(t, func() int { return int(px.active.Load()) })
}

// TestFaultFrozenMidRead: rTorrent receives SIGSTOP while a read's request
// is on its way to it. The read ends at its deadline with a clear error;
// reads during the freeze each end at the deadline too and leave no
// goroutine behind; one ERROR for the freeze; after SIGCONT the next read
// writes the values and logs one NOTICE. Repeated, nothing leaks.
func TestFaultFrozenMidRead(t *testing.T) {
	rt, px, c, log, check := startBehindProxy(t)
	ctx := context.Background()
	deadline := Deadline(5*time.Second, faultInterval)
	const cycles = 5
	for i := 0; i < cycles; i++ {
		var once sync.Once
		paused := make(chan struct{})
		pause := func() { once.Do(func() { rt.Pause(); close(paused) }) }
		px.onRequest.Store(&pause)
		start := time.Now()
		n := c.Read(ctx, faultInterval)
		took := time.Since(start)
		px.onRequest.Store(nil)
		select {
		case <-paused: // Pause returns once every thread stopped, maybe after the read
		case <-time.After(5 * time.Second):
			t.Fatalf("cycle %d: the read never reached the proxy", i)
		}
		if n != 0 {
			t.Fatalf("cycle %d: read of a frozen rTorrent wrote %d values", i, n)
		}
		if took < deadline-50*time.Millisecond || took > deadline+time.Second {
			t.Fatalf("cycle %d: read took %v, want the deadline %v", i, took, deadline)
		}
		// More reads while it stays frozen: each ends at its deadline,
		// and the collector's goroutines do not pile up (the proxy's own
		// are subtracted: they wait on the frozen rTorrent, as a kernel
		// socket buffer would).
		g0, _ := settle(func() int { return int(px.active.Load()) })
		for j := 0; j < 3; j++ {
			start := time.Now()
			if c.Read(ctx, faultInterval) != 0 || time.Since(start) > deadline+time.Second {
				t.Fatalf("cycle %d: read %d during the freeze: %v", i, j, time.Since(start))
			}
		}
		if g, _ := settle(func() int { return int(px.active.Load()) }); g > g0+2 {
			t.Fatalf("cycle %d: goroutines %d -> %d over 3 reads of a frozen rTorrent", i, g0, g)
		}
		rt.Resume()
		if n := c.Read(ctx, faultInterval); n < 20 {
			t.Fatalf("cycle %d: first read after SIGCONT wrote %d values\n%s", i, n, log)
		}
	}
	if e, n := log.count("error"), log.count("notice"); e != cycles || n != cycles {
		t.Fatalf("%d errors and %d notices for %d freezes of 4 reads each\n%s", e, n, cycles, log)
	}
	if !strings.Contains(log.String(), "did not answer in time") {
		t.Fatalf("the error does not say rTorrent did not answer in time:\n%s", log)
	}
	check()
}

// TestFaultSlowRTorrent: rTorrent answers, but only after longer than the
// read deadline (a delaying proxy in front of the real socket). Every read
// ends at its deadline, the error is logged once for many intervals, and
// the first read after the delay goes writes the values again.
func TestFaultSlowRTorrent(t *testing.T) {
	_, px, c, log, check := startBehindProxy(t)
	ctx := context.Background()
	deadline := Deadline(5*time.Second, faultInterval)
	const cycles, slowReads = 3, 6
	for i := 0; i < cycles; i++ {
		// Slow but in time: no error.
		px.delay.Store(int64(deadline / 8))
		if n := c.Read(ctx, faultInterval); n < 20 {
			t.Fatalf("cycle %d: a read slowed by %v (deadline %v) wrote %d values\n%s", i, deadline/8, deadline, n, log)
		}
		px.delay.Store(int64(3 * deadline))
		for j := 0; j < slowReads; j++ {
			start := time.Now()
			if n := c.Read(ctx, faultInterval); n != 0 {
				t.Fatalf("cycle %d: a read slower than its deadline wrote %d values", i, n)
			}
			if d := time.Since(start); d > deadline+time.Second {
				t.Fatalf("cycle %d: read took %v, deadline %v", i, d, deadline)
			}
		}
		px.delay.Store(0)
		if n := c.Read(ctx, faultInterval); n < 20 {
			t.Fatalf("cycle %d: first read after the delay went wrote %d values\n%s", i, n, log)
		}
	}
	if e, n := log.count("error"), log.count("notice"); e != cycles || n != cycles {
		t.Fatalf("%d errors and %d notices for %d slow spells of %d reads each\n%s", e, n, cycles, slowReads, log)
	}
	if !strings.Contains(log.String(), "did not answer in time") {
		t.Fatalf("the error does not say rTorrent did not answer in time:\n%s", log)
	}
	check()
}

// TestFaultSlowFlapping: an rTorrent slow enough to miss every other
// read's deadline (a busy disk, a hashing run) answers again at the next
// read each time. Logging an ERROR and a NOTICE for each of these short
// outages would write a line every interval; the collector logs the first
// outage and its end, then one WARNING that sums up the short outages, at
// most once per quiet period. A real outage that lasts
// confirmReads reads is still logged as an ERROR although it follows a
// flap closely.
func TestFaultSlowFlapping(t *testing.T) {
	rt, px, c, log, check := startBehindProxy(t)
	ctx := context.Background()
	deadline := Deadline(5*time.Second, faultInterval)
	const flaps = 8
	for i := 0; i < flaps; i++ {
		px.delay.Store(int64(2 * deadline))
		if n := c.Read(ctx, faultInterval); n != 0 {
			t.Fatalf("flap %d: a late read wrote %d values", i, n)
		}
		px.delay.Store(0)
		if n := c.Read(ctx, faultInterval); n < 20 {
			t.Fatalf("flap %d: the read after a late one wrote %d values\n%s", i, n, log)
		}
	}
	if e, n, w := log.count("error"), log.count("notice"), log.count("warning"); e != 1 || n != 1 || w != 1 {
		t.Fatalf("%d errors, %d notices, %d warnings for %d short outages, want 1, 1 and 1 (a summary)\n%s", e, n, w, flaps, log)
	}
	if msg := log.String(); !strings.Contains(msg, "short outages") || !strings.Contains(msg, "did not answer in time") {
		t.Fatalf("the summary does not say what happened:\n%s", msg)
	}
	// A real outage right after the flapping: logged once it lasted
	// confirmReads reads, and its end too.
	rt.Kill()
	for j := 0; j < confirmReads+2; j++ {
		c.Read(ctx, faultInterval)
	}
	if e := log.count("error"); e != 2 {
		t.Fatalf("%d errors after a real outage of %d reads that followed the flapping, want 2\n%s", e, confirmReads+2, log)
	}
	rt.Restart(t)
	if c.Read(ctx, faultInterval) == 0 || log.count("notice") != 2 {
		t.Fatalf("no recovery, or not logged, after the real outage:\n%s", log)
	}
	check()
}

// TestHealthQuiet: with a quiet period, an outage soon after a return is
// logged only at its confirmReads-th failed read, and short ones are
// summed up at most once per period.
func TestHealthQuiet(t *testing.T) {
	t0 := time.Unix(1000, 0)
	h := Health{Quiet: time.Minute}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	type step struct {
		ok   bool
		at   int
		want Transition
		n    int // failures (CameBack) or short outages (Flapping)
	}
	for i, s := range []step{
		{false, 0, WentDown, 0}, {true, 1, CameBack, 1}, // the first outage: logged at once
		{false, 2, Steady, 0}, {true, 3, Flapping, 1}, // a short one: summed up (the first summary)
		{false, 4, Steady, 0}, {true, 5, Steady, 0}, // more within the minute: quiet
		{false, 6, Steady, 0}, {false, 7, Steady, 0}, {true, 8, Steady, 0},
		{false, 9, Steady, 0}, {false, 10, Steady, 0}, {false, 11, WentDown, 0}, {true, 12, CameBack, 3}, // a real one
		{false, 13, Steady, 0}, {true, 70, Flapping, 3}, // the next summary: a minute on, three short ones
		{false, 200, WentDown, 0}, {true, 201, CameBack, 1}, // long after: logged at once again
	} {
		var got Transition
		n := 0
		if s.ok {
			got, _, n = h.Succeeded(at(s.at))
		} else {
			got = h.Failed(at(s.at))
		}
		if got != s.want || (s.ok && got != Steady && n != s.n) {
			t.Fatalf("step %d (ok=%v at %ds): %v, %d; want %v, %d", i, s.ok, s.at, got, n, s.want, s.n)
		}
	}
}
