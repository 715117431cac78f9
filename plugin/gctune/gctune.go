// Package gctune sets the Go garbage collector's target for the plugin,
// which lives inside collectd's process for as long as collectd runs.
//
// The plugin's live heap stays under a megabyte, but at Go's default
// GOGC=100 the heap grows to the runtime's 4 MB minimum goal before each
// collection, and those pages stay resident: about a fifth of the memory
// the plugin added to collectd in bench/rss. At 25 the minimum goal is
// 1 MB; collections come about four times as often and cost collectd
// about 0.05% of a core more (docs/PERFORMANCE.md).
package gctune

import (
	"os"
	"runtime/debug"
)

// Percent is the plugin's GOGC.
const Percent = 25

// Apply sets GOGC to Percent unless the environment sets GOGC (the
// user's choice wins). It returns the percentage in force afterwards.
func Apply() int {
	if v, ok := os.LookupEnv("GOGC"); ok && v != "" {
		old := debug.SetGCPercent(100)
		debug.SetGCPercent(old)
		return old
	}
	debug.SetGCPercent(Percent)
	return Percent
}
