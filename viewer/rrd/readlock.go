package rrd

// extern int rtmon_rrd_read_lock;
// extern void rtmon_read_lock_init(void);
// extern unsigned long rtmon_read_lock_skipped;
// extern unsigned long rtmon_read_lock_refused;
// static unsigned long rtmon_load(unsigned long *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
// static void rtmon_set_read_lock(int on) { __atomic_store_n(&rtmon_rrd_read_lock, on, __ATOMIC_RELAXED); }
import "C"

// The viewer's reads do not hold librrd's read lock; readlock.c says why
// and how.

// setReadLock makes librrd take its own read lock again (on) or not (off):
// tests compare the two.
func setReadLock(on bool) {
	C.rtmon_read_lock_init()
	if on {
		C.rtmon_set_read_lock(1)
	} else {
		C.rtmon_set_read_lock(0)
	}
}

// readLockCounts returns how many of librrd's read locks were not taken
// and how many were refused because a writer held the file.
func readLockCounts() (skipped, refused uint64) {
	return uint64(C.rtmon_load(&C.rtmon_read_lock_skipped)), uint64(C.rtmon_load(&C.rtmon_read_lock_refused))
}
