// Package readlock defines fcntl and fcntl64 for the viewer's executable
// so that librrd's reads never hold the fcntl read lock that would make
// collectd's rrdtool plugin drop an update (readlock.c says how), and
// checks at start that librrd's requests reach that code.
//
// The definitions are C symbols of the whole process: importing this
// package changes fcntl for every library in it. That is why it is a
// package of its own that only the viewer's main package imports (for
// the side effect and for [Log]); viewer/rrd alone leaves libc's fcntl
// in place, and TestOverrideConfined checks both.
package readlock

// #cgo pkg-config: librrd
// #include <stdlib.h>
// #include <string.h>
// #include <rrd.h>
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

	"github.com/rtmon/rtmon/viewer/rrd"
)

// Mode is how the viewer's librrd reads treat librrd's fcntl read lock,
// as Check found it.
type Mode int

const (
	// LockFree: librrd's lock request reached readlock.c, which did not
	// take the lock; collectd's writes are never refused by a read.
	LockFree Mode = iota
	// LibrrdLockKept: the request reached readlock.c and was passed on
	// because RTMON_RRD_READ_LOCK=1.
	LibrrdLockKept
	// LibrrdLockUnseen: the request never reached readlock.c (a librrd
	// calling an fcntl entry point not overridden, or linked so that
	// libc's comes first): reads take librrd's lock and collectd can
	// lose updates that meet a render.
	LibrrdLockUnseen
)

func (m Mode) String() string {
	switch m {
	case LockFree:
		return "lock-free (librrd's read lock is intercepted by readlock.c)"
	case LibrrdLockKept:
		return "librrd's read lock (RTMON_RRD_READ_LOCK=1)"
	case LibrrdLockUnseen:
		return "librrd's read lock: its lock request does not reach readlock.c, so collectd may lose updates that meet a render"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Check makes one small RRD file in a temporary directory with librrd,
// reads it once with rrd_fetch_r, and reports from readlock.c's counts
// whether librrd's read-lock request went through the override:
// readlock.c only works while librrd's calls reach it, and nothing else
// would show that they stopped. The viewer logs the result at start.
func Check() (Mode, error) {
	dir, err := os.MkdirTemp("", "rtmon-readlock-")
	if err != nil {
		return 0, fmt.Errorf("readlock: check: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "check.rrd")
	cfile := C.CString(file)
	defer C.free(unsafe.Pointer(cfile))
	var eb [4096]C.char
	if C.rtmon_create(cfile, &eb[0], C.size_t(len(eb))) != 0 {
		return 0, fmt.Errorf("readlock: check: creating %s: %s", file, C.GoString(&eb[0]))
	}
	seen := readLockSeen()
	if _, err := rrd.Fetch(file, "AVERAGE", 1000000000-600, 1000000000, 60); err != nil {
		return 0, fmt.Errorf("readlock: check: %w", err)
	}
	switch {
	case readLockSeen() == seen:
		return LibrrdLockUnseen, nil
	case keepsLibrrdLock():
		return LibrrdLockKept, nil
	}
	return LockFree, nil
}

// Log runs Check and logs its answer in one line: at Info when reads are
// lock-free or librrd's lock is kept on purpose, at Warn when librrd's
// request never reached readlock.c or the check failed.
func Log(log *slog.Logger) Mode {
	mode, err := Check()
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
