package datadir

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// mkRRD makes a real RRD file with the rrdtool command line.
func mkRRD(t *testing.T, path string) {
	t.Helper()
	testenv.Need(t, "rrdtool")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("rrdtool", "create", path, "--step", "10", "DS:value:GAUGE:20:U:U", "RRA:AVERAGE:0.5:1:10").CombinedOutput()
	if err != nil {
		t.Fatalf("rrdtool create %s: %v\n%s", path, err, out)
	}
}

// layout builds a DataDir with good, hostile and escaping entries, and a
// directory outside it that symlinks point to.
func layout(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside = filepath.Join(base, "rrd"), filepath.Join(base, "secret")
	for _, p := range []string{
		"seedbox/load/load.rrd",
		"seedbox/cpu-0/cpu-idle.rrd",
		"seedbox/df-var-log/df_complex-used.rrd",
		"seedbox/rtorrent-main/count-items_total.rrd",
		"seedbox/rtorrent-main/rtorrent_group-tracker_a~2Db.rrd",
		"<script>alert(1)/load/load.rrd",
		`q"uote/plug"in/ty"pe.rrd`,
		"co:lon/rtorrent-a:b/count-x:y.rrd",
		"new\nline/load/load.rrd",
		"seedbox/bad\nplugin/load.rrd",
		"seedbox/load/nl\nfile.rrd",
		".hidden/load/load.rrd",
	} {
		mkRRD(t, filepath.Join(root, p))
	}
	mkRRD(t, filepath.Join(outside, "host/load/load.rrd"))
	mkRRD(t, filepath.Join(outside, "load.rrd"))
	for link, target := range map[string]string{
		"evilhost":                   filepath.Join(outside, "host"),
		"seedbox/evilplugin":         filepath.Join(outside, "host/load"),
		"seedbox/load/evil.rrd":      filepath.Join(outside, "load.rrd"),
		"seedbox/load/rel.rrd":       "../../../secret/load.rrd",
		"mirror":                     "seedbox",     // inside: kept
		"seedbox/load/shortterm.rrd": "load.rrd",    // inside: kept
		"seedbox/load/dangling.rrd":  "nowhere.rrd", // broken: refused
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "seedbox/load/notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func TestBuild(t *testing.T) {
	root, outside := layout(t)
	ix, err := Build(root)
	if err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for _, h := range ix.Hosts {
		hosts = append(hosts, h.Name)
	}
	want := []string{"<script>alert(1)", "co:lon", "mirror", `q"uote`, "seedbox"}
	if strings.Join(hosts, "|") != strings.Join(want, "|") {
		t.Errorf("hosts = %q, want %q", hosts, want)
	}

	sb := ix.Host("seedbox")
	var plugins []string
	for _, p := range sb.Plugins {
		plugins = append(plugins, p.Name)
	}
	if strings.Join(plugins, "|") != "cpu-0|df-var-log|load|rtorrent-main" {
		t.Errorf("seedbox plugins = %q", plugins)
	}
	df := sb.Plugin("df-var-log")
	if df.Plugin != "df" || df.Instance != "var-log" {
		t.Errorf("df-var-log split as %q %q", df.Plugin, df.Instance)
	}
	f := sb.Plugin("rtorrent-main").File("rtorrent_group-tracker_a~2Db")
	if f == nil || f.Type != "rtorrent_group" || f.Instance != "tracker_a~2Db" {
		t.Fatalf("group file: %+v", f)
	}
	id := f.Identifier()
	if id.String() != "seedbox/rtorrent-main/rtorrent_group-tracker_a~2Db" {
		t.Errorf("identifier %q", id.String())
	}
	if f.Path() != filepath.Join(ix.Root, "seedbox/rtorrent-main/rtorrent_group-tracker_a~2Db.rrd") {
		t.Errorf("path %q", f.Path())
	}
	var files []string
	for _, f := range sb.Plugin("load").Files {
		files = append(files, f.Name)
	}
	if strings.Join(files, "|") != "load|shortterm" {
		t.Errorf("load files = %q (symlinks out, dangling links and control characters must be refused)", files)
	}

	refused := map[string]bool{}
	for _, r := range ix.Refused {
		refused[r.Path] = true
		if strings.Contains(r.Reason, "leads out") && !strings.Contains(r.Reason, outside) {
			t.Errorf("refusal %q does not name the target", r.Reason)
		}
	}
	for _, p := range []string{"evilhost", "seedbox/evilplugin", "seedbox/load/evil.rrd", "seedbox/load/rel.rrd",
		"seedbox/load/dangling.rrd", "new\nline", "seedbox/bad\nplugin", "seedbox/load/nl\nfile.rrd", ".hidden"} {
		if !refused[p] {
			t.Errorf("%q not refused; refusals: %+v", p, ix.Refused)
		}
	}
}

// TestLookupOnlyByIndex: request text that would traverse as a path
// matches nothing, because lookups are map lookups of indexed names.
func TestLookupOnlyByIndex(t *testing.T) {
	root, _ := layout(t)
	ix, err := Build(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"..", "../secret", "%2e%2e", "seedbox/..", "seedbox/../..", `..\..`, "evilhost", "", ".", "new\nline", "seedbox/load"} {
		if h := ix.Host(name); h != nil {
			t.Errorf("Host(%q) = %q", name, h.Name)
		}
	}
	sb := ix.Host("seedbox")
	for _, name := range []string{"..", "../../secret/host/load", "load/../load", "evilplugin", "load/"} {
		if p := sb.Plugin(name); p != nil {
			t.Errorf("Plugin(%q) = %q", name, p.Name)
		}
	}
	load := sb.Plugin("load")
	for _, name := range []string{"../../../secret/load", "evil", "load.rrd", "rel", "../load", "dangling"} {
		if f := load.File(name); f != nil {
			t.Errorf("File(%q) = %q", name, f.Name)
		}
	}
}

// TestVerifyCatchesSwap: a file replaced by a symlink out of DataDir after
// indexing is refused before librrd would open it.
func TestVerifyCatchesSwap(t *testing.T) {
	root, outside := layout(t)
	ix, err := Build(root)
	if err != nil {
		t.Fatal(err)
	}
	f := ix.Host("seedbox").Plugin("load").File("load")
	if err := f.Verify(ix.Root); err != nil {
		t.Fatalf("untouched file: %v", err)
	}
	if err := os.Remove(f.Path()); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "load.rrd"), f.Path()); err != nil {
		t.Fatal(err)
	}
	if err := f.Verify(ix.Root); err == nil || !strings.Contains(err.Error(), "leads out") {
		t.Errorf("Verify after swap = %v, want a refusal", err)
	}
}

// TestRootSymlink: DataDir itself may be a symlink (e.g. to a bigger disk).
func TestRootSymlink(t *testing.T) {
	root, _ := layout(t)
	link := filepath.Join(t.TempDir(), "rrdlink")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	ix, err := Build(link)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Host("seedbox") == nil || ix.Host("evilhost") != nil {
		t.Errorf("index through a symlinked root: hosts %d", len(ix.Hosts))
	}
	if _, err := Build(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("Build of a missing DataDir succeeded")
	}
}

func TestStore(t *testing.T) {
	root, _ := layout(t)
	s := NewStore(root, time.Hour)
	ctx := context.Background()
	a, err := s.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mkRRD(t, filepath.Join(root, "second/load/load.rrd"))
	b, _ := s.Get(ctx)
	if a != b || b.Host("second") != nil {
		t.Error("index rebuilt before MaxAge")
	}
	s.Refresh()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := s.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Host("second") != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("new host not indexed after Refresh")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
