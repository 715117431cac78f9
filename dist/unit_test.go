package dist

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// maxExposure is the highest `systemd-analyze security` score the unit may
// have (0 is locked down, 10 is unprotected; below 3 is "OK"). It scored
// 7.2 before the unit was hardened, 1.2 after.
const maxExposure = 3.0

// TestUnitExposure fails when a change to rtmon-viewer.service raises its
// exposure to maxExposure or above. --offline=true scores the file as it
// is, without a running systemd (systemd 252, Debian 12).
func TestUnitExposure(t *testing.T) {
	unit, err := filepath.Abs("rtmon-viewer.service")
	if err != nil {
		t.Fatal(err)
	}
	out, err := systemdAnalyze(t, "security", "--offline=true", "--no-pager", unit)
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	score, err := exposure(out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("systemd-analyze security: overall exposure %.1f", score)
	if score >= maxExposure {
		t.Errorf("rtmon-viewer.service scores %.1f, want < %.1f:\n%s", score, maxExposure, out)
	}
}

var exposureRE = regexp.MustCompile(`Overall exposure level for rtmon-viewer\.service: ([0-9]+\.[0-9]+)`)

// exposure reads the overall score from systemd-analyze security's output.
func exposure(out string) (float64, error) {
	m := exposureRE.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no \"Overall exposure level\" line in systemd-analyze's output")
	}
	return strconv.ParseFloat(m[1], 64)
}

func TestExposureParse(t *testing.T) {
	for _, tc := range []struct {
		out  string
		want float64
		ok   bool
	}{
		{"→ Overall exposure level for rtmon-viewer.service: 1.2 OK 🙂\n", 1.2, true},
		{"→ Overall exposure level for rtmon-viewer.service: 10.0 UNSAFE 😨\n", 10, true},
		{"Overall exposure level for other.service: 1.0 OK\n", 0, false},
		{"", 0, false},
	} {
		got, err := exposure(tc.out)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("exposure(%q) = %v, %v; want %v, ok %v", tc.out, got, err, tc.want, tc.ok)
		}
	}
}

// TestUnitVerify: systemd reads every line of the unit, with no unknown
// key or bad value. systemd-analyze verify exits 0 on those too, so any
// output fails the test. The copy points ExecStart at the built viewer:
// verify checks that the command exists.
func TestUnitVerify(t *testing.T) {
	viewer := buildViewer(t)
	b, err := os.ReadFile("rtmon-viewer.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "rtmon-viewer.service")
	b = bytes.Replace(b, []byte("ExecStart=/usr/local/bin/rtmon-viewer "), []byte("ExecStart="+viewer+" "), 1)
	if err := os.WriteFile(unit, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := systemdAnalyze(t, "verify", unit)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// systemdAnalyze runs systemd-analyze (package systemd, in DEB_PACKAGES)
// from an empty directory and returns its output.
func systemdAnalyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	testenv.Need(t, "systemd-analyze") // Debian package systemd
	cmd := exec.Command("systemd-analyze", args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "SYSTEMD_COLORS=0", "SYSTEMD_PAGER=")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// buildViewer builds the viewer (and the rest) into buildDir and returns
// its path.
func buildViewer(t *testing.T) string {
	t.Helper()
	testenv.Slow(t, "builds the binaries with make")
	out, err := exec.Command("make", "-C", "..", "build", "BUILD="+buildDir).CombinedOutput()
	if err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	return filepath.Join(buildDir, "rtmon-viewer")
}
