// Package emulator sends the traffic of N seedboxes to a central collectd
// over collectd's network protocol (SecurityLevel Sign), so the central
// node of docs/fleet.md can be measured and tested with more hosts than
// there are machines.
//
// Each emulated seedbox sends, every Interval, exactly the value lists
// rtmon's plugin dispatches (plugin/dispatch's Mapper over a moving
// reader.Snapshot, so the lists cannot drift from the plugin's) plus those
// of collectd's host plugins as collectd.conf.d/host.conf configures them
// (cpu, load, memory, swap, df, disk, interface). Values move: rates
// change, items arrive, finish and leave.
//
// Timestamps are multiples of Interval, so an archive with a step of
// Interval holds each sent gauge as is and a test can check every value.
// The emulator counts what it sent (Counts), and with Config.Record keeps
// every value for such a check (Sent).
package emulator
