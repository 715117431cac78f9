// Package config reads rtmon-viewer's flags and optional config file and
// checks them before anything listens: the one rule that matters most is
// that the viewer does not serve a non-loopback address without auth
// unless the operator says so with -insecure-listen.
package config
