package graphs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/query"
)

// minuteFiles writes n memory-xN files into dir/box/memory holding only
// one 1-minute AVERAGE archive of rows rows (what the attack
// used): one file made by rrdtool create and update, copied n times. It
// returns the time the archive's coverage begins.
func minuteFiles(t testing.TB, dir string, n, rows int) int64 {
	t.Helper()
	mdir := filepath.Join(dir, "box", "memory")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	last := now - now%60
	tmpl := filepath.Join(t.TempDir(), "t.rrd")
	collectdenv.Rrdtool(t, "create", tmpl, "--start", fmt.Sprint(last-600), "--step", "60",
		"DS:value:GAUGE:120:0:U", fmt.Sprintf("RRA:AVERAGE:0.5:1:%d", rows))
	up := []string{"update", tmpl}
	for ts := last - 540; ts <= last; ts += 60 {
		up = append(up, fmt.Sprintf("%d:%d", ts, 1<<20))
	}
	collectdenv.Rrdtool(t, up...)
	b, err := os.ReadFile(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(mdir, fmt.Sprintf("memory-x%d.rrd", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return last - int64(rows)*60
}

func memoryGraph(t testing.TB, dir string) *Def {
	t.Helper()
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := Find(ix.Host("box"), "memory.memory")
	if d == nil {
		t.Fatal("no memory.memory graph")
	}
	return d
}

// tenYears is the request: start=now-10y at the widest size.
func tenYears(format string) query.Request {
	end := time.Now().Unix()
	return query.Request{Start: end - int64(query.MaxSpan/time.Second), End: end, Width: query.MaxWidth, Height: query.MaxHeight, Format: format, Theme: "light"}
}
