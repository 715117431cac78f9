// Package rtorrent is rtmon's XML-RPC client for rTorrent.
//
// It speaks XML-RPC (encoded and decoded by github.com/kolo/xmlrpc) over the
// transports seedbox operators actually expose: SCGI on a unix socket, SCGI on
// TCP, and HTTP(S) through a web server's scgi_pass with basic auth. Every call
// carries a deadline, every reply is capped in size (a reply near 100 MiB
// crashes rTorrent 0.9.8, so a runaway query must be refused long before), and
// decoding tolerates what real rTorrent builds send: <i8> and <ex:i8> integers
// and invalid UTF-8 in names.
//
// Errors say what and where, in one line:
//
//	rtorrent "main" (scgi:///srv/rt/rpc.socket): dial: connection refused
//	rtorrent "main" (scgi:///srv/rt/rpc.socket): fault -506 method not defined: network.open_files
//	rtorrent "main" (scgi:///srv/rt/rpc.socket): reply larger than 64 MiB
package rtorrent
