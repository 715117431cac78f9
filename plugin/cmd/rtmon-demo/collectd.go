package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// collectdConf is where the demo's collectd keeps its files.
type collectdConf struct {
	file, dataDir, socket string
}

// snippetPaths are the system paths the shipped snippets name, and what
// the demo puts in their place: a snippet that stops naming one fails here
// rather than make the demo write to /var/lib/collectd.
func snippetPaths(dir, confd string) map[string][2]string {
	return map[string][2]string{
		"rrdtool.conf":  {`"/var/lib/collectd/rrd"`, fmt.Sprintf("%q", filepath.Join(dir, "rrd"))},
		"unixsock.conf": {`"/run/collectd-unixsock"`, fmt.Sprintf("%q", filepath.Join(dir, "collectd.sock"))},
		"rtorrent.conf": {`"/etc/collectd/collectd.conf.d/rtorrent.types.db"`, fmt.Sprintf("%q", filepath.Join(confd, "rtorrent.types.db"))},
	}
}

// writeCollectdConf copies the shipped snippets into dir with their paths
// rewritten, and a collectd.conf that includes them and watches the given
// rTorrent instances.
func writeCollectdConf(dir, snippets, pluginDir, hostname string, interval time.Duration, watched map[string]string) (*collectdConf, error) {
	confd := filepath.Join(dir, "collectd.conf.d")
	if err := os.MkdirAll(confd, 0o755); err != nil {
		return nil, err
	}
	rewrite := snippetPaths(dir, confd)
	entries, err := os.ReadDir(snippets)
	if err != nil {
		return nil, fmt.Errorf("snippets: %w", err)
	}
	var includes []string
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(snippets, e.Name()))
		if err != nil {
			return nil, err
		}
		s := string(b)
		if rw, ok := rewrite[e.Name()]; ok {
			if !strings.Contains(s, rw[0]) {
				return nil, fmt.Errorf("%s no longer names %s", e.Name(), rw[0])
			}
			s = strings.ReplaceAll(s, rw[0], rw[1])
		}
		if err := os.WriteFile(filepath.Join(confd, e.Name()), []byte(s), 0o644); err != nil {
			return nil, err
		}
		if strings.HasSuffix(e.Name(), ".conf") && e.Name() != "rtorrent.conf" {
			includes = append(includes, fmt.Sprintf("Include %q", filepath.Join(confd, e.Name())))
		}
	}
	names := make([]string, 0, len(watched))
	for n := range watched {
		names = append(names, n)
	}
	sort.Strings(names)
	var block strings.Builder
	block.WriteString("<Plugin rtorrent>\n")
	for _, n := range names {
		fmt.Fprintf(&block, "  <Instance %q>\n    URL %q\n    Timeout 1\n  </Instance>\n", n, watched[n])
	}
	block.WriteString("</Plugin>\n")

	c := &collectdConf{file: filepath.Join(dir, "collectd.conf"), dataDir: filepath.Join(dir, "rrd"), socket: filepath.Join(dir, "collectd.sock")}
	conf := fmt.Sprintf(`# written by rtmon-demo
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
%s
%s`, hostname, dir, filepath.Join(dir, "collectd.pid"), max(1, int(interval/time.Second)),
		filepath.Join(dir, "collectd.log"), pluginDir, filepath.Join(confd, "rtorrent.conf"),
		strings.Join(includes, "\n"), block.String())
	return c, os.WriteFile(c.file, []byte(conf), 0o644)
}
