package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestViewerLinksNoPluginCode: the viewer reads what the plugin writes
// through internal/catalogue alone, so its binary holds none of the
// plugin's packages, its rTorrent client and reader (internal/rtorrent,
// internal/reader, kolo/xmlrpc) or collectd's Go API. A new import that
// drags them in fails here; internal/layout's TestImportRules checks
// every viewer package the same way.
func TestViewerLinksNoPluginCode(t *testing.T) {
	goCmd, err := exec.LookPath("go") // go test puts its GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	catalogue := false
	for _, p := range deps {
		switch {
		case strings.HasPrefix(p, "github.com/rtmon/rtmon/plugin/"),
			p == "github.com/rtmon/rtmon/internal/rtorrent",
			p == "github.com/rtmon/rtmon/internal/reader",
			strings.HasPrefix(p, "github.com/kolo/"),
			p == "collectd.org" || strings.HasPrefix(p, "collectd.org/"):
			t.Errorf("the viewer depends on %s", p)
		case p == "github.com/rtmon/rtmon/internal/catalogue":
			catalogue = true
		}
	}
	if !catalogue {
		t.Errorf("the viewer does not import internal/catalogue (%d deps listed)", len(deps))
	}
}
