package collectdenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// SignedNetwork returns the collectd network plugin blocks of a
// multi-host set-up on loopback, for Options.Extra: central listens on a
// free port and accepts only values signed by user "seedbox" (SecurityLevel
// Sign, an AuthFile in a temporary directory); seedbox sends there, signed.
// This is the set-up docs/multihost.md describes.
func SignedNetwork(t testing.TB) (central, seedbox string) {
	t.Helper()
	port := testenv.FreePort(t, "127.0.0.1") // collectd's network plugin speaks UDP; a free TCP port is free enough
	auth := filepath.Join(t.TempDir(), "auth")
	if err := os.WriteFile(auth, []byte("seedbox: s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	central = fmt.Sprintf(`LoadPlugin network
<Plugin network>
  <Listen "127.0.0.1" "%d">
    SecurityLevel Sign
    AuthFile %q
  </Listen>
</Plugin>
`, port, auth)
	seedbox = fmt.Sprintf(`LoadPlugin network
<Plugin network>
  <Server "127.0.0.1" "%d">
    SecurityLevel Sign
    Username "seedbox"
    Password "s3cret"
  </Server>
</Plugin>
`, port)
	return central, seedbox
}
