package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
)

// writeCollectdConf stages the shipped snippets in dir, with their paths
// pointed there, and a collectd.conf that includes them and watches the
// given rTorrent instances, plus extra (the notification block).
func writeCollectdConf(dir, snippets, pluginDir, hostname string, interval time.Duration, watched map[string]string, extra string) (collectdconf.Layout, error) {
	l := collectdconf.NewLayout(dir)
	if err := collectdconf.Stage(l, snippets); err != nil {
		return l, err
	}
	names := make([]string, 0, len(watched))
	for n := range watched {
		names = append(names, n)
	}
	sort.Strings(names)
	var instances []string
	for _, n := range names {
		instances = append(instances, collectdconf.Instance(n, fmt.Sprintf("URL %q", watched[n]), "Timeout 1"))
	}
	return l, collectdconf.WriteMain(l, hostname, interval, pluginDir, collectdconf.PluginBlock(instances...)+extra)
}
