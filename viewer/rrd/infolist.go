package rrd

// #include "rrdcall.h"
import "C"

import "unsafe"

// infoItem is one entry of a librrd rrd_info_t list, copied to Go memory.
type infoItem struct {
	key   string
	value any // float64, uint64, string, int or []byte
}

// copyInfo copies a librrd info list into Go memory, keeping librrd's order.
// It does not free the list. The union is read in Go rather than through C
// accessors: the list can hold thousands of entries (rrd_info_r on a file
// with many RRAs) and one cgo call per field would dominate.
func copyInfo(p *C.rrd_info_t) []infoItem {
	var out []infoItem
	for ; p != nil; p = p.next {
		u := unsafe.Pointer(&p.value)
		var v any
		switch p._type {
		case C.RD_I_VAL:
			v = float64(*(*C.rrd_value_t)(u))
		case C.RD_I_CNT:
			v = uint64(*(*C.ulong)(u))
		case C.RD_I_STR:
			if s := *(**C.char)(u); s != nil {
				v = C.GoString(s)
			} else {
				v = ""
			}
		case C.RD_I_INT:
			v = int(*(*C.int)(u))
		case C.RD_I_BLO:
			b := (*C.rrd_blob_t)(u)
			if b.ptr != nil && b.size > 0 {
				v = C.GoBytes(unsafe.Pointer(b.ptr), C.int(b.size))
			} else {
				v = []byte{}
			}
		default:
			continue // a type newer than this binding knows
		}
		out = append(out, infoItem{key: C.GoString(p.key), value: v})
	}
	return out
}

// asInt64 converts the numeric info value types to int64.
func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case uint64:
		return int64(n), true
	case int:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}
