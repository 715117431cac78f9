// Package unixsock is a client for collectd's unixsock plugin: LISTVAL,
// GETVAL and FLUSH, which is all the viewer needs to show collectd's latest
// values and to get cached values onto disk before it draws a graph.
//
// The protocol, as collectd 5.12 speaks it (checked against the real
// daemon):
//
//   - One command per line. collectd reads lines with a 1024-byte buffer:
//     a longer line is cut and its tail runs as a second command. The
//     client therefore refuses any command longer than [MaxCommandLen]
//     bytes before sending anything.
//   - A reply starts with "<status> <message>". A status >= 0 is the number
//     of lines that follow; a negative status is an error, returned here as
//     a *[ServerError] carrying collectd's message.
//   - Identifiers are host/plugin[-plugin_instance]/type[-type_instance].
//     One containing a space or a double quote is sent in double quotes, in
//     which a backslash escapes '"' and '\'. Control characters (newline,
//     NUL, ...) cannot be sent at all: a newline would end the command and
//     collectd's C string handling stops at a NUL and runs the rest of the
//     line as if it were not there. They are refused.
//   - GETVAL gives DERIVE, COUNTER and ABSOLUTE values as rates per second
//     and unknown values as "NaN".
//   - FLUSH answers once the flush is queued, before the data is on disk.
//   - After "GETVAL" of an unknown type collectd 5.12 sends an extra empty
//     line after the error; the reply reader skips empty lines where a
//     status line is expected, so the connection stays in step.
//
// A [Client] runs one command at a time over one connection, so it is safe
// for concurrent use; it reconnects by itself after the connection fails or
// a reply cannot be parsed.
package unixsock
