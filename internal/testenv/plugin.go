package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

var plugin struct {
	once sync.Once
	dir  string
	err  error
}

// PluginDir returns a directory holding rtorrent.so, the one way every
// test gets the plugin: $RTMON_BUILD when it is set (make test builds
// it first, so the tests load the artefact that gets installed), else
// one built now into a temporary directory, once per test binary, as the
// Makefile builds it (RemoveBuilt, from TestMain, deletes it). Under
// -short it skips: building a c-shared library takes far longer than
// the unit layer's budget, and nothing in it runs without collectd.
func PluginDir(t TB) string {
	t.Helper()
	if isShort(t) {
		skip(t, "needs the built rtorrent.so")
		return ""
	}
	if b := os.Getenv("RTMON_BUILD"); b != "" {
		if _, err := os.Stat(filepath.Join(b, "rtorrent.so")); err != nil {
			t.Fatalf("testenv: RTMON_BUILD=%s holds no rtorrent.so (%v); run `make build` or unset RTMON_BUILD", b, err)
		}
		return b
	}
	plugin.once.Do(func() { plugin.dir, plugin.err = buildPlugin() })
	if plugin.err != nil {
		t.Fatalf("testenv: %v", plugin.err)
	}
	return plugin.dir
}

// RemoveBuilt removes the rtorrent.so PluginDir built, if any; call it
// from TestMain after m.Run.
func RemoveBuilt() {
	if plugin.dir != "" {
		os.RemoveAll(plugin.dir)
	}
}

// buildPlugin runs `go build -buildmode=c-shared` on the plugin's main
// package into a new temporary directory.
func buildPlugin() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "rtmon-so")
	if err != nil {
		return "", fmt.Errorf("building rtorrent.so: %w", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	cmd := exec.Command(goBin, "build", "-buildmode=c-shared", "-o", filepath.Join(dir, "rtorrent.so"), "./plugin")
	cmd.Dir = root
	// No CGO_CPPFLAGS: collectd's include paths are in the source
	// (plugin/collectd's #cgo line), as for the Makefile's build.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("building rtorrent.so in %s: %v\n%s", root, err, out)
	}
	return dir, nil
}

// repoRoot is the module's root (the directory holding go.mod), found
// upwards from the test's working directory.
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("finding the module root: no go.mod above %s", wd)
		}
	}
}
