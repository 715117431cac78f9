package reader

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// staticInfo is per-item data that rarely changes, cached per hash so the
// scan can stay short.
type staticInfo struct {
	size, files int64
	label       string
	domain      string
}

// NoTracker names the tracker group of items without a usable tracker URL
// (DHT-only magnets); NoLabel the label group of items without a label.
const (
	NoTracker = "none"
	NoLabel   = "none"
)

// label decodes d.custom1 as ruTorrent writes it (URI-encoded).
func label(raw string) string {
	if raw == "" {
		return NoLabel
	}
	if s, err := url.PathUnescape(raw); err == nil {
		return s
	}
	return raw
}

// Static fetch strategy: for a few new hashes, per-hash calls batched in
// system.multicall; for many (the first scan, a big import), one
// d.multicall2 over main with the static fields, which is cheaper than
// thousands of sub-calls.
const (
	staticBatch = 200 // hashes per system.multicall: 4 sub-calls, ~1 KB each hash, well under the 512 KiB network.xmlrpc.size_limit of Debian's 0.9.8
	// rTorrent 0.9.8 finds a hash by a linear search of every item (a
	// by-hash call took 10 ms at 50,000 items, bench/readcost), so the
	// per-hash fetch costs items x hashes; the full d.multicall2 costs
	// items. Past a few dozen new hashes the full one is cheaper at any
	// size.
	staticFullMinimum = 64 // at least this many new hashes ...
	staticFullShare   = 4  // ... or more than 1/4 of all items: take the full d.multicall2
)

func (r *Reader) staticCalls(hash string) []rtorrent.Method {
	calls := []rtorrent.Method{
		{Name: "d.size_bytes", Args: []any{hash}},
		{Name: "d.size_files", Args: []any{hash}},
		{Name: "d.custom1", Args: []any{hash}},
	}
	if r.opt.PerTracker {
		calls = append(calls, rtorrent.Method{Name: "t.multicall", Args: []any{hash, "", "t.url="}})
	}
	return calls
}

// fetchStatic fills the cache for hashes not seen before and drops hashes
// that left rTorrent. It returns the number fetched.
func (r *Reader) fetchStatic(ctx context.Context, items []item) (int, error) {
	var missing []string
	for i := range items {
		if _, ok := r.static[items[i].hash]; !ok {
			missing = append(missing, items[i].hash)
		}
	}
	// Items are unique: the cache holds hashes that left exactly when it
	// is larger than the items already in it. Only then is a set of the
	// items built (a scan of 50,000 items would otherwise build one each
	// time).
	if len(r.static) > len(items)-len(missing) {
		seen := make(map[string]bool, len(items))
		for i := range items {
			seen[items[i].hash] = true
		}
		for h := range r.static {
			if !seen[h] {
				delete(r.static, h)
			}
		}
	}
	if len(missing) == 0 {
		return 0, nil
	}
	if len(missing) >= staticFullMinimum || len(missing)*staticFullShare > len(items) {
		return len(missing), r.fetchStaticFull(ctx)
	}
	for start := 0; start < len(missing); start += staticBatch {
		end := min(start+staticBatch, len(missing))
		var calls []rtorrent.Method
		for _, h := range missing[start:end] {
			calls = append(calls, r.staticCalls(h)...)
		}
		results, err := r.client.Multicall(ctx, calls)
		if err != nil {
			return 0, err
		}
		per := len(calls) / (end - start)
		unread := 0
		var first error
		for i, h := range missing[start:end] {
			res := results[i*per : (i+1)*per]
			st, err := staticOf(res, calls[i*per:(i+1)*per])
			if err != nil {
				// The item left between scan and fetch (every call
				// faults), or a call is refused or answers nonsense:
				// not cached, so tried again next scan, and not taken
				// for an item of size zero meanwhile.
				if allFailed(res) {
					continue // gone: nothing to say
				}
				unread++
				if first == nil {
					first = err
				}
				continue
			}
			r.static[h] = st
		}
		if unread > 0 {
			r.noteSubError(fmt.Errorf("rtorrent %q: static fields of %d new items unread, tried again next scan (first: %v)", r.client.Name(), unread, first))
		}
	}
	return len(missing), nil
}

func allFailed(res []rtorrent.Result) bool {
	for _, x := range res {
		if x.Err == nil {
			return false
		}
	}
	return true
}

// staticOf reads one hash's static sub-calls (staticCalls).
func staticOf(res []rtorrent.Result, calls []rtorrent.Method) (staticInfo, error) {
	st := staticInfo{domain: NoTracker}
	for i := range res {
		if res[i].Err != nil {
			return st, res[i].Err
		}
	}
	var ok bool
	if st.size, ok = asInt(res[0].Value); !ok {
		return st, fmt.Errorf("%s returned %s, want an integer", calls[0].Name, describeValue(res[0].Value))
	}
	if st.files, ok = asInt(res[1].Value); !ok {
		return st, fmt.Errorf("%s returned %s, want an integer", calls[1].Name, describeValue(res[1].Value))
	}
	l, ok := asString(res[2].Value)
	if !ok {
		return st, fmt.Errorf("%s returned %s, want a string", calls[2].Name, describeValue(res[2].Value))
	}
	st.label = label(l)
	if len(res) > 3 {
		st.domain = domainOfTrackers(res[3].Value)
	}
	return st, nil
}

// labelsDue says whether the cached labels are due a re-read: once every
// MaxScanInterval, with a full scan. Static fields are read once per new
// hash, but ruTorrent relabels items (d.custom1.set), and without a
// re-read a relabelled item would count under its old label until it left
// rTorrent. Trackers are not re-read: ruTorrent changes them by erasing
// and loading the item again, and tracker URLs are most of the static
// reply (a re-read with them cost 1.9x the full scan at 10,000 items,
// bench/readcost).
func (r *Reader) labelsDue(now time.Time) bool {
	return r.opt.PerLabel && now.Sub(r.labelsAt) >= r.opt.MaxScanInterval
}

// fetchLabels re-reads every item's label in one d.multicall2 over main.
// Rows that do not decode, and items not in the cache yet, are left as
// they are.
func (r *Reader) fetchLabels(ctx context.Context) error {
	n, bad, err := r.mainRows(ctx, "labels", []any{"d.hash=", "d.custom1="}, func(f []any) bool {
		h, okH := asString(f[0])
		l, okL := asString(f[1])
		if !okH || !okL {
			return false
		}
		if st, known := r.static[h]; known {
			st.label = label(l)
			r.static[h] = st
		}
		return true
	})
	if err == nil && bad > 0 {
		r.noteSubError(fmt.Errorf("rtorrent %q: d.multicall2 (labels): %d of %d rows malformed, their labels kept", r.client.Name(), bad, n))
	}
	return err
}

// fetchStaticFull reads the static fields of every item in one
// d.multicall2 over main; rows that do not decode keep what the cache had.
func (r *Reader) fetchStaticFull(ctx context.Context) error {
	fields := []any{"d.hash=", "d.size_bytes=", "d.size_files=", "d.custom1="}
	if r.opt.PerTracker {
		// Stock rTorrent has no d.tracker_domain; a t.multicall nested in
		// the d.multicall2 gets every item's tracker URLs in the same trip.
		fields = append(fields, "t.multicall=,t.url=")
	}
	n, bad, err := r.mainRows(ctx, "static fields", fields, func(f []any) bool {
		h, okH := asString(f[0])
		size, okS := asInt(f[1])
		files, okF := asInt(f[2])
		l, okL := asString(f[3])
		if !okH || h == "" || !okS || !okF || !okL {
			return false // not cached: tried again next scan
		}
		st := staticInfo{size: size, files: files, label: label(l), domain: NoTracker}
		if len(f) > 4 {
			st.domain = domainOfTrackers(f[4])
		}
		r.static[h] = st
		return true
	})
	if err == nil && bad > 0 {
		r.noteSubError(fmt.Errorf("rtorrent %q: d.multicall2 (static fields): %d of %d rows malformed, tried again next scan", r.client.Name(), bad, n))
	}
	return err
}

// mainRows runs one d.multicall2 over main reading fields and hands each
// row of the right length to use, which reports whether it decoded. It
// returns the number of rows and of malformed ones (wrong shape, or
// refused by use). what names the call in its error.
func (r *Reader) mainRows(ctx context.Context, what string, fields []any, use func(f []any) bool) (n, bad int, err error) {
	v, err := r.client.Call(ctx, "d.multicall2", append([]any{"", "main"}, fields...)...)
	if err != nil {
		return 0, 0, err
	}
	rows, ok := v.([]any)
	if !ok {
		return 0, 0, fmt.Errorf("rtorrent %q: d.multicall2 (%s) returned %T, want an array", r.client.Name(), what, v)
	}
	for _, row := range rows {
		if f, ok := row.([]any); !ok || len(f) != len(fields) || !use(f) {
			bad++
		}
	}
	return len(rows), bad, nil
}

// domainOfTrackers picks the domain of the first usable tracker URL from a
// t.multicall reply (an array of one-element arrays).
func domainOfTrackers(v any) string {
	rows, _ := v.([]any)
	for _, row := range rows {
		f, _ := row.([]any)
		if len(f) == 0 {
			continue
		}
		if s, ok := f[0].(string); ok {
			if d := TrackerDomain(s); d != "" {
				return d
			}
		}
	}
	return NoTracker
}

// TrackerDomain reduces a tracker URL to the domain operators group by:
// lower-cased host without port, and without a leading "www.", "tracker."
// or "announce." label when a registered name remains. It returns "" for
// URLs without a host (dht://, garbage).
func TrackerDomain(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "" {
		return ""
	}
	if net.ParseIP(host) != nil {
		return host
	}
	for _, p := range []string{"www.", "tracker.", "announce."} {
		if rest, ok := strings.CutPrefix(host, p); ok && strings.Contains(rest, ".") {
			return rest
		}
	}
	return host
}
