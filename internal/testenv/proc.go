package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// FreePort returns a TCP port that was free on host a moment ago. The
// kernel picks it, so parallel tests rarely collide; the small race between
// closing the probe and the daemon binding is accepted.
func FreePort(t TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("testenv: free port on %s: %v", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// pickPort is how daemons that retry on "Address already in use" get
// their ports; tests replace it to hand out a taken port.
var pickPort = FreePort

// spawnOnce starts the spawner goroutine.
var (
	spawnOnce sync.Once
	spawnCh   chan func()
)

// spawn runs cmd.Start on one OS thread that is locked and never exits.
// Pdeathsig fires when the *thread* that forked the child exits, not the
// process (golang/go#27505); Go may retire threads, so starting from a
// thread that lives as long as the test binary makes the signal mean
// "the test binary died".
func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives until exit
			for f := range spawnCh {
				f()
			}
		}()
	})
	errc := make(chan error, 1)
	spawnCh <- func() { errc <- cmd.Start() }
	return <-errc
}

// proc is one started daemon: its own process group, its log file, and a
// goroutine that reaps it.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed once the process is reaped
	err  error         // Wait's result, valid after done

	mu     sync.Mutex // held while reaping, so no group signal races it
	reaped bool
}

// startProc starts path with args in its own process group, stdout and
// stderr appended to logPath, killed by the kernel if the test binary dies.
// cred, when non-nil, runs it as another user (Pdeathsig is set after the
// credential change, so it survives; a daemon dropping privileges itself
// would clear it).
func startProc(name, path string, args, env []string, dir, logPath string, cred *syscall.Credential) (*proc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", name, err)
	}
	defer logf.Close() // the child holds its own copy
	cmd := exec.Command(path, args...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:    true,
		Pdeathsig:  syscall.SIGKILL,
		Credential: cred,
	}
	if err := spawn(cmd); err != nil {
		return nil, fmt.Errorf("%s: start %s: %w", name, path, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go p.reap()
	return p, nil
}

// reap waits for the leader to exit, kills what is left of its process
// group, and only then collects the leader. Until it is collected the
// leader's PID, which is also the group ID, cannot be reused, so a group
// signal never reaches an unrelated process.
func (p *proc) reap() {
	waitExited(p.pid())
	p.mu.Lock()
	_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
	p.err = p.cmd.Wait()
	p.reaped = true
	p.mu.Unlock()
	close(p.done)
}

// waitExited blocks until pid has exited, leaving it a zombie (waitid with
// WNOWAIT), so that cmd.Wait can still collect it.
func waitExited(pid int) {
	const (
		pPID    = 1         // P_PID
		wExited = 0x4       // WEXITED
		wNowait = 0x1000000 // WNOWAIT
	)
	var siginfo [128]byte
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid),
			uintptr(unsafe.Pointer(&siginfo[0])), wExited|wNowait, 0, 0)
		if errno != syscall.EINTR {
			return
		}
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process is gone (and reaped).
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signalGroup sends sig to the whole process group, so helpers the daemon
// forked go too; not once the leader is reaped (its ID may be reused).
func (p *proc) signalGroup(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.reaped {
		_ = syscall.Kill(-p.pid(), sig)
	}
}

// signal sends sig to the main process only (SIGSTOP/SIGCONT, a graceful
// SIGTERM).
func (p *proc) signal(sig syscall.Signal) {
	if !p.exited() {
		_ = p.cmd.Process.Signal(sig)
	}
}

// kill sends SIGKILL to the group and waits until the process is reaped
// (reap kills any straggler of the group before that). A stopped
// (SIGSTOPped) process dies from SIGKILL too.
func (p *proc) kill() {
	p.signalGroup(syscall.SIGKILL)
	<-p.done
}

// stop asks politely with sig, waits up to grace, then kills. It reports
// whether the process ended within grace.
func (p *proc) stop(sig syscall.Signal, grace time.Duration) (graceful bool) {
	p.signalGroup(syscall.SIGCONT) // a paused daemon cannot act on SIGTERM
	p.signal(sig)
	select {
	case <-p.done:
		graceful = true
	case <-time.After(grace):
	}
	p.kill()
	return graceful
}

// waitStopped waits until all threads of the process are stopped (state
// T) or none is, as asked, or until timeout.
func (p *proc) waitStopped(stopped bool, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for !p.exited() && time.Now().Before(deadline) {
		if allStopped(p.pid()) == stopped {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// allStopped reports whether every thread of pid is in state T (stopped).
func allStopped(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			return false
		}
		// The state follows "(comm) "; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 || i+2 >= len(b) || b[i+2] != 'T' {
			return false
		}
	}
	return true
}

// tail returns the last n bytes of the log, for failure messages.
func (p *proc) tail(n int) string { return Tail(p.log, n) }

// Tail returns about the last n bytes of a log file, cut at a line start,
// for failure messages of tests that start daemons (collectd's log too).
func Tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	if len(b) == 0 {
		return "(log empty)"
	}
	return string(b)
}

// ContainsAll reports whether s holds every one of subs: how tests pick
// log lines.
func ContainsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// errExited is returned by waitUntil when the process died while waiting.
var errExited = errors.New("process exited")

// waitUntil polls ready every interval until it returns nil, the process
// exits, or timeout passes. It returns the last error from ready.
func (p *proc) waitUntil(timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	interval := 5 * time.Millisecond
	for {
		err := ready()
		if err == nil {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%s %w (%v) while waiting; last error: %v", p.name, errExited, p.err, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v: %w", p.name, timeout, err)
		}
		time.Sleep(interval)
		if interval < 50*time.Millisecond {
			interval *= 2
		}
	}
}

// dialReady is a readiness check: something accepts TCP on addr.
func dialReady(addr string) func() error {
	return func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}
}

// baseEnv is a small, predictable environment for daemons: no inherited
// proxies or locale surprises, HOME pointing at the daemon's own dir.
func baseEnv(home string) []string {
	return []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm",
		"LANG=C",
	}
}

// shortTempDir makes a temp dir with a short path (unix socket paths are
// limited to 108 bytes and t.TempDir() embeds the long test name) on the
// fastest file system at hand: $TESTBED_TMPDIR if set, else /dev/shm when it
// is writable, else $TMPDIR. rTorrent writes three session files per item
// and creating a file on this machine's ext4 /tmp costs about 0.3 ms: 1,000
// items load in 1.5-3.5 s on /tmp and in 0.1 s on tmpfs.
//
// Each dir holds an owner file naming this test binary; dirs whose owner
// died without running its cleanups (go test -timeout, ^C, SIGKILL) are
// removed by the next test binary that makes one.
func shortTempDir(t TB, prefix string) string {
	t.Helper()
	root := tempRoot()
	sweepOnce.Do(func() { sweepStale(root) })
	dir, err := os.MkdirTemp(root, prefix)
	if err != nil {
		t.Fatalf("testenv: temp dir: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(selfOwner()), 0o644); err != nil {
		t.Fatalf("testenv: temp dir: %v", err)
	}
	return dir
}

// ownerFile marks a test environment dir with "<pid> <start time>" of the test
// binary that made it; the start time guards against recycled PIDs.
const ownerFile = ".testbed-owner"

var sweepOnce sync.Once

func selfOwner() string {
	pid := os.Getpid()
	return fmt.Sprintf("%d %s", pid, procStart(pid))
}

// procStart returns field 22 of /proc/<pid>/stat (start time in clock
// ticks since boot), or "" when the process does not exist.
func procStart(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// sweepStale removes test environment dirs under root whose owner is gone.
func sweepStale(root string) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(name, "rt") || strings.HasPrefix(name, "ot") || strings.HasPrefix(name, "ngx")) {
			continue
		}
		dir := filepath.Join(root, name)
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // not ours, or being created
		}
		pidStr, start, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || procStart(pid) == start {
			continue // owner alive
		}
		_ = os.RemoveAll(dir)
	}
}

var (
	tempRootOnce sync.Once
	tempRootDir  string
)

func tempRoot() string {
	tempRootOnce.Do(func() {
		tempRootDir = os.Getenv("TESTBED_TMPDIR")
		if tempRootDir != "" {
			return
		}
		if d, err := os.MkdirTemp("/dev/shm", "probe"); err == nil {
			_ = os.Remove(d)
			tempRootDir = "/dev/shm"
			return
		}
		tempRootDir = os.TempDir()
	})
	return tempRootDir
}

func itoa(n int) string { return strconv.Itoa(n) }
