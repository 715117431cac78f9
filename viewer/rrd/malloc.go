package rrd

// #include <malloc.h>
//
// // rtmon_malloc_tune: see tuneMalloc.
// static int rtmon_malloc_tune(void) {
//     int ok = mallopt(M_MMAP_THRESHOLD, 256 * 1024);
//     return ok & mallopt(M_ARENA_MAX, 2);
// }
import "C"

// mallocTuned reports whether glibc took the settings below.
var mallocTuned = tuneMalloc()

// tuneMalloc makes the memory librrd frees go back to the system. A render
// allocates its fetch buffers and cairo's surface with malloc, megabytes
// each; glibc's defaults keep them: its mmap threshold rises to the
// largest block freed (up to 32 MiB), so later big blocks come from the
// heap and stay there, and each OS thread that calls librrd may get an
// arena of its own (8 per core) that keeps its peak. Renders are
// serialized (unsafeMu), so a fixed 256 KiB threshold (big blocks are
// mmapped and unmapped on free) and two arenas cost nothing measurable,
// and the viewer's resident size follows the render in progress instead
// of the sum of past peaks. trimHeap returns what small blocks leave.
func tuneMalloc() bool { return C.rtmon_malloc_tune() == 1 }

// trimHeap gives free heap pages of every arena back to the system
// (malloc_trim); called after each render and export.
func trimHeap() { C.malloc_trim(0) }
