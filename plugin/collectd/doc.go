// Package collectd is the plugin's cgo glue to collectd's C API: config,
// init, read and shutdown callbacks, plugin_dispatch_values,
// plugin_dispatch_notification (notify.go), plugin_log and the interval.
//
// It exists for two reasons. collectd's headers live under
// /usr/include/collectd/... (Debian's collectd-dev), and a #cgo line
// reaches only its own package's compilation: collectd.org/plugin
// includes "plugin.h" with no include path of its own, so building it
// needed CGO_CPPFLAGS from outside. Here the include path is written once,
// in c.go, and plain `go build ./...` works. And the plugin needs
// calls collectd.org/plugin v0.6.0 lacks (plugin_dispatch_notification).
//
// collectd's functions are found with dlsym in the running process rather
// than linked: they live in the collectd executable, so a test binary
// (or go vet's build) that links this package without collectd still
// links. Every callback collectd calls recovers from panics, because a
// panic escaping into collectd kills the daemon.
//
// The pure Go parts of collectd.org stay: api.ValueList for values,
// config.Block for the configuration, cdtime for collectd's time format.
package collectd
