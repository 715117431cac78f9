package collectdenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// CollectdBin is Debian's collectd, testenv.CollectdBin, for the viewer
// tests' Need checks.
const CollectdBin = testenv.CollectdBin

// Instance is one <Instance> of the rTorrent plugin.
type Instance struct {
	Name  string
	URL   string
	Extra []string // more option lines, e.g. "MinScanInterval 1"
}

// Options shape the collectd a test runs.
type Options struct {
	Host string // Hostname; default "rtmon-test"
	// CacheTimeout is the rrdtool plugin's; 0 writes every value at once.
	// A large value keeps values in collectd's cache until a FLUSH.
	CacheTimeout int
	// RTorrent instances; when any, rtorrent.so is loaded from PluginDir.
	RTorrent  []Instance
	PluginDir string
	// Extra is appended to the configuration as it is (e.g. a network
	// plugin block for multi-host tests).
	Extra string
}

// Collectd is a running collectd.
type Collectd struct {
	Dir, Conf, Sock, DataDir, Host string

	first *Daemon // the collectd StartCollectd started
}

// StartCollectd starts collectd -f and waits until it has load, memory
// and cpu values (cpu needs two reads for a rate). t.Cleanup stops it.
func StartCollectd(t testing.TB, o Options) *Collectd {
	t.Helper()
	if o.Host == "" {
		o.Host = "rtmon-test"
	}
	// Short: unix socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "rtv")
	if err != nil {
		t.Fatal(err)
	}
	c := &Collectd{Dir: dir, Conf: filepath.Join(dir, "collectd.conf"), Sock: filepath.Join(dir, "sock"),
		DataDir: filepath.Join(dir, "rrd"), Host: o.Host}
	t.Cleanup(func() {
		c.Stop()
		if t.Failed() {
			t.Logf("collectd log:\n%s", testenv.Tail(filepath.Join(dir, "collectd.log"), 4000))
			t.Logf("collectd output:\n%s", testenv.Tail(filepath.Join(dir, "stdout.log"), 2000))
		}
		os.RemoveAll(dir)
	})
	if err := os.WriteFile(c.Conf, []byte(c.config(o)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.first = c.Start(t, c.Conf)
	c.WaitValues(t, 20*time.Second, "load/load", "memory/memory-used", "cpu-0/cpu-idle")
	return c
}

func (c *Collectd) config(o Options) string {
	group := "root"
	if g, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil {
		group = g.Name
	}
	types := filepath.Join(RepoRoot(), "collectd.conf.d", "rtorrent.types.db")
	var b strings.Builder
	fmt.Fprintf(&b, `Hostname %q
FQDNLookup false
BaseDir %q
PIDFile %q
Interval 1
TypesDB "/usr/share/collectd/types.db" %q
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File %q
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile %q
  SocketGroup %q
</Plugin>
LoadPlugin load
LoadPlugin memory
LoadPlugin cpu
LoadPlugin swap
LoadPlugin uptime
LoadPlugin disk
LoadPlugin interface
LoadPlugin rrdtool
<Plugin rrdtool>
  DataDir %q
  CacheTimeout %d
  CacheFlush %d
</Plugin>
`, o.Host, c.Dir, filepath.Join(c.Dir, "collectd.pid"), types, filepath.Join(c.Dir, "collectd.log"),
		c.Sock, group, c.DataDir, o.CacheTimeout, max(2*o.CacheTimeout, 1))
	if len(o.RTorrent) > 0 {
		fmt.Fprintf(&b, "PluginDir %q\nLoadPlugin rtorrent\nPluginDir \"/usr/lib/collectd\"\n<Plugin rtorrent>\n", o.PluginDir)
		for _, in := range o.RTorrent {
			fmt.Fprintf(&b, "  <Instance %q>\n    URL %q\n    Timeout 1\n", in.Name, in.URL)
			for _, l := range in.Extra {
				fmt.Fprintf(&b, "    %s\n", l)
			}
			b.WriteString("  </Instance>\n")
		}
		b.WriteString("</Plugin>\n")
	}
	b.WriteString(o.Extra)
	return b.String()
}

// Stop stops the collectd StartCollectd started: SIGTERM, then SIGKILL to
// its process group (testenv.Daemon.Stop).
func (c *Collectd) Stop() {
	if c.first != nil {
		c.first.Stop()
	}
}

// Command sends one unixsock command on a fresh connection and returns the
// lines after the status line. A negative status is an error.
func (c *Collectd) Command(cmd string) ([]string, error) {
	conn, err := net.DialTimeout("unix", c.Sock, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := conn.Write([]byte(cmd + "\n")); err != nil {
		return nil, err
	}
	r := bufio.NewReader(conn)
	first, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	f := strings.Fields(first)
	if len(f) == 0 {
		return nil, fmt.Errorf("%s: empty status line", cmd)
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%s: %s", cmd, strings.TrimSpace(first))
	}
	lines := make([]string, 0, n)
	for i := 0; i < n; i++ {
		l, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		lines = append(lines, strings.TrimSuffix(l, "\n"))
	}
	return lines, nil
}

// ListVal returns the time of every value collectd holds, by identifier.
func (c *Collectd) ListVal() (map[string]float64, error) {
	lines, err := c.Command("LISTVAL")
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, l := range lines {
		ts, id, ok := strings.Cut(l, " ")
		if !ok {
			return nil, fmt.Errorf("LISTVAL line %q", l)
		}
		t, err := strconv.ParseFloat(ts, 64)
		if err != nil {
			return nil, err
		}
		out[id] = t
	}
	return out, nil
}

// GetVal returns the values of host/id ("plugin/type") in DS order.
func (c *Collectd) GetVal(id string) ([]float64, error) {
	lines, err := c.Command(fmt.Sprintf("GETVAL %q", c.Host+"/"+id))
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(lines))
	for i, l := range lines {
		_, v, _ := strings.Cut(l, "=")
		if out[i], err = strconv.ParseFloat(v, 64); err != nil {
			return nil, fmt.Errorf("GETVAL %s: %q", id, l)
		}
	}
	return out, nil
}

// WaitValues waits until collectd holds every id (relative to Host).
func (c *Collectd) WaitValues(t testing.TB, timeout time.Duration, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		lv, err := c.ListVal()
		missing := ""
		if err != nil {
			missing = err.Error()
		} else {
			for _, id := range ids {
				if _, ok := lv[c.Host+"/"+id]; !ok {
					missing = id
					break
				}
			}
		}
		if missing == "" {
			// cpu is a rate: wait until it is known, not NaN.
			if v, err := c.GetVal("cpu-0/cpu-idle"); err == nil && len(v) == 1 && v[0] == v[0] {
				return
			}
			missing = "a cpu rate"
		}
		if c.first.Exited() {
			t.Fatalf("collectd exited:\n%s\n%s", testenv.Tail(filepath.Join(c.Dir, "stdout.log"), 2000), testenv.Tail(filepath.Join(c.Dir, "collectd.log"), 4000))
		}
		if time.Now().After(deadline) {
			t.Fatalf("collectd has no %s after %v:\n%s", missing, timeout, testenv.Tail(filepath.Join(c.Dir, "collectd.log"), 4000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
