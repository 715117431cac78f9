package e2e

import (
	"os"
	"testing"

	"github.com/rtmon/rtmon/plugin/testbed"
)

// TestMain removes the rtorrent.so testbed.PluginDir built, if it built
// one (it takes $RTMON_BUILD's when set, as make test sets it).
func TestMain(m *testing.M) {
	code := m.Run()
	testbed.RemoveBuilt()
	os.Exit(code)
}
