// Package collectdenv starts the real parts the viewer's tests run against:
// collectd in the foreground (always -f) with unixsock, rrdtool and the
// host plugins, optionally with rtmon's rTorrent plugin reading a real
// rTorrent, each in a short temporary directory on loopback, stopped when
// the test ends. It also gives the tests their own view of collectd (raw
// unixsock commands), independent of the viewer's unixsock client, and
// makes RRD files with the rrdtool command line.
package collectdenv
