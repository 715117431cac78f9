// Package graphs defines the viewer's RRD graphs and renders them.
//
// Definitions come from the DataDir index, never from request text: for
// each plugin directory of a host, ForHost returns the graphs it can draw,
// each with a stable ID; a request names an ID and the handler looks it up
// in that list. rTorrent's graphs group the plugin's catalogue
// (internal/catalogue), so every metric the plugin writes is drawn with its
// unit and meaning; host plugins (load, cpu, memory, swap, df, disk,
// interface, uptime, processes) have definitions of their own, and any
// other file gets a plain graph of its data sources.
//
// The Renderer caps concurrent renders, shares one render among identical
// requests, caches images per (host, graph, time range, size, format,
// theme, files' last change) and asks collectd to FLUSH the graph's
// values to disk first when collectd holds newer values than the files.
package graphs
