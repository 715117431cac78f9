package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollectdCPPFLAGS: collectd's include paths are written once, in the
// #cgo CPPFLAGS of plugin/collectd (the plugin's glue to collectd's C
// API), and they name a directory holding collectd's plugin.h, as the
// glue's `#include "plugin.h"` needs; no other package of the plugin
// carries them, so nothing needs CGO_CPPFLAGS. Reads source only (go
// list), so it runs under -short.
func TestCollectdCPPFLAGS(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}}{{"\t"}}{{join .CgoCPPFLAGS " "}}`, "./plugin/...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_CPPFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./plugin/... in %s: %v", root, err)
	}
	const glue = "github.com/rtmon/rtmon/plugin/collectd"
	var glueFlags string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, flags, _ := strings.Cut(line, "\t")
		switch {
		case pkg == glue:
			glueFlags = flags
		case strings.Contains(flags, "/usr/include/collectd"):
			t.Errorf("%s has collectd's include paths in its #cgo CPPFLAGS (%q); they belong in %s only", pkg, flags, glue)
		}
	}
	found := false
	for _, f := range strings.Fields(glueFlags) {
		if dir, ok := strings.CutPrefix(f, "-I"); ok {
			if _, err := os.Stat(filepath.Join(dir, "plugin.h")); err == nil {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no -I directory in %s's #cgo CPPFLAGS %q holds plugin.h (collectd-dev; make deps)", glue, glueFlags)
	}
}
