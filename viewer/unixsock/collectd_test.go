package unixsock

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

const testHostname = "rtmon-test"

// collectdProc is one real collectd started for this package's tests.
type collectdProc struct {
	dir, sock, datadir string
	d                  *testenv.Daemon
}

// shared is the collectd the tests share. TestMain has no testing.TB, so
// it is started under a testenv.Runner, whose Stop (from TestMain) runs
// the same cleanups a test's would.
var shared struct {
	once   sync.Once
	runner *testenv.Runner
	proc   *collectdProc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.runner != nil {
		shared.runner.Stop()
	}
	os.Exit(code)
}

// realCollectd starts collectd on first use and shares it between tests:
// it takes a few seconds to have values, and nothing here changes it
// except PUTVALs under names of the tests' own.
func realCollectd(t *testing.T) *collectdProc {
	t.Helper()
	testenv.Need(t, testenv.CollectdBin)
	shared.once.Do(func() { shared.proc, shared.err = startCollectd() })
	if shared.err != nil {
		t.Fatalf("starting collectd: %v", shared.err)
	}
	return shared.proc
}

// startCollectd starts collectd through testenv.StartCollectd under a
// Runner, turning the Runner's Fatalf into an error with what it said.
func startCollectd() (p *collectdProc, err error) {
	var said bytes.Buffer
	r := testenv.NewRunner(&said, "collectd")
	shared.runner = r
	defer func() {
		if rec := recover(); rec != nil {
			if !testenv.IsFatal(rec) {
				panic(rec)
			}
			r.Stop()
			p, err = nil, errors.New(strings.TrimSpace(said.String()))
		}
	}()
	// A short directory: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "rtmon-cd")
	if err != nil {
		return nil, err
	}
	r.Cleanup(func() { os.RemoveAll(dir) })
	p = &collectdProc{dir: dir, sock: filepath.Join(dir, "sock"), datadir: filepath.Join(dir, "rrd")}
	group := "root"
	if g, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil {
		group = g.Name // without it, unixsock warns "No such group: `collectd'"
	}
	conf := fmt.Sprintf(`Hostname %q
FQDNLookup false
BaseDir %q
PIDFile %q
Interval 1
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File %q
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile %q
  SocketGroup %q
</Plugin>
LoadPlugin load
LoadPlugin memory
LoadPlugin cpu
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir %q
  # Keep values in the cache so that only FLUSH gets them to disk.
  CacheTimeout 3600
  CacheFlush 7200
</Plugin>
`, testHostname, dir, filepath.Join(dir, "collectd.pid"), filepath.Join(dir, "collectd.log"),
		p.sock, group, p.datadir)
	confPath := filepath.Join(dir, "collectd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	// -f, its own process group, SIGTERM then SIGKILL at r.Stop.
	p.d = testenv.StartCollectd(r, confPath, testenv.CollectdOptions{Dir: dir})

	// Ready when the socket answers and load and cpu have values (cpu
	// needs two reads to make a rate). Checked with a plain connection,
	// not with the code under test.
	deadline := time.Now().Add(15 * time.Second)
	for {
		if lines, err := rawCommand(p.sock, "LISTVAL"); err == nil && containsSuffix(lines, " "+testHostname+"/load/load") &&
			containsSuffix(lines, " "+testHostname+"/cpu-0/cpu-idle") {
			return p, nil
		}
		if p.d.Exited() {
			r.Fatalf("collectd exited: %s", p.log())
		}
		if time.Now().After(deadline) {
			r.Fatalf("collectd has no load or cpu value after 15 s: %s", p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *collectdProc) log() string {
	a, _ := os.ReadFile(filepath.Join(p.dir, "stdout.log"))
	b, _ := os.ReadFile(filepath.Join(p.dir, "collectd.log"))
	return string(a) + string(b)
}

// rawCommand sends one command on a fresh connection and returns the
// status line and the lines it announces. It is the tests' independent
// view of collectd.
func rawCommand(sock, cmd string) ([]string, error) {
	conn, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\n")); err != nil {
		return nil, err
	}
	r := bufio.NewReader(conn)
	first, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	lines := []string{strings.TrimSuffix(first, "\n")}
	n, _ := strconv.Atoi(strings.Fields(first)[0])
	for i := 0; i < n; i++ {
		l, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		lines = append(lines, strings.TrimSuffix(l, "\n"))
	}
	if n < 0 {
		return lines, fmt.Errorf("%s", first)
	}
	return lines, nil
}

func containsSuffix(lines []string, suffix string) bool {
	for _, l := range lines {
		if strings.HasSuffix(l, suffix) {
			return true
		}
	}
	return false
}

func dialReal(t *testing.T) (*Client, context.Context) {
	t.Helper()
	p := realCollectd(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	c, err := Dial(ctx, p.sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, ctx
}

var realLoad = Identifier{Host: testHostname, Plugin: "load", Type: "load"}

func TestRealListVal(t *testing.T) {
	c, ctx := dialReal(t)
	entries, err := c.ListVal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Identifier]bool{
		realLoad: false,
		{Host: testHostname, Plugin: "memory", Type: "memory", TypeInstance: "used"}:                false,
		{Host: testHostname, Plugin: "cpu", PluginInstance: "0", Type: "cpu", TypeInstance: "idle"}: false,
	}
	for _, e := range entries {
		if _, ok := want[e.ID]; ok {
			want[e.ID] = true
			if age := time.Since(e.Time); age < -time.Minute || age > time.Minute {
				t.Errorf("%v: time %v is %v away from now", e.ID, e.Time, age)
			}
		}
	}
	for id, seen := range want {
		if !seen {
			t.Errorf("LISTVAL lacks %v (it listed %d values)", id, len(entries))
		}
	}
}

func TestRealGetValLoad(t *testing.T) {
	c, ctx := dialReal(t)
	before := readLoadavg(t)
	vals, err := c.GetVal(ctx, realLoad)
	after := readLoadavg(t)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"shortterm", "midterm", "longterm"}
	if len(vals) != 3 {
		t.Fatalf("GETVAL load = %v, want 3 values", vals)
	}
	for i, v := range vals {
		if v.Name != names[i] {
			t.Errorf("value %d is %q, want %q", i, v.Name, names[i])
		}
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) || v.Value < 0 {
			t.Errorf("%s = %v, want a finite load", v.Name, v.Value)
		}
		// Ground truth: the kernel's /proc/loadavg, which collectd reads.
		// It moves every 5 s, so allow the drift of one update.
		lo, hi := math.Min(before[i], after[i]), math.Max(before[i], after[i])
		if v.Value < lo*0.8-0.5 || v.Value > hi*1.2+0.5 {
			t.Errorf("%s = %v, /proc/loadavg said %v then %v", v.Name, v.Value, before[i], after[i])
		}
	}
}

func readLoadavg(t *testing.T) [3]float64 {
	t.Helper()
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		t.Fatal(err)
	}
	var l [3]float64
	if _, err := fmt.Sscan(string(b), &l[0], &l[1], &l[2]); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRealGetValUnknown(t *testing.T) {
	c, ctx := dialReal(t)
	tests := []struct {
		id      Identifier
		message string
	}{
		{Identifier{Host: testHostname, Plugin: "nope", Type: "gauge"}, "No such value."},
		// collectd 5.12 follows this one with a stray empty line.
		{Identifier{Host: testHostname, Plugin: "nope", Type: "nosuchtype"}, "Type `nosuchtype' is unknown."},
	}
	for _, tc := range tests {
		_, err := c.GetVal(ctx, tc.id)
		var se *ServerError
		if !errors.As(err, &se) || se.Status >= 0 || se.Message != tc.message {
			t.Errorf("GETVAL %v: %v, want a ServerError %q", tc.id, err, tc.message)
		}
		// The same connection stays usable.
		if _, err := c.GetVal(ctx, realLoad); err != nil {
			t.Errorf("GETVAL load after the error for %v: %v", tc.id, err)
		}
	}
}

// TestRealQuotingAndRates writes values through a plain connection under
// names with spaces, quotes and backslashes, and with known rates, then
// reads them back through the client.
func TestRealQuotingAndRates(t *testing.T) {
	p := realCollectd(t)
	c, ctx := dialReal(t)
	now := time.Now().Unix()
	odd := Identifier{Host: testHostname, Plugin: "my plugin", PluginInstance: `inst "x"`, Type: "gauge", TypeInstance: `a\b c`}
	nan := Identifier{Host: testHostname, Plugin: "rtmontest", PluginInstance: "nan", Type: "gauge"}
	der := Identifier{Host: testHostname, Plugin: "rtmontest", PluginInstance: "rate", Type: "derive"}
	put := func(cmd string) {
		t.Helper()
		if lines, err := rawCommand(p.sock, cmd); err != nil {
			t.Fatalf("%s: %v %q", cmd, err, lines)
		}
	}
	put(fmt.Sprintf(`PUTVAL %s interval=60 %d:42.5`, quote(odd.String()), now))
	put(fmt.Sprintf(`PUTVAL %s interval=60 %d:U`, nan.String(), now))
	// collectd hands dispatched values to several write threads, which may
	// apply two PUTVALs out of order (the older one then counts as too old
	// and is dropped): send the DERIVE's second value only once the first
	// is in the cache.
	put(fmt.Sprintf(`PUTVAL %s interval=60 %d:1000`, der.String(), now-10))
	waitFor(t, 5*time.Second, "the first DERIVE value in collectd's cache", func() bool {
		_, err := c.GetVal(ctx, der)
		return err == nil
	})
	put(fmt.Sprintf(`PUTVAL %s interval=60 %d:1250`, der.String(), now))
	tests := []struct {
		id   Identifier
		want float64
	}{
		{odd, 42.5},
		{nan, math.NaN()},
		{der, 25}, // DERIVE comes back as a rate: 250 in 10 s
	}
	for _, tc := range tests {
		// PUTVAL answers once the values are queued; collectd's write
		// thread puts them in the cache GETVAL reads a moment later, one
		// at a time (the DERIVE reads NaN until its second value is in).
		var vals []Value
		var err error
		for deadline := time.Now().Add(5 * time.Second); !time.Now().After(deadline); time.Sleep(20 * time.Millisecond) {
			vals, err = c.GetVal(ctx, tc.id)
			var se *ServerError
			pending := errors.As(err, &se) && se.Message == "No such value." ||
				err == nil && len(vals) == 1 && math.IsNaN(vals[0].Value) && !math.IsNaN(tc.want)
			if !pending {
				break
			}
		}
		if err != nil {
			t.Errorf("GETVAL %s: %v", tc.id, err)
			continue
		}
		if len(vals) != 1 || !(vals[0].Value == tc.want || math.IsNaN(vals[0].Value) && math.IsNaN(tc.want)) {
			t.Errorf("GETVAL %s = %v, want %v", tc.id, vals, tc.want)
		}
	}
	entries, err := c.ListVal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.ID == odd
	}
	if !found {
		t.Errorf("LISTVAL does not list %#v", odd)
	}
	if err := c.Flush(ctx, 0, []string{"rrdtool"}, []Identifier{odd}); err != nil {
		t.Errorf("FLUSH of the quoted identifier: %v", err)
	}
}

// TestRealFlush: with the rrdtool plugin caching for an hour, load.rrd
// only gets values on disk through FLUSH. Checked with the rrdtool
// command line, not with the code under test.
func TestRealFlush(t *testing.T) {
	p := realCollectd(t)
	c, ctx := dialReal(t)
	file := filepath.Join(p.datadir, testHostname, "load", "load.rrd")

	if err := c.Flush(ctx, 0, nil, nil); err != nil {
		t.Fatalf("FLUSH everything: %v", err)
	}
	if err := c.Flush(ctx, 1, []string{"rrdtool"}, []Identifier{realLoad}); err != nil {
		t.Fatalf("FLUSH timeout=1 plugin=rrdtool identifier=load: %v", err)
	}
	waitFor(t, 10*time.Second, "load.rrd to exist", func() bool { _, err := os.Stat(file); return err == nil })

	// Let values pile up in the cache, then flush just this file.
	time.Sleep(2500 * time.Millisecond)
	cached := lastUpdate(t, file)
	entries, err := c.ListVal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var latest time.Time
	for _, e := range entries {
		if e.ID == realLoad {
			latest = e.Time
		}
	}
	if latest.Unix() <= cached {
		t.Fatalf("on disk %d, latest value %v: nothing is waiting in the cache", cached, latest.Unix())
	}
	if err := c.Flush(ctx, 0, []string{"rrdtool"}, []Identifier{realLoad}); err != nil {
		t.Fatal(err)
	}
	// FLUSH answers when the flush is queued; wait for the disk.
	waitFor(t, 10*time.Second, "load.rrd to get the cached values", func() bool {
		return lastUpdate(t, file) >= latest.Unix()
	})
}

func lastUpdate(t *testing.T, file string) int64 {
	t.Helper()
	out, err := exec.Command("rrdtool", "last", file).Output()
	if err != nil {
		t.Fatalf("rrdtool last %s: %v", file, err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("rrdtool last %s: %q", file, out)
	}
	return n
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestRealRefusals: what collectd would misread is refused, and the
// connection stays good.
func TestRealRefusals(t *testing.T) {
	c, ctx := dialReal(t)
	_, err := c.GetVal(ctx, Identifier{Host: testHostname, Plugin: "load", Type: "load", TypeInstance: "x\nLISTVAL"})
	if !errors.Is(err, ErrInvalidIdentifier) {
		t.Errorf("identifier with a newline: %v, want ErrInvalidIdentifier", err)
	}
	_, err = c.GetVal(ctx, Identifier{Host: testHostname, Plugin: "load", Type: "load", TypeInstance: strings.Repeat("x", 2000)})
	if !errors.Is(err, ErrCommandTooLong) {
		t.Errorf("2000-byte identifier: %v, want ErrCommandTooLong", err)
	}
	if _, err := c.GetVal(ctx, realLoad); err != nil {
		t.Errorf("GETVAL load after the refusals: %v", err)
	}
}

// TestRealLineLimit shows why the limit exists: collectd cuts a line at
// 1023 bytes and runs the rest as a command of its own.
func TestRealLineLimit(t *testing.T) {
	p := realCollectd(t)
	conn, err := net.Dial("unix", p.sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	head := "GETVAL " + testHostname + "/load/load-"
	line := head + strings.Repeat("x", MaxCommandLen-len(head)) + "LISTVAL\n"
	if _, err := conn.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	first, _ := r.ReadString('\n')
	second, _ := r.ReadString('\n')
	if first != "-1 No such value.\n" || !strings.HasSuffix(second, "Values found\n") {
		t.Errorf("replies %q, %q; want the cut GETVAL to fail and the tail to run as LISTVAL", first, second)
	}
}
