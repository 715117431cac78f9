package readlock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/rrd"
	"github.com/rtmon/rtmon/viewer/rrd/rrdtest"
)

// contend plays collectd's rrdtool plugin for the duration in spec
// ("file|duration"): it asks for file's write lock without waiting, every
// half millisecond, releases it at once when granted, and prints "ready"
// first and "refused R of N" at the end.
func contend(spec string) int {
	f, span, err := rrdtest.OpenSpec(spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Println("ready")
	refused, tries := 0, 0
	for end := time.Now().Add(span); time.Now().Before(end); tries++ {
		lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0}
		err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
		switch {
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EACCES):
			refused++
		case err != nil:
			fmt.Fprintln(os.Stderr, err)
			return 2
		default:
			lk.Type = syscall.F_UNLCK
			if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 2
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	fmt.Printf("refused %d of %d\n", refused, tries)
	return 0
}

// readWhileWriting runs read in a loop while a child process contends for
// file's write lock the way collectd does, for span, and returns how many
// of the writer's tries were refused, out of how many, and the reads done.
func readWhileWriting(t *testing.T, file string, span time.Duration, read func() error) (refused, tries, reads int) {
	t.Helper()
	lines := rrdtest.StartChild(t, "RTMON_TEST_CONTEND", file, span, "ready")
	summary := make(chan string, 1)
	go func() {
		lines.Scan()
		summary <- lines.Text()
	}()
	for {
		select {
		case s := <-summary:
			if _, err := fmt.Sscanf(s, "refused %d of %d", &refused, &tries); err != nil {
				t.Fatalf("contending writer said %q", s)
			}
			return refused, tries, reads
		default:
		}
		if err := read(); err != nil {
			t.Fatalf("read %d while a writer contends: %v", reads+1, err)
		}
		reads++
	}
}

// TestReadsNeverRefuseWriters: collectd asks for its write lock without
// waiting and drops the update when refused. While every kind of read
// runs in a loop, a writer trying every half millisecond is never refused,
// and the reads still succeed (waiting out the writer's moments). With
// librrd's own read lock (RTMON_RRD_READ_LOCK=1) the same loop refuses
// the writer, which is what lost collectd's updates.
func TestReadsNeverRefuseWriters(t *testing.T) {
	dir := t.TempDir()
	f := makeRRD(t, dir, "w.rrd")
	calls := fileReads(f)
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			skipped0, _ := readLockCounts()
			refused, tries, reads := readWhileWriting(t, f.path, 400*time.Millisecond, c.call)
			if refused != 0 {
				t.Errorf("the writer was refused %d of %d times during %d reads", refused, tries, reads)
			}
			if skipped, _ := readLockCounts(); skipped-skipped0 < uint64(reads) {
				t.Errorf("%d reads skipped %d read locks: librrd's fcntl call does not reach readlock.c", reads, skipped-skipped0)
			}
			if reads < 3 || tries < 10 {
				t.Errorf("%d reads against %d writer tries: too few to tell", reads, tries)
			}
		})
	}
	t.Run("librrd's own lock", func(t *testing.T) {
		setReadLock(true)
		defer setReadLock(false)
		refused, tries, reads := readWhileWriting(t, f.path, 800*time.Millisecond, calls[2].call) // fetch
		if refused == 0 {
			t.Errorf("with librrd's read lock, %d reads never refused the writer's %d tries: the test cannot see the fault", reads, tries)
		}
		t.Logf("with librrd's read lock: writer refused %d of %d times during %d reads", refused, tries, reads)
	})
}

// TestReadWaitsForWriter: a file a writer holds is not read under it: the
// read fails as librrd's would ("could not lock RRD") and is retried.
func TestReadWaitsForWriter(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "h.rrd")
	_, refused0 := readLockCounts()
	rrdtest.LockFor(t, f.path, 60*time.Millisecond)
	if _, err := rrd.Fetch(f.path, "AVERAGE", t0, t0+nUpd*step, step); err != nil {
		t.Fatalf("a write lock held for 60 ms: %v, want the read to wait it out", err)
	}
	if _, refused := readLockCounts(); refused == refused0 {
		t.Error("a read under a writer's lock was not refused")
	}
}
