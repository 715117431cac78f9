package fleet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// Row fields, by the catalogue identifier (type-type_instance) they come
// from.
const (
	fUp = iota
	fDown
	fItems
	fActive
	fMessages
	nFields
)

var rtFields = map[string]int{
	key(catalogue.UpRate.Type, catalogue.UpRate.TypeInstance):               fUp,
	key(catalogue.DownRate.Type, catalogue.DownRate.TypeInstance):           fDown,
	key(catalogue.ItemsTotal.Type, catalogue.ItemsTotal.TypeInstance):       fItems,
	key(catalogue.ItemsActive.Type, catalogue.ItemsActive.TypeInstance):     fActive,
	key(catalogue.ItemsMessages.Type, catalogue.ItemsMessages.TypeInstance): fMessages,
}

func key(typ, ti string) string { return typ + "-" + ti }

// hostAcc gathers one host's identifiers during a refresh.
type hostAcc struct {
	name    string
	listed  bool // in collectd's LISTVAL
	newest  time.Time
	probe   unixsock.Entry // one of its values, to learn its interval
	inst    map[string]*[nFields]unixsock.Identifier
	instSet map[string]*[nFields]bool
	df      []unixsock.Identifier // df_complex-free, -used, -reserved
	// clock is a value that says its own time: collectd's uptime/uptime
	// (or an rTorrent instance's uptime) is seconds since a fixed start,
	// so start + value is when it was sampled (see seenHosts).
	clock     unixsock.Identifier
	clockTime time.Time // its time in the LISTVAL used
}

type read struct {
	id   unixsock.Identifier
	vals []float64
}

// build takes one table. Errors end up in Table.Error; build itself
// never fails.
func (p *Poller) build(ctx context.Context) *Table {
	start := time.Now()
	t := &Table{Time: float64(start.UnixMilli()) / 1000, Source: "collectd", Rows: []Row{}}
	if p.cfg.RRDCached != nil {
		st := p.cfg.RRDCached.Status()
		t.Archive = &st
	}
	hosts := map[string]*hostAcc{}
	refused := map[string]bool{}
	acc := func(name string) *hostAcc {
		h := hosts[name]
		if h == nil {
			h = &hostAcc{name: name, inst: map[string]*[nFields]unixsock.Identifier{}, instSet: map[string]*[nFields]bool{}}
			hosts[name] = h
		}
		return h
	}

	c, err := p.sock.Get(ctx)
	var entries []unixsock.Entry
	if err == nil {
		entries, err = p.listVal(ctx, c, start, t)
	}
	if err != nil {
		t.Source, t.Error = "datadir", fmt.Sprintf("collectd unixsock %s unreadable (%v): hosts listed from the data directory, all stale", p.cfg.Socket, err)
	}
	t.Refresh.Values = len(entries)
	for _, e := range entries {
		id := e.ID
		if id.Host == FleetHost {
			continue
		}
		if len(id.Host) > MaxNameLen || len(id.PluginInstance) > MaxNameLen {
			refused[id.Host+"/"+id.PluginInstance] = true
			continue
		}
		h := acc(id.Host)
		h.listed = true
		if e.Time.After(h.newest) {
			h.newest = e.Time
		}
		if h.probe.ID == (unixsock.Identifier{}) {
			h.probe = e
		}
		switch {
		case id.Plugin == catalogue.Plugin:
			f, ok := rtFields[key(id.Type, id.TypeInstance)]
			if !ok {
				continue
			}
			ids := h.inst[id.PluginInstance]
			if ids == nil {
				ids, h.instSet[id.PluginInstance] = &[nFields]unixsock.Identifier{}, &[nFields]bool{}
				h.inst[id.PluginInstance] = ids
			}
			ids[f], h.instSet[id.PluginInstance][f] = id, true
		case id.Plugin == "df" && id.Type == "df_complex" && (id.TypeInstance == "free" || id.TypeInstance == "used" || id.TypeInstance == "reserved"):
			h.df = append(h.df, id)
		}
		if id.Type == "uptime" && id.TypeInstance == "" && (id.Plugin == "uptime" || (id.Plugin == catalogue.Plugin && h.clock.Plugin != "uptime")) {
			if h.clock == (unixsock.Identifier{}) || id.Plugin == "uptime" {
				h.clock, h.clockTime = id, e.Time
			}
		}
	}
	if p.cfg.Store != nil {
		if ix, err := p.cfg.Store.Get(ctx); err == nil {
			for _, dh := range ix.Hosts {
				if dh.Name == FleetHost {
					t.FleetGraphs = true
					continue
				}
				if len(dh.Name) > MaxNameLen {
					refused[dh.Name] = true
					continue
				}
				if hosts[dh.Name] != nil {
					continue
				}
				h := acc(dh.Name)
				for _, pd := range dh.Plugins {
					for _, f := range pd.Files {
						if f.ModTime.After(h.newest) {
							h.newest = f.ModTime
						}
					}
				}
			}
		} else if t.Error == "" {
			t.Error = fmt.Sprintf("data directory: %v", err)
		}
	}
	t.Refused = len(refused)

	names := make([]string, 0, len(hosts))
	for n := range hosts {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) > MaxHosts {
		t.HostsOmitted = len(names) - MaxHosts
		names = names[:MaxHosts]
	}

	// What to read: the wanted values of the listed hosts.
	var ids []unixsock.Identifier
	for _, n := range names {
		h := hosts[n]
		if !h.listed {
			continue
		}
		for inst, set := range h.instSet {
			for f, ok := range set {
				if ok {
					ids = append(ids, h.inst[inst][f])
				}
			}
		}
		ids = append(ids, h.df...)
		if h.clock != (unixsock.Identifier{}) {
			ids = append(ids, h.clock)
		}
	}
	vals, trips, rerr := p.read(ctx, c, ids)
	t.Refresh.RoundTrips += trips
	t.Refresh.Read = len(ids)
	if rerr != nil && t.Error == "" {
		t.Error = fmt.Sprintf("reading values from collectd: %v", rerr)
	}

	// A host whose every value collectd no longer has (dropped from its
	// cache since the LISTVAL this refresh used) has stopped sending.
	if rerr == nil {
		for _, n := range names {
			h := hosts[n]
			if !h.listed {
				continue
			}
			asked, got := 0, 0
			for inst, set := range h.instSet {
				for f, ok := range set {
					if ok {
						asked++
						if _, ok := vals[h.inst[inst][f]]; ok {
							got++
						}
					}
				}
			}
			for _, id := range h.df {
				asked++
				if _, ok := vals[id]; ok {
					got++
				}
			}
			if asked > 0 && got == 0 {
				h.listed = false
			}
		}
	}
	now := time.Now()
	seen := p.seen.update(names, hosts, vals, t.Refresh.ListVal, now)
	ps := p.readProblems(t, now)
	for _, n := range names {
		from := len(t.Rows)
		p.rows(t, hosts[n], vals, seen[n], now)
		for i := from; i < len(t.Rows); i++ {
			ps.apply(&t.Rows[i])
		}
	}
	t.Refresh.Seconds = time.Since(start).Seconds()
	return t
}

// read returns the values of ids by identifier, GETVAL by GETVAL or in
// batches.
func (p *Poller) read(ctx context.Context, c *unixsock.Client, ids []unixsock.Identifier) (map[unixsock.Identifier][]float64, int, error) {
	out := make(map[unixsock.Identifier][]float64, len(ids))
	if c == nil || len(ids) == 0 {
		return out, 0, nil
	}
	trips := 0
	store := func(id unixsock.Identifier, vs []unixsock.Value) {
		f := make([]float64, len(vs))
		for i, v := range vs {
			f[i] = v.Value
		}
		out[id] = f
	}
	if p.cfg.PerValue {
		for _, id := range ids {
			vs, err := c.GetVal(ctx, id)
			trips++
			var se *unixsock.ServerError
			if errors.As(err, &se) {
				continue
			}
			if err != nil {
				return out, trips, err
			}
			store(id, vs)
		}
		return out, trips, nil
	}
	for len(ids) > 0 {
		n := min(len(ids), unixsock.MaxBatch)
		vals, _, err := c.GetValBatch(ctx, ids[:n])
		trips++
		if err != nil {
			return out, trips, err
		}
		for i, vs := range vals {
			if vs != nil {
				store(ids[i], vs)
			}
		}
		ids = ids[n:]
	}
	return out, trips, nil
}

// rows appends the host's rows to t and adds them to the totals.
func (p *Poller) rows(t *Table, h *hostAcc, vals map[unixsock.Identifier][]float64, st hostState, now time.Time) {
	if st.sample.After(h.newest) {
		h.newest = st.sample
	}
	age := -1.0
	if !h.newest.IsZero() {
		age = math.Max(0, now.Sub(h.newest).Seconds())
	}
	stale := !h.listed || age > 2*st.interval.Seconds()
	var free, total *float64
	for _, id := range h.df {
		v := first(vals[id])
		if v == nil {
			continue
		}
		if total == nil {
			total = new(float64)
		}
		*total += *v
		if id.TypeInstance == "free" {
			if free == nil {
				free = new(float64)
			}
			*free += *v
		}
	}
	t.Totals.Hosts++
	if stale {
		t.Totals.HostsStale++
	} else if free != nil {
		t.Totals.DiskFree += *free
	}
	insts := make([]string, 0, len(h.inst))
	for n := range h.inst {
		insts = append(insts, n)
	}
	sort.Strings(insts)
	if len(insts) > MaxInstances {
		t.InstancesOmitted += len(insts) - MaxInstances
		insts = insts[:MaxInstances]
	}
	base := Row{Host: h.name, DiskFree: free, DiskTotal: total, Age: math.Round(age*10) / 10, Stale: stale, Interval: st.interval.Seconds()}
	if len(insts) == 0 {
		t.Rows = append(t.Rows, base)
		return
	}
	for _, in := range insts {
		r := base
		r.Instance = in
		ids, set := h.inst[in], h.instSet[in]
		get := func(f int) *float64 {
			if !set[f] {
				return nil
			}
			return first(vals[ids[f]])
		}
		r.Up, r.Down, r.Items, r.Active, r.Messages = get(fUp), get(fDown), get(fItems), get(fActive), get(fMessages)
		t.Totals.Instances++
		if !stale {
			for _, x := range []struct {
				v   *float64
				sum *float64
			}{{r.Up, &t.Totals.Up}, {r.Down, &t.Totals.Down}, {r.Items, &t.Totals.Items}, {r.Active, &t.Totals.Active}, {r.Messages, &t.Totals.Messages}} {
				if x.v != nil {
					*x.sum += *x.v
				}
			}
		}
		t.Rows = append(t.Rows, r)
	}
}

func first(v []float64) *float64 {
	if len(v) == 0 || math.IsNaN(v[0]) || math.IsInf(v[0], 0) {
		return nil
	}
	x := v[0]
	return &x
}

// listVal returns collectd's LISTVAL, sent again only once the previous
// one is older than listEvery: LISTVAL names every value of every host
// (some 10^5 lines at a thousand hosts) and is most of what a refresh
// costs collectd, while the GETVALs of the table's few values per host
// are cheap. A LISTVAL at least every half of the shortest host interval
// keeps ages exact enough that a live host is never taken for stale.
func (p *Poller) listVal(ctx context.Context, c *unixsock.Client, now time.Time, t *Table) ([]unixsock.Entry, error) {
	if p.list != nil && now.Sub(p.listAt) < p.listEvery() {
		t.Refresh.ListAge = now.Sub(p.listAt).Seconds()
		return p.list, nil
	}
	entries, err := c.ListVal(ctx)
	t.Refresh.RoundTrips++
	if err != nil {
		p.list = nil
		return nil, err
	}
	p.list, p.listAt = entries, now
	t.Refresh.ListVal = true
	return entries, nil
}

// listEvery is Config.ListEvery; 30 s when every host has a clock (see
// seenHosts); otherwise half the shortest interval of the hosts seen (5 s
// for collectd's default of 10 s), at least Config.Interval: then ages
// come from LISTVAL alone, and a fresher one keeps a live host from
// looking stale.
func (p *Poller) listEvery() time.Duration {
	if p.cfg.ListEvery > 0 {
		return p.cfg.ListEvery
	}
	iv := p.seen.minInterval()
	if p.seen.allClocked() {
		// Every host's values say their own time: LISTVAL is needed
		// only to find new hosts and instances, which show up within
		// three intervals (30 s at collectd's 10 s).
		return min(max(3*iv, p.cfg.Interval), maxListEvery)
	}
	return min(max(iv/2, p.cfg.Interval), maxListEvery)
}

// maxListEvery is the longest LISTVAL is reused.
const maxListEvery = 30 * time.Second

// period is the time between two refreshes: half the shortest host
// interval (no host's values change faster), at least Config.Interval.
func (p *Poller) period() time.Duration {
	return max(p.seen.minInterval()/2, p.cfg.Interval)
}
