package reader

// itemState is what the event counter remembers of an item between scans;
// seen is the number of the scan that last saw it.
type itemState struct {
	started, complete bool
	seen              uint32
}

// eventCounter derives download events from consecutive scans, so operators
// get inserted/erased/finished/started/stopped counts without adding
// event.download.* handlers to their rc.
type eventCounter struct {
	prev   map[string]itemState // nil until the first scan
	scan   uint32
	counts Events
}

// observe compares a scan with the previous one. The first scan only sets
// the baseline: items already there were not inserted now. The map is
// updated in place: a scan every half minute over 50,000 items should not
// build a new one each time.
func (e *eventCounter) observe(items []item) {
	first := e.prev == nil
	if first {
		e.prev = make(map[string]itemState, len(items))
	}
	e.scan++
	for i := range items {
		it := &items[i]
		cur := itemState{started: it.state, complete: it.complete, seen: e.scan}
		old, ok := e.prev[it.hash]
		e.prev[it.hash] = cur
		switch {
		case first:
		case !ok:
			e.counts.Inserted++
		default:
			if cur.complete && !old.complete {
				e.counts.Finished++
			}
			if cur.started && !old.started {
				e.counts.Started++
			}
			if !cur.started && old.started {
				e.counts.Stopped++
			}
		}
	}
	if len(e.prev) > len(items) {
		for h, st := range e.prev {
			if st.seen != e.scan {
				e.counts.Erased++
				delete(e.prev, h)
			}
		}
	}
}
