package rrd

// #include <stdlib.h>
// #include "rrdcall.h"
import "C"

import (
	"fmt"
	"unsafe"
)

// XportResult is a table of exported series. Rows[i][j] is column j
// (named Legends[j]) for the step that ends at Time(i); missing data is NaN.
type XportResult struct {
	Start, End int64 // as adjusted by librrd to whole steps
	Step       uint64
	Legends    []string
	Rows       [][]float64
}

// Time returns the timestamp rrdtool gives row i: the end of the step the
// row covers, as in the output of "rrdtool xport".
func (x *XportResult) Time(i int) int64 { return x.Start + int64(i+1)*int64(x.Step) }

// Xport runs rrd_xport. args are rrdtool xport arguments without the
// command ("--start", "...", "DEF:...", "XPORT:..."); Xport puts "xport" in
// front. Calls are serialized with Graph: rrd_xport runs the graph engine.
func Xport(args []string) (*XportResult, error) {
	return retryLocked(func() (*XportResult, error) { return xportOnce(args) })
}

func xportOnce(args []string) (*XportResult, error) {
	argv, err := newCArgv(append([]string{"xport"}, args...))
	if err != nil {
		return nil, fmt.Errorf("rrd xport: %w", err)
	}
	defer argv.free()

	var (
		eb           errBuf
		start, end   C.time_t
		step, colCnt C.ulong
		legends      **C.char
		data         *C.rrd_value_t
	)
	unsafeMu.Lock()
	rc := C.rtmon_xport(argv.argc, argv.argv, &start, &end, &step, &colCnt,
		&legends, &data, eb.ptr(), eb.size())
	unsafeMu.Unlock()
	// Runs last: after librrd's buffers below are freed.
	defer trimHeap()
	if rc != 0 {
		return nil, newError("xport", &eb)
	}
	defer C.rtmon_free_strv(legends, colCnt)
	defer C.rrd_freemem(unsafe.Pointer(data))

	x := &XportResult{
		Start:   int64(start),
		End:     int64(end),
		Step:    uint64(step),
		Legends: goStrings(legends, int(colCnt)),
	}
	if step == 0 {
		return nil, fmt.Errorf("rrd xport: librrd returned step 0")
	}
	// rrd_xport allocates exactly (end-start)/step rows.
	rows := int((x.End - x.Start) / int64(x.Step))
	if rows < 0 {
		return nil, fmt.Errorf("rrd xport: librrd returned end %d before start %d", x.End, x.Start)
	}
	x.Rows = splitRows(goFloats((*C.double)(data), rows*int(colCnt)), rows, int(colCnt))
	return x, nil
}

// splitRows cuts a row-major table into rows; the rows share flat's memory.
func splitRows(flat []float64, rows, cols int) [][]float64 {
	if rows <= 0 || cols <= 0 {
		return nil
	}
	out := make([][]float64, rows)
	for i := range out {
		out[i] = flat[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return out
}
