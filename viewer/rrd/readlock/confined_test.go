package readlock

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// definedSymbols returns the text symbols binary defines, from go tool nm.
func definedSymbols(t *testing.T, binary string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "tool", "nm", binary).Output()
	if err != nil {
		t.Fatalf("go tool nm %s: %v", binary, err)
	}
	defs := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[1] == "T" {
			defs[f[2]] = true
		}
	}
	return defs
}

// goBuild builds the package at pkg into dir and returns the binary's path.
func goBuild(t *testing.T, dir, pkg string) string {
	t.Helper()
	bin := filepath.Join(dir, filepath.Base(pkg))
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// TestOverrideConfined: fcntl and fcntl64 are process-wide C symbols, so
// they are defined only where this package is linked. A program importing
// viewer/rrd alone (testdata/onlyrrd) defines neither, and the viewer's
// executable, whose main package imports this one, defines both. Neither
// replaces cairo's PNG writer. The viewer binary is $RTMON_BUILD/rtmon-viewer when set, else built here.
func TestOverrideConfined(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the binaries with")
	}
	dir := t.TempDir()
	viewer := filepath.Join(os.Getenv("RTMON_BUILD"), "rtmon-viewer")
	if os.Getenv("RTMON_BUILD") == "" {
		viewer = goBuild(t, dir, "github.com/rtmon/rtmon/viewer")
	}
	tests := []struct {
		name, binary string
		want         bool
	}{
		{"viewer/rrd alone", goBuild(t, dir, "./testdata/onlyrrd"), false},
		{"rtmon-viewer", viewer, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defs := definedSymbols(t, tc.binary)
			for _, sym := range []string{"fcntl", "fcntl64"} {
				if defs[sym] != tc.want {
					t.Errorf("%s defines %s: %v, want %v", tc.binary, sym, defs[sym], tc.want)
				}
			}
			// The PNG encoder override was dropped (docs/PERFORMANCE.md):
			// cairo's own function encodes, in every binary.
			if defs["cairo_surface_write_to_png_stream"] {
				t.Errorf("%s defines cairo_surface_write_to_png_stream: cairo's PNG writer is overridden", tc.binary)
			}
		})
	}
}
