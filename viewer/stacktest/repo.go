package stacktest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// RepoRoot returns the module's root directory (the one holding go.mod),
// found upwards from the working directory of the test.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

var plugin struct {
	once sync.Once
	dir  string
	err  error
}

// RemoveBuilt removes the rtorrent.so PluginDir built, if any; call it
// from TestMain after m.Run.
func RemoveBuilt() {
	if plugin.dir != "" {
		os.RemoveAll(plugin.dir)
	}
}

// PluginDir returns a directory holding rtorrent.so: $RTMON_BUILD when it
// has one (make test builds it first), otherwise one built now, as the
// Makefile does, once per test binary (RemoveBuilt removes it).
func PluginDir(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("RTMON_BUILD"); b != "" {
		if _, err := os.Stat(filepath.Join(b, "rtorrent.so")); err == nil {
			return b
		}
	}
	plugin.once.Do(func() {
		dir, err := os.MkdirTemp("", "rtv-so")
		if err != nil {
			plugin.err = err
			return
		}
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = "/usr/local/go/bin/go"
		}
		cmd := exec.Command(goBin, "build", "-buildmode=c-shared", "-o", filepath.Join(dir, "rtorrent.so"), "github.com/rtmon/rtmon/plugin")
		cmd.Dir = RepoRoot()
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1",
			"CGO_CPPFLAGS=-I/usr/include/collectd/core/daemon -I/usr/include/collectd/core -I/usr/include/collectd")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			plugin.err = fmt.Errorf("building rtorrent.so: %v\n%s", err, out)
			return
		}
		plugin.dir = dir
	})
	if plugin.err != nil {
		t.Fatal(plugin.err)
	}
	return plugin.dir
}
