package stacktest

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/plugin/testbed"
)

// Daemon is one collectd process: the one StartCollectd began, or one a
// fault test started again itself after stopping it (same socket, DataDir
// and log).
type Daemon struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs collectd -f with the configuration file conf (c.Conf, or a
// variant of it) and returns without waiting for values: a variant may
// have no unixsock to wait on. t.Cleanup stops it.
func (c *Collectd) Start(t testing.TB, conf string) *Daemon {
	t.Helper()
	out, err := os.OpenFile(filepath.Join(c.Dir, "stdout.log"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	d, err := spawn(conf, out)
	if err != nil {
		t.Fatalf("starting collectd again: %v", err)
	}
	t.Cleanup(d.Stop)
	return d
}

// spawn runs collectd -f with the configuration file conf in a process
// group of its own (so Stop can kill what it forks), its output to out,
// which is closed when it exits.
func spawn(conf string, out *os.File) (*Daemon, error) {
	cmd := exec.Command(CollectdBin, "-f", "-C", conf)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	d := &Daemon{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); out.Close(); close(d.done) }()
	return d, nil
}

// Restart starts collectd again from c's own configuration, as an init
// system would after a crash or an upgrade, and waits until its unixsock
// holds a load value. c.WaitValues would see the first collectd's exit,
// hence the wait of its own.
func (c *Collectd) Restart(t testing.TB) *Daemon {
	t.Helper()
	d := c.Start(t, c.Conf)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if lv, err := c.ListVal(); err == nil {
			if _, ok := lv[c.Host+"/load/load"]; ok {
				return d
			}
		}
		select {
		case <-d.done:
			t.Fatalf("collectd exited at once:\n%s", testbed.Tail(filepath.Join(c.Dir, "collectd.log"), 3000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("restarted collectd has no load value after 20 s:\n%s", testbed.Tail(filepath.Join(c.Dir, "collectd.log"), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Pid is the daemon's process id (for SIGSTOP and SIGCONT).
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// Stop sends SIGTERM and waits for the exit (SIGKILL to the group after
// 5 s). Stopping a stopped daemon does nothing.
func (d *Daemon) Stop() {
	select {
	case <-d.done:
		return
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
}
