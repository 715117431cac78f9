package rrd

// #include <stdlib.h>
// #include <string.h>
// #include "rrdcall.h"
//
// // rtmon_create makes a small RRD file with librrd itself, so that the
// // start-up check reads a file librrd wrote, without the rrdtool command.
// static int rtmon_create(const char *file, char *err, size_t errlen) {
// 	const char *argv[] = {"DS:v:GAUGE:120:U:U", "RRA:AVERAGE:0.5:1:10"};
// 	rrd_clear_error();
// 	int rc = rrd_create_r(file, 60, 1000000000, 2, argv);
// 	err[0] = '\0';
// 	if (rrd_test_error()) {
// 		strncpy(err, rrd_get_error(), errlen - 1);
// 		err[errlen - 1] = '\0';
// 		rc = -1;
// 	}
// 	rrd_clear_error();
// 	return rc;
// }
import "C"

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"unsafe"
)

// ReadLockMode is how the viewer's librrd reads treat librrd's fcntl read
// lock, as CheckReadLock found it.
type ReadLockMode int

const (
	// LockFree: librrd's lock request reached readlock.c, which did not
	// take the lock; collectd's writes are never refused by a read.
	LockFree ReadLockMode = iota
	// LibrrdLockKept: the request reached readlock.c and was passed on
	// because RTMON_RRD_READ_LOCK=1.
	LibrrdLockKept
	// LibrrdLockUnseen: the request never reached readlock.c (a librrd
	// calling an fcntl entry point not overridden, or linked so that
	// libc's comes first): reads take librrd's lock and collectd can
	// lose updates that meet a render.
	LibrrdLockUnseen
)

func (m ReadLockMode) String() string {
	switch m {
	case LockFree:
		return "lock-free (librrd's read lock is intercepted by readlock.c)"
	case LibrrdLockKept:
		return "librrd's read lock (RTMON_RRD_READ_LOCK=1)"
	case LibrrdLockUnseen:
		return "librrd's read lock: its lock request does not reach readlock.c, so collectd may lose updates that meet a render"
	}
	return fmt.Sprintf("ReadLockMode(%d)", int(m))
}

// CheckReadLock makes one small RRD file in a temporary directory with
// librrd, reads it once with rrd_fetch_r, and reports from readlock.c's
// counts whether librrd's read-lock request went through the override:
// readlock.c only works while librrd's calls reach it, and nothing else
// would show that they stopped. The viewer logs the result at start.
func CheckReadLock() (ReadLockMode, error) {
	dir, err := os.MkdirTemp("", "rtmon-readlock-")
	if err != nil {
		return 0, fmt.Errorf("rrd: read lock check: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "check.rrd")
	cfile := C.CString(file)
	defer C.free(unsafe.Pointer(cfile))
	var eb errBuf
	if C.rtmon_create(cfile, eb.ptr(), eb.size()) != 0 {
		return 0, fmt.Errorf("rrd: read lock check: creating %s: %s", file, eb.String())
	}
	seen := readLockSeen()
	if _, err := fetchOnce(file, "AVERAGE", 1000000000-600, 1000000000, 60); err != nil {
		return 0, fmt.Errorf("rrd: read lock check: %w", err)
	}
	switch {
	case readLockSeen() == seen:
		return LibrrdLockUnseen, nil
	case keepsLibrrdLock():
		return LibrrdLockKept, nil
	}
	return LockFree, nil
}

// LogReadLock runs CheckReadLock and logs its answer in one line: at Info
// when reads are lock-free or librrd's lock is kept on purpose, at Warn
// when librrd's request never reached readlock.c or the check failed.
func LogReadLock(log *slog.Logger) ReadLockMode {
	mode, err := CheckReadLock()
	switch {
	case err != nil:
		log.Warn("rrd reads: could not check librrd's read lock", "err", err)
	case mode == LibrrdLockUnseen:
		log.Warn("rrd reads: " + mode.String())
	default:
		log.Info("rrd reads: " + mode.String())
	}
	return mode
}
