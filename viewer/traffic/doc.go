// Package traffic sums the bytes each tracker and label moved, per
// rTorrent instance and host, over today, yesterday, this week, this
// month, this year and a chosen range, from the rtorrent_volume RRD files
// (DERIVE up and down: the files hold bytes/s, so a volume is the sum of
// rate x step over the archive rows).
//
// Each range is read from the finest archive that still holds it: the
// newest part from the finest archive, older parts from coarser ones, cut
// where both archives' rows end (see segments). Within the archives'
// steps the sums are exact (an AVERAGE row's rate x step is the sum of
// its primary data points); a range boundary that falls inside a row
// takes the row's share by time, which assumes an even rate within that
// row. Days start at midnight in the request's time zone (tz, default the
// viewer's local zone).
package traffic
