package main

import "github.com/rtmon/rtmon/plugin/gctune"

// The collector's target is set when collectd loads the plugin, before any
// read allocates (see package gctune for why).
func init() { gctune.Apply() }
