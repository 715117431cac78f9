package rrd

// #cgo pkg-config: librrd
// #include <stdlib.h>
// #include "rrdcall.h"
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// errBufLen matches the size of librrd's per-thread error buffer
// (rrd_context_t.rrd_error), so no message is cut.
const errBufLen = 4096

// errBuf is Go memory handed to C for the error text. It holds no Go
// pointers, so passing it to C is allowed by the cgo rules.
type errBuf [errBufLen]byte

func (b *errBuf) ptr() *C.char { return (*C.char)(unsafe.Pointer(&b[0])) }

func (b *errBuf) size() C.size_t { return C.size_t(len(b)) }

// String returns the text up to the first NUL.
func (b *errBuf) String() string {
	s := string(b[:])
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return s
}

// cArgv is a C argv built from Go strings. librrd's option parser permutes
// the argv array in place, so the strings are freed from our own copy of the
// pointers, never from the (reordered) array.
type cArgv struct {
	argc C.int
	argv **C.char
	strs []*C.char
}

// newCArgv copies args into C memory. It refuses NUL bytes: C would cut the
// argument there and librrd would act on a different argument than the
// caller built.
func newCArgv(args []string) (*cArgv, error) {
	for i, a := range args {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, fmt.Errorf("argument %d contains a NUL byte", i)
		}
	}
	ptrSize := unsafe.Sizeof((*C.char)(nil))
	// One extra slot: argv[argc] is NULL by convention.
	mem := C.calloc(C.size_t(len(args)+1), C.size_t(ptrSize))
	if mem == nil {
		return nil, fmt.Errorf("out of memory for %d arguments", len(args))
	}
	a := &cArgv{argc: C.int(len(args)), argv: (**C.char)(mem), strs: make([]*C.char, len(args))}
	slots := unsafe.Slice(a.argv, len(args)+1)
	for i, s := range args {
		a.strs[i] = C.CString(s)
		slots[i] = a.strs[i]
	}
	return a, nil
}

func (a *cArgv) free() {
	for _, s := range a.strs {
		C.free(unsafe.Pointer(s))
	}
	C.free(unsafe.Pointer(a.argv))
	a.strs = nil
	a.argv = nil
}

// cString copies s to C memory, refusing NUL bytes for the same reason as
// newCArgv. The caller frees the result with C.free.
func cString(what, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, fmt.Errorf("%s contains a NUL byte", what)
	}
	return C.CString(s), nil
}

// goStrings copies n C strings and does not free them.
func goStrings(v **C.char, n int) []string {
	if v == nil || n == 0 {
		return nil
	}
	out := make([]string, n)
	for i, p := range unsafe.Slice(v, n) {
		out[i] = C.GoString(p)
	}
	return out
}

// goFloats copies n doubles and does not free them.
func goFloats(p *C.double, n int) []float64 {
	if p == nil || n == 0 {
		return nil
	}
	out := make([]float64, n)
	for i, v := range unsafe.Slice(p, n) {
		out[i] = float64(v)
	}
	return out
}
