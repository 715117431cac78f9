package web

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/graphs"
)

// Distinctive values: the files in DataDir hold inside*, the files of the
// same names outside it hold outside*; an outside number in any reply
// means librrd read out of DataDir.
const (
	insideUsed, insideFree   = 111111111, 222222222
	outsideUsed, outsideFree = 987654321, 876543219
)

// swapDataDir is DataDir/box/memory/memory-{used,free}.rrd and the same
// layout under outside, with other values.
func swapDataDir(t *testing.T) (dir, outside string) {
	t.Helper()
	base := t.TempDir()
	dir, outside = filepath.Join(base, "rrd"), filepath.Join(base, "outside")
	for _, d := range []struct {
		root       string
		used, free float64
	}{{dir, insideUsed, insideFree}, {outside, outsideUsed, outsideFree}} {
		for rel, v := range map[string]float64{"box/memory/memory-used.rrd": d.used, "box/memory/memory-free.rrd": d.free} {
			collectdenv.RRD(t, d.root, rel, []string{"value:GAUGE"}, 20, func(int, int) float64 { return v })
		}
	}
	return dir, outside
}

// TestSwapOutOfDataDir: once the index is built, a directory on a file's
// path is replaced by a symlink to a directory outside DataDir holding
// RRD files of the same names. The graph, its series and the live values
// (read from the files' last update, collectd being down) are refused or
// leave the file out, and the outside values never appear. Before, only
// the last path component was checked and the outside values were served
// until the index was rebuilt. A symlinked DataDir root is legitimate:
// it is resolved once, and repointing it later changes nothing.
func TestSwapOutOfDataDir(t *testing.T) {
	for _, swap := range []string{"box/memory", "box", "root"} {
		t.Run(swap, func(t *testing.T) {
			dir, outside := swapDataDir(t)
			dataDir := dir
			if swap == "root" {
				dataDir = filepath.Join(t.TempDir(), "datadir")
				if err := os.Symlink(dir, dataDir); err != nil {
					t.Fatal(err)
				}
			}
			s := startServer(t, serverOptions{DataDir: dataDir, Hostname: "box", IndexMaxAge: 3600e9})
			ix, err := s.Store.Get(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var id string
			for _, d := range graphs.ForHost(ix.Host("box")) {
				if d.Stack && strings.HasPrefix(d.ID, "memory.") {
					id = d.ID
				}
			}
			if id == "" {
				t.Fatal("no stacked memory graph for box")
			}
			end := time.Now().Unix()
			rng := url.Values{"start": {strconv.FormatInt(end-600, 10)}, "end": {strconv.FormatInt(end, 10)}}
			graph := "/graph/box/" + url.PathEscape(id) + "?" + rng.Encode()
			rng.Set("host", "box")
			rng.Set("graph", id)
			series := "/api/series?" + rng.Encode()

			// Before the swap: everything answers with the inside values.
			if r := get(t, s.URL, graph); r.Code != 200 {
				t.Fatalf("graph before the swap: %d %s", r.Code, r.Body)
			}
			if r := get(t, s.URL, series); r.Code != 200 || !strings.Contains(string(r.Body), "111111111") {
				t.Fatalf("series before the swap: %d %.300s", r.Code, r.Body)
			}
			s.Poller.Refresh(context.Background())
			if r := get(t, s.URL, "/json/live"); !strings.Contains(string(r.Body), "111111111") {
				t.Fatalf("live values before the swap do not show the file's value: %.500s", r.Body)
			}

			// The swap.
			if swap == "root" {
				os.Remove(dataDir)
				if err := os.Symlink(outside, dataDir); err != nil {
					t.Fatal(err)
				}
				s.Store.Refresh()
			} else {
				if err := os.Rename(filepath.Join(dir, swap), filepath.Join(t.TempDir(), "saved")); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(filepath.Join(outside, swap), filepath.Join(dir, swap)); err != nil {
					t.Fatal(err)
				}
			}

			for _, p := range []string{graph, series} {
				r := get(t, s.URL, p)
				if strings.Contains(string(r.Body), "987654321") || strings.Contains(string(r.Body), "876543219") {
					t.Errorf("%s after the swap served the outside values: %.300q", p, r.Body)
				}
				if swap == "root" {
					// Resolved once: the same directory, the same values.
					if r.Code != 200 {
						t.Errorf("%s after repointing DataDir's symlink: %d %s", p, r.Code, r.Body)
					}
					continue
				}
				if r.Code != 404 {
					t.Errorf("%s after the swap: %d %.200q; want 404", p, r.Code, r.Body)
				}
			}
			s.Poller.Refresh(context.Background())
			r := get(t, s.URL, "/json/live")
			if strings.Contains(string(r.Body), "987654321") || strings.Contains(string(r.Body), "876543219") {
				t.Errorf("live values after the swap show the outside file's: %.500s", r.Body)
			}
		})
	}
}
