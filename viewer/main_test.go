package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusals: the binary will not start on a non-loopback address
// without auth, says why, and will not take a non-bcrypt htpasswd.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	md5 := filepath.Join(dir, "htpasswd")
	os.WriteFile(md5, []byte("alice:$apr1$x$y\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-listen", "0.0.0.0:0", "-datadir", dir}, "refusing to listen on 0.0.0.0:0 without auth"},
		{[]string{"-listen", "[::]:0", "-datadir", dir}, "reachable from other machines"},
		{[]string{"-listen", "192.0.2.1:0", "-datadir", dir}, "-insecure-listen"},
		{[]string{"-listen", "127.0.0.1:0", "-htpasswd", md5}, "not a bcrypt hash"},
		{[]string{"-listen", "0.0.0.0:0", "-htpasswd", filepath.Join(dir, "missing")}, "htpasswd"},
	} {
		err := run(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %v = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}
