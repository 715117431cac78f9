package reader

import (
	"fmt"
	"slices"
)

// Items moving now, read by the fast tier at every read, so that an item
// that starts moving counts as active (in items_active and in its tracker's
// and label's active) within one interval instead of at the next scan, up
// to MaxScanInterval later.
//
// The read is one more sub-call of the fast tier's system.multicall: a
// d.multicall.filtered over "started" keeping the items whose up or down
// rate is above zero and returning only their hash. rTorrent walks only
// the started items and the reply holds one short row per moving item;
// the groups come from the per-hash static cache (static.go). Its cost,
// measured in bench/readcost, is in docs/PERFORMANCE.md.

// moversFilter selects the items moving now: ruTorrent's Active filter,
// the same rule as item.active.
const moversFilter = "or={d.up.rate=,d.down.rate=}"

// maxMovers bounds the hashes one read accepts: more than rTorrent 0.9.8
// can hold moving at once (its open-socket limits allow a few thousand
// peers), and at about 80 bytes a row still below 11 MB of reply.
const maxMovers = 1 << 17

// moversSensor is the fast-tier sub-call; its value goes through
// setMovers (fast.go's anySetters), not set.
var moversSensor = fastSensor{
	sensor:  "items.moving",
	command: "d.multicall.filtered",
	args:    []any{"", "started", moversFilter, "d.hash="},
	set:     func(*Snapshot, int64) {},
}

func setMovers(s *Snapshot, v any) error {
	m, err := parseMovers(v)
	if err != nil {
		return err
	}
	s.moving = m
	return nil
}

// movers is the fast tier's list of items moving now; ok is false when it
// was not read (this rTorrent cannot filter, or the sub-call failed).
type movers struct {
	hashes []string
	ok     bool
}

// parseMovers reads the reply: an array of one-field rows holding a hash.
// A row that is not a hash fails the whole list rather than count an item
// that may not exist.
func parseMovers(v any) (movers, error) {
	rows, ok := v.([]any)
	if !ok {
		return movers{}, fmt.Errorf("returned %s, want an array of rows", describeValue(v))
	}
	if len(rows) > maxMovers {
		return movers{}, fmt.Errorf("returned %d rows, more than the %d accepted", len(rows), maxMovers)
	}
	m := movers{hashes: make([]string, 0, len(rows)), ok: true}
	for i, row := range rows {
		f, ok := row.([]any)
		if !ok || len(f) != 1 {
			return movers{}, fmt.Errorf("row %d is %s, want one field", i, describeValue(row))
		}
		h, ok := asString(f[0])
		if !ok || !isHash(h) {
			return movers{}, fmt.Errorf("row %d: d.hash is %s, want 40 hex digits", i, describeValue(f[0]))
		}
		m.hashes = append(m.hashes, h)
	}
	return m, nil
}

// applyMovers replaces the scan's active counts in s by the fast tier's:
// items_active, and each tracker's and label's active from the static
// cache. An item the cache does not know yet (inserted since the last
// scan) counts in items_active only. The group lists are copied: they are
// the last scan's and stay as they were for the next read.
func (r *Reader) applyMovers(s *Snapshot) {
	if !s.moving.ok {
		return
	}
	s.Items.Active = ptr(int64(len(s.moving.hashes)))
	if s.Trackers == nil && s.Labels == nil {
		return
	}
	trackers, labels := activeIndex(s.Trackers), activeIndex(s.Labels)
	s.Trackers, s.Labels = slices.Clone(s.Trackers), slices.Clone(s.Labels)
	for i := range s.Trackers {
		s.Trackers[i].Active = 0
	}
	for i := range s.Labels {
		s.Labels[i].Active = 0
	}
	for _, h := range s.moving.hashes {
		st, known := r.static[h]
		if !known {
			continue
		}
		if i, ok := trackers[st.domain]; ok {
			s.Trackers[i].Active++
		}
		if i, ok := labels[st.label]; ok {
			s.Labels[i].Active++
		}
	}
}

// activeIndex maps group names to their index in list.
func activeIndex(list []GroupCounts) map[string]int {
	m := make(map[string]int, len(list))
	for i := range list {
		m[list[i].Name] = i
	}
	return m
}
