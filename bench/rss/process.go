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

// process is a collectd started in its own process group, killed with
// this program even on SIGKILL (Pdeathsig).
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func startProcess(tb *testbed.Runner, name, dir, path string, args ...string) *process {
	// Pdeathsig follows the starting thread: keep it for the program's life.
	runtime.LockOSThread()
	p := &process{log: filepath.Join(dir, name+".out"), done: make(chan struct{})}
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
	return p
}

func (p *process) pid() int { return p.cmd.Process.Pid }

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the group, then SIGKILL after 10 s.
func (p *process) stop() {
	_ = syscall.Kill(-p.pid(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
		<-p.done
	}
}
