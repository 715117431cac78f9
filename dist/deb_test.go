package dist

import (
	"context"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// The package's files this test checks by name; every other file comes
// from `dpkg -L`.
const (
	debPlugin    = "/usr/lib/collectd/rtorrent.so"
	debConfd     = "/etc/collectd/collectd.conf.d"
	debTypesDB   = "/usr/share/rtmon/rtorrent.types.db"
	debUnit      = "/lib/systemd/system/rtmon-viewer.service"
	debViewerBin = "/usr/bin/rtmon-viewer"
	debProbeBin  = "/usr/bin/rtmon-probe"
)

// shippedVersion is the VERSION file, the one source of rtmon's version.
func shippedVersion(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../VERSION")
	if err != nil {
		t.Fatal(err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" || strings.ContainsAny(v, " \n") {
		t.Fatalf("VERSION holds %q, want one word", b)
	}
	return v
}

// shippedDeb is the package of VERSION, built once for every test here.
var shippedDeb struct {
	once sync.Once
	path string
}

// makeShippedDeb builds (once) and returns the package of VERSION.
func makeShippedDeb(t *testing.T) string {
	t.Helper()
	testenv.Slow(t, "builds the binaries and the package with make")
	shippedDeb.once.Do(func() { shippedDeb.path = makeDeb(t, buildDir, shippedVersion(t)) })
	if shippedDeb.path == "" {
		t.Fatal("make deb failed in an earlier test")
	}
	return shippedDeb.path
}

// makeDeb builds the package of version into dir with `make deb` (which
// builds the binaries there first) and returns its path. It packs with
// gzip, not xz: faster, and the contents are the same.
func makeDeb(t *testing.T, dir, version string, vars ...string) string {
	t.Helper()
	testenv.Slow(t, "builds the binaries and the package with make")
	args := append([]string{"-C", "..", "deb", "BUILD=" + dir, "VERSION=" + version, "DEB_COMPRESS=gzip"}, vars...)
	out, err := exec.Command("make", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("make deb: %v\n%s", err, out)
	}
	arch := strings.TrimSpace(run(t, "dpkg", "--print-architecture"))
	p := filepath.Join(dir, "rtmon_"+version+"_"+arch+".deb")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("make deb built no %s: %v\n%s", p, err, out)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// dpkg runs dpkg, waiting (bounded) while another dpkg or apt holds the
// lock, which happens on a developer's machine, not in CI.
func dpkg(t *testing.T, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		cmd := exec.Command("dpkg", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err == nil {
			return string(out)
		}
		if strings.Contains(string(out), "lock") && time.Now().Before(deadline) {
			time.Sleep(2 * time.Second)
			continue
		}
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestDebFields: the package carries VERSION, and its Depends were
// computed from the binaries (libc6 for all three, librrd8 for the
// viewer) beside the ones written by hand (collectd-core, adduser).
func TestDebFields(t *testing.T) {
	testenv.Need(t, "dpkg-deb", "dpkg-shlibdeps")
	version := shippedVersion(t)
	deb := makeShippedDeb(t)
	if got := strings.TrimSpace(run(t, "dpkg-deb", "-f", deb, "Version")); got != version {
		t.Errorf("package Version %q, want VERSION's %q", got, version)
	}
	depends := run(t, "dpkg-deb", "-f", deb, "Depends")
	for _, want := range []string{"libc6 (>=", "librrd8 (>=", "collectd-core (>= 5.12)", "adduser"} {
		if !strings.Contains(depends, want) {
			t.Errorf("Depends %q has no %q", strings.TrimSpace(depends), want)
		}
	}
	contents := run(t, "dpkg-deb", "-c", deb)
	for _, want := range []struct{ mode, path string }{
		{"-rw-r----- root/root", "./etc/collectd/collectd.conf.d/rtorrent.conf"},
		{"-rw-r--r-- root/root", "./etc/collectd/collectd.conf.d/unixsock.conf"},
		{"-rw-r--r-- root/root", "./usr/lib/collectd/rtorrent.so"},
		{"-rwxr-xr-x root/root", "./usr/bin/rtmon-viewer"},
		{"-rwxr-xr-x root/root", "./usr/bin/rtmon-probe"},
		{"-rwxr-xr-x root/root", "./usr/bin/rtmon-notify"},
		{"-rw-r--r-- root/root", "./usr/share/man/man1/rtmon-notify.1.gz"},
		{"-rw-r--r-- root/root", "./usr/share/doc/rtmon/examples/alerts.conf"},
		{"-rw-r--r-- root/root", "./usr/share/doc/rtmon/examples/thresholds.conf"},
		{"-rw-r--r-- root/root", "./usr/share/man/man1/rtmon-viewer.1.gz"},
		{"-rw-r--r-- root/root", "./usr/share/man/man1/rtmon-probe.1.gz"},
		{"-rw-r--r-- root/root", "." + debUnit},
		{"-rw-r--r-- root/root", "." + debTypesDB},
	} {
		found := false
		for _, l := range strings.Split(contents, "\n") {
			if strings.HasPrefix(l, want.mode) && strings.HasSuffix(l, " "+want.path) {
				found = true
			}
		}
		if !found {
			t.Errorf("the package has no %s %s:\n%s", want.mode, want.path, contents)
		}
	}
	if _, err := os.Stat("rtorrent/rtmon-events.rc"); err == nil && !strings.Contains(contents, " ./usr/share/rtmon/rtmon-events.rc\n") {
		t.Errorf("dist/rtorrent/rtmon-events.rc exists but the package lacks /usr/share/rtmon/rtmon-events.rc")
	}
}

// TestDebLintian: Debian's own check of the package finds no error. Its
// warnings are logged; docs/install.md says why each one stays.
func TestDebLintian(t *testing.T) {
	testenv.Need(t, "lintian", "dpkg-deb")
	deb := makeShippedDeb(t)
	// --fail-on error: the exit status is 0 exactly when lintian ran and
	// found no error (warnings do not count).
	cmd := exec.Command("lintian", "--fail-on", "error", "--tag-display-limit", "0", deb)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	var errs []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "E: ") {
			errs = append(errs, l)
		}
	}
	if err != nil || len(errs) > 0 {
		t.Errorf("lintian: %v, %d errors:\n%s", err, len(errs), out)
	}
	t.Logf("lintian %s:\n%s", filepath.Base(deb), out)
}

// TestDebInstallUpgradePurge installs the package on this machine with
// dpkg, as a user would: collectd with the installed snippets loads the
// plugin and reads a real rTorrent; the viewer starts from the unit's own
// command line and serves; an upgrade to a newer version keeps a conffile
// the test edited; remove keeps the conffiles, purge leaves no file and
// no rtmon user behind. It needs root and a machine where neither rtmon's
// package nor a `make install` is present, and it starts no service
// (where systemd runs, it stops and disables the viewer the package
// started before it purges).
func TestDebInstallUpgradePurge(t *testing.T) {
	testenv.Need(t, "dpkg", "dpkg-deb", "rtorrent", testenv.CollectdBin, "setpriv")
	if os.Geteuid() != 0 {
		t.Skip("installs a package: needs root (CI runs as root)")
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "rtmon").CombinedOutput(); err == nil && strings.Contains(string(out), "installed") {
		t.Skipf("the rtmon package is installed on this machine (%s); this test installs and purges its own", out)
	}
	for _, p := range []string{debPlugin, debConfd + "/rtorrent.conf", "/etc/rtmon", "/usr/local/bin/rtmon-viewer"} {
		if _, err := os.Stat(p); err == nil {
			t.Skipf("%s exists (make install?): the package would take it over and purge would remove it", p)
		}
	}
	if _, err := user.Lookup("rtmon"); err == nil {
		t.Skip("a user rtmon exists already: purge would remove it")
	}

	version := shippedVersion(t)
	deb1 := makeShippedDeb(t)
	// Version 2: a newer version whose conffiles changed, built from a
	// copy of the snippets (as TestInstallKeepsEditedFiles plays one).
	v2 := version + "+test1"
	deb2 := makeDeb(t, t.TempDir(), v2, "CONFSRC="+shippedCopy(t, "# version 2\n"))

	purged := false
	t.Cleanup(func() {
		if !purged { // a failure half-way must not leave the package installed
			exec.Command("dpkg", "--purge", "rtmon").Run()
		}
	})
	dpkg(t, "-i", deb1)
	owned := packageFiles(t)
	if len(owned) < 10 {
		t.Fatalf("dpkg -L rtmon lists %d files:\n%s", len(owned), strings.Join(owned, "\n"))
	}
	t.Run("installed", func(t *testing.T) { checkInstalled(t, version) })
	t.Run("collectd reads rTorrent", func(t *testing.T) { checkCollectd(t, version) })
	t.Run("viewer from the unit", checkViewerFromUnit)
	t.Run("problems directory", func(t *testing.T) {
		// rtmon-notify (run by collectd's exec as rtmon, the packaged
		// alerts.conf example) records into it; the viewer reads it.
		fi, err := os.Stat("/var/lib/rtmon/problems")
		if err != nil {
			t.Fatalf("postinst made no problems directory: %v", err)
		}
		if u, err := user.Lookup("rtmon"); err != nil {
			t.Fatal(err)
		} else if uid := fmt.Sprint(fi.Sys().(*syscall.Stat_t).Uid); uid != u.Uid || fi.Mode().Perm() != 0o755 {
			t.Errorf("/var/lib/rtmon/problems is uid %s mode %04o, want rtmon's %s and 0755", uid, fi.Mode().Perm(), u.Uid)
		}
	})

	// Upgrade: rtorrent.conf was edited (by checkCollectd, and once
	// more here); host.conf was not. dpkg keeps the edited one (and puts
	// version 2 beside it as .dpkg-dist) and replaces the other.
	conf := filepath.Join(debConfd, "rtorrent.conf")
	appendFile(t, conf, "# edited by the package test\n")
	edited, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	dpkg(t, "--force-confdef", "--force-confold", "-i", deb2)
	if got := strings.TrimSpace(run(t, "dpkg-query", "-W", "-f=${Version}", "rtmon")); got != v2 {
		t.Errorf("after the upgrade dpkg says version %q, want %q", got, v2)
	}
	if b, _ := os.ReadFile(conf); string(b) != string(edited) {
		t.Errorf("the upgrade replaced the edited %s:\n%s", conf, b)
	}
	if m := mode(t, conf); m != 0o640 {
		t.Errorf("%s is %04o after the upgrade, want 0640", conf, m)
	}
	if b, _ := os.ReadFile(filepath.Join(debConfd, "host.conf")); !strings.HasSuffix(string(b), "# version 2\n") {
		t.Errorf("the unedited host.conf was not upgraded:\n%.200s", b)
	}
	if out := run(t, debViewerBin, "-version"); strings.TrimSpace(out) != "rtmon-viewer "+v2 {
		t.Errorf("after the upgrade rtmon-viewer -version says %q, want %q", out, "rtmon-viewer "+v2)
	}
	owned = append(owned, packageFiles(t)...)
	owned = append(owned, conf+".dpkg-dist", conf+".dpkg-new", conf+".dpkg-old")

	// Remove keeps the conffiles (and nothing else); purge removes them.
	dpkg(t, "--remove", "rtmon")
	for _, p := range []string{debPlugin, debViewerBin, debUnit, debTypesDB} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there after dpkg --remove", p)
		}
	}
	if _, err := os.Stat(conf); err != nil {
		t.Errorf("dpkg --remove removed the conffile %s: %v", conf, err)
	}
	dpkg(t, "--purge", "rtmon")
	purged = true
	for _, p := range append(owned,
		"/etc/rtmon", "/usr/share/rtmon", "/usr/share/doc/rtmon", "/var/lib/rtmon",
		"/etc/systemd/system/multi-user.target.wants/rtmon-viewer.service",
		"/var/lib/systemd/deb-systemd-helper-enabled/rtmon-viewer.service.dsh-also",
		"/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/rtmon-viewer.service",
		"/var/lib/systemd/deb-systemd-helper-masked/rtmon-viewer.service",
	) {
		if _, err := os.Lstat(p); err == nil && !shared(p) {
			t.Errorf("%s is still there after dpkg --purge", p)
		}
	}
	if _, err := user.Lookup("rtmon"); err == nil {
		t.Errorf("the user rtmon is still there after dpkg --purge")
	}
	if _, err := user.LookupGroup("rtmon"); err == nil {
		t.Errorf("the group rtmon is still there after dpkg --purge")
	}
}

// shared: directories the package puts files in but other packages own
// (some are symbolic links: /lib on a merged-/usr system).
func shared(p string) bool {
	switch p {
	case "/etc", "/etc/collectd", debConfd, "/usr", "/usr/bin", "/usr/lib", "/usr/lib/collectd", "/usr/share",
		"/usr/share/doc", "/usr/share/man", "/usr/share/man/man1", "/lib", "/lib/systemd", "/lib/systemd/system", "/.":
		return true
	}
	return false
}

// packageFiles is `dpkg -L rtmon`.
func packageFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, l := range strings.Split(run(t, "dpkg", "-L", "rtmon"), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "/") {
			files = append(files, l)
		}
	}
	return files
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// checkInstalled: the files where a Debian user looks for them, the
// credentials' snippet readable by root only, conffiles registered, the
// system user, and the version printed by both binaries.
func checkInstalled(t *testing.T, version string) {
	for _, tc := range []struct {
		path string
		mode fs.FileMode
	}{
		{debPlugin, 0o644},
		{debConfd + "/rtorrent.conf", 0o640},
		{debConfd + "/rrdtool.conf", 0o644},
		{debConfd + "/host.conf", 0o644},
		{debConfd + "/unixsock.conf", 0o644},
		{"/etc/rtmon/viewer.conf", 0o644},
		{debTypesDB, 0o644},
		{debUnit, 0o644},
		{debViewerBin, 0o755},
		{debProbeBin, 0o755},
		{"/usr/share/man/man1/rtmon-viewer.1.gz", 0o644},
		{"/usr/share/man/man1/rtmon-probe.1.gz", 0o644},
		{"/usr/bin/rtmon-notify", 0o755},
		{"/usr/share/doc/rtmon/examples/alerts.conf", 0o644},
		{"/usr/share/doc/rtmon/install.md", 0o644},
		{"/usr/share/doc/rtmon/copyright", 0o644},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Errorf("installed: %v", err)
			continue
		}
		if fi.Mode().Perm() != tc.mode {
			t.Errorf("%s is %04o, want %04o", tc.path, fi.Mode().Perm(), tc.mode)
		}
		if st := fi.Sys().(*syscall.Stat_t); st.Uid != 0 || st.Gid != 0 {
			t.Errorf("%s is %d:%d, want root:root", tc.path, st.Uid, st.Gid)
		}
	}
	conffiles := run(t, "dpkg-query", "-W", "-f=${Conffiles}", "rtmon")
	for _, f := range []string{"rtorrent.conf", "rrdtool.conf", "host.conf", "unixsock.conf"} {
		if !strings.Contains(conffiles, " "+debConfd+"/"+f+" ") {
			t.Errorf("%s is no conffile; dpkg's conffiles:\n%s", f, conffiles)
		}
	}
	if !strings.Contains(conffiles, " /etc/rtmon/viewer.conf ") {
		t.Errorf("viewer.conf is no conffile:\n%s", conffiles)
	}
	if b, _ := os.ReadFile(debConfd + "/unixsock.conf"); !strings.Contains(string(b), "\n  SocketGroup \"rtmon\"\n") {
		t.Errorf("unixsock.conf does not give the socket to the rtmon group:\n%s", b)
	}
	u, err := user.Lookup("rtmon")
	if err != nil {
		t.Fatalf("no rtmon user after install: %v", err)
	}
	if uid, _ := strconv.Atoi(u.Uid); uid == 0 || uid >= 1000 || u.HomeDir != "/nonexistent" {
		t.Errorf("user rtmon has uid %s and home %s, want a system user (uid 1-999) with home /nonexistent", u.Uid, u.HomeDir)
	}
	for _, bin := range []string{debViewerBin, debProbeBin} {
		want := filepath.Base(bin) + " " + version
		if out := run(t, bin, "-version"); strings.TrimSpace(out) != want {
			t.Errorf("%s -version printed %q, want %q", bin, out, want)
		}
	}
}

// checkCollectd edits the installed rtorrent.conf to watch a real
// rTorrent, then runs `collectd -T` with a configuration that includes
// it and host.conf (not rrdtool.conf or unixsock.conf: they would write
// into the system's DataDir and replace a running collectd's socket):
// collectd loads the plugin from its own plugin directory (which
// logs VERSION) and the types db from where rtorrent.conf's TypesDB
// line says, runs one read, and the csv plugin writes what was read into
// the test's directory. The item count must be rTorrent's own.
func checkCollectd(t *testing.T, version string) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(3, "http://127.0.0.1:1/announce", "deb")), false)
	rt.WaitItems(t, 3, 20*time.Second)
	want := rt.MustInt(t, "view.size", "", "main")

	appendFile(t, filepath.Join(debConfd, "rtorrent.conf"),
		fmt.Sprintf("<Plugin rtorrent>\n  <Instance \"deb\">\n    URL %q\n  </Instance>\n</Plugin>\n", rt.URL))
	dir := t.TempDir()
	conf := filepath.Join(dir, "collectd.conf")
	writeFile(t, conf, fmt.Sprintf(`Hostname "debtest"
FQDNLookup false
BaseDir %[1]q
PIDFile %[4]q
PluginDir "/usr/lib/collectd"
Interval 10
LoadPlugin csv
<Plugin csv>
  DataDir %[1]q
  StoreRates false
</Plugin>
Include %[2]q
Include %[3]q
`, dir, filepath.Join(debConfd, "rtorrent.conf"), filepath.Join(debConfd, "host.conf"), filepath.Join(dir, "collectd.pid")), 0o644)
	out, err := testenv.RunCollectd(t, nil, "-T", "-C", conf)
	if err != nil {
		t.Fatalf("collectd -T with the installed rtorrent.conf: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "starting rtmon "+version) {
		t.Errorf("collectd's output does not have the plugin's %q:\n%s", "starting rtmon "+version, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "debtest", "rtorrent-deb", "count-items_total-*"))
	if len(matches) != 1 {
		t.Fatalf("collectd -T wrote no count-items_total for instance deb (%v):\n%s", matches, out)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	fields := strings.Split(lines[len(lines)-1], ",")
	got, err := strconv.ParseFloat(fields[len(fields)-1], 64)
	if err != nil || int64(got) != want {
		t.Errorf("collectd read %q items, rTorrent says %d", lines[len(lines)-1], want)
	}
}

// checkViewerFromUnit runs the command line of the installed unit's
// ExecStart, as the unit's User, with only -listen added (a free port:
// flags given on the command line win over viewer.conf), and asks it for
// its page.
func checkViewerFromUnit(t *testing.T) {
	unit, err := os.ReadFile(debUnit)
	if err != nil {
		t.Fatal(err)
	}
	var argv []string
	var runAs string
	for _, l := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(l, "ExecStart="); ok {
			argv = strings.Fields(v)
		}
		if v, ok := strings.CutPrefix(l, "User="); ok {
			runAs = v
		}
	}
	if len(argv) == 0 || argv[0] != debViewerBin || runAs != "rtmon" {
		t.Fatalf("the unit's ExecStart is %q and User %q, want %s ... and rtmon", argv, runAs, debViewerBin)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	args := append([]string{"--reuid=rtmon", "--regid=rtmon", "--clear-groups", "--"}, argv...)
	cmd := exec.CommandContext(ctx, "setpriv", append(args, "-listen", addr)...)
	logPath := filepath.Join(t.TempDir(), "viewer.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET / from the unit's viewer: %s", resp.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			t.Fatalf("the viewer started as the unit does never served %s: %v\n%s", addr, err, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if b, _ := os.ReadFile(logPath); !strings.Contains(string(b), "version=") {
		t.Errorf("the viewer's start line names no version:\n%s", b)
	}
}
