package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// viewerBinary is $RTMON_BUILD/rtmon-viewer when set, else this package
// built into a temporary directory.
func viewerBinary(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("RTMON_BUILD"); b != "" {
		return filepath.Join(b, "rtmon-viewer")
	}
	bin := filepath.Join(t.TempDir(), "rtmon-viewer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestStartupLogsOverride: the executable links viewer/rrd/readlock and
// logs, once at start, whether its fcntl override is active: lock-free
// with the real librrd, librrd's own lock under RTMON_RRD_READ_LOCK=1.
func TestStartupLogsOverride(t *testing.T) {
	bin := viewerBinary(t)
	for _, tc := range []struct {
		env, want string
	}{
		{"", `level=INFO msg="rrd reads: lock-free`},
		{"RTMON_RRD_READ_LOCK=1", `level=INFO msg="rrd reads: librrd's read lock (RTMON_RRD_READ_LOCK=1)"`},
	} {
		t.Run("env "+tc.env, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// A DataDir not there yet: the viewer starts and warns about it
			// after the override's line, which ends what is read here.
			cmd := exec.CommandContext(ctx, bin, "-listen", "127.0.0.1:0", "-datadir", filepath.Join(t.TempDir(), "later"),
				"-socket", filepath.Join(t.TempDir(), "none.sock"))
			cmd.Env = append(os.Environ(), "RTMON_RRD_READ_LOCK=", tc.env)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
			var lines []string
			sc := bufio.NewScanner(stderr)
			for sc.Scan() && !strings.Contains(sc.Text(), "data directory") {
				lines = append(lines, sc.Text())
			}
			var got []string
			for _, l := range lines {
				if strings.Contains(l, "rrd reads:") {
					got = append(got, l)
				}
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("start-up lines about the read-lock override: %q, want one containing %q; all lines:\n%s",
					got, tc.want, strings.Join(lines, "\n"))
			}
		})
	}
}
