package rrd

// #include <stdlib.h>
// #include "rrdcall.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// FetchResult is the data of one RRA for a time range. Rows[i][j] is data
// source DSNames[j] for the step that ends at Time(i); unknown is NaN.
type FetchResult struct {
	Start, End int64 // as adjusted by librrd to the chosen RRA's steps
	Step       uint64
	DSNames    []string
	Rows       [][]float64
}

// Time returns the timestamp "rrdtool fetch" prints for row i: the end of
// the step the row covers.
func (f *FetchResult) Time(i int) int64 { return f.Start + int64(i+1)*int64(f.Step) }

// Fetch reads consolidated data with rrd_fetch_r (thread-safe, so not
// serialized). cf is AVERAGE, MIN, MAX or LAST; step is the resolution
// wished for (0 lets librrd choose); start and end are epoch seconds.
func Fetch(file, cf string, start, end int64, step uint64) (*FetchResult, error) {
	return retryLocked(func() (*FetchResult, error) { return fetchOnce(file, cf, start, end, step) })
}

func fetchOnce(file, cf string, start, end int64, step uint64) (*FetchResult, error) {
	if end < start {
		return nil, fmt.Errorf("rrd fetch %s: end %d before start %d", file, end, start)
	}
	cfile, err := cString("file name", file)
	if err != nil {
		return nil, fmt.Errorf("rrd fetch: %w", err)
	}
	defer C.free(unsafe.Pointer(cfile))
	ccf, err := cString("consolidation function", cf)
	if err != nil {
		return nil, fmt.Errorf("rrd fetch: %w", err)
	}
	defer C.free(unsafe.Pointer(ccf))

	var (
		eb     errBuf
		cs, ce = C.time_t(start), C.time_t(end)
		cstep  = C.ulong(step)
		dsCnt  C.ulong
		names  **C.char
		data   *C.rrd_value_t
	)
	if C.rtmon_fetch(cfile, ccf, &cs, &ce, &cstep, &dsCnt, &names, &data, eb.ptr(), eb.size()) != 0 {
		return nil, newError("fetch", &eb)
	}
	defer C.rtmon_free_strv(names, dsCnt)
	defer C.rrd_freemem(unsafe.Pointer(data))

	f := &FetchResult{
		Start:   int64(cs),
		End:     int64(ce),
		Step:    uint64(cstep),
		DSNames: goStrings(names, int(dsCnt)),
	}
	if f.Step == 0 {
		return nil, fmt.Errorf("rrd fetch %s: librrd returned step 0", file)
	}
	// rrd_fetch_r allocates one row more than it fills; rrdtool fetch
	// prints (end-start)/step rows, and so do we.
	rows := int((f.End - f.Start) / int64(f.Step))
	if rows < 0 {
		return nil, fmt.Errorf("rrd fetch %s: librrd returned end %d before start %d", file, f.End, f.Start)
	}
	f.Rows = splitRows(goFloats((*C.double)(data), rows*int(dsCnt)), rows, int(dsCnt))
	return f, nil
}
