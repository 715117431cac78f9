// Package rrdtest is what the tests of viewer/rrd and viewer/rrd/readlock
// share: a child process that holds an RRD file's fcntl write lock the
// way collectd does while writing. It is for tests only (internal/layout's
// rules fail a package whose code links it), and it does not import
// viewer/rrd, so that package's own tests can use it without a cycle.
package rrdtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// HoldLockEnv is the environment variable that makes a test binary the
// lock holder: fcntl locks belong to a process, so a lock that librrd must
// see as someone else's is taken by a child (the test binary again). The
// package's TestMain calls HoldLock when it is set:
//
//	if spec := os.Getenv(rrdtest.HoldLockEnv); spec != "" {
//		os.Exit(rrdtest.HoldLock(spec))
//	}
const HoldLockEnv = "RTMON_TEST_HOLD_LOCK"

// OpenSpec opens the file of a child's spec ("file|duration") for
// writing and parses the duration.
func OpenSpec(spec string) (*os.File, time.Duration, error) {
	file, d, _ := strings.Cut(spec, "|")
	span, err := time.ParseDuration(d)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	return f, span, err
}

// StartChild runs this test binary again in a child mode (mode is the
// environment variable TestMain looks for) on file for d, checks that its
// first line is first, and returns the rest of its output. t.Cleanup
// kills it.
func StartChild(t *testing.T, mode, file string, d time.Duration, first string) *bufio.Scanner {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), mode+"="+file+"|"+d.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != first {
		t.Fatalf("%s child: %q, %v; want %q", mode, lines.Text(), lines.Err(), first)
	}
	return lines
}

// HoldLock write-locks file for the duration in spec ("file|duration"),
// says "locked" on stdout, and returns the exit code when the time is up.
func HoldLock(spec string) int {
	f, hold, err := OpenSpec(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lk); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("locked")
	time.Sleep(hold)
	// Unlock explicitly: under -race the runtime lingers about a second
	// at exit, and the lock with it.
	lk.Type = syscall.F_UNLCK
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// LockFor makes a child process hold file's write lock for d and returns
// once the lock is held. The test binary's TestMain must handle
// HoldLockEnv.
func LockFor(t *testing.T, file string, d time.Duration) {
	t.Helper()
	StartChild(t, HoldLockEnv, file, d, "locked")
}
