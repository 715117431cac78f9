package collectd

// #include <stdlib.h>
// #include "glue.h"
import "C"

import (
	"context"
	"fmt"
	"strings"
	"unsafe"

	"collectd.org/api"
	"collectd.org/cdtime"
)

// Write hands one value list to collectd (plugin_dispatch_values), which
// copies it. An empty Host, a zero Time or a zero Interval collectd fills
// in (hostname, now, the callback's interval). It refuses once ctx is
// done, and refuses names that do not fit collectd's fixed buffers
// (DATA_MAX_NAME_LEN including the NUL) or hold a NUL, rather than cut
// them. Use api.WriterFunc(Write) as an api.Writer.
func Write(ctx context.Context, vl *api.ValueList) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if vl.Plugin == "" {
		return fmt.Errorf("value list %s: no plugin name", vl.Identifier)
	}
	if len(vl.Meta) > 0 {
		return fmt.Errorf("value list %s: meta data is not supported", vl.Identifier)
	}
	if len(vl.Values) == 0 {
		return fmt.Errorf("value list %s: no values", vl.Identifier)
	}
	var cvl C.value_list_t
	for _, f := range []struct {
		dst   []C.char
		what  string
		value string
	}{
		{cvl.host[:], "host", vl.Host},
		{cvl.plugin[:], "plugin", vl.Plugin},
		{cvl.plugin_instance[:], "plugin instance", vl.PluginInstance},
		{cvl._type[:], "type", vl.Type},
		{cvl.type_instance[:], "type instance", vl.TypeInstance},
	} {
		if err := setName(f.dst, f.value); err != nil {
			return fmt.Errorf("value list %s: %s: %w", vl.Identifier, f.what, err)
		}
	}
	if !vl.Time.IsZero() {
		cvl.time = C.cdtime_t(cdtime.New(vl.Time))
	}
	if vl.Interval > 0 {
		cvl.interval = C.cdtime_t(cdtime.NewDuration(vl.Interval))
	}
	// values lives in C memory: cgo forbids passing C a Go struct that
	// points to Go memory.
	values := (*C.value_t)(C.calloc(C.size_t(len(vl.Values)), C.sizeof_value_t))
	if values == nil {
		return fmt.Errorf("value list %s: out of memory", vl.Identifier)
	}
	defer C.free(unsafe.Pointer(values))
	cvalues := unsafe.Slice(values, len(vl.Values))
	for i, v := range vl.Values {
		switch v := v.(type) {
		case api.Gauge:
			C.rtmon_set_gauge(&cvalues[i], C.gauge_t(v))
		case api.Derive:
			C.rtmon_set_derive(&cvalues[i], C.derive_t(v))
		case api.Counter:
			C.rtmon_set_counter(&cvalues[i], C.counter_t(v))
		default:
			return fmt.Errorf("value list %s: value %d: unsupported type %T", vl.Identifier, i+1, v)
		}
	}
	cvl.values = values
	cvl.values_len = C.size_t(len(vl.Values))
	if rc := C.rtmon_dispatch(&cvl); rc != 0 {
		return fmt.Errorf("value list %s: plugin_dispatch_values failed with status %d", vl.Identifier, int(rc))
	}
	return nil
}

// setName copies s into one of value_list_t's fixed name buffers, NUL
// terminated.
func setName(dst []C.char, s string) error {
	if len(s) >= len(dst) {
		return fmt.Errorf("%d bytes, longer than collectd's %d", len(s), len(dst)-1)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("holds a NUL byte")
	}
	for i := 0; i < len(s); i++ {
		dst[i] = C.char(s[i])
	}
	dst[len(s)] = 0
	return nil
}
