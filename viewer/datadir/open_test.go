package datadir

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// lastUpdateAt makes path with rrdtool and one update at ts: the header's
// last update time tells the files apart.
func lastUpdateAt(t *testing.T, path string, ts int64) {
	t.Helper()
	testenv.Need(t, "rrdtool")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"create", path, "--step", "10", "--start", "1600000000", "DS:value:GAUGE:20:U:U", "RRA:AVERAGE:0.5:1:10"},
		{"update", path, strconv.FormatInt(ts, 10) + ":1"},
	} {
		if out, err := exec.Command("rrdtool", args...).CombinedOutput(); err != nil {
			t.Fatalf("rrdtool %v: %v\n%s", args, err, out)
		}
	}
}

const (
	insideAt  = 1700000010 // the indexed file's last update
	outsideAt = 1711111110 // the file outside DataDir's
)

// swapLayout is DataDir/box/memory/memory-used.rrd and, outside, the same
// names with other data. It returns the index and the directories.
func swapLayout(t *testing.T) (ix *Index, root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "rrd"), filepath.Join(base, "outside")
	lastUpdateAt(t, filepath.Join(root, "box/memory/memory-used.rrd"), insideAt)
	lastUpdateAt(t, filepath.Join(outside, "box/memory/memory-used.rrd"), outsideAt)
	ix, err := Build(root)
	if err != nil {
		t.Fatal(err)
	}
	return ix, root, outside
}

// TestOpenRefusesSwappedPath: after indexing, a directory on the file's
// path (the plugin directory, the host directory) is replaced by a symlink
// out of DataDir. Open and Verify refuse the file, with an error that
// reads as "not found" and names it; before, only the last component was
// checked and the outside file was read.
func TestOpenRefusesSwappedPath(t *testing.T) {
	for _, swap := range []string{"box/memory", "box"} {
		t.Run(swap, func(t *testing.T) {
			ix, root, outside := swapLayout(t)
			f := ix.Host("box").Plugin("memory").File("memory-used")
			h, err := f.Open()
			if err != nil {
				t.Fatalf("untouched file: %v", err)
			}
			if at, err := LastUpdate(h.Path()); err != nil || at.Unix() != insideAt {
				t.Errorf("through the handle: last update %v, %v; want %d", at.Unix(), err, insideAt)
			}
			h.Close()
			if err := os.Rename(filepath.Join(root, swap), filepath.Join(t.TempDir(), "saved")); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(outside, swap), filepath.Join(root, swap)); err != nil {
				t.Fatal(err)
			}
			h, err = f.Open()
			if err == nil {
				at, _ := LastUpdate(h.Path())
				h.Close()
				t.Fatalf("Open after the swap succeeded, reading the file updated at %d (outside: %d)", at.Unix(), outsideAt)
			}
			if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "leads out of DataDir") || !strings.Contains(err.Error(), f.Path()) {
				t.Errorf("Open after the swap: %v; want a not-found refusal naming %s", err, f.Path())
			}
			if err := f.Verify(ix.Root); err == nil {
				t.Error("Verify after the swap succeeded")
			}
		})
	}
}

// TestOpenFollowsInsideLinks: symlinks that stay in DataDir (a host linked
// to another, relative or absolute) still open.
func TestOpenFollowsInsideLinks(t *testing.T) {
	_, root, _ := swapLayout(t)
	for link, target := range map[string]string{"rel": "box", "abs": filepath.Join(root, "box")} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := Build(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"box", "rel", "abs"} {
		h, err := ix.Host(host).Plugin("memory").File("memory-used").Open()
		if err != nil {
			t.Errorf("%s: %v", host, err)
			continue
		}
		if at, err := LastUpdate(h.Path()); err != nil || at.Unix() != insideAt {
			t.Errorf("%s: last update %v, %v; want %d", host, at.Unix(), err, insideAt)
		}
		h.Close()
	}
}

// TestOpenBeneathFollowsNoSymlink: the open after the check follows no
// symlink at any component, so a swap between EvalSymlinks and the open
// fails the open instead of leading elsewhere.
func TestOpenBeneathFollowsNoSymlink(t *testing.T) {
	_, root, outside := swapLayout(t)
	if _, err := openBeneath(root, "box/memory/memory-used.rrd"); err != nil {
		t.Fatalf("plain path: %v", err)
	}
	for link, target := range map[string]string{
		"in":                  "box", // even inside DataDir
		"box/out":             filepath.Join(outside, "box/memory"),
		"box/memory/last.rrd": "memory-used.rrd",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{"in/memory/memory-used.rrd", "box/out/memory-used.rrd", "box/memory/last.rrd", "box/../box/memory/memory-used.rrd"} {
		if f, err := openBeneath(root, rel); err == nil {
			f.Close()
			t.Errorf("openBeneath(%s) followed a symlink or ..", rel)
		}
	}
}

// TestHandleFileReadsOpenedFile: a Handle's File reads the file opened,
// not whatever the name means later; Indexed gives back the index's file.
func TestHandleFileReadsOpenedFile(t *testing.T) {
	ix, root, outside := swapLayout(t)
	f := ix.Host("box").Plugin("memory").File("memory-used")
	h, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	os.Rename(filepath.Join(root, "box/memory"), filepath.Join(t.TempDir(), "saved"))
	if err := os.Symlink(filepath.Join(outside, "box/memory"), filepath.Join(root, "box/memory")); err != nil {
		t.Fatal(err)
	}
	p := h.File()
	if !strings.HasPrefix(p.Path(), "/proc/self/fd/") || p.Indexed() != f || f.Indexed() != f {
		t.Errorf("handle's file path %q, indexed %p (want %p)", p.Path(), p.Indexed(), f)
	}
	if at, err := LastUpdate(p.Path()); err != nil || at.Unix() != insideAt {
		t.Errorf("last update through the handle after the swap: %v, %v; want %d", at.Unix(), err, insideAt)
	}
	if _, err := p.Open(); err == nil {
		t.Error("opening the handle's file again ignored the swap")
	}
}

// TestStoreResolvesRootOnce: DataDir may be a symlink; it is resolved by
// the first walk, and repointing it later does not move the viewer.
func TestStoreResolvesRootOnce(t *testing.T) {
	_, root, outside := swapLayout(t)
	link := filepath.Join(t.TempDir(), "datadir")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	s := NewStore(link, time.Hour)
	ctx := context.Background()
	ix, err := s.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Root != root || ix.Host("box") == nil {
		t.Fatalf("root %s, want %s", ix.Root, root)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	s.Refresh()
	ix, err = s.GetFresh(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ix.Host("box").Plugin("memory").File("memory-used").Open()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if at, _ := LastUpdate(h.Path()); ix.Root != root || at.Unix() != insideAt {
		t.Errorf("after repointing DataDir's symlink: root %s, last update %d; want %s, %d", ix.Root, at.Unix(), root, insideAt)
	}
}

// TestOpenRefusesDSTypes: data sources of types collectd does not write
// (COMPUTE, DCOUNTER, DDERIVE) are refused with one line naming the file
// and the type; the four collectd writes pass.
func TestOpenRefusesDSTypes(t *testing.T) {
	testenv.Need(t, "rrdtool")
	root := t.TempDir()
	for _, tc := range []struct {
		ds      []string
		refused string
	}{
		{[]string{"DS:a:GAUGE:20:U:U", "DS:b:COUNTER:20:U:U", "DS:c:DERIVE:20:U:U", "DS:d:ABSOLUTE:20:U:U"}, ""},
		{[]string{"DS:a:GAUGE:20:U:U", "DS:x:COMPUTE:a,2,*"}, `data source x has type "COMPUTE"`},
		{[]string{"DS:y:DCOUNTER:20:U:U"}, `data source y has type "DCOUNTER"`},
		{[]string{"DS:z:DDERIVE:20:U:U"}, `data source z has type "DDERIVE"`},
	} {
		t.Run(tc.ds[len(tc.ds)-1], func(t *testing.T) {
			path := filepath.Join(root, "h/p", strings.Split(tc.ds[len(tc.ds)-1], ":")[2]+".rrd")
			os.MkdirAll(filepath.Dir(path), 0o755)
			args := append([]string{"create", path, "--step", "10"}, tc.ds...)
			if out, err := exec.Command("rrdtool", append(args, "RRA:AVERAGE:0.5:1:10")...).CombinedOutput(); err != nil {
				t.Fatalf("rrdtool create: %v\n%s", err, out)
			}
			err := (&File{path: path}).Verify(root)
			if tc.refused == "" {
				if err != nil {
					t.Errorf("collectd's types refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.refused) || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Verify = %v; want one line naming %s and containing %q", err, path, tc.refused)
			}
		})
	}
}

// BenchmarkOpen is the cost per file of a read's open beneath DataDir
// (resolve, walk, header check, close), which every render, export and
// live fallback read pays once per file.
func BenchmarkOpen(b *testing.B) {
	testenv.Need(b, "rrdtool")
	dir := b.TempDir()
	path := filepath.Join(dir, "box/memory/memory-used.rrd")
	os.MkdirAll(filepath.Dir(path), 0o755)
	if out, err := exec.Command("rrdtool", "create", path, "--step", "10", "DS:value:GAUGE:20:U:U", "RRA:AVERAGE:0.5:1:1200", "RRA:MAX:0.5:6:1200").CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	ix, err := Build(dir)
	if err != nil {
		b.Fatal(err)
	}
	f := ix.Host("box").Plugin("memory").File("memory-used")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h, err := f.Open()
		if err != nil {
			b.Fatal(err)
		}
		h.Close()
	}
}
