package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollectdCPPFLAGS: the flags read from the plugin's #cgo line (the
// one place they are written) name an include directory that holds
// collectd's plugin.h, as collectd.org/plugin's `#include "plugin.h"`
// needs. Reads source only, so it runs under -short.
func TestCollectdCPPFLAGS(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	flags, err := CollectdCPPFLAGS(goBin, root)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range strings.Fields(flags) {
		if dir, ok := strings.CutPrefix(f, "-I"); ok {
			if _, err := os.Stat(filepath.Join(dir, "plugin.h")); err == nil {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no -I directory in %q holds plugin.h (collectd-dev; make deps)", flags)
	}
}
