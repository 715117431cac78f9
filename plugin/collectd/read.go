package collectd

// #include "glue.h"
import "C"

import (
	"context"
	"fmt"
	"runtime/cgo"
	"time"

	"collectd.org/cdtime"
)

// Reader is one read callback. Its context ends after collectd's Timeout
// intervals (default 2), when its values would be stale anyway.
type Reader interface {
	Read(ctx context.Context) error
}

type readCallback struct {
	name     string
	interval time.Duration
	r        Reader
}

// RegisterRead registers r as a read callback of its own, under name,
// called every interval (0: collectd's interval for this plugin, which
// collectd then looks up with an error in its log). Each callback is
// named, scheduled and, when it fails, suspended by collectd on its own;
// collectd never runs one callback twice at once.
func RegisterRead(name string, interval time.Duration, r Reader) error {
	// The handle is never deleted: collectd keeps calling the callback
	// until it exits, and the reader must stay reachable for as long.
	h := cgo.NewHandle(&readCallback{name: name, interval: interval, r: r})
	err := withCString(name, func(cname *C.char) error {
		return status(C.rtmon_register_read(cname, C.cdtime_t(cdtime.NewDuration(interval)), C.uintptr_t(h)), "plugin_register_complex_read")
	})
	if err != nil {
		h.Delete()
		return fmt.Errorf("read callback %q: %w", name, err)
	}
	return nil
}

// Interval is the interval of the read callback running now, from
// plugin_get_interval. Call it inside a read callback only: elsewhere
// collectd logs an error and returns its default.
func Interval() (time.Duration, error) {
	d := cdtime.Time(C.rtmon_get_interval()).Duration()
	if d <= 0 {
		return 0, fmt.Errorf("plugin_get_interval returned %v (not inside collectd?)", d)
	}
	return d, nil
}

// ConfigInterval is the read interval as known while collectd reads the
// configuration and runs init callbacks: the Interval of the plugin's
// <LoadPlugin> block if set, else the global one; 0 outside collectd.
// Interval works there too, but collectd logs "Unable to determine
// Interval from context" each time.
func ConfigInterval() time.Duration {
	return cdtime.Time(C.rtmon_config_interval()).Duration()
}
