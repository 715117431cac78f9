package main

import (
	"os"
	"testing"

	"github.com/rtmon/rtmon/plugin/testbed"
)

// TestMain removes the rtorrent.so testbed.PluginDir built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	testbed.RemoveBuilt()
	os.Exit(code)
}
