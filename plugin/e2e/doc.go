// Package e2e holds the plugin's end-to-end tests: build/rtorrent.so
// loaded by a real collectd 5.12 with the shipped collectd.conf.d snippets,
// reading real rTorrents from the test environment, its values checked in the RRD
// files collectd's rrdtool plugin writes, against what rTorrent itself
// says. It has no code outside its tests.
package e2e
