package reader

import (
	"context"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// The delta scan. A full scan (d.multicall2 over "main") makes rTorrent
// evaluate and encode every field of every item: about 110 ms of its CPU
// and 4.3 MB of XML for 10,000 items, measured in bench/readcost. Yet on a
// seedbox almost every item is idle, and an idle item's short fields do
// not change: no rates, no peers, left bytes and ratio fixed. So between
// full scans the reader asks rTorrent only for the started items that are
// busy, filtered inside rTorrent (d.multicall.filtered over "started"),
// and re-reads by hash the few that were busy last time and went quiet.
// rTorrent walks only the "started" view, and the reply holds only the
// busy rows.
//
// A full scan still runs when the delta could be wrong: on the first
// scan, when forced, when a delta scan lost track of an item, when the
// fast tier's view sizes show items inserted,
// erased, started or stopped, or hash checks beginning or ending, and at
// least every MaxScanInterval (which also refreshes the tracker messages of
// idle items).

// activeFilter selects the items whose short fields may change before the
// next scan (rTorrent's own command syntax, evaluated per item).
const activeFilter = "or={d.up.rate=,d.down.rate=,d.peers_connected=,d.is_hash_checking=}"

// refreshBatch is the number of hashes re-read per system.multicall: one
// sub-call of about 1.3 KB per hash (14 fields) keeps a batch near 52 KB, far below
// rTorrent 0.9.8's 512 KiB request cap.
const refreshBatch = 40

// known is the reader's merged picture of every item: the last full scan,
// updated by the delta scans since.
type known struct {
	list      []item
	idx       map[string]int  // hash -> index in list
	busy      map[string]bool // hashes busy as of the latest scan
	fullAt    time.Time       // when the last full scan ran; zero before
	hashing   int64           // view.size hashing at the latest scan
	hashingOK bool
	stale     bool // a delta scan lost track of an item: the next scan is full
}

func (k *known) reset(items []item, at time.Time) {
	k.list = items
	k.idx = make(map[string]int, len(items))
	k.busy = map[string]bool{}
	for i := range items {
		k.idx[items[i].hash] = i
		if items[i].busy() {
			k.busy[items[i].hash] = true
		}
	}
	k.fullAt = at
	k.stale = false
}

// get returns the item with hash h, or nil.
func (k *known) get(h string) *item {
	if i, ok := k.idx[h]; ok {
		return &k.list[i]
	}
	return nil
}

// mergeFull makes a full scan's items (bad rows skipped) the picture,
// counting what each moved since the picture's reading (volume.go).
func (r *Reader) mergeFull(items []item, bad int, at time.Time) {
	r.vol.fullScan(&r.known, items, bad)
	r.known.reset(items, at)
	r.vol.compact(&r.known)
}

// mergeRow puts one item read by a delta scan into the picture, counting
// what it moved since the picture's reading.
func (r *Reader) mergeRow(it item) {
	r.vol.row(r.known.get(it.hash), &it)
	r.known.put(it)
	r.vol.compact(&r.known)
}

// put replaces or adds one item.
func (k *known) put(it item) {
	if i, ok := k.idx[it.hash]; ok {
		k.list[i] = it
		return
	}
	k.idx[it.hash] = len(k.list)
	k.list = append(k.list, it)
}

func (k *known) count(match func(*item) bool) int64 {
	n := int64(0)
	for i := range k.list {
		if match(&k.list[i]) {
			n++
		}
	}
	return n
}

// needFull says whether the next scan must read every item, judged from
// the fast tier just read.
func (r *Reader) needFull(s *Snapshot, now time.Time) bool {
	k := &r.known
	switch {
	case !r.plan.delta, k.fullAt.IsZero(), k.stale:
		return true
	case r.vol.rebase:
		return true // rTorrent restarted: the volumes take a new baseline
	case now.Sub(k.fullAt) >= r.opt.MaxScanInterval:
		return true
	case s.Items.Total != int64(len(k.list)), s.Items.Started != k.count(func(it *item) bool { return it.state }):
		return true // items inserted, erased, started or stopped
	case s.Items.Complete != k.count(func(it *item) bool { return it.complete }):
		return true // a download finished (rTorrent re-hashes it then)
	case k.hashingOK && s.Items.Hashing != k.hashing:
		return true // a hash check began or ended: left bytes may have moved
	}
	return false
}

// scanDelta reads the busy started items and re-reads those that were busy
// and went quiet, and merges both into r.known.
func (r *Reader) scanDelta(ctx context.Context) error {
	rows, _, err := r.scanRows(ctx, "d.multicall.filtered", "", "started", activeFilter)
	if err != nil {
		return err
	}
	k := &r.known
	busy := make(map[string]bool, len(rows))
	for _, it := range rows {
		r.mergeRow(it)
		busy[it.hash] = true
	}
	var quiet []string
	for h := range k.busy {
		if !busy[h] {
			quiet = append(quiet, h)
		}
	}
	if err := r.refreshItems(ctx, quiet); err != nil {
		return err
	}
	k.busy = busy
	return nil
}

// refreshItems re-reads the short fields of items that were busy and
// went quiet. rTorrent 0.9.8 finds an item named by its hash with a linear
// search of every item: a by-hash call took 10 ms at 50,000 items
// (bench/readcost, baseline a), and 12 of them per item would add up to
// seconds. Instead each hash is one d.multicall.filtered over "started"
// picking that hash, which walks only the started items; all of them go
// in one system.multicall per batch. An item not found among the started
// ones was stopped or erased: it is marked idle and the next scan is full.
func (r *Reader) refreshItems(ctx context.Context, hashes []string) error {
	for start := 0; start < len(hashes); start += refreshBatch {
		batch := hashes[start:min(start+refreshBatch, len(hashes))]
		calls := make([]rtorrent.Method, 0, len(batch))
		for _, h := range batch {
			if !isHash(h) {
				continue // not from rTorrent's own d.hash: never put in a filter
			}
			args := make([]any, 0, len(scanFields)+3)
			args = append(args, "", "started", "equal={d.hash=,cat="+h+"}")
			for _, f := range scanFields {
				args = append(args, f)
			}
			calls = append(calls, rtorrent.Method{Name: "d.multicall.filtered", Args: args})
		}
		if len(calls) == 0 {
			continue
		}
		results, err := r.client.Multicall(ctx, calls)
		if err != nil {
			return err
		}
		for i, res := range results {
			h := calls[i].Args[2].(string)
			h = h[len("equal={d.hash=,cat=") : len(h)-1]
			rows, _ := res.Value.([]any)
			var it item
			ok := false
			if res.Err == nil && len(rows) == 1 {
				if f, isRow := rows[0].([]any); isRow && len(f) == len(scanFields) {
					it, ok = decodeItem(f)
					ok = ok && it.hash == h
				}
			}
			if !ok {
				if res.Err != nil {
					r.noteSubError(res.Err)
				}
				if j, known := r.known.idx[h]; known {
					old := &r.known.list[j]
					old.upRate, old.downRate, old.skipRate = 0, 0, 0
					old.peers, old.seeds, old.accounted = 0, 0, 0
				}
				r.known.stale = true
				continue
			}
			r.mergeRow(it)
		}
	}
	return nil
}

// isHash reports whether h looks like rTorrent's d.hash: 40 hex digits.
func isHash(h string) bool {
	if len(h) != 40 {
		return false
	}
	for _, c := range h {
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
