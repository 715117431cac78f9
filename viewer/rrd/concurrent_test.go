package rrd

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestConcurrent runs every call from 8 goroutines at once, each on its own
// file with its own values, plus a failing call each, so that a mixed-up
// result or an error leaking between threads shows as a wrong value or a
// message naming another goroutine's file. Run it with -race.
func TestConcurrent(t *testing.T) {
	const workers, rounds = 8, 15
	dir := t.TempDir()
	files := make([]*fixture, workers)
	for i := range files {
		files[i] = makeRRD(t, dir, fmt.Sprintf("f%d.rrd", i), float64(i+1))
	}

	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*6)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f := files[w]
			missing := filepath.Join(dir, fmt.Sprintf("missing%d.rrd", w))
			fail := func(format string, a ...any) {
				errs <- fmt.Errorf("worker %d: "+format, append([]any{w}, a...)...)
			}
			wantMax := fmtFloat(f.v[nUpd-1])
			for r := 0; r < rounds; r++ {
				g, err := Graph(append(rangeArgs(), "--full-size-mode", "-w", "300", "-h", "120",
					"DEF:x="+Escape(f.path)+":v:AVERAGE", "LINE1:x#ff0000", "PRINT:x:MAX:%.0lf"))
				switch {
				case err != nil:
					fail("graph: %v", err)
				case len(g.Print) != 1 || g.Print[0] != wantMax:
					fail("graph PRINT = %q, want %s", g.Print, wantMax)
				case g.ImageWidth != 300 || g.ImageHeight != 120 || len(g.Image) == 0:
					fail("graph size %dx%d, %d bytes", g.ImageWidth, g.ImageHeight, len(g.Image))
				}

				x, err := Xport(append(rangeArgs(), "DEF:x="+Escape(f.path)+":v:AVERAGE", "XPORT:x"))
				if err != nil {
					fail("xport: %v", err)
				} else if len(x.Rows) != nUpd || x.Rows[nUpd-1][0] != f.v[nUpd-1] || x.Rows[0][0] != f.v[0] {
					fail("xport rows %v, want %v", x.Rows, f.v)
				}

				fr, err := Fetch(f.path, "AVERAGE", t0, t0+nUpd*step, 0)
				if err != nil {
					fail("fetch: %v", err)
				} else if fr.Rows[0][0] != f.v[0] || fr.Rows[nUpd-1][0] != f.v[nUpd-1] {
					fail("fetch rows %v, want %v", fr.Rows, f.v)
				}

				_, vals, err := LastUpdate(f.path)
				if err != nil || len(vals) != 2 || vals[0].Value != f.v[nUpd-1] {
					fail("lastupdate = %v, %v", vals, err)
				}

				info, err := Info(f.path)
				if err != nil || info["filename"] != f.path {
					fail("info filename = %v, %v", info["filename"], err)
				}

				_, err = Fetch(missing, "AVERAGE", t0, t0+100, 0)
				if err == nil || !strings.Contains(err.Error(), missing) {
					fail("fetch of missing file: %v, want an error naming %s", err, missing)
				}
				_, err = Graph(append(rangeArgs(), "DEF:x="+Escape(missing)+":v:AVERAGE", "LINE1:x#ff0000"))
				if err == nil || !strings.Contains(err.Error(), missing) {
					fail("graph of missing file: %v, want an error naming %s", err, missing)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
