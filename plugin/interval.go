package main

// #cgo CPPFLAGS: -DHAVE_CONFIG_H -I/usr/include/collectd/core/daemon -I/usr/include/collectd/core -I/usr/include/collectd
// #cgo LDFLAGS: -ldl
// #include <dlfcn.h>
// #include <stddef.h>
// #include "plugin.h"
//
// /* The interval that applies to this plugin: the Interval of its
//  * <LoadPlugin> block if set, else the global one. Unlike
//  * plugin_get_interval(), it logs no error outside a read callback. */
// static cdtime_t rtmon_interval(void) {
//   void *hnd = dlopen(NULL, RTLD_LAZY);
//   if (hnd == NULL) return 0;
//   plugin_ctx_t (*get_ctx)(void) = (plugin_ctx_t (*)(void))dlsym(hnd, "plugin_get_ctx");
//   cdtime_t (*get_default)(void) = (cdtime_t (*)(void))dlsym(hnd, "cf_get_default_interval");
//   dlclose(hnd);
//   if (get_ctx != NULL) {
//     plugin_ctx_t ctx = get_ctx();
//     if (ctx.interval > 0) return ctx.interval;
//   }
//   return get_default != NULL ? get_default() : 0;
// }
import "C"

import (
	"time"

	"collectd.org/cdtime"
)

// configInterval is the read interval as known while collectd runs the
// init callbacks. collectd.org/plugin's Interval() calls
// plugin_get_interval(), which works there too but logs "Unable to
// determine Interval from context" each time; so does collectd itself
// when a read callback is registered without an interval.
func configInterval() time.Duration {
	return cdtime.Time(C.rtmon_interval()).Duration()
}
