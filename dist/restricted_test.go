package dist

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// required are the unit's settings TestViewerRestricted reproduces (or
// checks the viewer's system calls against); the test fails when the unit
// drops one, since it would then no longer prove the unit runs.
var required = []struct{ key, value string }{
	{"NoNewPrivileges", "yes"},
	{"CapabilityBoundingSet", ""},
	{"AmbientCapabilities", ""},
	{"ProtectSystem", "strict"},
	{"ProtectProc", "invisible"},
	{"ProcSubset", "pid"},
	{"PrivateDevices", "yes"},
	{"UMask", "0077"},
	{"MemoryDenyWriteExecute", "yes"},
	{"RestrictNamespaces", "yes"},
}

// TestViewerRestricted runs the built viewer, with a real collectd, under
// what of rtmon-viewer.service can be reproduced without systemd (this
// test runs in containers with no systemd as PID 1, where systemd-run is
// out of reach), serves it the pages, graphs, series and stream a browser
// asks for, and checks every system call it made against the unit:
//
//   - a user with no capabilities, no_new_privs, no supplementary groups,
//     the unit's umask (setpriv);
//   - a private mount and PID namespace (unshare) in which / is read-only
//     (ProtectSystem=strict), /proc shows only this namespace's processes
//     and no non-process files (hidepid=invisible,subset=pid: ProtectProc,
//     ProcSubset) and /dev holds only null, zero, full, random, urandom
//     (PrivateDevices);
//   - the kernel's PR_SET_MDWE, which refuses writable+executable memory
//     (MemoryDenyWriteExecute=), and, since systemd's form is a seccomp
//     filter that refuses any mprotect to PROT_EXEC, no such call in the
//     trace either;
//   - cgroup v1 memory and pids limits at the unit's MemoryMax= and
//     TasksMax= (when this machine lets the test make the cgroups), with
//     GOMAXPROCS=64 standing in for a large machine; neither limit may be
//     reached;
//   - strace -f: every system call is within the unit's SystemCallFilter=,
//     every socket family within RestrictAddressFamilies=, no clone or
//     unshare of a namespace (RestrictNamespaces=).
//
// Not reproduced: the seccomp filter itself (the trace stands in for it),
// PrivateUsers, PrivateTmp, the Protect{Kernel*,Clock,Hostname} settings
// (nothing the viewer does touches them; the trace shows no such call),
// and User=rtmon (nobody stands in; the socket is given to its group).
func TestViewerRestricted(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: namespaces, mounts and switching to nobody (CI runs as root)")
	}
	testenv.Need(t, "strace", "setpriv", "unshare")
	set := unitSettings(t, "rtmon-viewer.service")
	for _, r := range required {
		if v, ok := last(set, r.key); !ok || v != r.value {
			t.Errorf("rtmon-viewer.service: want %s=%s, have %q", r.key, r.value, set[r.key])
		}
	}
	filters, families := set["SystemCallFilter"], set["RestrictAddressFamilies"]
	if len(filters) == 0 || len(families) == 0 {
		t.Errorf("rtmon-viewer.service has no SystemCallFilter= or no RestrictAddressFamilies=")
	}
	memMax, memErr := bytesValue(lastOr(set, "MemoryMax"))
	tasksMax, tasksErr := strconv.Atoi(lastOr(set, "TasksMax"))
	if memErr != nil || tasksErr != nil || tasksMax <= 0 {
		t.Errorf("rtmon-viewer.service: MemoryMax=%q (%v), TasksMax=%q (%v): want both set",
			lastOr(set, "MemoryMax"), memErr, lastOr(set, "TasksMax"), tasksErr)
	}
	if t.Failed() {
		return
	}

	viewer := buildViewer(t)
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "restricted"})
	// nobody reaches DataDir and the socket the way rtmon does: by
	// directory permissions and the socket's group.
	if err := os.Chmod(c.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(c.Sock, -1, 65534); err != nil {
		t.Fatal(err)
	}
	// Every directory on the way must be open to nobody: t.TempDir's
	// parent and go test's binary directory are 0700.
	trace, err := os.MkdirTemp("", "rtmon-dist-trace")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(trace) })
	if err := os.Chmod(trace, 0o777); err != nil {
		t.Fatal(err)
	}
	self := filepath.Join(trace, "mdwe-exec")
	if err := copyFile(self, os.Args[0], 0o755); err != nil {
		t.Fatal(err)
	}
	selftest := exec.Command(self, mdweSelfTest)
	selftest.Env = append(os.Environ(), mdweHelperEnv+"=1")
	if out, err := selftest.CombinedOutput(); err != nil {
		t.Fatalf("PR_SET_MDWE does not refuse W+X memory here (Linux 6.3 or later needed): %v\n%s", err, out)
	}
	cg := newCgroups(t, memMax, tasksMax)
	addr := freeAddr(t)
	umask, _ := last(set, "UMask")

	script := `set -e
mount --bind "$TRACE" "$TRACE"
mount -t tmpfs -o mode=0755,nosuid,noexec,size=64k tmpfs /dev
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5; mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
mount -t proc -o hidepid=invisible,subset=pid proc /proc
mount -o remount,bind,ro /
for p in $CGROUPS; do echo $$ >"$p/cgroup.procs"; done
umask "$UMASK"
exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- \
	strace -f -qq -o "$TRACE/trace" env ` + mdweHelperEnv + `=1 "$SELF" "$@"
`
	cmd := exec.Command("unshare", "--mount", "--pid", "--fork", "--propagation", "private", "--",
		"sh", "-c", script, "sh", viewer, "-listen", addr, "-datadir", c.DataDir, "-socket", c.Sock,
		"-hostname", c.Host, "-disk-usage-path", "/")
	// GOMAXPROCS=64: the Go runtime sized for a 64-core machine, whose
	// threads must stay within TasksMax too.
	cmd.Env = append(os.Environ(), "GOMAXPROCS=64", "TRACE="+trace, "SELF="+self, "UMASK="+umask, "CGROUPS="+strings.Join(cg.dirs, " "))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	t.Cleanup(stop)

	base := "http://" + addr
	if err := waitServing(base+"/", 30*time.Second); err != nil {
		t.Fatalf("the viewer did not serve under the unit's restrictions: %v\n%s", err, out.String())
	}
	workload(t, base, c.Host)
	peaks, hit := cg.peaks()
	stop()
	t.Logf("viewer output:\n%s", out.String())
	if peaks != "" {
		t.Logf("cgroup peaks under the workload (viewer and strace): %s", peaks)
	}
	if hit {
		t.Errorf("the workload reached the unit's MemoryMax or TasksMax: %s", peaks)
	}
	checkTrace(t, filepath.Join(trace, "trace"), viewer, filters, families)
}

func lastOr(set map[string][]string, k string) string {
	v, _ := last(set, k)
	return v
}

// workload asks what a browser on the live page and the host's graphs
// asks, with a few renders at once.
func workload(t *testing.T, base, host string) {
	t.Helper()
	paths := []string{
		"/", "/json/live", "/json/charts", "/hosts", "/host/" + host,
		"/host/" + host + "/load.load", "/static/app.css",
		"/api/series?host=" + host + "&graph=load.load",
	}
	for _, g := range []string{"load.load", "memory.memory", "cpu-0.cpu", "uptime.uptime"} {
		for _, q := range []string{"", "?range=1d", "?fmt=svg&range=1w", "?w=1200&h=400&range=1y"} {
			paths = append(paths, "/graph/"+host+"/"+g+q)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, p := range paths {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			code, err := get(base + p)
			if err != nil || code != http.StatusOK {
				t.Errorf("GET %s under the unit's restrictions: %d %v", p, code, err)
			}
		}()
	}
	wg.Wait()
	// The live page's stream: its first event.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("GET /events: %v", err)
		return
	}
	defer resp.Body.Close()
	buf := make([]byte, 4096)
	n, err := resp.Body.Read(buf)
	if resp.StatusCode != http.StatusOK || n == 0 {
		t.Errorf("GET /events: %d, %q, %v", resp.StatusCode, buf[:n], err)
	}
}

func get(url string) (int, error) {
	c := http.Client{Timeout: 30 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func waitServing(url string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		code, err := get(url)
		if err == nil && code == http.StatusOK {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("GET %s: %d %v after %v", url, code, err, d)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var (
	syscallRE = regexp.MustCompile(`^\d+\s+([a-z0-9_]+)\(`)
	familyRE  = regexp.MustCompile(`^\d+\s+socket\((AF_[A-Z0-9]+)`)
)

// checkTrace reads strace's log from the viewer's execve on and checks it
// against the unit's filters.
func checkTrace(t *testing.T, path, viewer string, filters, families []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	start := -1
	for i, l := range lines {
		if strings.Contains(l, `execve("`+viewer+`"`) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		t.Fatalf("no execve of %s in the trace", viewer)
	}
	allowed := allowedSyscalls(t, filters)
	famOK := map[string]bool{}
	for _, f := range families {
		for _, x := range strings.Fields(f) {
			famOK[x] = true
		}
	}
	used := map[string]int{}
	var outside, wx, badFam, ns []string
	for _, l := range lines[start:] {
		m := syscallRE.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := m[1]
		used[name]++
		if !allowed[name] && used[name] == 1 {
			outside = append(outside, l)
		}
		switch name {
		case "mmap":
			if strings.Contains(l, "PROT_WRITE") && strings.Contains(l, "PROT_EXEC") {
				wx = append(wx, l)
			}
		case "mprotect", "pkey_mprotect":
			if strings.Contains(l, "PROT_EXEC") {
				wx = append(wx, l)
			}
		case "shmat":
			if strings.Contains(l, "SHM_EXEC") {
				wx = append(wx, l)
			}
		case "socket":
			if f := familyRE.FindStringSubmatch(l); f != nil && !famOK[f[1]] {
				badFam = append(badFam, l)
			}
		case "clone", "clone3", "unshare", "setns":
			if strings.Contains(l, "CLONE_NEW") || name == "setns" {
				ns = append(ns, l)
			}
		}
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	t.Logf("%d system calls of %d kinds after the viewer's execve: %s", len(lines)-start, len(names), strings.Join(names, " "))
	if len(used) < 20 {
		t.Errorf("only %d kinds of system calls in the trace: strace did not follow the viewer", len(used))
	}
	for _, group := range []struct {
		what  string
		lines []string
	}{
		{"system calls outside SystemCallFilter=", outside},
		{"writable+executable memory (MemoryDenyWriteExecute=)", wx},
		{"socket families outside RestrictAddressFamilies=", badFam},
		{"namespaces (RestrictNamespaces=)", ns},
	} {
		if len(group.lines) > 0 {
			t.Errorf("%s:\n%s", group.what, strings.Join(group.lines, "\n"))
		}
	}
}

// cgroups are v1 memory and pids cgroups at the unit's limits, beneath
// the test's own (so that the machine's accounting still holds).
type cgroups struct {
	dirs []string
}

func newCgroups(t *testing.T, memMax int64, tasksMax int) *cgroups {
	t.Helper()
	cg := &cgroups{}
	limits := map[string][2]string{
		"memory": {"memory.limit_in_bytes", strconv.FormatInt(memMax, 10)},
		"pids":   {"pids.max", strconv.Itoa(tasksMax)},
	}
	for ctrl, lim := range limits {
		parent := ownCgroup(ctrl)
		if parent == "" {
			t.Logf("no cgroup v1 %s controller here: %s not reproduced", ctrl, lim[0])
			continue
		}
		dir := filepath.Join(parent, fmt.Sprintf("rtmon-dist-%d", os.Getpid()))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Logf("cannot make a %s cgroup (%v): %s not reproduced", ctrl, err, lim[0])
			continue
		}
		t.Cleanup(func() {
			// The cgroup empties once the namespace's processes are gone.
			for i := 0; i < 50 && os.Remove(dir) != nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		})
		if err := os.WriteFile(filepath.Join(dir, lim[0]), []byte(lim[1]), 0o644); err != nil {
			t.Fatalf("%s: %v", lim[0], err)
		}
		cg.dirs = append(cg.dirs, dir)
	}
	return cg
}

// ownCgroup is this process's cgroup directory for a v1 controller.
func ownCgroup(ctrl string) string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(l, ":", 3)
		if len(parts) == 3 && parts[1] == ctrl {
			d := filepath.Join("/sys/fs/cgroup", ctrl, parts[2])
			if _, err := os.Stat(d); err == nil {
				return d
			}
		}
	}
	return ""
}

// peaks reports the highest memory and task counts the cgroups saw, and
// whether either limit was reached (memory.failcnt, pids.events' max).
func (cg *cgroups) peaks() (string, bool) {
	var out []string
	hit := false
	for _, d := range cg.dirs {
		for _, f := range []string{"memory.max_usage_in_bytes", "pids.peak", "memory.failcnt", "pids.events"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			if err != nil {
				continue
			}
			v := strings.Join(strings.Fields(string(b)), " ")
			out = append(out, f+"="+v)
			if (f == "memory.failcnt" || f == "pids.events") && v != "0" && v != "max 0" {
				hit = true
			}
		}
	}
	return strings.Join(out, ", "), hit
}

// lockedBuffer collects a process's output from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func copyFile(dst, src string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}
