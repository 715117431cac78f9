package rrd

import (
	"os"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/rrd/rrdtest"
)

// TestMain doubles as the lock holder: fcntl locks belong to a process,
// so a lock that librrd must see as someone else's is taken by a child
// (this test binary again), the way collectd takes it while writing.
func TestMain(m *testing.M) {
	if spec := os.Getenv(rrdtest.HoldLockEnv); spec != "" {
		os.Exit(rrdtest.HoldLock(spec))
	}
	os.Exit(m.Run())
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
			rrdtest.LockFor(t, f.path, 60*time.Millisecond)
			if err := c.call(); err != nil {
				t.Fatalf("a lock held for 60 ms: %v, want the read to wait it out", err)
			}
		})
		t.Run(c.name+"/long lock", func(t *testing.T) {
			rrdtest.LockFor(t, f.path, 5*time.Second)
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
