package dispatch

// Monotonic keeps a counter that rTorrent restarts from zero (its traffic
// totals, file counters, the process's CPU time) rising, so the DERIVE that
// collectd stores never falls: a fall would be a negative rate (dropped by
// the 0 minimum of the data source, a gap in the graph) or, for a COUNTER,
// a wrap-around spike of 2^64. The plugin adds the last value seen before a
// restart to everything after it, so the stored total stays the traffic
// counted while collectd watched.
type Monotonic struct {
	last, offset int64
	seen         bool
}

// Next returns the value to dispatch for raw, the counter as rTorrent
// reports it now. restarted says rTorrent restarted since the last call (a
// new pid): the counter began again at zero even if raw is not below the
// last value. A raw value below the last one is a restart in any case.
func (c *Monotonic) Next(raw int64, restarted bool) int64 {
	if c.seen && (restarted || raw < c.last) {
		c.offset += c.last
	}
	c.last, c.seen = raw, true
	return c.offset + raw
}
