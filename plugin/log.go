package main

import (
	"fmt"
	"runtime/debug"

	"github.com/rtmon/rtmon/plugin/collectd"
)

// collectdLog is collector.Logger on top of collectd's log, adding the
// "rtorrent plugin: " prefix collectd's own plugins use.
type collectdLog struct{}

func (collectdLog) Error(msg string)   { collectd.Error(name + " plugin: " + msg) }
func (collectdLog) Warning(msg string) { collectd.Warning(name + " plugin: " + msg) }
func (collectdLog) Notice(msg string)  { collectd.Notice(name + " plugin: " + msg) }
func (collectdLog) Info(msg string)    { collectd.Info(name + " plugin: " + msg) }

// recoverTo logs a panic instead of letting it take collectd down. Use it
// deferred at the top of every function collectd calls into.
func recoverTo(doing string) {
	if r := recover(); r != nil {
		collectd.Error(fmt.Sprintf("%s plugin: recovered from a panic while %s: %v (please report this) %q", name, doing, r, debug.Stack()))
	}
}
