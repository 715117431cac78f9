package gctune

import (
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// TestApply runs in children, since GOGC is read when a process starts:
// without GOGC the collector's target becomes Percent; with GOGC set it
// stays the user's.
func TestApply(t *testing.T) {
	if os.Getenv("GCTUNE_CHILD") == "1" {
		got := Apply()
		now := debug.SetGCPercent(100)
		if got != now {
			t.Fatalf("Apply returned %d, the runtime has %d", got, now)
		}
		os.Stdout.WriteString("GCPERCENT=" + strconv.Itoa(now) + "\n")
		return
	}
	for _, tc := range []struct {
		gogc string // "" for unset
		want string
	}{{"", "25"}, {"200", "200"}, {"off", "-1"}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestApply$", "-test.count=1", "-test.v")
		env := []string{"GCTUNE_CHILD=1"}
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "GOGC=") {
				env = append(env, e)
			}
		}
		if tc.gogc != "" {
			env = append(env, "GOGC="+tc.gogc)
		}
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "GCPERCENT="+tc.want+"\n") {
			t.Errorf("GOGC=%q: want GCPERCENT=%s; child (%v):\n%s", tc.gogc, tc.want, err, out)
		}
	}
}
