// Package central starts the central node of docs/fleet.md on loopback
// from the shipped snippets (collectd.conf.d/central and unixsock.conf):
// a real rrdcached, a central collectd receiving signed values and
// writing through it, and optionally rtmon-viewer reading through it. The
// fleet tests and the fleet benchmark run exactly what users install.
package central

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// RRDCachedBin is Debian's rrdcached.
const RRDCachedBin = "/usr/bin/rrdcached"

// Options shape the central node.
type Options struct {
	Snippets string // the repository's collectd.conf.d
	Build    string // directory holding rtmon-viewer; "" starts no viewer
	// Interval is the central collectd's Interval (the aggregation
	// plugin's cadence); 10s when zero.
	Interval time.Duration
	// StepSize overrides the snippet's 60 s RRD step (tests use the
	// interval, so every value sent is a row of its own).
	StepSize int
	// WriteTimeout is rrdcached's -w (seconds); 300 when zero.
	WriteTimeout int
	// Users are the AuthFile's user: password pairs.
	Users map[string]string
	// ViewerInterval is rtmon-viewer's -interval; 2s when zero.
	ViewerInterval time.Duration
}

// Central is a running central node.
type Central struct {
	Dir, DataDir, Sock, RRDSock, Journal string
	Addr                                 string // network plugin, host:port (UDP)
	ViewerURL                            string
	Collectd, RRDCached, Viewer          *testenv.Daemon

	t    testenv.TB
	o    Options
	args []string // rrdcached's
}

// Start starts rrdcached, collectd and (with Options.Build) the viewer.
func Start(t testenv.TB, o Options) *Central {
	t.Helper()
	if o.Interval == 0 {
		o.Interval = 10 * time.Second
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = 300
	}
	if o.ViewerInterval == 0 {
		o.ViewerInterval = 2 * time.Second
	}
	dir, err := os.MkdirTemp("", "rtfl")
	if err != nil {
		t.Fatalf("central: %v", err)
	}
	c := &Central{Dir: dir, DataDir: filepath.Join(dir, "rrd"), Sock: filepath.Join(dir, "sock"),
		RRDSock: filepath.Join(dir, "rrdc.sock"), Journal: filepath.Join(dir, "journal"), t: t, o: o}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("central collectd log:\n%s", testenv.Tail(filepath.Join(dir, "collectd.log"), 3000))
			t.Logf("rrdcached log:\n%s", testenv.Tail(filepath.Join(dir, "rrdcached.log"), 2000))
		}
		os.RemoveAll(dir)
	})
	for _, d := range []string{c.DataDir, c.Journal} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("central: %v", err)
		}
	}
	c.args = []string{"-g", "-l", "unix:" + c.RRDSock, "-b", c.DataDir, "-B", "-R", "-j", c.Journal,
		"-w", strconv.Itoa(o.WriteTimeout), "-z", strconv.Itoa(o.WriteTimeout / 5), "-f", "3600", "-F",
		"-p", filepath.Join(dir, "rrdcached.pid")}
	c.StartRRDCached()

	port := testenv.FreePort(t, "127.0.0.1")
	c.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	conf, err := c.config(port)
	if err != nil {
		t.Fatalf("central: %v", err)
	}
	confPath := filepath.Join(dir, "collectd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatalf("central: %v", err)
	}
	c.Collectd = testenv.StartCollectd(t, confPath, testenv.CollectdOptions{Dir: dir})
	waitFile(t, c.Sock, 20*time.Second, "collectd's unixsock")

	if o.Build != "" {
		vport := testenv.FreePort(t, "127.0.0.1")
		c.ViewerURL = fmt.Sprintf("http://127.0.0.1:%d", vport)
		c.Viewer = testenv.StartDaemon(t, "rtmon-viewer", filepath.Join(o.Build, "rtmon-viewer"),
			[]string{"-listen", fmt.Sprintf("127.0.0.1:%d", vport), "-datadir", c.DataDir, "-socket", c.Sock,
				"-rrdcached", "unix:" + c.RRDSock, "-hostname", "central", "-interval", o.ViewerInterval.String()},
			dir, filepath.Join(dir, "viewer.log"))
		deadline := time.Now().Add(20 * time.Second)
		for {
			r, err := http.Get(c.ViewerURL + "/json/fleet")
			if err == nil {
				r.Body.Close()
				if r.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("central: viewer not answering /json/fleet: %v\n%s", err, testenv.Tail(filepath.Join(dir, "viewer.log"), 2000))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return c
}

// StartRRDCached starts rrdcached (again, after StopRRDCached): it
// replays its journal before it answers.
func (c *Central) StartRRDCached() {
	c.t.Helper()
	os.Remove(c.RRDSock)
	c.RRDCached = testenv.StartDaemon(c.t, "rrdcached", RRDCachedBin, c.args, c.Dir, filepath.Join(c.Dir, "rrdcached.log"))
	waitFile(c.t, c.RRDSock, 20*time.Second, "rrdcached's socket")
}

// StopRRDCached stops rrdcached with SIGTERM; with -F it writes what it
// holds first.
func (c *Central) StopRRDCached() { c.RRDCached.Stop() }

// KillRRDCached kills rrdcached at once: only its journal keeps what it
// had acknowledged and not written.
func (c *Central) KillRRDCached() {
	syscallKill(c.RRDCached.PID())
	deadline := time.Now().Add(10 * time.Second)
	for !c.RRDCached.Exited() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

func waitFile(t testenv.TB, path string, timeout time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("central: %s (%s) never appeared", what, path)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// config is the central collectd.conf: the shipped snippets with their
// system paths pointed into c.Dir.
func (c *Central) config(port int) (string, error) {
	group := "root"
	if g, err := user.LookupGroupId(strconv.Itoa(os.Getgid())); err == nil {
		group = g.Name
	}
	auth := filepath.Join(c.Dir, "passwd")
	var ab strings.Builder
	for u, p := range c.o.Users {
		fmt.Fprintf(&ab, "%s: %s\n", u, p)
	}
	if err := os.WriteFile(auth, []byte(ab.String()), 0o600); err != nil {
		return "", err
	}
	read := func(name string, rw ...string) (string, error) {
		b, err := os.ReadFile(filepath.Join(c.o.Snippets, name))
		if err != nil {
			return "", err
		}
		s := string(b)
		for i := 0; i+1 < len(rw); i += 2 {
			if !strings.Contains(s, rw[i]) {
				return "", fmt.Errorf("snippet %s no longer holds %q", name, rw[i])
			}
			s = strings.ReplaceAll(s, rw[i], rw[i+1])
		}
		return s, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hostname \"central\"\nFQDNLookup false\nBaseDir %q\nPIDFile %q\nInterval %d\n",
		c.Dir, filepath.Join(c.Dir, "collectd.pid"), int(c.o.Interval.Seconds()))
	fmt.Fprintf(&b, "TypesDB \"/usr/share/collectd/types.db\" %q\n", filepath.Join(c.o.Snippets, "rtorrent.types.db"))
	// The central node's own uptime, as host.conf would load it: its row
	// on /fleet then has a clock like every seedbox's (docs/fleet.md).
	b.WriteString("LoadPlugin uptime\n")
	fmt.Fprintf(&b, "LoadPlugin logfile\n<Plugin logfile>\n  LogLevel info\n  File %q\n</Plugin>\n", filepath.Join(c.Dir, "collectd.log"))
	parts := []struct {
		name string
		rw   []string
	}{
		{"unixsock.conf", []string{`"/run/collectd-unixsock"`, strconv.Quote(c.Sock), `SocketGroup "root"`, "SocketGroup " + strconv.Quote(group)}},
		{"central/network.conf", []string{`"0.0.0.0" "25826"`, fmt.Sprintf(`"127.0.0.1" "%d"`, port), `"/etc/collectd/passwd"`, strconv.Quote(auth)}},
		{"central/rrdcached.conf", c.rrdRewrites()},
		{"central/aggregation.conf", nil},
	}
	for _, p := range parts {
		s, err := read(p.name, p.rw...)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

func (c *Central) rrdRewrites() []string {
	rw := []string{`"unix:/run/rrdcached.sock"`, strconv.Quote("unix:" + c.RRDSock), `"/var/lib/collectd/rrd"`, strconv.Quote(c.DataDir)}
	if c.o.StepSize > 0 {
		rw = append(rw, "StepSize 60", fmt.Sprintf("StepSize %d", c.o.StepSize), "HeartBeat 120", fmt.Sprintf("HeartBeat %d", 2*c.o.StepSize))
	}
	return rw
}
