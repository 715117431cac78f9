package sensors

// itemState is what the event counter remembers of an item between scans.
type itemState struct{ started, complete bool }

// eventCounter derives download events from consecutive scans, so operators
// get inserted/erased/finished/started/stopped counts without adding
// event.download.* handlers to their rc.
type eventCounter struct {
	prev   map[string]itemState // nil until the first scan
	counts Events
}

// observe compares a scan with the previous one. The first scan only sets
// the baseline: items already there were not inserted now.
func (e *eventCounter) observe(items []item) {
	next := make(map[string]itemState, len(items))
	for i := range items {
		it := &items[i]
		cur := itemState{started: it.state, complete: it.complete}
		next[it.hash] = cur
		if e.prev == nil {
			continue
		}
		old, ok := e.prev[it.hash]
		if !ok {
			e.counts.Inserted++
			continue
		}
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
	if e.prev != nil {
		for h := range e.prev {
			if _, ok := next[h]; !ok {
				e.counts.Erased++
			}
		}
	}
	e.prev = next
}
