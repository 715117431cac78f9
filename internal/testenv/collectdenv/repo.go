package collectdenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// RepoRoot returns the module's root directory (the one holding go.mod),
// found upwards from the working directory of the test.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

// RemoveBuilt removes the rtorrent.so PluginDir built, if any; call it
// from TestMain after m.Run.
func RemoveBuilt() { testenv.RemoveBuilt() }

// PluginDir returns a directory holding rtorrent.so: testenv.PluginDir,
// the one way every test gets the plugin ($RTMON_BUILD when set, else
// built once per test binary; skipped under -short).
func PluginDir(t testing.TB) string { return testenv.PluginDir(t) }
