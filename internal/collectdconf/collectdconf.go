// Package collectdconf writes a private collectd configuration from the
// shipped collectd.conf.d snippets, with every system path they name
// pointed into one directory. The demo stack and the end-to-end tests run
// collectd from it, so both exercise exactly what users install.
package collectdconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Layout is where a private collectd keeps its files.
type Layout struct {
	Dir     string // everything lives below it
	Conf    string // the top-level collectd.conf
	ConfD   string // the staged snippets
	DataDir string // the rrdtool plugin's DataDir
	Socket  string // the unixsock plugin's socket
	Log     string // the logfile plugin's file
	PIDFile string
}

// NewLayout names the files of a collectd living in dir. Keep dir short:
// unix socket paths are limited to 108 bytes.
func NewLayout(dir string) Layout {
	return Layout{
		Dir: dir, Conf: filepath.Join(dir, "collectd.conf"), ConfD: filepath.Join(dir, "collectd.conf.d"),
		DataDir: filepath.Join(dir, "rrd"), Socket: filepath.Join(dir, "collectd.sock"),
		Log: filepath.Join(dir, "collectd.log"), PIDFile: filepath.Join(dir, "collectd.pid"),
	}
}

// rewrites are the system paths each shipped snippet names and what takes
// their place. Every snippet must be listed: a new one, or one that stops
// naming its path, fails Stage rather than let a private collectd write to
// /var/lib/collectd.
func (l Layout) rewrites() map[string][2]string {
	return map[string][2]string{
		"rrdtool.conf":      {`"/var/lib/collectd/rrd"`, fmt.Sprintf("%q", l.DataDir)},
		"unixsock.conf":     {`"/run/collectd-unixsock"`, fmt.Sprintf("%q", l.Socket)},
		"rtorrent.conf":     {`"/etc/collectd/collectd.conf.d/rtorrent.types.db"`, fmt.Sprintf("%q", filepath.Join(l.ConfD, "rtorrent.types.db"))},
		"host.conf":         {"", ""},
		"rtorrent.types.db": {"", ""},
		// Not included by WriteMain: the alert tests include them.
		"thresholds.conf":     {"", ""},
		"alerts.conf.example": {"", ""},
	}
}

// optional snippets name no system path and are not part of the default
// configuration: Stage copies them as they are and WriteMain leaves them
// out; a test that wants one includes it through WriteMain's extra.
var optional = map[string]bool{"prometheus.conf": true}

// copyAs copies one file.
func copyAs(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("snippets: %w", err)
	}
	return os.WriteFile(to, b, 0o644)
}

// Stage copies the snippets of snippetDir into l.ConfD with their paths
// rewritten.
func Stage(l Layout, snippetDir string) error {
	if err := os.MkdirAll(l.ConfD, 0o755); err != nil {
		return err
	}
	rewrite := l.rewrites()
	entries, err := os.ReadDir(snippetDir)
	if err != nil {
		return fmt.Errorf("snippets: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue // central/: the central node's snippets, staged by bench/fleet
		}
		if optional[e.Name()] {
			if err := copyAs(filepath.Join(snippetDir, e.Name()), filepath.Join(l.ConfD, e.Name())); err != nil {
				return err
			}
			continue
		}
		if _, ok := rewrite[e.Name()]; !ok {
			return fmt.Errorf("snippets: %s is new to collectdconf: teach it the paths the file names", e.Name())
		}
	}
	for name, rw := range rewrite {
		b, err := os.ReadFile(filepath.Join(snippetDir, name))
		if err != nil {
			return fmt.Errorf("snippets: %w", err)
		}
		s := string(b)
		if rw[0] != "" {
			if !strings.Contains(s, rw[0]) {
				return fmt.Errorf("snippets: %s no longer names %s", name, rw[0])
			}
			s = strings.ReplaceAll(s, rw[0], rw[1])
		}
		if err := os.WriteFile(filepath.Join(l.ConfD, name), []byte(s), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// WriteMain writes l.Conf: the host name and interval, a logfile, the
// staged snippets included as Debian's collectd.conf includes
// collectd.conf.d (rtorrent.so loaded from pluginDir), then extra (a
// <Plugin rtorrent> block, a network plugin, ...).
func WriteMain(l Layout, hostname string, interval time.Duration, pluginDir, extra string) error {
	conf := fmt.Sprintf(`# written by rtmon's collectdconf
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
%s`, hostname, l.Dir, l.PIDFile, max(1, int(interval/time.Second)), l.Log, pluginDir,
		filepath.Join(l.ConfD, "rtorrent.conf"), filepath.Join(l.ConfD, "rrdtool.conf"),
		filepath.Join(l.ConfD, "host.conf"), filepath.Join(l.ConfD, "unixsock.conf"), extra)
	return os.WriteFile(l.Conf, []byte(conf), 0o644)
}

// Instance renders one <Instance> block of the rtorrent plugin.
func Instance(name string, lines ...string) string {
	return fmt.Sprintf("  <Instance %q>\n    %s\n  </Instance>\n", name, strings.Join(lines, "\n    "))
}

// PluginBlock wraps Instance blocks in <Plugin rtorrent>.
func PluginBlock(instances ...string) string {
	return "<Plugin rtorrent>\n" + strings.Join(instances, "") + "</Plugin>\n"
}
