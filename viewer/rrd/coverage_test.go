package rrd

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// TestHeaderFetchMatchesLibrrd: for windows before, inside and across an
// RRD's archives and at several wished steps, Header.Fetch picks the same
// archive as librrd's rrd_fetch and counts the rows it returns, and
// Oldest is where the longest archive begins. The viewer's memory bound
// (graphs.MaxPoints) is only as good as this estimate.
func TestHeaderFetchMatchesLibrrd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.rrd")
	now := time.Now().Unix()
	last := now - now%3600
	collectdenv.Rrdtool(t, "create", path, "--start", fmt.Sprint(last-3600), "--step", "60",
		"DS:a:GAUGE:120:U:U", "DS:b:GAUGE:120:U:U",
		"RRA:AVERAGE:0.5:1:1440", "RRA:AVERAGE:0.5:10:1008", "RRA:MAX:0.5:1:100", "RRA:AVERAGE:0.5:60:2000")
	collectdenv.Rrdtool(t, "update", path, fmt.Sprintf("%d:1:2", last))
	h, err := ReadHeader(path)
	if err != nil {
		t.Fatal(err)
	}
	if h.Step != 60 || len(h.DS) != 2 || h.DS[0] != "a" || h.DS[1] != "b" || len(h.Archives) != 4 || h.LastUpdate != last {
		t.Fatalf("header %+v", h)
	}
	if want := (Archive{CF: "AVERAGE", Step: 600, Rows: 1008}); h.Archives[1] != want {
		t.Errorf("archive 1 = %+v, want %+v", h.Archives[1], want)
	}
	oldest, ok := h.Oldest("AVERAGE", last)
	if want := last - 3600*2000; !ok || oldest != want {
		t.Errorf("Oldest = %d %v, want %d", oldest, ok, want)
	}
	if _, ok := h.Oldest("LAST", last); ok {
		t.Error("Oldest found a LAST archive")
	}
	day, year := int64(86400), int64(366*86400)
	for _, tc := range []struct{ start, end, step int64 }{
		{last - 3600, last, 0},
		{last - 3600, last, 60},
		{last - day, last, 600},
		{last - day + 60, last, 3000},
		{last - 7*day, last, 60},
		{last - 30*day, last + day, 1},
		{last - year, last, 5000},     // before every archive: the one covering most
		{last - 10*year, last, 78840}, // the ten years
		{oldest, last, 3600},
		{last - 3*day, last - 2*day, 60},
	} {
		a, rows, err := h.Fetch("AVERAGE", tc.start, tc.end, tc.step, last)
		if err != nil {
			t.Fatal(err)
		}
		f, err := Fetch(path, "AVERAGE", tc.start, tc.end, uint64(tc.step))
		if err != nil {
			t.Fatal(err)
		}
		// rrd_fetch allocates one row more than it reports.
		if int64(f.Step) != a.Step || int64(len(f.Rows))+1 != rows {
			t.Errorf("%+v: estimate step %d rows %d; librrd step %d rows %d(+1)", tc, a.Step, rows, f.Step, len(f.Rows))
		}
	}
}

// TestReadHeaderRefuses: a file that is not an RRD is an error naming it.
func TestReadHeaderRefuses(t *testing.T) {
	if _, err := ReadHeader(filepath.Join(t.TempDir(), "none.rrd")); err == nil {
		t.Error("no error for a missing file")
	}
	if _, err := headerOf("x.rrd", map[string]any{"step": uint64(60)}); err == nil {
		t.Error("no error for a header without archives")
	}
}
