package collectd

// #include <stdlib.h>
// #include "glue.h"
import "C"

import (
	"fmt"
	"runtime/debug"
	"unsafe"
)

// Level is a collectd log level (syslog's numbers, as plugin.h defines).
type Level int

// The levels plugin_log knows.
const (
	LevelError   Level = C.LOG_ERR
	LevelWarning Level = C.LOG_WARNING
	LevelNotice  Level = C.LOG_NOTICE
	LevelInfo    Level = C.LOG_INFO
	LevelDebug   Level = C.LOG_DEBUG
)

// Log writes msg to collectd's log at level, as one line: collectd's
// formatting never sees it (it is passed as "%s"). Outside collectd it
// does nothing.
func Log(level Level, msg string) {
	cmsg := C.CString(msg)
	defer C.free(unsafe.Pointer(cmsg))
	C.rtmon_log(C.int(level), cmsg)
}

// Error, Warning, Notice, Info and Debug log msg at their level.
func Error(msg string)   { Log(LevelError, msg) }
func Warning(msg string) { Log(LevelWarning, msg) }
func Notice(msg string)  { Log(LevelNotice, msg) }
func Info(msg string)    { Log(LevelInfo, msg) }
func Debug(msg string)   { Log(LevelDebug, msg) }

// recoverTo logs a panic instead of letting it unwind into collectd's C
// stack, which would kill the daemon. Deferred by every exported callback;
// the callers' own recovery comes first and says more.
func recoverTo(doing string) {
	if r := recover(); r != nil {
		Error(fmt.Sprintf("collectd glue: recovered from a panic while %s: %v (please report this) %q", doing, r, debug.Stack()))
	}
}
