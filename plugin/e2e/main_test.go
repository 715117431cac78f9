package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// pluginDir holds rtorrent.so, built once for the whole test binary.
var pluginDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rtmon-so")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	if err := buildPlugin(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the plugin:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: built rtorrent.so in %v\n", time.Since(start).Round(time.Millisecond))
	pluginDir = dir
	return m.Run()
}

// buildPlugin builds the plugin as the Makefile does, into dir. Building
// here rather than taking $RTMON_BUILD/rtorrent.so means the test always
// runs the code it was compiled with; Go's build cache makes it cheap
// after `make build`.
func buildPlugin(dir string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = "/usr/local/go/bin/go"
	}
	cmd := exec.Command(goBin, "build", "-buildmode=c-shared", "-o", filepath.Join(dir, "rtorrent.so"), "github.com/rtmon/rtmon/plugin")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if os.Getenv("CGO_CPPFLAGS") == "" {
		cmd.Env = append(cmd.Env, "CGO_CPPFLAGS=-I/usr/include/collectd/core/daemon -I/usr/include/collectd/core -I/usr/include/collectd")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}
