package rrd

// #include <stdlib.h>
// #include "rrdcall.h"
import "C"

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unsafe"
)

// DSValue is one data source's last value as given to rrdtool update.
type DSValue struct {
	Name  string
	Value float64 // NaN for "U" (unknown)
}

// LastUpdate returns the time of the last update and the values it stored,
// in the file's data source order, via rrd_lastupdate_r (thread-safe).
func LastUpdate(file string) (time.Time, []DSValue, error) {
	type result struct {
		at     time.Time
		values []DSValue
	}
	r, err := retryLocked(func() (result, error) {
		at, values, err := lastUpdateOnce(file)
		return result{at, values}, err
	})
	return r.at, r.values, err
}

func lastUpdateOnce(file string) (time.Time, []DSValue, error) {
	cfile, err := cString("file name", file)
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("rrd lastupdate: %w", err)
	}
	defer C.free(unsafe.Pointer(cfile))

	var (
		eb     errBuf
		last   C.time_t
		dsCnt  C.ulong
		names  **C.char
		values **C.char
	)
	if C.rtmon_lastupdate(cfile, &last, &dsCnt, &names, &values, eb.ptr(), eb.size()) != 0 {
		return time.Time{}, nil, newError("lastupdate", &eb)
	}
	defer C.rtmon_free_strv(names, dsCnt)
	defer C.rtmon_free_strv(values, dsCnt)

	ns := goStrings(names, int(dsCnt))
	vs := goStrings(values, int(dsCnt))
	out := make([]DSValue, len(ns))
	for i, n := range ns {
		out[i] = DSValue{Name: n, Value: parseLastDS(vs[i])}
	}
	return time.Unix(int64(last), 0), out, nil
}

// parseLastDS reads the text librrd keeps as a data source's last input:
// "U" for unknown, otherwise a number as given to update.
func parseLastDS(s string) float64 {
	if s == "U" || s == "" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return v
}
