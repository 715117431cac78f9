package collectd

// The functions collectd calls. A file with //export may only declare in
// its preamble, so the C side lives in c.go.

// #include "glue.h"
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"time"

	"collectd.org/cdtime"
)

// module_register is what collectd looks up and calls after loading the
// .so. The Go runtime, and with it every package's init, has run before
// any exported function returns, so registration happens in init
// functions and there is nothing left to do here.
//
//export module_register
func module_register() {}

//export rtmonConfig
func rtmonConfig(ci *C.oconfig_item_t) C.int {
	defer recoverTo("reading a <Plugin> block")
	if err := collectBlock(ci); err != nil {
		Error(err.Error())
		return -1
	}
	return 0
}

//export rtmonInit
func rtmonInit() C.int {
	defer recoverTo("running the configuration")
	configureAll()
	return 0
}

//export rtmonRead
func rtmonRead(ud *C.user_data_t) (status C.int) {
	status = -1
	defer recoverTo("reading")
	r, ok := cgo.Handle(C.rtmon_handle(ud)).Value().(*readCallback)
	if !ok {
		Error("read callback without its reader (bad user data)")
		return -1
	}
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout(r.interval))
	defer cancel()
	if err := r.r.Read(ctx); err != nil {
		Error(fmt.Sprintf("%s: read failed: %v", r.name, err))
		return -1
	}
	return 0
}

//export rtmonShutdown
func rtmonShutdown() C.int {
	defer recoverTo("shutting down")
	return C.int(shutdownAll())
}

// readTimeout is how long a read's context lasts: collectd's Timeout
// (default 2) intervals, after which its values would be stale anyway.
func readTimeout(registered time.Duration) time.Duration {
	interval := cdtime.Time(C.rtmon_get_interval()).Duration()
	if interval <= 0 {
		interval = registered
	}
	return interval * time.Duration(C.rtmon_timeout())
}
