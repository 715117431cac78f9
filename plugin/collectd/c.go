package collectd

// collectd's include paths, written once for the whole module (see the
// package doc); they apply to every file of this package, glue.c too.
// HAVE_CONFIG_H makes collectd.h include the config.h the headers were
// built with. -ldl for dlopen/dlsym in glue.c.

// #cgo CPPFLAGS: -DHAVE_CONFIG_H -I/usr/include/collectd/core/daemon -I/usr/include/collectd/core -I/usr/include/collectd
// #cgo LDFLAGS: -ldl
import "C"
