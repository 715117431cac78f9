package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// RTorrentOptions shape one rTorrent instance.
type RTorrentOptions struct {
	// BindAddress is the loopback address rTorrent binds its peer port to
	// and reports to trackers (network.bind_address.set and
	// network.local_address.set). Default 127.0.0.1. Two clients that
	// should talk to each other need distinct addresses.
	BindAddress string
	// TCP serves SCGI on 127.0.0.1:<free port> (network.scgi.open_port)
	// instead of a unix socket (network.scgi.open_local).
	TCP bool
	// DownloadKiB and UploadKiB are the global throttles in KiB/s; 0 means
	// unlimited.
	DownloadKiB, UploadKiB int
	// ExtraRC lines are appended to the generated rc file.
	ExtraRC []string
}

// RTorrent is a running rTorrent 0.9.8 in its own temp dir.
type RTorrent struct {
	Dir, SessionDir, DownloadDir string
	Socket                       string // unix socket path; "" when TCP
	Addr                         string // host:port when TCP
	URL                          string // scgi:///abs/path/rpc.socket or scgi://127.0.0.1:port
	PID                          int
	Log                          string // rTorrent's stdout/stderr (errors from the rc land here)
	EventLog                     string // rTorrent's own log (log.open_file, info level)
	PeerPort                     int    // the BitTorrent listening port on BindAddress
	RC                           string // path of the generated rc file

	// Timeout bounds each Call (dial, write, read). Default 2 minutes:
	// loading big batches takes a while, and a paused rTorrent should make
	// tests fail, not hang forever.
	Timeout time.Duration

	mu   sync.Mutex
	proc *proc
}

// rtorrentStartTimeout bounds how long a fresh rTorrent may take to answer.
// restartTimeout is longer: rTorrent loads its whole session before it
// answers the first RPC, about 10 s for 10,000 items and growing faster
// than linearly.
const (
	rtorrentStartTimeout = 15 * time.Second
	restartTimeout       = 10 * time.Minute
)

// StartRTorrent starts rTorrent headless on loopback and waits until it
// answers system.pid with its own PID. t.Cleanup kills it (SIGKILL: the
// session is scratch) and removes its directory; on failure the tail of its
// log is printed first.
func StartRTorrent(t TB, opts RTorrentOptions) *RTorrent {
	t.Helper()
	path := bin(t, "rtorrent")
	if opts.BindAddress == "" {
		opts.BindAddress = "127.0.0.1"
	}
	if ip := net.ParseIP(opts.BindAddress); ip == nil || !ip.IsLoopback() {
		t.Fatalf("testenv: BindAddress %q is not a loopback address", opts.BindAddress)
	}
	dir := shortTempDir(t, "rt")
	r := &RTorrent{
		Dir:         dir,
		SessionDir:  filepath.Join(dir, "session"),
		DownloadDir: filepath.Join(dir, "data"),
		Log:         filepath.Join(dir, "rtorrent.log"),
		EventLog:    filepath.Join(dir, "events.log"),
		RC:          filepath.Join(dir, "rtorrent.rc"),
		Timeout:     2 * time.Minute,
	}
	t.Cleanup(func() {
		r.mu.Lock()
		p := r.proc
		r.mu.Unlock()
		if p != nil {
			p.kill()
		}
		if t.Failed() {
			t.Logf("testenv: rtorrent log %s (tail):\n%s\nevent log (tail):\n%s",
				r.Log, Tail(r.Log, 2000), Tail(r.EventLog, 3000))
		}
		_ = os.RemoveAll(dir)
	})
	for _, d := range []string{r.SessionDir, r.DownloadDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("testenv: %v", err)
		}
	}
	if !opts.TCP {
		r.Socket = filepath.Join(dir, "rpc.socket")
		if len(r.Socket) >= 108 {
			t.Fatalf("testenv: socket path %q is too long for a unix socket (TMPDIR too deep?)", r.Socket)
		}
		r.URL = "scgi://" + r.Socket
	}
	// FreePort can race with another process taking the port before
	// rTorrent binds it; rTorrent then exits with "Address already in use"
	// and we try again with new ports.
	for attempt := 1; ; attempt++ {
		r.PeerPort = pickPort(t, opts.BindAddress)
		if opts.TCP {
			r.Addr = net.JoinHostPort("127.0.0.1", itoa(pickPort(t, "127.0.0.1")))
			r.URL = "scgi://" + r.Addr
		}
		if err := os.WriteFile(r.RC, []byte(r.rc(opts)), 0o644); err != nil {
			t.Fatalf("testenv: write rc: %v", err)
		}
		err := r.start(path, rtorrentStartTimeout)
		if err == nil {
			return r
		}
		if attempt < 3 && errors.Is(err, errExited) && strings.Contains(Tail(r.Log, 4000), "Address already in use") {
			continue
		}
		t.Fatalf("testenv: %v\nrtorrent log:\n%s", err, Tail(r.Log, 4000))
	}
}

// rc renders the config. Every line is here for a reason:
//   - system.daemon.set: no curses UI, no terminal needed; 0.9.8 stays in
//     the foreground (no fork), so our PID is rTorrent's PID.
//   - session.use_lock.set = no: a SIGKILLed rTorrent leaves its lock file
//     behind, and a recycled PID in it would block Restart.
//   - network.port_range.set to one free port, port_random off: parallel
//     instances never fight over 6890-6999.
//   - dht, pex and UDP trackers off: nothing leaves loopback, and peers are
//     found only through our tracker.
func (r *RTorrent) rc(opts RTorrentOptions) string {
	lines := []string{
		"system.daemon.set = true",
		"session.path.set = " + r.SessionDir,
		"session.use_lock.set = no",
		"directory.default.set = " + r.DownloadDir,
		"network.bind_address.set = " + opts.BindAddress,
		"network.local_address.set = " + opts.BindAddress,
		fmt.Sprintf("network.port_range.set = %d-%d", r.PeerPort, r.PeerPort),
		"network.port_random.set = no",
		"dht.mode.set = disable",
		"protocol.pex.set = no",
		"trackers.use_udp.set = no",
		fmt.Sprintf("throttle.global_down.max_rate.set_kb = %d", opts.DownloadKiB),
		fmt.Sprintf("throttle.global_up.max_rate.set_kb = %d", opts.UploadKiB),
		`log.open_file = "rtorrent", "` + r.EventLog + `"`,
		`log.add_output = "info", "rtorrent"`,
	}
	if opts.TCP {
		lines = append(lines, "network.scgi.open_port = "+r.Addr)
	} else {
		lines = append(lines, "network.scgi.open_local = "+r.Socket)
	}
	lines = append(lines, opts.ExtraRC...)
	return strings.Join(lines, "\n") + "\n"
}

// start launches a new process from the rc and waits until it answers.
func (r *RTorrent) start(path string, timeout time.Duration) error {
	p, err := startProc("rtorrent", path, []string{"-n", "-o", "import=" + r.RC},
		baseEnv(r.Dir), r.Dir, r.Log, nil)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.proc = p
	r.PID = p.pid()
	r.mu.Unlock()
	err = p.waitUntil(timeout, func() error {
		v, err := r.callTimeout(time.Second, "system.pid")
		if err != nil {
			return err
		}
		if got, _ := v.(int64); int(got) != p.pid() {
			return fmt.Errorf("system.pid = %v, want %d (another rTorrent on this address?)", v, p.pid())
		}
		return nil
	})
	if err != nil {
		p.kill()
		return fmt.Errorf("start rtorrent: %w", err)
	}
	return nil
}

// Call makes one raw XML-RPC call over SCGI. Integers decode to int64;
// faults come back as *Fault. rTorrent 0.9.8 wants a target as the first
// argument of most commands: pass "" for globals.
func (r *RTorrent) Call(method string, args ...any) (any, error) {
	return r.callTimeout(r.Timeout, method, args...)
}

func (r *RTorrent) callTimeout(timeout time.Duration, method string, args ...any) (any, error) {
	if r.Socket != "" {
		return scgiCall("unix", r.Socket, timeout, method, args)
	}
	return scgiCall("tcp", r.Addr, timeout, method, args)
}

// MustCall is Call that fails the test on error.
func (r *RTorrent) MustCall(t TB, method string, args ...any) any {
	t.Helper()
	v, err := r.Call(method, args...)
	if err != nil {
		t.Fatalf("testenv: rtorrent %s: %v", method, err)
	}
	return v
}

// MustInt is MustCall for commands that return an integer.
func (r *RTorrent) MustInt(t TB, method string, args ...any) int64 {
	t.Helper()
	v := r.MustCall(t, method, args...)
	n, ok := v.(int64)
	if !ok {
		t.Fatalf("testenv: rtorrent %s returned %T %v, want an integer", method, v, v)
	}
	return n
}

func (r *RTorrent) current() *proc {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.proc
}

// Stop shuts rTorrent down gracefully (SIGTERM: it closes the session and
// tells trackers it stopped), killing it if it takes over 5 s. It returns
// once the process is gone. rTorrent 0.9.8 needs about 0.7 s to exit on
// SIGTERM even when idle.
func (r *RTorrent) Stop() {
	if p := r.current(); p != nil {
		p.stop(syscall.SIGTERM, 5*time.Second)
	}
}

// Kill SIGKILLs rTorrent and waits: a crash, as far as clients can tell.
func (r *RTorrent) Kill() {
	if p := r.current(); p != nil {
		p.kill()
	}
}

// Pause freezes rTorrent (SIGSTOP): it accepts connections (the kernel
// does) but never answers, which is how a hung rTorrent looks. It returns
// once every thread is stopped: the signal alone is asynchronous, and a
// call made right after it could still be answered.
func (r *RTorrent) Pause() {
	if p := r.current(); p != nil {
		p.signal(syscall.SIGSTOP)
		p.waitStopped(true, 2*time.Second)
	}
}

// Resume undoes Pause (SIGCONT) and returns once rTorrent runs again.
func (r *RTorrent) Resume() {
	if p := r.current(); p != nil {
		p.signal(syscall.SIGCONT)
		p.waitStopped(false, 2*time.Second)
	}
}

// Restart stops rTorrent gracefully and starts a new process with the same
// rc, directories, socket or port, and waits until it answers. PID changes.
// Items survive through the session directory; rTorrent reloads them all
// before answering, so Restart of a big session takes a while.
func (r *RTorrent) Restart(t TB) {
	t.Helper()
	r.Stop()
	if err := r.start(bin(t, "rtorrent"), restartTimeout); err != nil {
		t.Fatalf("testenv: restart: %v\nrtorrent log:\n%s", err, Tail(r.Log, 4000))
	}
}

// Running reports whether the rTorrent process is alive (not yet reaped).
func (r *RTorrent) Running() bool {
	p := r.current()
	return p != nil && !p.exited()
}
