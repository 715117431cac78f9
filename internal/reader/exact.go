package reader

// Exact download events. dist/rtorrent/rtmon-events.rc makes rTorrent count
// every event.download.* itself in values named rtmon.events.<key>; the
// fast tier reads them in its one system.multicall. Where they are in
// place, Events are exact; elsewhere the scan diffs of events.go stay.

// Where Snapshot.Events come from.
const (
	EventsExact = "rtorrent" // counted inside rTorrent by rtmon-events.rc
	EventsScan  = "scan"     // derived from consecutive item scans, approximate
)

// EventsPrefix starts the name of every counter rtmon-events.rc defines.
const EventsPrefix = "rtmon.events."

// exactKeys are the counters of rtmon-events.rc, each with its field in
// Events. The plugin takes the exact source only when all of them exist.
var exactKeys = []struct {
	key   string
	field func(*Events) *int64
}{
	{"inserted", func(e *Events) *int64 { return &e.Inserted }},
	{"erased", func(e *Events) *int64 { return &e.Erased }},
	{"finished", func(e *Events) *int64 { return &e.Finished }},
	{"started", func(e *Events) *int64 { return &e.Started }},
	{"stopped", func(e *Events) *int64 { return &e.Stopped }},
	{"loaded", func(e *Events) *int64 { return &e.Loaded }},
	{"paused", func(e *Events) *int64 { return &e.Paused }},
	{"resumed", func(e *Events) *int64 { return &e.Resumed }},
	{"opened", func(e *Events) *int64 { return &e.Opened }},
	{"closed", func(e *Events) *int64 { return &e.Closed }},
	{"hash_queued", func(e *Events) *int64 { return &e.HashQueued }},
	{"hash_done", func(e *Events) *int64 { return &e.HashDone }},
	{"hash_failed", func(e *Events) *int64 { return &e.HashFailed }},
	{"hash_removed", func(e *Events) *int64 { return &e.HashRemoved }},
}

// hasExactEvents says whether every counter of rtmon-events.rc is among
// rTorrent's methods: a partial copy of the snippet is not trusted.
func hasExactEvents(methods map[string]bool) bool {
	for _, k := range exactKeys {
		if !methods[EventsPrefix+k.key] {
			return false
		}
	}
	return true
}

// exactSensors are the fast-tier sub-calls that read the counters; each
// stores its value in the snapshot's exactRaw.
func exactSensors() []fastSensor {
	out := make([]fastSensor, len(exactKeys))
	for i, k := range exactKeys {
		out[i] = fastSensor{"events." + k.key, EventsPrefix + k.key, []any{""}, func(s *Snapshot, v int64) {
			if s.exactRaw != nil && v >= 0 {
				s.exactRaw[i] = v
			}
		}}
	}
	return out
}

// exactCounter turns rTorrent's counters, which start at 0 with each
// rTorrent process, into totals since the reader started that never go
// backwards: it adds each counter's increase since the previous read, and
// after a restart (a new pid, or a value below the last one) the whole new
// value. The first read only sets the baseline.
type exactCounter struct {
	last []int64 // -1: not read yet
	pid  int64
}

// fold adds the increases in raw (exactKeys order, -1 for a counter not
// read this time) to into.
func (x *exactCounter) fold(raw []int64, pid int64, into *Events) {
	if x.last == nil {
		x.last = make([]int64, len(exactKeys))
		for i := range x.last {
			x.last[i] = -1
		}
	}
	restarted := x.pid != 0 && pid != 0 && pid != x.pid
	if pid != 0 {
		x.pid = pid
	}
	for i, v := range raw {
		if v < 0 {
			// Unread now: its increase is counted at the next read, from 0
			// when rTorrent restarted meanwhile.
			if restarted && x.last[i] >= 0 {
				x.last[i] = 0
			}
			continue
		}
		prev := x.last[i]
		x.last[i] = v
		switch {
		case prev < 0 && !restarted:
			// Baseline: events before the reader started are not counted.
		case restarted || v < prev:
			*exactKeys[i].field(into) += v
		default:
			*exactKeys[i].field(into) += v - prev
		}
	}
}

// add adds every field of d to e.
func (e *Events) add(d Events) {
	for _, k := range exactKeys {
		*k.field(e) += *k.field(&d)
	}
}

// sub returns e - d, field by field.
func (e Events) sub(d Events) Events {
	for _, k := range exactKeys {
		*k.field(&e) -= *k.field(&d)
	}
	return e
}

// evState is what the reader reports as Events: totals since it started,
// fed by the exact counters where rtmon-events.rc is in place and by the
// scan diffs otherwise, never going backwards when the source changes.
type evState struct {
	total     Events
	exact     exactCounter
	scanSeen  Events // the scan counter's totals already folded into total
	scanned   bool   // a scan has run: scan-derived totals exist
	exactSeen bool   // the exact counters were read at least once
}

// exactEvents folds this read's rtmon.events.* values into the totals.
func (r *Reader) exactEvents(s *Snapshot) {
	if !r.plan.exact || s.exactRaw == nil {
		return
	}
	r.ev.exact.fold(s.exactRaw, s.PID, &r.ev.total)
	r.ev.exactSeen = true
}

// scanEvents folds the scan counter's new counts into the totals, unless
// the exact counters are in place: then the scan diffs are only kept
// current, so that a later fallback does not count old changes.
func (r *Reader) scanEvents() {
	d := r.events.counts.sub(r.ev.scanSeen)
	r.ev.scanSeen = r.events.counts
	r.ev.scanned = true
	if !r.plan.exact {
		r.ev.total.add(d)
	}
}

// fillEvents sets s.Events and s.EventsSource.
func (r *Reader) fillEvents(s *Snapshot) {
	switch {
	case r.plan.exact && r.ev.exactSeen:
		s.EventsSource = EventsExact
	case !r.plan.exact && r.ev.scanned:
		s.EventsSource = EventsScan
	default:
		return
	}
	s.Events = ptr(r.ev.total)
}
