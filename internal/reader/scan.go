package reader

import (
	"context"
	"fmt"
	"time"
)

// scanFields are the short per-item fields read by every scan, in order.
// Static fields (size, files, label, trackers) are not here: they are
// cached per hash (static.go).
var scanFields = []string{
	"d.hash=", "d.state=", "d.complete=", "d.up.rate=", "d.down.rate=",
	"d.skip.rate=", "d.left_bytes=", "d.message=", "d.ratio=",
	"d.peers_connected=", "d.peers_complete=", "d.peers_accounted=",
	"d.up.total=", "d.down.total=",
}

// item is one row of a scan. The flags sit together so the struct stays
// 104 bytes: the reader holds one per item (50,000 on a big seedbox).
type item struct {
	hash                       string
	upRate, downRate, skipRate int64
	left, ratio                int64
	peers, seeds, accounted    int64
	// upTotal and downTotal are rTorrent's own byte counters of the item
	// (d.up.total, d.down.total): the per-group volumes (volume.go) add
	// their increases between scans.
	upTotal, downTotal       int64
	state, complete, message bool
}

func (it *item) active() bool { return it.upRate > 0 || it.downRate > 0 }

// busy says whether the delta scan's filter (activeFilter) selects the
// item: its short fields may change before the next scan.
func (it *item) busy() bool { return it.active() || it.peers > 0 }

// scanItems runs one d.multicall2 over "main" and decodes its rows: the
// full scan.
// bad is the number of malformed rows skipped.
func (r *Reader) scanItems(ctx context.Context) (items []item, bad int, err error) {
	return r.scanRows(ctx, "d.multicall2", "", "main")
}

// scanRows calls a d.multicall2-shaped command (d.multicall2 or
// d.multicall.filtered) with lead as its first arguments and scanFields
// after them, and decodes the rows; bad is the number of malformed rows
// skipped.
func (r *Reader) scanRows(ctx context.Context, method string, lead ...any) ([]item, int, error) {
	args := make([]any, 0, len(scanFields)+len(lead))
	args = append(args, lead...)
	for _, f := range scanFields {
		args = append(args, f)
	}
	v, err := r.client.Call(ctx, method, args...)
	if err != nil {
		return nil, 0, err
	}
	rows, ok := v.([]any)
	if !ok {
		return nil, 0, fmt.Errorf("rtorrent %q: %s returned %T, want an array", r.client.Name(), method, v)
	}
	items := make([]item, 0, len(rows))
	bad := 0
	var first error
	for i, row := range rows {
		f, ok := row.([]any)
		var err error
		var it item
		if !ok || len(f) != len(scanFields) {
			err = fmt.Errorf("row %d: %s, want %d fields", i, describeValue(row), len(scanFields))
		} else if it, err = parseItem(f); err != nil {
			err = fmt.Errorf("row %d: %w", i, err)
		}
		if err != nil {
			bad++
			if first == nil {
				first = err
			}
			continue
		}
		items = append(items, it)
	}
	if bad > 0 {
		r.noteSubError(fmt.Errorf("rtorrent %q: %s: %d of %d rows malformed, skipped (first: %v)", r.client.Name(), method, bad, len(rows), first))
	}
	return items, bad, nil
}

// decodeItem reads one row of scanFields values; ok is false when a field
// is missing or of the wrong type.
func decodeItem(f []any) (item, bool) {
	it, err := parseItem(f)
	return it, err == nil
}

// parseItem reads one row of scanFields values. A field of the wrong type
// fails the row, naming the field, rather than being read as a zero that
// would pass for a measurement.
func parseItem(f []any) (item, error) {
	hash, ok := asString(f[0])
	if !ok || hash == "" {
		return item{}, fmt.Errorf("%s is %s, want a hash", scanFields[0], describeValue(f[0]))
	}
	n := make([]int64, len(f))
	for i, v := range f {
		if i == 0 || i == 7 {
			continue
		}
		x, ok := asInt(v)
		if !ok {
			return item{}, fmt.Errorf("%s is %s, want an integer", scanFields[i], describeValue(v))
		}
		n[i] = x
	}
	msg, ok := asString(f[7])
	if !ok {
		return item{}, fmt.Errorf("%s is %s, want a string", scanFields[7], describeValue(f[7]))
	}
	return item{
		hash: hash, state: n[1] != 0, complete: n[2] != 0,
		upRate: n[3], downRate: n[4], skipRate: n[5], left: n[6],
		message: msg != "", ratio: n[8],
		peers: n[9], seeds: n[10], accounted: n[11],
		upTotal: n[12], downTotal: n[13],
	}, nil
}

// scanResult is everything computed from one scan; it stays in the
// snapshots until the next scan replaces it.
type scanResult struct {
	at               time.Time
	duration         time.Duration
	replyBytes       int64
	items            int
	newHashes        int
	full             bool
	active, messages int64
	skipRate         int64
	sizes            Sizes
	ratios           RatioBuckets
	peers            Peers
	trackers, labels []GroupCounts
}

// summarize folds scanned items and their cached static data into totals.
func (r *Reader) summarize(items []item) *scanResult {
	res := &scanResult{items: len(items)}
	var trackers, labels *groups
	if r.opt.PerTracker {
		trackers = newGroups()
	}
	if r.opt.PerLabel {
		labels = newGroups()
	}
	for i := range items {
		it := &items[i]
		st := r.static[it.hash]
		if it.active() {
			res.active++
		}
		if it.message {
			res.messages++
		}
		res.skipRate += it.skipRate
		res.sizes.SizeBytes += st.size
		res.sizes.LeftBytes += it.left
		res.sizes.Files += st.files
		res.ratios.add(it.ratio)
		res.peers.Connected += it.peers
		res.peers.Seeds += it.seeds
		res.peers.Accounted += it.accounted
		if trackers != nil {
			trackers.add(st.domain, it, st)
		}
		if labels != nil {
			labels.add(st.label, it, st)
		}
	}
	res.sizes.Completed = res.sizes.SizeBytes - res.sizes.LeftBytes
	if trackers != nil {
		res.trackers = trackers.list()
		fillVolumes(r.vol.trackers, res.trackers)
	}
	if labels != nil {
		res.labels = labels.list()
		fillVolumes(r.vol.labels, res.labels)
	}
	return res
}

func (b *RatioBuckets) add(permille int64) {
	switch {
	case permille < 500:
		b.Below05++
	case permille < 1000:
		b.To1++
	case permille < 2000:
		b.To2++
	case permille < 5000:
		b.To5++
	default:
		b.Above5++
	}
}
