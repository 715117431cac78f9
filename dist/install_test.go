// Package dist holds what `make install` puts on a machine besides the
// binaries: the viewer's systemd unit and its default settings. Its test
// runs the real install and uninstall targets into a staging tree.
package dist

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallUninstall(t *testing.T) {
	stage := t.TempDir()
	confd := filepath.Join(stage, "etc/collectd/collectd.conf.d")
	// A user's existing Instance config must survive install and uninstall.
	if err := os.MkdirAll(confd, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := "# my instances\n<Plugin rtorrent>\n</Plugin>\n"
	if err := os.WriteFile(filepath.Join(confd, "rtorrent.conf"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	build := t.TempDir() // not build/: other tests run binaries from there meanwhile
	makeTarget(t, "install", stage, build)
	for _, f := range []string{
		"usr/lib/collectd/rtorrent.so",
		"etc/collectd/collectd.conf.d/rrdtool.conf",
		"etc/collectd/collectd.conf.d/host.conf",
		"etc/collectd/collectd.conf.d/unixsock.conf",
		"etc/collectd/collectd.conf.d/rtorrent.types.db",
		"usr/local/bin/rtmon-viewer",
		"usr/local/bin/rtmon-probe",
		"etc/systemd/system/rtmon-viewer.service",
		"etc/rtmon/viewer.conf",
		"usr/local/share/doc/rtmon/install.md",
	} {
		if _, err := os.Stat(filepath.Join(stage, f)); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(confd, "rtorrent.conf")); string(b) != mine {
		t.Errorf("install replaced the user's rtorrent.conf:\n%s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(confd, "unixsock.conf")); !strings.Contains(string(b), "\n  SocketGroup \"rtmon\"\n") {
		t.Errorf("unixsock.conf does not give the socket to the rtmon group:\n%s", b)
	}
	makeTarget(t, "uninstall", stage, build)
	var left []string
	filepath.Walk(stage, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			rel, _ := filepath.Rel(stage, p)
			left = append(left, rel)
		}
		return nil
	})
	want := "etc/collectd/collectd.conf.d/rtorrent.conf etc/rtmon/viewer.conf"
	if got := strings.Join(left, " "); got != want {
		t.Errorf("after uninstall: %s; want only the user's settings: %s", got, want)
	}
}

func makeTarget(t *testing.T, target, stage, build string) {
	t.Helper()
	cmd := exec.Command("make", "-C", "..", target, "DESTDIR="+stage, "BUILD="+build)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, out)
	}
}
