package reader

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Per-tracker and per-label byte volumes, exact to rTorrent's own per-item
// counters. Rates sampled at each scan cannot give a volume: traffic that
// changes between two scans is lost or counted twice. rTorrent counts every
// item's bytes itself (d.up.total, d.down.total, read by every scan with
// the short fields), so each scan adds, per group, what each item it read
// moved since the reader last read that item. The delta scan reads only
// busy items, which is enough: an idle item's totals do not change.
//
// The rules, each tested in volume_test.go:
//   - the first scan is a baseline: bytes moved before the plugin started
//     are not counted;
//   - an item first seen later counts from 0 (it was inserted since: all
//     its bytes are new);
//   - an item stopped, or relabelled, keeps its totals: the next scan that
//     reads it counts what it moved, nothing is lost or counted twice. The
//     bytes go to the group the item is in as of that scan (its label as
//     last re-read, every MaxScanInterval);
//   - an rTorrent restart (system.pid changes) forces a full scan that
//     takes a new baseline: a restarted rTorrent restores each item's
//     totals from its session, which is not new traffic;
//   - a total that falls (a counter rTorrent reset) counts nothing and is
//     the item's new base: a counter never goes backwards.
//
// The one hole: an item erased between two scans takes with it the bytes
// it moved after the last scan that read it. Idle items lose nothing; a
// busy item is read by every scan (full or delta), so the loss is at most
// its rate times the scan gap (30 s at the default settings up to
// 10,000 items, the load budget's gap above). The same holds for the
// bytes moved between the last scan before an rTorrent restart and the
// restart, and between the restart and the first read after it.
// docs/metrics.md says so; docs/PERFORMANCE.md says why the global
// throttle totals cannot close it.

// maxIdleGroups bounds the accumulators kept for groups that have no item
// at the latest full scan. They are kept so a label that empties and fills
// again continues its counter instead of starting it over; past this many,
// they are dropped (plugin/dispatch keeps the dispatched counter rising
// anyway).
const maxIdleGroups = 1024

// byteCount is one group's volume since the reader started.
type byteCount struct{ up, down int64 }

// moved is what one item moved between two scans that read it.
type moved struct {
	hash     string
	up, down int64
}

// volumes is the reader's per-group accounting. Its only per-item memory
// is the two totals in each known item (delta.go): 16 bytes an item.
type volumes struct {
	based bool // a baseline was taken
	// rebase: rTorrent restarted; the next scan is full and takes a new
	// baseline.
	rebase bool
	// unsure: the latest full scan skipped malformed rows, whose items
	// then left the picture. At the next full scan an item new to the
	// picture may be one of them, with its whole lifetime in its totals:
	// it is taken as a baseline, never counted twice.
	unsure bool
	// pending holds what items moved, until their group is known (static
	// data fetched after the scan, or on a later scan if that fetch fails).
	pending          []moved
	trackers, labels map[string]*byteCount
}

// fullScan diffs a full scan's items against the picture before it
// (old, not yet replaced). bad is the number of rows the scan skipped.
func (v *volumes) fullScan(old *known, items []item, bad int) {
	baseline := !v.based || v.rebase
	unsure := v.unsure
	v.based, v.rebase, v.unsure = true, false, bad > 0
	if baseline {
		return
	}
	for i := range items {
		it := &items[i]
		if j, ok := old.idx[it.hash]; ok {
			v.diff(&old.list[j], it)
		} else if !unsure {
			v.diff(&item{}, it)
		}
	}
}

// row diffs one item read by a delta scan (or a re-read of an item gone
// quiet) against its last reading; old is nil when the picture lacks it.
func (v *volumes) row(old *item, it *item) {
	switch {
	case !v.based || v.rebase:
		// Never reached: a restart and the first scan force a full scan.
	case old != nil:
		v.diff(old, it)
	case !v.unsure:
		// Inserted and another item erased between two reads, so the
		// view sizes did not change: new, counted from 0.
		v.diff(&item{}, it)
	}
}

// diff records what an item moved between two readings. A total below the
// last reading moved nothing: the counter was reset.
func (v *volumes) diff(old, cur *item) {
	up := max(cur.upTotal-old.upTotal, 0)
	down := max(cur.downTotal-old.downTotal, 0)
	if up == 0 && down == 0 {
		return
	}
	v.pending = append(v.pending, moved{cur.hash, up, down})
}

// attributeVolumes adds the pending moves to their groups. An item whose
// static data is not cached yet stays pending while it is in the picture;
// one that left before its group was ever known is dropped. r.known and
// r.static are as the current scan left them.
func (r *Reader) attributeVolumes() {
	v := &r.vol
	if v.trackers == nil {
		v.trackers, v.labels = map[string]*byteCount{}, map[string]*byteCount{}
	}
	keep := v.pending[:0]
	for _, m := range v.pending {
		st, ok := r.static[m.hash]
		if !ok {
			if _, inPicture := r.known.idx[m.hash]; inPicture {
				keep = append(keep, m)
			}
			continue
		}
		if r.opt.PerTracker {
			add(v.trackers, st.domain, m)
		}
		if r.opt.PerLabel {
			add(v.labels, st.label, m)
		}
	}
	v.pending = keep
	v.compact(&r.known)
}

func add(groups map[string]*byteCount, name string, m moved) {
	c := groups[name]
	if c == nil {
		c = &byteCount{}
		groups[name] = c
	}
	c.up, c.down = satAdd(c.up, m.up), satAdd(c.down, m.down)
}

// satAdd adds two byte counts that are never negative, stopping at the
// largest int64 instead of wrapping: a hostile rTorrent can report
// totals near 2^63, and a counter that wraps would fall.
func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// compact bounds the pending moves, which grow while scans fail before
// attributing them: past twice the picture's size (and a little), they are
// merged by hash, and moves of items no longer in the picture, whose group
// will never be known, are dropped. So pending never holds more moves than
// that bound.
func (v *volumes) compact(k *known) {
	if len(v.pending) <= 2*len(k.list)+64 {
		return
	}
	at := make(map[string]int, len(k.list))
	out := v.pending[:0]
	for _, m := range v.pending {
		if i, ok := at[m.hash]; ok {
			out[i].up, out[i].down = satAdd(out[i].up, m.up), satAdd(out[i].down, m.down)
			continue
		}
		if _, inPicture := k.idx[m.hash]; !inPicture {
			continue
		}
		at[m.hash] = len(out)
		out = append(out, m)
	}
	v.pending = out
}

// fillVolumes copies each current group's volume into its counts, and
// drops the accumulators of empty groups once there are more than
// maxIdleGroups of them.
func fillVolumes(groups map[string]*byteCount, counts []GroupCounts) {
	for i := range counts {
		if c := groups[counts[i].Name]; c != nil {
			counts[i].UpBytes, counts[i].DownBytes = c.up, c.down
		}
	}
	if len(groups) <= len(counts)+maxIdleGroups {
		return
	}
	current := make(map[string]bool, len(counts))
	for i := range counts {
		current[counts[i].Name] = true
	}
	for name := range groups {
		if !current[name] {
			delete(groups, name)
		}
	}
}

// ErasedLogMethod is the string variable an optional rc snippet keeps of
// the items erased, as "<hash> <d.up.total> <d.down.total>;" each, written
// by rTorrent itself in event.download.erased (checked on rTorrent 0.9.8):
//
//	method.insert = rtmon.erased_log, string, ""
//	method.set_key = event.download.erased, rtmon_volume, "rtmon.erased_log.set=(cat,(rtmon.erased_log),(d.hash),\" \",(d.up.total),\" \",(d.down.total),\";\")"
//
// Read and set to "" in the same system.multicall, which rTorrent runs
// under its lock, it loses no erase and shows none twice; handed to
// noteErased before the read's scan, it closes the volumes' one hole
// (erasedlog.go). dist/rtorrent/rtmon-events.rc carries these two lines.
const ErasedLogMethod = "rtmon.erased_log"

// noteErased counts, from the erase log (ErasedLogMethod), what each item
// erased since the last read moved after the scan that read it last, and
// adds it to the item's groups at once, before the next scan drops the
// item and its cached group. An item no scan read has no known group and
// is skipped, as are entries before the first scan or after a restart.
// The log holds at most one entry per item the reader knows (an item is
// erased once); entries past that bound and malformed ones are skipped
// with one sub-error.
func (r *Reader) noteErased(log string) {
	if !r.vol.based || r.vol.rebase || log == "" {
		return
	}
	bad, used := 0, 0
	var first string
	for _, e := range strings.Split(log, ";") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		f := strings.Fields(e)
		var up, down int64
		var err1, err2 error
		if len(f) == 3 {
			up, err1 = strconv.ParseInt(f[1], 10, 64)
			down, err2 = strconv.ParseInt(f[2], 10, 64)
		}
		if len(f) != 3 || !isHash(f[0]) || err1 != nil || err2 != nil || up < 0 || down < 0 || used >= len(r.known.list) {
			if bad++; first == "" {
				first = e[:min(len(e), 80)]
			}
			continue
		}
		used++
		old := r.known.get(strings.ToUpper(f[0]))
		if old == nil {
			continue
		}
		r.vol.diff(old, &item{hash: old.hash, upTotal: up, downTotal: down})
		// This is now the item's last reading: should a scan still see
		// it, nothing is counted twice.
		old.upTotal, old.downTotal = max(old.upTotal, up), max(old.downTotal, down)
	}
	if bad > 0 {
		r.noteSubError(fmt.Errorf("rtorrent %q: %s: %d entries malformed or past one per known item, skipped (first: %q)", r.client.Name(), ErasedLogMethod, bad, first))
	}
	r.attributeVolumes()
}
