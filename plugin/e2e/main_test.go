package e2e

import (
	"os"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestMain removes the rtorrent.so testenv.PluginDir built, if it built
// one (it takes $RTMON_BUILD's when set, as make test sets it).
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}
