package rrd

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// t0 is the start of every test file's data: a fixed, step-aligned time so
// that expected rows are known exactly.
const (
	t0   = int64(1700000000)
	step = 10
	nUpd = 10
)

// fixture is an RRD file made by the rrdtool command line (not by the code
// under test) and the values written into it.
type fixture struct {
	path string
	v, w []float64 // v[i], w[i] were written at t0+(i+1)*step; NaN = "U"
}

// valueAt returns the values written for the step ending at ts.
func (f *fixture) valueAt(ts int64) (float64, float64, bool) {
	i := int((ts-t0)/step) - 1
	if i < 0 || i >= len(f.v) {
		return math.NaN(), math.NaN(), false
	}
	return f.v[i], f.w[i], true
}

// makeRRD creates dir/name with two GAUGE data sources v and w, step 10 s,
// and writes nUpd updates: v = scale*(i+1), w = 2*v except unknown at i=4.
func makeRRD(t testing.TB, dir, name string, scale float64) *fixture {
	t.Helper()
	f := &fixture{path: filepath.Join(dir, name)}
	collectdenv.Rrdtool(t, "create", f.path, "--start", fmt.Sprint(t0-step), "--step", fmt.Sprint(step),
		"DS:v:GAUGE:20:U:U", "DS:w:GAUGE:20:U:U",
		"RRA:AVERAGE:0.5:1:100", "RRA:MAX:0.5:1:100")
	args := []string{"update", f.path}
	for i := 0; i < nUpd; i++ {
		v := scale * float64(i+1)
		w, ws := 2*v, fmt.Sprint(2*v)
		if i == 4 {
			w, ws = math.NaN(), "U"
		}
		f.v = append(f.v, v)
		f.w = append(f.w, w)
		args = append(args, fmt.Sprintf("%d:%v:%s", t0+int64(i+1)*step, v, ws))
	}
	collectdenv.Rrdtool(t, args...)
	return f
}

// sameFloat treats two NaNs as equal.
func sameFloat(a, b float64) bool {
	return a == b || (math.IsNaN(a) && math.IsNaN(b))
}

// rangeArgs is the time range every graph and xport in the tests asks for.
func rangeArgs() []string {
	return []string{"--start", fmt.Sprint(t0), "--end", fmt.Sprint(t0 + nUpd*step)}
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// fileRead is one of the library's calls that read a file.
type fileRead struct {
	name string
	call func() error
}

// fileReads are every kind of read of f's file: graph, xport, fetch,
// lastupdate and info, in that order.
func fileReads(f *fixture) []fileRead {
	return []fileRead{
		{"graph", func() error {
			_, err := Graph(append(rangeArgs(), "DEF:a="+Escape(f.path)+":v:AVERAGE", "LINE1:a#ff0000"))
			return err
		}},
		{"xport", func() error {
			_, err := Xport(append(rangeArgs(), "DEF:a="+Escape(f.path)+":v:AVERAGE", "XPORT:a"))
			return err
		}},
		{"fetch", func() error { _, err := Fetch(f.path, "AVERAGE", t0, t0+nUpd*step, step); return err }},
		{"lastupdate", func() error { _, _, err := LastUpdate(f.path); return err }},
		{"info", func() error { _, err := Info(f.path); return err }},
	}
}
