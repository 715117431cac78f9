package collector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/plugin/pluginconf"
)

type logLine struct{ sev, msg string }

// fakeLog records what the collector logs.
type fakeLog struct {
	mu    sync.Mutex
	lines []logLine
}

func (l *fakeLog) add(sev, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, logLine{sev, msg})
}
func (l *fakeLog) Error(m string)   { l.add("error", m) }
func (l *fakeLog) Warning(m string) { l.add("warning", m) }
func (l *fakeLog) Notice(m string)  { l.add("notice", m) }
func (l *fakeLog) Info(m string)    { l.add("info", m) }

func (l *fakeLog) count(sev string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, x := range l.lines {
		if x.sev == sev {
			n++
		}
	}
	return n
}

func (l *fakeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, x := range l.lines {
		fmt.Fprintf(&b, "[%s] %s\n", x.sev, x.msg)
	}
	return b.String()
}

// sink keeps the latest value list per identifier.
type sink struct {
	mu   sync.Mutex
	last map[string]*api.ValueList
}

func (s *sink) write(_ context.Context, vl *api.ValueList) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last = map[string]*api.ValueList{}
	}
	id := vl.Type
	if vl.TypeInstance != "" {
		id += "-" + vl.TypeInstance
	}
	s.last[id] = vl
	return nil
}

func (s *sink) get(t *testing.T, id string) *api.ValueList {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	vl := s.last[id]
	if vl == nil {
		t.Fatalf("no value list for %s", id)
	}
	return vl
}

func newCollector(t *testing.T, url string, timeout time.Duration, w Writer) (*Collector, *fakeLog) {
	t.Helper()
	log := &fakeLog{}
	opt := reader.DefaultOptions()
	in := pluginconf.Instance{Name: "main", Sensors: opt, Timeout: timeout}
	in.Client.Name, in.Client.URL, in.Client.Timeout = "main", url, timeout
	c, err := New(in, log, w)
	if err != nil {
		t.Fatal(err)
	}
	return c, log
}

const interval = time.Second

// TestReadMatchesRTorrent: a read dispatches value lists whose counts are
// rTorrent's own, read directly through the test environment.
func TestReadMatchesRTorrent(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{DownloadKiB: 123})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(7, "http://127.0.0.1:1/announce", "collector")), false)
	rt.WaitItems(t, 7, 30*time.Second)
	var s sink
	c, log := newCollector(t, rt.URL, 5*time.Second, s.write)
	if n := c.Read(context.Background(), interval); n < 20 {
		t.Fatalf("wrote %d value lists, want the whole catalogue\nlog:\n%s", n, log)
	}
	vl := s.get(t, "count-items_total")
	if vl.Plugin != "rtorrent" || vl.PluginInstance != "main" || vl.Interval != interval {
		t.Fatalf("identifier %v interval %v", vl.Identifier, vl.Interval)
	}
	checks := map[string]int64{
		"count-items_total":        rt.MustInt(t, "view.size", "", "main"),
		"count-items_stopped":      rt.MustInt(t, "view.size", "", "stopped"),
		"count-items_started":      rt.MustInt(t, "view.size", "", "started"),
		"rtorrent_rate-down_limit": rt.MustInt(t, "throttle.global_down.max_rate"),
		"count-max_open_files":     rt.MustInt(t, "network.max_open_files"),
		"count-files":              sumField(t, rt, "d.size_files="),
		"bytes-size_total":         sumField(t, rt, "d.size_bytes="),
	}
	for id, want := range checks {
		if got := s.get(t, id).Values[0]; got != api.Gauge(want) {
			t.Errorf("%s = %v, rTorrent says %d", id, got, want)
		}
	}
	if checks["count-items_total"] != 7 || checks["rtorrent_rate-down_limit"] != 123*1024 || checks["count-files"] <= 7 {
		t.Fatalf("ground truth off: %v", checks)
	}
	if log.count("error")+log.count("warning") != 0 || log.count("info") != 1 {
		t.Fatalf("log:\n%s", log)
	}
}

// sumField sums one d.multicall2 field over all items, read directly.
func sumField(t *testing.T, rt *testenv.RTorrent, field string) int64 {
	t.Helper()
	rows, _ := rt.MustCall(t, "d.multicall2", "", "main", field).([]any)
	var sum int64
	for _, r := range rows {
		f, _ := r.([]any)
		if len(f) != 1 {
			t.Fatalf("d.multicall2 row %v", r)
		}
		n, _ := f[0].(int64)
		sum += n
	}
	return sum
}

// TestReadDownAndBack: rTorrent killed, reads go on (one ERROR in all),
// rTorrent back (one NOTICE), values resume at the next read and the
// traffic DERIVE did not fall.
func TestReadDownAndBack(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	var s sink
	c, log := newCollector(t, rt.URL, 5*time.Second, s.write)
	if c.Read(context.Background(), interval) == 0 {
		t.Fatalf("first read wrote nothing\n%s", log)
	}
	before := s.get(t, "if_octets").Values
	rt.Kill()
	for i := 0; i < 5; i++ {
		if n := c.Read(context.Background(), interval); n != 0 {
			t.Fatalf("read %d while rTorrent is dead wrote %d values", i, n)
		}
	}
	if got := log.count("error"); got != 1 {
		t.Fatalf("%d errors for one outage, want 1\n%s", got, log)
	}
	rt.Restart(t)
	start := time.Now()
	if c.Read(context.Background(), interval) == 0 {
		t.Fatalf("first read after restart wrote nothing\n%s", log)
	}
	t.Logf("values resumed %v after the restart", time.Since(start))
	if got := log.count("notice"); got != 1 {
		t.Fatalf("%d notices for one recovery, want 1\n%s", got, log)
	}
	if got := s.get(t, "count-items_total").Values[0]; got != api.Gauge(rt.MustInt(t, "view.size", "", "main")) {
		t.Fatalf("items_total after restart = %v", got)
	}
	after := s.get(t, "if_octets").Values
	for i := range after {
		if after[i].(api.Derive) < before[i].(api.Derive) {
			t.Fatalf("if_octets fell across the restart: %v -> %v", before, after)
		}
	}
	c.Read(context.Background(), interval)
	if log.count("error") != 1 || log.count("notice") != 1 {
		t.Fatalf("more messages after recovery:\n%s", log)
	}
}

// TestReadHungRTorrent: a frozen rTorrent (SIGSTOP) accepts connections but
// never answers; each read still ends within its deadline, and a second
// read started meanwhile does not queue behind it.
func TestReadHungRTorrent(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	var s sink
	c, log := newCollector(t, rt.URL, 5*time.Second, s.write)
	c.Read(context.Background(), interval)
	rt.Pause()
	defer rt.Resume()

	deadline := Deadline(5*time.Second, interval)
	var wg sync.WaitGroup
	wg.Add(1)
	var took time.Duration
	go func() {
		defer wg.Done()
		start := time.Now()
		c.Read(context.Background(), interval)
		took = time.Since(start)
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if n := c.Read(context.Background(), interval); n != 0 {
		t.Fatalf("overlapping read wrote %d values", n)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("overlapping read waited %v instead of returning at once", d)
	}
	wg.Wait()
	if took < deadline-50*time.Millisecond || took > deadline+300*time.Millisecond {
		t.Fatalf("read of a hung rTorrent took %v, want about the deadline %v", took, deadline)
	}
	if log.count("error") != 1 || !strings.Contains(log.String(), "deadline") {
		t.Fatalf("log:\n%s", log)
	}
	rt.Resume()
	time.Sleep(100 * time.Millisecond)
	if c.Read(context.Background(), interval) == 0 || log.count("notice") != 1 {
		t.Fatalf("no recovery after resume:\n%s", log)
	}
}

// TestReadRecoversPanic: a panic inside the read (here from the writer)
// is logged and swallowed; the next read works.
func TestReadRecoversPanic(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	panicking := true
	var s sink
	w := func(ctx context.Context, vl *api.ValueList) error {
		if panicking {
			var m map[string]int
			m["boom"]++ // a real runtime panic: assignment to entry in nil map
		}
		return s.write(ctx, vl)
	}
	c, log := newCollector(t, rt.URL, 5*time.Second, w)
	if n := c.Read(context.Background(), interval); n != 0 {
		t.Fatalf("panicking read wrote %d", n)
	}
	msg := log.String()
	if log.count("error") != 1 || !strings.Contains(msg, "panic") || !strings.Contains(msg, "nil map") || !strings.Contains(msg, "collector_test.go") {
		t.Fatalf("panic not logged with cause and place:\n%s", msg)
	}
	panicking = false
	if c.Read(context.Background(), interval) == 0 {
		t.Fatalf("read after a panic wrote nothing:\n%s", log)
	}
}

// TestWriteErrorsLoggedOnce: collectd rejecting value lists (say, a
// types.db without our types) is logged once per identifier, not per read.
func TestWriteErrorsLoggedOnce(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	w := func(_ context.Context, vl *api.ValueList) error {
		if strings.HasPrefix(vl.Type, "rtorrent_") {
			return errors.New("plugin_dispatch_values failed with status -1")
		}
		return nil
	}
	c, log := newCollector(t, rt.URL, 5*time.Second, w)
	// Two reads: %cpu needs a previous sample, so it first appears in the second.
	c.Read(context.Background(), interval)
	c.Read(context.Background(), interval)
	first := log.count("warning")
	for i := 0; i < 3; i++ {
		c.Read(context.Background(), interval)
	}
	if first < 4 || log.count("warning") != first {
		t.Fatalf("warnings: %d after two reads, %d after five\n%s", first, log.count("warning"), log)
	}
	if !strings.Contains(log.String(), "rtorrent_rate-up") {
		t.Fatalf("warning does not name the identifier:\n%s", log)
	}
}
