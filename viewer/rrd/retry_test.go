package rrd

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

// TestMain doubles as the lock holder: fcntl locks belong to a process,
// so a lock that librrd must see as someone else's is taken by a child
// (this test binary again), the way collectd takes it while writing.
func TestMain(m *testing.M) {
	if spec := os.Getenv("RTMON_TEST_HOLD_LOCK"); spec != "" {
		os.Exit(holdLock(spec))
	}
	os.Exit(m.Run())
}

// openSpec opens the file of a child's spec ("file|duration") for
// writing and parses the duration.
func openSpec(spec string) (*os.File, time.Duration, error) {
	file, d, _ := strings.Cut(spec, "|")
	span, err := time.ParseDuration(d)
	if err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	return f, span, err
}

// startChild runs this test binary again in a child mode (mode is the
// environment variable TestMain looks for) on file for d, checks that its
// first line is first, and returns the rest of its output. t.Cleanup
// kills it.
func startChild(t *testing.T, mode, file string, d time.Duration, first string) *bufio.Scanner {
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

// holdLock write-locks file for the duration in spec ("file|duration"),
// says "locked" on stdout, and exits when the time is up.
func holdLock(spec string) int {
	f, hold, err := openSpec(spec)
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

// lockFor makes a child process hold file's write lock for d and returns
// once the lock is held.
func lockFor(t *testing.T, file string, d time.Duration) {
	t.Helper()
	startChild(t, "RTMON_TEST_HOLD_LOCK", file, d, "locked")
}

// TestLockedFileRetried: a file collectd is writing (write-locked for a
// moment) is read once the lock goes, by every call; one locked for
// longer than the retries gives librrd's own message.
func TestLockedFileRetried(t *testing.T) {
	dir := t.TempDir()
	f := makeRRD(t, dir, "a.rrd", 1)
	calls := fileReads(f)
	for _, c := range calls {
		t.Run(c.name+"/brief lock", func(t *testing.T) {
			lockFor(t, f.path, 60*time.Millisecond)
			if err := c.call(); err != nil {
				t.Fatalf("a lock held for 60 ms: %v, want the read to wait it out", err)
			}
		})
		t.Run(c.name+"/long lock", func(t *testing.T) {
			lockFor(t, f.path, 5*time.Second)
			start := time.Now()
			err := c.call()
			if !Locked(err) {
				t.Fatalf("a lock held for 5 s: %v, want librrd's %q", err, "could not lock RRD")
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("gave up after %s, want the retries bounded (about 0.3 s)", took)
			}
		})
	}
}
