package rrd

// #include <stdlib.h>
// #include "rrdcall.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// Info returns the header of an RRD file as rrd_info_r reports it (the
// same keys "rrdtool info" prints: "step", "last_update", "ds[v].type",
// "rra[0].cf", ...). Values are float64 (RD_I_VAL), uint64 (RD_I_CNT),
// string (RD_I_STR), int (RD_I_INT) or []byte (RD_I_BLO). Thread-safe.
func Info(file string) (map[string]any, error) {
	return retryLocked(func() (map[string]any, error) { return infoOnce(file) })
}

func infoOnce(file string) (map[string]any, error) {
	cfile, err := cString("file name", file)
	if err != nil {
		return nil, fmt.Errorf("rrd info: %w", err)
	}
	defer C.free(unsafe.Pointer(cfile))

	var eb errBuf
	var failed C.int
	info := C.rtmon_info(cfile, eb.ptr(), eb.size(), &failed)
	if failed != 0 {
		return nil, newError("info", &eb)
	}
	items := copyInfo(info)
	C.rrd_info_free(info)
	out := make(map[string]any, len(items))
	for _, it := range items {
		out[it.key] = it.value
	}
	return out, nil
}
