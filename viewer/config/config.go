package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// Config is everything rtmon-viewer is told.
type Config struct {
	Listen         string
	DataDir        string
	Socket         string
	DiskUsagePaths []string
	Htpasswd       string
	InsecureListen bool
	// Interval is how often the live poller reads collectd.
	Interval time.Duration
	// Hostname is the collectd host name of this machine: the host the
	// -disk-usage-path figures belong to.
	Hostname string
	// AllowHosts are extra Host header values accepted without auth
	// (names a reverse proxy or the user's browser use for this viewer).
	AllowHosts []string
	// Debug logs at debug level (poll and FLUSH decisions).
	Debug bool
	// MaxRenders caps graph renders running at once (see graphs.NewRenderer
	// for how many may wait).
	MaxRenders int
	// MaxStreams caps open /events streams (each holds a connection and a
	// goroutine); beyond it the live page polls /json/live instead.
	MaxStreams int
	// RRDCached is rrdcached's address (unix:/path, /path, host:port):
	// the viewer sends FLUSH <file> there before reading a file
	// (docs/fleet.md). Empty: files are read as they are.
	RRDCached string
	// ProblemsDir is where rtmon-notify records current problems
	// (viewer/problems, docs/alerts.md); empty shows none.
	ProblemsDir string
}

// ErrHelp is returned for -h/-help; the usage has been printed.
var ErrHelp = flag.ErrHelp

// Parse reads args (without the program name). Command-line flags win
// over the config file given with -config.
func Parse(args []string, stderr io.Writer) (*Config, error) {
	home, _ := os.UserHomeDir()
	if home == "" {
		home = "/"
	}
	host, _ := os.Hostname()
	c := &Config{}
	var disk, allow, file string
	fs := flag.NewFlagSet("rtmon-viewer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8042", "address to serve on (host:port); non-loopback needs -htpasswd or -insecure-listen")
	fs.StringVar(&c.DataDir, "datadir", "/var/lib/collectd/rrd", "collectd rrdtool DataDir")
	fs.StringVar(&c.Socket, "socket", "/var/run/collectd-unixsock", "collectd unixsock socket")
	fs.StringVar(&disk, "disk-usage-path", home, "paths whose file system usage the live page shows, joined by ':'")
	fs.StringVar(&c.Htpasswd, "htpasswd", "", "htpasswd file with bcrypt entries; turns on HTTP basic auth")
	fs.BoolVar(&c.InsecureListen, "insecure-listen", false, "allow a non-loopback -listen without -htpasswd (Host is still checked: see -allow-host)")
	fs.DurationVar(&c.Interval, "interval", 2*time.Second, "how often the live data is read from collectd")
	fs.StringVar(&c.Hostname, "hostname", host, "collectd host name of this machine (the host -disk-usage-path belongs to)")
	fs.StringVar(&allow, "allow-host", "", "extra Host header names allowed without auth, joined by ',' (e.g. the machine's name, to browse to it by name)")
	fs.IntVar(&c.MaxRenders, "max-renders", 4, "graph renders running at once; up to max(32, 16x) may wait, more get 503")
	fs.IntVar(&c.MaxStreams, "max-streams", 256, "open /events streams at once; beyond it 503 and the live page polls /json/live")
	fs.StringVar(&c.RRDCached, "rrdcached", "", "rrdcached's address (unix:/path or host:port) when collectd writes through it: the viewer flushes each file there before reading it")
	fs.StringVar(&c.ProblemsDir, "problems-dir", "/var/lib/rtmon/problems", "directory where rtmon-notify (collectd exec NotificationExec) records current problems; empty: show none")
	fs.BoolVar(&c.Debug, "debug", false, "log poll and FLUSH decisions")
	fs.StringVar(&file, "config", "", "config file: one 'flag = value' per line, # comments; flags given on the command line win")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if file != "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if err := readFile(fs, file, set); err != nil {
			return nil, err
		}
	}
	c.DiskUsagePaths = splitList(disk, ":")
	c.AllowHosts = splitList(allow, ",")
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readFile applies "name = value" lines to the flags not set on the
// command line.
func readFile(fs *flag.FlagSet, path string, set map[string]bool) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return fmt.Errorf("config file %s:%d: want 'name = value'", path, i+1)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if name == "config" || fs.Lookup(name) == nil {
			return fmt.Errorf("config file %s:%d: unknown setting %q", path, i+1, name)
		}
		if set[name] {
			continue
		}
		if err := fs.Set(name, value); err != nil {
			return fmt.Errorf("config file %s:%d: %s: %w", path, i+1, name, err)
		}
	}
	return nil
}

func (c *Config) check() error {
	if c.Interval < 200*time.Millisecond || c.Interval > time.Hour {
		return fmt.Errorf("-interval %v: must be between 200ms and 1h", c.Interval)
	}
	if c.MaxRenders < 1 || c.MaxRenders > 64 {
		return fmt.Errorf("-max-renders %d: must be between 1 and 64", c.MaxRenders)
	}
	if c.MaxStreams < 1 || c.MaxStreams > 10000 {
		return fmt.Errorf("-max-streams %d: must be between 1 and 10000", c.MaxStreams)
	}
	if len(c.DiskUsagePaths) > 32 {
		return fmt.Errorf("-disk-usage-path: at most 32 paths")
	}
	if err := checkAllowHosts(c.AllowHosts); err != nil {
		return err
	}
	loopback, err := IsLoopback(c.Listen)
	if err != nil {
		return err
	}
	if !loopback && c.Htpasswd == "" && !c.InsecureListen {
		return fmt.Errorf("refusing to listen on %s without auth: it is reachable from other machines, "+
			"and the viewer shows your rTorrent and host figures to anyone who connects. "+
			"Give -htpasswd FILE (bcrypt entries, e.g. from `htpasswd -B`), listen on 127.0.0.1 behind a reverse proxy "+
			"that does auth and TLS, or pass -insecure-listen if another layer protects this address", c.Listen)
	}
	return nil
}

// maxAllowHosts bounds -allow-host: each name is a map entry consulted on
// every request without auth.
const maxAllowHosts = 64

// checkAllowHosts refuses what a Host header never carries (a URL, a
// path, user info, a wildcard, spaces): such an entry would match
// nothing, and the user would wonder why the name is still refused.
func checkAllowHosts(hosts []string) error {
	if len(hosts) > maxAllowHosts {
		return fmt.Errorf("-allow-host: %d names, at most %d", len(hosts), maxAllowHosts)
	}
	for _, h := range hosts {
		if len(h) > 255 || strings.ContainsAny(h, "/@*?#\\ \t\"'<>") {
			return fmt.Errorf("-allow-host %q: want a name or address as a browser sends it in Host (seedbox.lan, seedbox.lan:8042), not a URL or pattern", h)
		}
	}
	return nil
}

// ErrBadListen is wrapped by errors about the -listen address.
var ErrBadListen = errors.New("bad -listen address")

// IsLoopback reports whether addr (host:port) listens on loopback only.
// An empty host means every interface; a name other than "localhost" is
// not trusted to resolve to loopback.
func IsLoopback(addr string) (bool, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("%w %q: %v", ErrBadListen, addr, err)
	}
	if port == "" {
		return false, fmt.Errorf("%w %q: no port", ErrBadListen, addr)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}
