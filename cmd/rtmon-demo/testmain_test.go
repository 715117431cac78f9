package main

import (
	"os"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestMain removes the rtorrent.so testenv.PluginDir built, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}
