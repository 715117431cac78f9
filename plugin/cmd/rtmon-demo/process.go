package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/rtmon/rtmon/plugin/testbed"
)

// process is a daemon the demo started in its own process group, so that
// stopping it stops everything it spawned.
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startProcess(tb *testbed.Runner, name, dir, path string, args ...string) *process {
	// Pdeathsig follows the starting thread: keep this goroutine's thread
	// for the demo's life, so the children die with the demo even on a
	// SIGKILL.
	runtime.LockOSThread()
	p := &process{log: filepath.Join(dir, name+".log"), done: make(chan struct{})}
	out, err := os.Create(p.log)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	p.cmd = exec.Command(path, args...)
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = out, out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		out.Close()
		tb.Fatalf("starting %s: %v", name, err)
	}
	go func() { p.cmd.Wait(); out.Close(); close(p.done) }()
	tb.Cleanup(p.stop)
	select {
	case <-p.done:
		tb.Fatalf("%s exited at once; see %s", name, p.log)
	case <-time.After(300 * time.Millisecond):
	}
	return p
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM to the group, then SIGKILL after 10 s.
func (p *process) stop() {
	_ = syscall.Kill(-p.pid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
		<-p.done
	}
	_ = syscall.Kill(-p.pid(), syscall.SIGKILL) // anything left in the group
}
