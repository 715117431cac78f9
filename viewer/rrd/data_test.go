package rrd

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// checkRows compares rows against what the fixture wrote, by timestamp.
func checkRows(t *testing.T, f *fixture, times func(int) int64, rows [][]float64, cols []int) {
	t.Helper()
	seen := 0
	for i, row := range rows {
		v, w, ok := f.valueAt(times(i))
		if !ok {
			for _, x := range row {
				if !math.IsNaN(x) {
					t.Errorf("row %d (t=%d) outside the written range = %v, want NaN", i, times(i), row)
				}
			}
			continue
		}
		seen++
		want := []float64{v, w}
		for j, c := range cols {
			if !sameFloat(row[j], want[c]) {
				t.Errorf("row %d (t=%d) col %d = %v, want %v", i, times(i), j, row[j], want[c])
			}
		}
	}
	if seen != nUpd {
		t.Errorf("saw %d written rows, want %d", seen, nUpd)
	}
}

func TestXport(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	x, err := Xport(append(rangeArgs(),
		"DEF:a="+Escape(f.path)+":v:AVERAGE", "DEF:b="+Escape(f.path)+":w:AVERAGE",
		"XPORT:a:"+Escape("col v"), "XPORT:b:"+Escape("col: w")))
	if err != nil {
		t.Fatal(err)
	}
	if x.Step != step {
		t.Errorf("Step = %d, want %d", x.Step, step)
	}
	if want := []string{"col v", "col: w"}; strings.Join(x.Legends, "|") != strings.Join(want, "|") {
		t.Errorf("Legends = %q, want %q", x.Legends, want)
	}
	if len(x.Rows) != nUpd {
		t.Errorf("%d rows, want %d", len(x.Rows), nUpd)
	}
	checkRows(t, f, x.Time, x.Rows, []int{0, 1})
}

func TestFetch(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	r, err := Fetch(f.path, "AVERAGE", t0, t0+nUpd*step, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Step != step {
		t.Errorf("Step = %d, want %d", r.Step, step)
	}
	if strings.Join(r.DSNames, ",") != "v,w" {
		t.Errorf("DSNames = %q, want [v w]", r.DSNames)
	}
	if r.Start != t0 {
		t.Errorf("Start = %d, want %d", r.Start, t0)
	}
	checkRows(t, f, r.Time, r.Rows, []int{0, 1})

	// MAX is a different RRA holding the same values (one PDP per row).
	m, err := Fetch(f.path, "MAX", t0, t0+nUpd*step, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, f, m.Time, m.Rows, []int{0, 1})
}

func TestLastUpdate(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	// Ground truth: one more update through the rrdtool command line.
	collectdenv.Rrdtool(t, "update", f.path, "1700000110:42.5:U")
	last, vals, err := LastUpdate(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if last.Unix() != 1700000110 {
		t.Errorf("last update = %d, want 1700000110", last.Unix())
	}
	if len(vals) != 2 || vals[0].Name != "v" || vals[0].Value != 42.5 || vals[1].Name != "w" || !math.IsNaN(vals[1].Value) {
		t.Errorf("values = %+v, want [{v 42.5} {w NaN}]", vals)
	}
}

func TestInfo(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	info, err := Info(f.path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want any
	}{
		{"step", uint64(step)},
		{"last_update", uint64(t0 + nUpd*step)},
		{"ds[v].type", "GAUGE"},
		{"ds[w].minimal_heartbeat", uint64(20)},
		{"rra[0].cf", "AVERAGE"},
		{"rra[1].cf", "MAX"},
		{"rra[0].rows", uint64(100)},
		{"rra[0].xff", 0.5},
		{"filename", f.path},
	}
	for _, tc := range tests {
		if got := info[tc.key]; got != tc.want {
			t.Errorf("info[%q] = %#v, want %#v", tc.key, got, tc.want)
		}
	}
}

// TestErrorsAreRRDMessages checks every call's failure on a missing file,
// and that the next call on the same OS thread sees no stale error: librrd's
// error lives in per-thread storage, and rrd_graph_v fails outright when an
// old error is still set.
func TestErrorsAreRRDMessages(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	dir := t.TempDir()
	f := makeRRD(t, dir, "a.rrd", 1)
	missing := dir + "/missing.rrd"
	graphArgs := func(p string) []string {
		return append(rangeArgs(), "DEF:x="+Escape(p)+":v:AVERAGE", "LINE1:x#ff0000")
	}
	xportArgs := func(p string) []string {
		return append(rangeArgs(), "DEF:x="+Escape(p)+":v:AVERAGE", "XPORT:x")
	}
	calls := []struct {
		op   string
		call func(p string) error
	}{
		{"graph", func(p string) error { _, err := Graph(graphArgs(p)); return err }},
		{"xport", func(p string) error { _, err := Xport(xportArgs(p)); return err }},
		{"fetch", func(p string) error { _, err := Fetch(p, "AVERAGE", t0, t0+100, 0); return err }},
		{"lastupdate", func(p string) error { _, _, err := LastUpdate(p); return err }},
		{"info", func(p string) error { _, err := Info(p); return err }},
	}
	for _, bad := range calls {
		err := bad.call(missing)
		var rerr *Error
		if !errors.As(err, &rerr) {
			t.Errorf("%s(missing) = %v, want *rrd.Error", bad.op, err)
			continue
		}
		want := "opening '" + missing + "': No such file or directory"
		if rerr.Op != bad.op || rerr.Msg != want {
			t.Errorf("%s(missing) = %q, want op %s and message %q", bad.op, err, bad.op, want)
		}
		// Every other call, right after this failure on the same thread.
		for _, good := range calls {
			if err := good.call(f.path); err != nil {
				t.Errorf("%s after failed %s: %v", good.op, bad.op, err)
			}
		}
	}
}

func TestFetchRefusesBadInput(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	tests := []struct {
		name       string
		file, cf   string
		start, end int64
		wantInErr  string
	}{
		{"end before start", f.path, "AVERAGE", t0 + 100, t0, "before start"},
		{"NUL in name", f.path + "\x00x", "AVERAGE", t0, t0 + 100, "NUL"},
		{"unknown CF", f.path, "MEDIAN", t0, t0 + 100, "rrd fetch:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fetch(tc.file, tc.cf, tc.start, tc.end, 0)
			if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error = %v, want one containing %q", err, tc.wantInErr)
			}
		})
	}
}

// TestFetchCFMatching pins down how librrd 1.7.2 picks an RRA: an RRA with
// one PDP per row serves every CF (MIN from an AVERAGE-only file works),
// while a CF with no RRA of its own and no 1-PDP RRA is an error.
func TestFetchCFMatching(t *testing.T) {
	dir := t.TempDir()
	onePDP, twoPDP := dir+"/one.rrd", dir+"/two.rrd"
	for _, c := range []struct{ path, rra string }{{onePDP, "RRA:AVERAGE:0.5:1:100"}, {twoPDP, "RRA:AVERAGE:0.5:2:100"}} {
		collectdenv.Rrdtool(t, "create", c.path, "--start", "1699999990", "--step", "10", "DS:v:GAUGE:20:U:U", c.rra)
		collectdenv.Rrdtool(t, "update", c.path, "1700000010:1", "1700000020:5", "1700000030:3", "1700000040:9")
	}
	r, err := Fetch(onePDP, "MIN", t0, t0+40, 0)
	if err != nil {
		t.Fatalf("MIN from a 1-PDP AVERAGE RRA: %v", err)
	}
	for i, want := range []float64{1, 5, 3, 9} {
		if r.Rows[i][0] != want {
			t.Errorf("row %d = %v, want %v", i, r.Rows[i][0], want)
		}
	}
	_, err = Fetch(twoPDP, "MIN", t0, t0+40, 0)
	if err == nil || !strings.Contains(err.Error(), "does not contain an RRA matching the chosen CF") {
		t.Errorf("MIN from a 2-PDP AVERAGE RRA: error = %v, want librrd's no-matching-RRA message", err)
	}
}
