package readlock

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// TestMain doubles as the lock holder and the contending writer: fcntl
// locks belong to a process, so a lock that librrd must see as someone
// else's is taken by a child (this test binary again), the way collectd
// takes it while writing.
func TestMain(m *testing.M) {
	if spec := os.Getenv("RTMON_TEST_HOLD_LOCK"); spec != "" {
		os.Exit(holdLock(spec))
	}
	if spec := os.Getenv("RTMON_TEST_CONTEND"); spec != "" {
		os.Exit(contend(spec))
	}
	os.Exit(m.Run())
}

// t0 is the start of every test file's data, step-aligned.
const (
	t0   = int64(1700000000)
	step = 10
	nUpd = 10
)

// fixture is an RRD file made by the rrdtool command line (not by the
// code under test).
type fixture struct{ path string }

// makeRRD creates dir/name with a GAUGE data source v, step 10 s, and
// nUpd updates from t0 on.
func makeRRD(t testing.TB, dir, name string) *fixture {
	t.Helper()
	f := &fixture{path: filepath.Join(dir, name)}
	rrdtool(t, "create", f.path, "--start", fmt.Sprint(t0-step), "--step", fmt.Sprint(step),
		"DS:v:GAUGE:20:U:U", "RRA:AVERAGE:0.5:1:100")
	args := []string{"update", f.path}
	for i := 0; i < nUpd; i++ {
		args = append(args, fmt.Sprintf("%d:%d", t0+int64(i+1)*step, i+1))
	}
	rrdtool(t, args...)
	return f
}

func rrdtool(t testing.TB, args ...string) {
	t.Helper()
	testenv.Need(t, "rrdtool")
	if out, err := exec.Command("rrdtool", args...).CombinedOutput(); err != nil {
		t.Fatalf("rrdtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// fileRead is one of viewer/rrd's calls that read a file.
type fileRead struct {
	name string
	call func() error
}

// fileReads are every kind of read of f's file: graph, xport, fetch,
// lastupdate and info, in that order.
func fileReads(f *fixture) []fileRead {
	rng := []string{"--start", fmt.Sprint(t0), "--end", fmt.Sprint(t0 + nUpd*step)}
	def := "DEF:a=" + rrd.Escape(f.path) + ":v:AVERAGE"
	return []fileRead{
		{"graph", func() error { _, err := rrd.Graph(append(rng, def, "LINE1:a#ff0000")); return err }},
		{"xport", func() error { _, err := rrd.Xport(append(rng, def, "XPORT:a")); return err }},
		{"fetch", func() error { _, err := rrd.Fetch(f.path, "AVERAGE", t0, t0+nUpd*step, step); return err }},
		{"lastupdate", func() error { _, _, err := rrd.LastUpdate(f.path); return err }},
		{"info", func() error { _, err := rrd.Info(f.path); return err }},
	}
}

// openSpec opens the file of a child's spec ("file|duration") for
// writing and parses the duration.
func openSpec(spec string) (*os.File, time.Duration, error) {
	file, d, _ := strings.Cut(spec, "|")
	span, err := time.ParseDuration(d)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	return f, span, err
}

// startChild runs this test binary again in a child mode (mode is the
// environment variable TestMain looks for) on file for d, checks that its
// first line is first, and returns the rest of its output. t.Cleanup
// kills it.
func startChild(t *testing.T, mode, file string, d time.Duration, first string) *bufio.Scanner {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mode+"="+file+"|"+d.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != first {
		t.Fatalf("%s child: %q, %v; want %q", mode, lines.Text(), lines.Err(), first)
	}
	return lines
}

// holdLock write-locks file for the duration in spec ("file|duration"),
// says "locked" on stdout, and exits when the time is up.
func holdLock(spec string) int {
	f, hold, err := openSpec(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lk); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("locked")
	time.Sleep(hold)
	// Unlock explicitly: under -race the runtime lingers about a second
	// at exit, and the lock with it.
	lk.Type = syscall.F_UNLCK
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// lockFor makes a child process hold file's write lock for d and returns
// once the lock is held.
func lockFor(t *testing.T, file string, d time.Duration) {
	t.Helper()
	startChild(t, "RTMON_TEST_HOLD_LOCK", file, d, "locked")
}
