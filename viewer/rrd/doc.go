// Package rrd is rtmon's own small cgo binding to librrd (rrdtool 1.7.x, as
// packaged by Debian in librrd-dev). It offers exactly what the viewer needs:
// graphs rendered in memory (PNG or SVG) with the geometry needed to map a
// click back to a time, xport and fetch for time series, lastupdate and info.
//
// # Thread safety
//
// librrd keeps its error text in a per-thread context, and only the *_r entry
// points are documented as thread-safe. rrd_graph_v and rrd_xport share
// process-wide state (the Pango/fontconfig setup, localtime's static buffer,
// static state in the graph code), so every Graph and Xport call holds one
// package mutex. Fetch, LastUpdate and Info use rrd_fetch_r,
// rrd_lastupdate_r and rrd_info_r and run in parallel.
//
// Each librrd call goes through a small C helper (rrdcall.c) that clears the
// thread's rrd error, makes the call and copies the error text into a Go
// buffer, all in one cgo call: a goroutine cannot change OS thread in the
// middle of a cgo call, so no other call can leave or read a stale error in
// between.
//
// Times go to librrd as epoch seconds (time_t); nothing here parses at-style
// time specifications, whose parser is not thread-safe.
//
// # Untrusted names
//
// Graph and Xport take the rrdtool argument list as is. Anything in it that
// comes from outside (file paths, host or plugin names in legends) must go
// through [Escape] or [EscapeText] first; arguments containing a NUL byte are
// refused because C would silently cut them. The viewer hands this package
// /proc/self/fd/N names of files viewer/datadir opened and checked, never
// names from DataDir itself.
//
// # Symbol overrides
//
// This package defines no libc or cairo symbol. The viewer's executable
// imports viewer/rrd/readlock, which defines fcntl and fcntl64 so that
// librrd's reads never refuse collectd's writes; any other program
// importing viewer/rrd (tests, benchmarks) keeps libc's fcntl unless it
// imports that package too.
package rrd
