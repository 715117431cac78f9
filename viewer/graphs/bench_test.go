package graphs

import (
	"context"
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/query"
)

// benchGraph is one of the viewer's own graphs, the host's network
// traffic, over an hour of 10 s values, as /graph draws it: 800x300 PNG.
func benchGraph(b *testing.B) (d *Def, q query.Request) {
	b.Helper()
	dir := b.TempDir()
	collectdenv.RRD(b, dir, "box/interface-eth0/if_octets.rrd", []string{"rx:DERIVE", "tx:DERIVE"}, 360,
		func(i, j int) float64 { return 1e6 * (1.5 + math.Sin(float64(i)/20+float64(j))) })
	ix, err := datadir.Build(dir)
	if err != nil {
		b.Fatal(err)
	}
	defs := ForHost(ix.Host("box"))
	if len(defs) == 0 {
		b.Fatal("no graph for the host")
	}
	end := time.Now().Unix()
	return defs[0], query.Request{Start: end - 3600, End: end, Width: 800, Height: 300, Format: "png", Theme: "light"}
}

// BenchmarkRender compares, for the same graph, the viewer drawing it in
// process (Renderer.Render, cache off), running the rrdtool program as a
// CGI-style viewer would, and the viewer answering from its render cache.
//
//	go test -run '^$' -bench Render -count 5 ./viewer/graphs/
func BenchmarkRender(b *testing.B) {
	testenv.Need(b, "rrdtool")
	d, q := benchGraph(b)
	ctx := context.Background()

	var inProc float64
	b.Run("in-process", func(b *testing.B) {
		r := NewRenderer(nil, 1, 0, nil) // a zero-byte cache keeps nothing
		for b.Loop() {
			if img, err := r.Render(ctx, d, q); err != nil || len(img.Data) == 0 {
				b.Fatalf("render: %v", err)
			}
		}
		if renders, _ := r.Stats(); renders != int64(b.N) {
			b.Fatalf("%d renders for %d calls: the cache was in the way", renders, b.N)
		}
		inProc = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("rrdtool-process", func(b *testing.B) {
		r := NewRenderer(nil, 1, 0, nil)
		args, err := r.Args(d, q)
		if err != nil {
			b.Fatal(err)
		}
		cmd := append([]string{"graph", "-"}, args...)
		for b.Loop() {
			out, err := exec.Command("rrdtool", cmd...).Output()
			if err != nil || !strings.HasPrefix(string(out), "\x89PNG") {
				b.Fatalf("rrdtool graph: %v (%d bytes)", err, len(out))
			}
		}
		if inProc > 0 {
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/inProc, "x-slower-than-in-process")
		}
	})
	b.Run("cached", func(b *testing.B) {
		r := NewRenderer(nil, 1, 16<<20, nil)
		if _, err := r.Render(ctx, d, q); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if img, err := r.Render(ctx, d, q); err != nil || len(img.Data) == 0 {
				b.Fatalf("render: %v", err)
			}
		}
		if renders, _ := r.Stats(); renders != 1 {
			b.Fatalf("%d renders: the cache did not answer", renders)
		}
		if inProc > 0 {
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(inProc/perOp, "x-faster-than-in-process")
		}
	})
}
