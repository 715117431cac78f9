package rrd

import "sync"

// unsafeMu serializes the librrd calls that are not thread-safe:
// rrd_graph_v and rrd_xport. Both run the graph engine, which touches
// process-wide state (Pango and fontconfig initialisation, localtime's
// static buffer, static state in the graph code). The *_r calls do not
// take it.
var unsafeMu sync.Mutex
