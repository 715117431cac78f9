package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if os.Getenv("CGO_CPPFLAGS") == "" {
		flags, err := CollectdCPPFLAGS(goBin, root)
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		cmd.Env = append(cmd.Env, "CGO_CPPFLAGS="+flags)
	}
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

// CollectdCPPFLAGS returns the #cgo CPPFLAGS of the plugin's main package
// (plugin/interval.go), the one place collectd's include paths are
// written. collectd.org/plugin writes `#include "plugin.h"` with no
// include path of its own, and a #cgo line reaches only its own package's
// compilation, so that package gets the same flags through CGO_CPPFLAGS:
// here for PluginDir's build, and in the Makefile, which asks go list the
// same way.
func CollectdCPPFLAGS(goBin, root string) (string, error) {
	cmd := exec.Command(goBin, "list", "-f", `{{join .CgoCPPFLAGS " "}}`, "./plugin")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("reading the plugin's #cgo CPPFLAGS with go list in %s: %w", root, err)
	}
	flags := strings.TrimSpace(string(out))
	if !strings.Contains(flags, "-I") {
		return "", fmt.Errorf("the plugin's #cgo CPPFLAGS (go list in %s) hold no include path: %q", root, flags)
	}
	return flags, nil
}
