// Package dist holds what `make install` and the Debian package (`make
// deb`, laid out by dist/deb) put on a machine besides the binaries: the
// viewer's systemd unit, its default settings, the man pages. Its tests
// run the real install and uninstall targets into a staging tree, build,
// lint, install, upgrade and purge the package, score the unit with
// systemd-analyze and run the viewer under its restrictions.
package dist

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

const confd = "etc/collectd/collectd.conf.d"

// buildDir is where the tests' `make install` builds: not build/, which
// other packages' tests run binaries from meanwhile; one for all tests, so
// that go build finds its binaries up to date after the first install.
var buildDir string

func TestMain(m *testing.M) {
	if helperMain() {
		return
	}
	d, err := os.MkdirTemp("", "rtmon-dist-build")
	if err != nil {
		panic(err)
	}
	buildDir = d
	os.Chmod(d, 0o755) // TestViewerRestricted runs the viewer from here as nobody
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}

func TestInstallUninstall(t *testing.T) {
	stage := t.TempDir()
	// A user's existing Instance config must survive install and uninstall.
	if err := os.MkdirAll(filepath.Join(stage, confd), 0o755); err != nil {
		t.Fatal(err)
	}
	mine := "# my instances\n<Plugin rtorrent>\n</Plugin>\n"
	writeFile(t, filepath.Join(stage, confd, "rtorrent.conf"), mine, 0o644)
	out := makeTarget(t, "install", stage)
	for _, f := range []string{
		"usr/lib/collectd/rtorrent.so",
		confd + "/rrdtool.conf",
		confd + "/host.conf",
		confd + "/unixsock.conf",
		confd + "/rtorrent.types.db",
		"usr/local/bin/rtmon-viewer",
		"usr/local/bin/rtmon-probe",
		"usr/local/bin/rtmon-notify",
		"etc/systemd/system/rtmon-viewer.service",
		"etc/rtmon/viewer.conf",
		"usr/local/share/doc/rtmon/install.md",
	} {
		if _, err := os.Stat(filepath.Join(stage, f)); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(stage, confd, "rtorrent.conf")); string(b) != mine {
		t.Errorf("install replaced the user's rtorrent.conf:\n%s", b)
	}
	// An rtorrent.conf an earlier rtmon left world-readable loses that.
	if m := mode(t, filepath.Join(stage, confd, "rtorrent.conf")); m != 0o640 {
		t.Errorf("the user's rtorrent.conf is %04o after install, want 0640 (no access for other users)\n%s", m, out)
	}
	if b, _ := os.ReadFile(filepath.Join(stage, confd, "unixsock.conf")); !strings.Contains(string(b), "\n  SocketGroup \"rtmon\"\n") {
		t.Errorf("unixsock.conf does not give the socket to the rtmon group:\n%s", b)
	}
	makeTarget(t, "uninstall", stage)
	want := confd + "/rtorrent.conf"
	if got := strings.Join(files(t, stage), " "); got != want {
		t.Errorf("after uninstall: %s; want only the user's settings: %s", got, want)
	}
}

// TestInstallModes: the snippet with rTorrent's password is 0640 root:root
// (collectd reads its configuration as root); the others hold no secret.
// viewer.conf names the htpasswd file but holds no password, and the
// viewer, running as rtmon, must read it: 0644.
func TestInstallModes(t *testing.T) {
	stage := t.TempDir()
	makeTarget(t, "install", stage)
	for _, tc := range []struct {
		file string
		mode fs.FileMode
	}{
		{confd + "/rtorrent.conf", 0o640},
		{confd + "/rrdtool.conf", 0o644},
		{confd + "/host.conf", 0o644},
		{confd + "/unixsock.conf", 0o644},
		{confd + "/rtorrent.types.db", 0o644},
		{"etc/rtmon/viewer.conf", 0o644},
		{"etc/systemd/system/rtmon-viewer.service", 0o644},
	} {
		p := filepath.Join(stage, tc.file)
		if m := mode(t, p); m != tc.mode {
			t.Errorf("%s is %04o, want %04o", tc.file, m, tc.mode)
		}
		if os.Geteuid() == 0 {
			fi, _ := os.Stat(p)
			if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
				t.Errorf("%s is %d:%d, want root:root", tc.file, st.Uid, st.Gid)
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(stage, "etc/rtmon/viewer.conf"))
	if bytes.Contains(bytes.ToLower(b), []byte("password")) {
		t.Errorf("viewer.conf is world-readable and mentions a password:\n%s", b)
	}
}

// TestInstallKeepsEditedFiles plays an upgrade: version 1 installed, the
// user edits some files, version 2 (every shipped file changed) installed
// over it, then uninstall. Edited files are kept with version 2 beside them
// as <name>.rtmon-new; files nobody touched follow the version; the types
// db is rtmon's and always follows; uninstall removes only what install
// wrote and nobody edited.
func TestInstallKeepsEditedFiles(t *testing.T) {
	stage := t.TempDir()
	makeTarget(t, "install", stage)
	v2 := shippedCopy(t, "# version 2\n")

	rows := []struct {
		file, shipped string // installed, and where version 2 ships it
		edited        bool
		mode          fs.FileMode
	}{
		{confd + "/rrdtool.conf", "collectd.conf.d/rrdtool.conf", true, 0o644},
		{confd + "/unixsock.conf", "collectd.conf.d/unixsock.conf", true, 0o644},
		{confd + "/rtorrent.conf", "collectd.conf.d/rtorrent.conf", true, 0o640},
		{confd + "/host.conf", "collectd.conf.d/host.conf", false, 0o644},
		{"etc/rtmon/viewer.conf", "dist/viewer.conf", false, 0o644},
	}
	edits := map[string]string{}
	for _, r := range rows {
		if !r.edited {
			continue
		}
		p := filepath.Join(stage, r.file)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		edits[r.file] = string(b) + "# mine\n"
		writeFile(t, p, edits[r.file], mode(t, p))
	}
	// The types db is rtmon's: an edited one is replaced.
	writeFile(t, filepath.Join(stage, confd, "rtorrent.types.db"), "mine 0\n", 0o644)

	out := makeTarget(t, "install", stage, "CONFSRC="+v2)
	for _, r := range rows {
		p := filepath.Join(stage, r.file)
		got := readFile(t, p)
		want := readFile(t, filepath.Join(v2, r.shipped))
		if strings.HasSuffix(r.file, "/unixsock.conf") {
			want = strings.Replace(want, `SocketGroup "root"`, `SocketGroup "rtmon"`, 1)
		}
		_, errNew := os.Stat(p + ".rtmon-new")
		if r.edited {
			if got != edits[r.file] {
				t.Errorf("%s: the user's edit was replaced by install:\n%s", r.file, got)
			}
			if b, _ := os.ReadFile(p + ".rtmon-new"); string(b) != want {
				t.Errorf("%s.rtmon-new is not version 2:\n%s", r.file, b)
			} else if m := mode(t, p+".rtmon-new"); m != r.mode {
				t.Errorf("%s.rtmon-new is %04o, want %04o", r.file, m, r.mode)
			}
			if !strings.Contains(out, p+".rtmon-new") {
				t.Errorf("install did not say where version 2 of %s went:\n%s", r.file, out)
			}
		} else {
			if got != want {
				t.Errorf("%s: unedited, but not updated to version 2:\n%s", r.file, got)
			}
			if errNew == nil {
				t.Errorf("%s: unedited, yet install wrote %s.rtmon-new", r.file, r.file)
			}
		}
		if m := mode(t, p); m != r.mode {
			t.Errorf("%s is %04o after the second install, want %04o", r.file, m, r.mode)
		}
	}
	if got, want := readFile(t, filepath.Join(stage, confd, "rtorrent.types.db")),
		readFile(t, filepath.Join(v2, "collectd.conf.d/rtorrent.types.db")); got != want {
		t.Errorf("rtorrent.types.db did not follow the version:\n%s", got)
	}

	out = makeTarget(t, "uninstall", stage)
	var want []string
	for _, r := range rows {
		if r.edited {
			want = append(want, r.file)
			if !strings.Contains(out, "kept "+filepath.Join(stage, r.file)) {
				t.Errorf("uninstall did not say it kept %s:\n%s", r.file, out)
			}
		}
	}
	sort.Strings(want)
	if got := strings.Join(files(t, stage), " "); got != strings.Join(want, " ") {
		t.Errorf("after uninstall: %s\nwant only the user's edited files: %s", got, strings.Join(want, " "))
	}
	for f, s := range edits {
		if got := readFile(t, filepath.Join(stage, f)); got != s {
			t.Errorf("uninstall changed the user's %s:\n%s", f, got)
		}
	}
}

// shippedCopy returns a directory holding collectd.conf.d/ and
// dist/viewer.conf as a new version would ship them: each with extra
// appended.
func shippedCopy(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"rrdtool.conf", "host.conf", "unixsock.conf", "rtorrent.conf", "rtorrent.types.db"} {
		writeFile(t, filepath.Join(dir, "collectd.conf.d", f), readFile(t, filepath.Join("..", "collectd.conf.d", f))+extra, 0o644)
	}
	writeFile(t, filepath.Join(dir, "dist/viewer.conf"), readFile(t, "viewer.conf")+extra, 0o644)
	return dir
}

func makeTarget(t *testing.T, target, stage string, vars ...string) string {
	t.Helper()
	testenv.Slow(t, "builds the binaries with make")
	args := append([]string{"-C", "..", target, "DESTDIR=" + stage, "BUILD=" + buildDir}, vars...)
	out, err := exec.Command("make", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, out)
	}
	return string(out)
}

// files lists the regular files under root, relative and sorted.
func files(t *testing.T, root string) []string {
	t.Helper()
	var left []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			left = append(left, rel)
		}
		return nil
	})
	sort.Strings(left)
	return left
}

func mode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeFile writes s with mode m (whatever the umask), creating the
// directories.
func writeFile(t *testing.T, p, s string, m fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), m); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, m); err != nil {
		t.Fatal(err)
	}
}
