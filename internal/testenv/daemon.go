package testenv

import (
	"syscall"
	"time"
)

// Daemon is a program a test or a Runner started with StartDaemon: in its
// own process group, output appended to a log file, killed by the kernel
// if the starting program dies, and stopped at cleanup. rtmon-demo and the
// benchmarks start the viewer this way, and every collectd starts so
// through StartCollectd.
type Daemon struct{ p *proc }

// StartDaemon starts path with args in dir, its output in logPath. It
// fails t when the program cannot start or exits within 300 ms (a bad
// configuration, a port in use), with the end of its log. Like every
// real program, it goes through Need: skipped under -short, a failure
// naming the program when it is missing.
func StartDaemon(t TB, name, path string, args []string, dir, logPath string) *Daemon {
	t.Helper()
	return startDaemon(t, name, path, args, nil, dir, logPath)
}

// startDaemon is StartDaemon with an environment (nil inherits ours).
func startDaemon(t TB, name, path string, args, env []string, dir, logPath string) *Daemon {
	t.Helper()
	Need(t, path)
	p, err := startProc(name, path, args, env, dir, logPath, nil)
	if err != nil {
		t.Fatalf("%v", err)
	}
	d := &Daemon{p: p}
	t.Cleanup(d.Stop)
	select {
	case <-p.done:
		t.Fatalf("%s exited at once; %s:\n%s", name, logPath, p.tail(2000))
	case <-time.After(300 * time.Millisecond):
	}
	return d
}

// PID is the daemon's process id.
func (d *Daemon) PID() int { return d.p.pid() }

// Log is the file its output goes to.
func (d *Daemon) Log() string { return d.p.log }

// Exited reports whether it is gone.
func (d *Daemon) Exited() bool { return d.p.exited() }

// Stop sends SIGCONT (a paused daemon cannot act on SIGTERM) and SIGTERM,
// waits up to 10 s, then kills what is left of its process group.
// Stopping a stopped daemon does nothing more.
func (d *Daemon) Stop() { d.p.stop(sigterm, 10*time.Second) }

const sigterm = syscall.SIGTERM
