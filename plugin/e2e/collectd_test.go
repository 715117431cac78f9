package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

const (
	host     = "rtmon-e2e"
	interval = time.Second
)

// snippetDir is the repository's collectd.conf.d, what users install.
const snippetDir = "../../collectd.conf.d"

// Collectd is one collectd started for a test, with its files in Dir.
type Collectd struct {
	Dir, Conf, Log, DataDir, Sock, PIDFile string

	d *testenv.Daemon // the collectd start began, nil before
}

// newCollectdDir makes a short directory (unix socket paths are limited
// to 108 bytes, t.TempDir paths carry the test name) holding the shipped
// snippets with their absolute paths pointed into it, and a top-level
// collectd.conf that includes them as /etc/collectd/collectd.conf does,
// plus the given <Plugin rtorrent> block.
func newCollectdDir(t *testing.T, pluginBlock string) *Collectd {
	t.Helper()
	return newCollectdDirEvery(t, interval, pluginBlock)
}

// newCollectdDirEvery is newCollectdDir with collectd's Interval set to
// every, for a test whose reads need more than 80% of a second.
func newCollectdDirEvery(t *testing.T, every time.Duration, pluginBlock string) *Collectd {
	t.Helper()
	dir, err := os.MkdirTemp("", "e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("collectd log %s:\n%s", filepath.Join(dir, "collectd.log"), testenv.Tail(filepath.Join(dir, "collectd.log"), 6000))
			t.Logf("collectd stdout/stderr:\n%s", testenv.Tail(filepath.Join(dir, "stdout.log"), 3000))
		}
		os.RemoveAll(dir)
	})
	l := collectdconf.NewLayout(dir)
	if err := collectdconf.Stage(l, snippetDir); err != nil {
		t.Fatal(err)
	}
	if err := collectdconf.WriteMain(l, host, every, testenv.PluginDir(t), pluginBlock); err != nil {
		t.Fatal(err)
	}
	return &Collectd{Dir: dir, Conf: l.Conf, Log: l.Log, DataDir: l.DataDir, Sock: l.Socket, PIDFile: l.PIDFile}
}

// instance renders one <Instance> block.
var instance = collectdconf.Instance

// pluginBlock wraps instances in <Plugin rtorrent>.
var pluginBlock = collectdconf.PluginBlock

// startForeground runs collectd -f through testenv.StartCollectd;
// cleanup stops it (SIGTERM, then SIGKILL to the group).
func (c *Collectd) startForeground(t *testing.T) {
	t.Helper()
	c.start(t, testenv.CollectdOptions{})
}

// start runs collectd through testenv.StartCollectd, the one way tests
// start it, with the output in Dir/stdout.log. Cleanup stops it and fails
// the test when SIGTERM was ignored for 10 s.
func (c *Collectd) start(t *testing.T, o testenv.CollectdOptions) {
	t.Helper()
	o.Dir = c.Dir
	c.d = testenv.StartCollectd(t, c.Conf, o)
	// Runs before StartCollectd's own cleanup, which then has nothing to do.
	t.Cleanup(func() { c.stop(t) })
}

// stop sends SIGTERM and waits; it reports how long collectd took.
func (c *Collectd) stop(t *testing.T) time.Duration {
	if c.d == nil {
		return 0
	}
	took, graceful := c.d.StopWithin(10 * time.Second)
	if !graceful {
		t.Errorf("collectd ignored SIGTERM for 10 s; killed its process group")
	}
	return took
}

// running reports whether collectd (started in the foreground) is alive.
func (c *Collectd) running() bool { return c.d != nil && !c.d.Exited() }

// File is the RRD file of an identifier, as docs/metrics.md documents:
// DataDir/<host>/<plugin>[-<instance>]/<type>[-<type instance>].rrd.
func (c *Collectd) File(id string) string {
	return filepath.Join(c.DataDir, host, filepath.FromSlash(id)+".rrd")
}

// logText returns collectd's log so far.
func (c *Collectd) logText() string {
	b, _ := os.ReadFile(c.Log)
	return string(b)
}

// logLines returns the log lines of a severity ("error", "notice", ...)
// that contain every one of the substrings.
func (c *Collectd) logLines(severity string, subs ...string) []string {
	var out []string
	for _, line := range strings.Split(c.logText(), "\n") {
		if testenv.ContainsAll(line, append([]string{"[" + severity + "]"}, subs...)...) {
			out = append(out, line)
		}
	}
	return out
}

// waitLog waits for a log line of a severity holding every substring.
func (c *Collectd) waitLog(t *testing.T, timeout time.Duration, severity string, subs ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if l := c.logLines(severity, subs...); len(l) > 0 {
			return l[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no [%s] log line with %q after %v", severity, subs, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
