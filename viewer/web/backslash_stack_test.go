package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/query"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// TestBackslashNameStacks: a network peer names a memory type instance
// "zzzzz\" (file memory/memory-zzzzz\.rrd). The viewer's memory graph, as
// it builds it from the index, is drawn by librrd with that area stacked
// on the others (the y range reaches the sum of the files' values) and the
// legend showing the name as it is. Legends are padded to the longest, so
// the test's longest name is the one ending in a backslash. The legend once read "zzzzz:STACK":
// the backslash swallowed the separator before STACK and the area was
// drawn on its own.
func TestBackslashNameStacks(t *testing.T) {
	dir := t.TempDir()
	for rel, v := range map[string]float64{
		"box/memory/memory-used.rrd":   100,
		`box/memory/memory-zzzzz\.rrd`: 1000, // the longest legend: not padded
		`box/memory/memory-free.rrd`:   400,
		`box/memory/memory-x\:y.rrd`:   500, // rrdtool syntax in a name
	} {
		collectdenv.RRD(t, dir, rel, []string{"value:GAUGE"}, 30, func(int, int) float64 { return v })
	}
	ix, err := datadir.NewStore(dir, time.Hour).Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d := graphs.Find(ix.Host("box"), "memory.memory")
	if d == nil || !d.Stack {
		t.Fatalf("no stacked memory graph: %+v", d)
	}
	end := time.Now().Unix()
	q := query.Request{Start: end - 200, End: end, Width: 800, Height: 400, Format: "png", Theme: "light"}
	args, err := graphs.NewRenderer(nil, 1, 0, nil).Args(d, q)
	if err != nil {
		t.Fatal(err)
	}
	g, err := rrd.Graph(args)
	if err != nil {
		t.Fatal(err)
	}
	// The others sum to 1000; with zzzzz\ stacked on them, 2000.
	if g.ValueMax < 2000 {
		t.Errorf("y range up to %v, below the stacked sum 2000: an area was not stacked", g.ValueMax)
	}
	legends := strings.Join(g.Legend, "|")
	for _, name := range []string{`zzzzz\`, `x\:y`, "used", "free"} {
		found := false
		for _, l := range g.Legend {
			if strings.TrimSpace(l) == name {
				found = true
			}
		}
		if !found {
			t.Errorf("no legend line shows %q: %q", name, legends)
		}
	}
	if strings.Contains(legends, "zzzzz:STACK") {
		t.Errorf("the backslash swallowed the separator: %q", legends)
	}
}
