// Package fleet is the fleet page's data: every host and rTorrent
// instance a central collectd holds, in one table (/json/fleet, /fleet).
//
// One Poller per viewer reads collectd and keeps the table, encoded once
// per refresh; every browser gets that same table, so the load on
// collectd does not grow with the number of browsers. A refresh is one
// LISTVAL and the few GETVALs the table needs, pipelined in batches
// (unixsock.GetValBatch): at a thousand hosts that is a handful of round
// trips instead of thousands (docs/fleet.md measures both). An idle
// viewer (no request for a minute) stops reading.
//
// Hosts come from collectd's value cache and from DataDir: a host that
// stopped sending drops out of collectd's cache after about two of its
// intervals, but its files stay, so it is listed as stale rather than
// forgotten. Every name is bounded (MaxNameLen) and the table is bounded
// (MaxHosts, MaxInstances); what is left out is counted, not hidden.
package fleet
