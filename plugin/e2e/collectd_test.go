package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	collectdBin = "/usr/sbin/collectd"
	host        = "rtmon-e2e"
	interval    = time.Second
)

// snippetDir is the repository's collectd.conf.d, what users install.
const snippetDir = "../../collectd.conf.d"

// Collectd is one collectd started for a test, with its files in Dir.
type Collectd struct {
	Dir, Conf, Log, DataDir, Sock, PIDFile string

	cmd  *exec.Cmd
	done chan struct{}
}

// newCollectdDir makes a short directory (unix socket paths are limited
// to 108 bytes, t.TempDir paths carry the test name) holding the shipped
// snippets with their absolute paths pointed into it, and a top-level
// collectd.conf that includes them as /etc/collectd/collectd.conf does,
// plus the given <Plugin rtorrent> block.
func newCollectdDir(t *testing.T, pluginBlock string) *Collectd {
	t.Helper()
	dir, err := os.MkdirTemp("", "e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("collectd log %s:\n%s", filepath.Join(dir, "collectd.log"), tail(filepath.Join(dir, "collectd.log"), 6000))
			t.Logf("collectd stdout/stderr:\n%s", tail(filepath.Join(dir, "stdout.log"), 3000))
		}
		os.RemoveAll(dir)
	})
	c := &Collectd{Dir: dir, Conf: filepath.Join(dir, "collectd.conf"), Log: filepath.Join(dir, "collectd.log"),
		DataDir: filepath.Join(dir, "rrd"), Sock: filepath.Join(dir, "sock"), PIDFile: filepath.Join(dir, "collectd.pid")}
	confd := filepath.Join(dir, "conf.d")
	if err := os.Mkdir(confd, 0o755); err != nil {
		t.Fatal(err)
	}
	// Every path a snippet names, and where it goes in the test. Each must
	// be found in its snippet: a snippet that changes its paths fails
	// here rather than write to the real /var/lib/collectd.
	rewrite := map[string][2]string{
		"rrdtool.conf":      {`"/var/lib/collectd/rrd"`, fmt.Sprintf("%q", c.DataDir)},
		"unixsock.conf":     {`"/run/collectd-unixsock"`, fmt.Sprintf("%q", c.Sock)},
		"rtorrent.conf":     {`"/etc/collectd/collectd.conf.d/rtorrent.types.db"`, fmt.Sprintf("%q", filepath.Join(confd, "rtorrent.types.db"))},
		"host.conf":         {"", ""},
		"rtorrent.types.db": {"", ""},
	}
	entries, err := os.ReadDir(snippetDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(rewrite) {
		t.Fatalf("collectd.conf.d holds %d files, the test knows %d: teach it the new one", len(entries), len(rewrite))
	}
	for name, rw := range rewrite {
		b, err := os.ReadFile(filepath.Join(snippetDir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if rw[0] != "" {
			if !strings.Contains(s, rw[0]) {
				t.Fatalf("%s no longer names %s", name, rw[0])
			}
			s = strings.ReplaceAll(s, rw[0], rw[1])
		}
		if err := os.WriteFile(filepath.Join(confd, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`# written by the e2e test
Hostname %q
FQDNLookup false
BaseDir %q
PIDFile %q
Interval %d
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File %q
  Timestamp true
  PrintSeverity true
</Plugin>
# LoadPlugin looks in PluginDir; a later PluginDir applies to the lines after it.
PluginDir %q
Include %q
PluginDir "/usr/lib/collectd"
Include %q
Include %q
Include %q
%s
`, host, dir, c.PIDFile, int(interval/time.Second), c.Log, pluginDir,
		filepath.Join(confd, "rtorrent.conf"), filepath.Join(confd, "rrdtool.conf"),
		filepath.Join(confd, "host.conf"), filepath.Join(confd, "unixsock.conf"), pluginBlock)
	if err := os.WriteFile(c.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

// instance renders one <Instance> block.
func instance(name string, lines ...string) string {
	return fmt.Sprintf("  <Instance %q>\n    %s\n  </Instance>\n", name, strings.Join(lines, "\n    "))
}

func pluginBlock(instances ...string) string {
	return "<Plugin rtorrent>\n" + strings.Join(instances, "") + "</Plugin>\n"
}

// startForeground runs collectd -f in its own process group; cleanup
// stops it (SIGTERM, then SIGKILL to the group).
func (c *Collectd) startForeground(t *testing.T) {
	t.Helper()
	c.start(t, []string{"-f", "-C", c.Conf}, os.Environ())
}

// stop sends SIGTERM and waits; it reports how long collectd took.
func (c *Collectd) stop(t *testing.T) time.Duration {
	if c.cmd == nil || c.cmd.Process == nil {
		return 0
	}
	start := time.Now()
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Errorf("collectd ignored SIGTERM for 10 s; killing its process group")
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
	return time.Since(start)
}

// running reports whether collectd (started in the foreground) is alive.
func (c *Collectd) running() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

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
		if !strings.Contains(line, "["+severity+"]") {
			continue
		}
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
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

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
