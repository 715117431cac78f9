package main

// #cgo CPPFLAGS: -DHAVE_CONFIG_H
// #cgo LDFLAGS: -ldl
// #include <dlfcn.h>
// #include <stddef.h>
// #include <stdlib.h>
// #include "plugin.h"
//
// /* A config callback in C: it never enters Go, so it is safe in a
//  * process that is about to fork. */
// static int rtmon_ignore_config(oconfig_item_t *ci) { (void)ci; return 0; }
//
// static int rtmon_register_ignore_config(const char *name) {
//   void *hnd = dlopen(NULL, RTLD_LAZY);
//   if (hnd == NULL) return -1;
//   int (*reg)(const char *, int (*)(oconfig_item_t *)) =
//       (int (*)(const char *, int (*)(oconfig_item_t *)))dlsym(hnd, "plugin_register_complex_config");
//   dlclose(hnd);
//   if (reg == NULL) return -1;
//   return reg(name, rtmon_ignore_config);
// }
import "C"

import (
	"fmt"
	"unsafe"
)

// ignoreConfig registers a config callback, written in C, that accepts the
// <Plugin rtorrent> block and does nothing. Without it collectd reports a
// configuration "for a plugin that didn't register a configuration
// callback" on top of the fork guard's own message.
func ignoreConfig(plugin string) error {
	cname := C.CString(plugin)
	defer C.free(unsafe.Pointer(cname))
	if rc := C.rtmon_register_ignore_config(cname); rc != 0 {
		return fmt.Errorf("registering a config callback that ignores <Plugin %s>: status %d", plugin, int(rc))
	}
	return nil
}
