// Command rtorrent is rtmon's collectd plugin, built as a shared object:
//
//	go build -buildmode=c-shared -o build/rtorrent.so ./plugin
//
// collectd loads it with `LoadPlugin rtorrent` from its PluginDir. This
// package holds only the plugin's use of collectd: the fork guard, the
// config callback, one read callback per <Instance> and the shutdown
// callback, through the cgo glue of package plugin/collectd.
// Everything else lives in plain Go packages beside it and in internal/
// (docs/ARCHITECTURE.md), which tests call without collectd.
package main

import (
	"fmt"

	"github.com/rtmon/rtmon/plugin/collectd"
	"github.com/rtmon/rtmon/plugin/forkguard"
)

// name is the plugin's name in collectd: the .so file, the LoadPlugin
// line, the <Plugin> block and the plugin part of every identifier.
const name = "rtorrent"

// version is rtmon's version, set by the Makefile from the VERSION file
// (-ldflags -X main.version=...); a plain `go build` says "dev". It is
// logged once when collectd loads the plugin.
var version = "dev"

// init runs when collectd loads the shared object (module_register waits
// for it), before collectd reads the <Plugin rtorrent> block and, without
// -f, before it forks. It is the one moment to decide whether this process
// can run Go at all after that.
func init() {
	defer recoverTo("loading the plugin")
	d := forkguard.Check()
	if d.Forks {
		collectd.Error(forkMessage(d))
		// Accept and ignore our <Plugin rtorrent> block without any Go
		// callback that would run after the fork.
		if err := collectd.IgnoreConfig(name); err != nil {
			collectd.Error(fmt.Sprintf("%s plugin: %v", name, err))
		}
		return
	}
	collectd.Info(fmt.Sprintf("%s plugin: %s; starting rtmon %s", name, d.Reason, version))
	if err := collectd.RegisterConfig(name, &configurer{}); err != nil {
		collectd.Error(fmt.Sprintf("%s plugin: registering the config callback: %v", name, err))
		return
	}
	if err := collectd.RegisterShutdown(name, shutdowner{}); err != nil {
		collectd.Error(fmt.Sprintf("%s plugin: registering the shutdown callback: %v", name, err))
	}
}

func forkMessage(d forkguard.Decision) string {
	return name + " plugin: NOT STARTED: " + d.Reason + ", so it will fork into the background, " +
		"and the Go runtime inside this plugin does not survive fork() (reads would stop and SIGTERM would hang). " +
		"The plugin registers no read callback; collectd's other plugins run as usual. " +
		"Keep collectd in the foreground: run `collectd -f` (with your -C/-P options), " +
		"use the packaged systemd unit (Type=notify, which keeps collectd in the foreground), " +
		"or run it under `collectdmon` (which adds -f). See docs/install.md."
}

func main() {} // never called: collectd loads this package as a plugin
