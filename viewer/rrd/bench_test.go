package rrd

import (
	"os/exec"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// benchArgs is a typical viewer graph: two series, an area, a line, a few
// GPRINTs, 800x250 PNG.
func benchArgs(path string) []string {
	p := Escape(path)
	return append(rangeArgs(),
		"--imgformat", "PNG", "--full-size-mode", "-w", "800", "-h", "250",
		"--title", "benchmark",
		"DEF:v="+p+":v:AVERAGE", "DEF:w="+p+":w:AVERAGE",
		"AREA:v#00ff0080:v", "GPRINT:v:AVERAGE:avg %.1lf", "GPRINT:v:MAX:max %.1lf\\l",
		"LINE1:w#0000ff:w", "GPRINT:w:AVERAGE:avg %.1lf", "GPRINT:w:MAX:max %.1lf\\l")
}

// BenchmarkGraph compares rendering in process with running the rrdtool
// program for the same graph, which is what a CGI-style viewer would do.
//
//	go test -run '^$' -bench Graph ./viewer/rrd/
func BenchmarkGraph(b *testing.B) {
	testenv.Need(b, "rrdtool")
	f := makeRRD(b, b.TempDir(), "bench.rrd", 1)
	args := benchArgs(f.path)

	var inProc float64
	b.Run("in-process", func(b *testing.B) {
		for b.Loop() {
			if _, err := Graph(args); err != nil {
				b.Fatal(err)
			}
		}
		inProc = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("rrdtool-process", func(b *testing.B) {
		cmd := append([]string{"graph", "-"}, args...)
		for b.Loop() {
			if out, err := exec.Command("rrdtool", cmd...).Output(); err != nil || len(out) == 0 {
				b.Fatalf("rrdtool graph: %v (%d bytes)", err, len(out))
			}
		}
		if inProc > 0 {
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(perOp/inProc, "x-slower-than-in-process")
		}
	})
}
