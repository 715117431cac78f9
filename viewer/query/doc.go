// Package query parses and bounds the parameters of graph and series
// requests (range, start, end, w, h, fmt, theme). Every value that reaches
// librrd or the render cache passes through Parse, so a request cannot ask
// for a huge image, a time range of centuries or an unknown format: the
// limits live in one place and the fuzz target checks them.
package query
