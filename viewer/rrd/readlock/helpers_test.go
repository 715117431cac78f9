package readlock

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/rrd"
	"github.com/rtmon/rtmon/viewer/rrd/rrdtest"
)

// TestMain doubles as the lock holder and the contending writer: fcntl
// locks belong to a process, so a lock that librrd must see as someone
// else's is taken by a child (this test binary again), the way collectd
// takes it while writing.
func TestMain(m *testing.M) {
	if spec := os.Getenv(rrdtest.HoldLockEnv); spec != "" {
		os.Exit(rrdtest.HoldLock(spec))
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
	collectdenv.Rrdtool(t, "create", f.path, "--start", fmt.Sprint(t0-step), "--step", fmt.Sprint(step),
		"DS:v:GAUGE:20:U:U", "RRA:AVERAGE:0.5:1:100")
	args := []string{"update", f.path}
	for i := 0; i < nUpd; i++ {
		args = append(args, fmt.Sprintf("%d:%d", t0+int64(i+1)*step, i+1))
	}
	collectdenv.Rrdtool(t, args...)
	return f
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
