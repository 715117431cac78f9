package readlock

// extern int rtmon_rrd_read_lock;
// extern int rtmon_read_lock_bypass;
// extern int rtmon_read_lock_any_caller;
// extern void rtmon_read_lock_init(void);
// extern unsigned long rtmon_read_lock_seen;
// extern unsigned long rtmon_read_lock_skipped;
// extern unsigned long rtmon_read_lock_refused;
// extern unsigned long rtmon_read_lock_entry[2];
// static unsigned long rtmon_load(unsigned long *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
// static int rtmon_load_int(int *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
// static void rtmon_store_int(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
//
// #include <errno.h>
// #include <fcntl.h>
// #include <string.h>
// extern int fcntl64(int, int, ...);
// // rtmon_probe_read_lock asks for a whole-file read lock the way librrd
// // does, through fcntl (entry 0) or fcntl64 (entry 1); tests call it.
// static int rtmon_probe_read_lock(int entry, int fd) {
// 	struct flock lk;
// 	memset(&lk, 0, sizeof lk);
// 	lk.l_type = F_RDLCK;
// 	lk.l_whence = SEEK_SET;
// 	int rc = entry == 0 ? fcntl(fd, F_SETLK, &lk) : fcntl64(fd, F_SETLK, &lk);
// 	return rc == 0 ? 0 : errno;
// }
import "C"

import (
	"fmt"
	"syscall"
)

// Test hooks into readlock.c's switches and counts; readlock.c says why
// and how the override works.

// setReadLock makes librrd take its own read lock again (on) or not (off):
// tests compare the two.
func setReadLock(on bool) {
	C.rtmon_read_lock_init()
	C.rtmon_store_int(&C.rtmon_rrd_read_lock, boolInt(on))
}

// setReadLockBypass makes readlock.c forward every call untouched and
// uncounted, as if librrd called an fcntl entry point it does not
// override: tests check that Check notices.
func setReadLockBypass(on bool) {
	C.rtmon_read_lock_init()
	C.rtmon_store_int(&C.rtmon_read_lock_bypass, boolInt(on))
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// readLockCounts returns how many of librrd's read locks were not taken
// and how many were refused because a writer held the file.
func readLockCounts() (skipped, refused uint64) {
	return uint64(C.rtmon_load(&C.rtmon_read_lock_skipped)), uint64(C.rtmon_load(&C.rtmon_read_lock_refused))
}

// readLockSeen returns how many of librrd's read-lock requests reached
// readlock.c, whatever it did with them.
func readLockSeen() uint64 { return uint64(C.rtmon_load(&C.rtmon_read_lock_seen)) }

// keepsLibrrdLock reports whether RTMON_RRD_READ_LOCK=1 (or a test) made
// readlock.c pass librrd's read lock on.
func keepsLibrrdLock() bool {
	C.rtmon_read_lock_init()
	return C.rtmon_load_int(&C.rtmon_rrd_read_lock) != 0
}

// setReadLockAnyCaller makes readlock.c treat every caller as librrd, so
// that a test's own request goes through the override's logic.
func setReadLockAnyCaller(on bool) {
	C.rtmon_read_lock_init()
	C.rtmon_store_int(&C.rtmon_read_lock_any_caller, boolInt(on))
}

// entryCount returns how many read-lock requests reached readlock.c's
// fcntl (entry 0) or fcntl64 (entry 1), from any caller.
func entryCount(entry int) uint64 {
	return uint64(C.rtmon_load(&C.rtmon_read_lock_entry[entry]))
}

// probeReadLock asks for fd's read lock as librrd does, through fcntl
// (entry 0) or fcntl64 (entry 1).
func probeReadLock(entry int, fd uintptr) error {
	if entry != 0 && entry != 1 {
		return fmt.Errorf("readlock: no fcntl entry %d", entry)
	}
	if e := C.rtmon_probe_read_lock(C.int(entry), C.int(fd)); e != 0 {
		return syscall.Errno(e)
	}
	return nil
}
