package readlock

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/rrd/rrdtest"
)

// TestCheckReadLock: with the real librrd the start-up check finds its
// lock request intercepted; with RTMON_RRD_READ_LOCK=1's switch it says
// librrd's lock is kept; and when the override is bypassed (every call
// forwarded uncounted, as for a librrd calling an entry point readlock.c
// does not define) it says the request never arrived.
func TestCheckReadLock(t *testing.T) {
	tests := []struct {
		name string
		set  func(bool)
		want Mode
	}{
		{"real librrd", func(bool) {}, LockFree},
		{"RTMON_RRD_READ_LOCK=1", setReadLock, LibrrdLockKept},
		{"override bypassed", setReadLockBypass, LibrrdLockUnseen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.set(true)
			defer tc.set(false)
			got, err := Check()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Check() = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFcntl64Intercepted sends librrd's read-lock request from C through
// fcntl and through fcntl64: both reach the override (its per-entry count
// moves), both are skipped when the caller counts as librrd, and both are
// refused with EAGAIN while a writer holds the file. Before fcntl64 was
// defined, a librrd calling it went straight to libc, unseen.
func TestFcntl64Intercepted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 64), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for entry, name := range []string{"fcntl", "fcntl64"} {
		t.Run(name, func(t *testing.T) {
			// From the test's own code: counted at the entry, passed on.
			calls, skipped0 := entryCount(entry), readLockSkippedOnly()
			if err := probeReadLock(entry, f.Fd()); err != nil {
				t.Fatalf("read lock from a non-librrd caller: %v", err)
			}
			if entryCount(entry) != calls+1 {
				t.Errorf("%s's request did not reach readlock.c", name)
			}
			if readLockSkippedOnly() != skipped0 {
				t.Errorf("a non-librrd caller's lock was skipped")
			}
			unlock(t, f) // it took a real lock

			setReadLockAnyCaller(true)
			defer setReadLockAnyCaller(false)
			if err := probeReadLock(entry, f.Fd()); err != nil {
				t.Fatalf("read lock as librrd: %v", err)
			}
			if readLockSkippedOnly() != skipped0+1 {
				t.Errorf("%s: librrd's read lock was not skipped", name)
			}
			unlock(t, f) // none taken, unless the override was missed
			_, refused0 := readLockCounts()
			rrdtest.LockFor(t, path, 2*time.Second)
			if err := probeReadLock(entry, f.Fd()); !errors.Is(err, syscall.EAGAIN) {
				t.Errorf("%s while a writer holds the file: %v, want EAGAIN", name, err)
			}
			if _, refused := readLockCounts(); refused != refused0+1 {
				t.Errorf("%s: the refusal was not counted", name)
			}
		})
	}
}

func readLockSkippedOnly() uint64 { s, _ := readLockCounts(); return s }

// unlock drops this process's locks on f, so that a writer can lock it.
func unlock(t *testing.T, f *os.File) {
	t.Helper()
	lk := syscall.Flock_t{Type: syscall.F_UNLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		t.Fatal(err)
	}
}

// TestLogReadLock: the viewer's start-up line says reads are lock-free
// with the real librrd, and warns when the override is bypassed.
func TestLogReadLock(t *testing.T) {
	var buf strings.Builder
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if m := Log(log); m != LockFree || !strings.Contains(buf.String(), "level=INFO") || !strings.Contains(buf.String(), "lock-free") || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("real librrd: mode %v, logged %q; want one INFO line saying lock-free", m, buf.String())
	}
	buf.Reset()
	setReadLockBypass(true)
	defer setReadLockBypass(false)
	if m := Log(log); m != LibrrdLockUnseen || !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "does not reach readlock.c") {
		t.Errorf("bypassed: mode %v, logged %q; want a WARN line saying the request does not reach readlock.c", m, buf.String())
	}
}
