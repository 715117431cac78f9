// Package live builds the viewer's live snapshot: the latest value of every
// host and rTorrent figure the live page, /json/live, /events and the
// pyrotorque-compatible endpoints show.
//
// One Poller reads collectd's value cache over unixsock (LISTVAL, then
// GETVAL of the identifiers it needs) once per interval and publishes an
// immutable Snapshot that every client shares, so the load on collectd
// does not grow with the number of viewers. When unixsock cannot be read,
// the Poller falls back to the RRD files' last values and says so in the
// snapshot (Source "rrd" and a Note).
//
// Reading (collectd.go, rrdfiles.go) and mapping (host.go, rtorrent.go)
// are apart: the mapping is a pure function of Readings, tested without
// collectd.
package live
