package sensors

import (
	"context"
	"fmt"
	"time"

	"github.com/rtmon/rtmon/plugin/rtorrent"
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
// scan, when forced, when the fast tier's view sizes show items inserted,
// erased, started or stopped, or hash checks beginning or ending, and at
// least every MaxScanInterval (which also refreshes the tracker messages of
// idle items).

// activeFilter selects the items whose short fields may change before the
// next scan (rTorrent's own command syntax, evaluated per item).
const activeFilter = "or={d.up.rate=,d.down.rate=,d.peers_connected=,d.is_hash_checking=}"

// refreshBatch is the number of hashes re-read per system.multicall: 12
// sub-calls of about 120 bytes each per hash keep a batch near 60 KB,
// far below rTorrent 0.9.8's 512 KiB request cap.
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

// drop removes items by hash, keeping the order of the rest.
func (k *known) drop(gone map[string]bool) {
	if len(gone) == 0 {
		return
	}
	out := k.list[:0]
	for _, it := range k.list {
		if !gone[it.hash] {
			out = append(out, it)
		}
	}
	k.list = out
	k.idx = make(map[string]int, len(out))
	for i := range out {
		k.idx[out[i].hash] = i
	}
}

func (k *known) started() int64 {
	n := int64(0)
	for i := range k.list {
		if k.list[i].state {
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
	case !r.plan.delta, k.fullAt.IsZero():
		return true
	case now.Sub(k.fullAt) >= r.opt.MaxScanInterval:
		return true
	case s.Items.Total != int64(len(k.list)), s.Items.Started != k.started():
		return true // items inserted, erased, started or stopped
	case k.hashingOK && s.Items.Hashing != k.hashing:
		return true // a hash check began or ended: left bytes may have moved
	}
	return false
}

// scanDelta reads the busy started items and re-reads those that were busy
// and went quiet, and merges both into r.known.
func (r *Reader) scanDelta(ctx context.Context) error {
	rows, err := r.scanRows(ctx, "d.multicall.filtered", "", "started", activeFilter)
	if err != nil {
		return err
	}
	k := &r.known
	busy := make(map[string]bool, len(rows))
	for _, it := range rows {
		k.put(it)
		busy[it.hash] = true
	}
	var quiet []string
	for h := range k.busy {
		if !busy[h] {
			quiet = append(quiet, h)
		}
	}
	gone, err := r.refreshItems(ctx, quiet)
	if err != nil {
		return err
	}
	k.drop(gone)
	k.busy = busy
	return nil
}

// refreshItems re-reads the short fields of hashes one by one (batched in
// system.multicall) and returns the hashes rTorrent no longer has.
func (r *Reader) refreshItems(ctx context.Context, hashes []string) (map[string]bool, error) {
	gone := map[string]bool{}
	for start := 0; start < len(hashes); start += refreshBatch {
		batch := hashes[start:min(start+refreshBatch, len(hashes))]
		calls := make([]rtorrent.Method, 0, len(batch)*len(scanFields))
		for _, h := range batch {
			for _, f := range scanFields {
				calls = append(calls, rtorrent.Method{Name: f[:len(f)-1], Args: []any{h}})
			}
		}
		results, err := r.client.Multicall(ctx, calls)
		if err != nil {
			return nil, err
		}
		for i, h := range batch {
			res := results[i*len(scanFields) : (i+1)*len(scanFields)]
			if res[0].Err != nil {
				gone[h] = true // erased since the last scan
				continue
			}
			f := make([]any, len(res))
			for j := range res {
				f[j] = res[j].Value
			}
			it, ok := decodeItem(f)
			if !ok || it.hash != h {
				r.noteSubError(fmt.Errorf("rtorrent %q: item %s: malformed fields, kept its last values", r.client.Name(), h))
				continue
			}
			r.known.put(it)
		}
	}
	return gone, nil
}
