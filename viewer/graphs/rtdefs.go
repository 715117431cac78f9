package graphs

import (
	"fmt"
	"strings"

	"github.com/rtmon/rtmon/plugin/metrics"
	"github.com/rtmon/rtmon/viewer/datadir"
)

const rtPlugin = metrics.Plugin

// rtGroup is one rTorrent graph: catalogue IDs ("type[-type_instance]";
// a trailing '*' takes every catalogue ID with that prefix) drawn together.
type rtGroup struct {
	name, title, unit string
	ids               []string
	base1024          bool
	scale             float64
	trim              string // prefix cut from legends
}

// rtGroups cover every non-group metric of the catalogue exactly once (a
// test checks it), so whatever the plugin writes has a graph.
var rtGroups = []rtGroup{
	{name: "traffic", title: "Transfer rates", unit: "bytes/s", ids: []string{"rtorrent_rate-up", "rtorrent_rate-down", "rtorrent_rate-up_limit", "rtorrent_rate-down_limit", "rtorrent_rate-skip"}},
	{name: "items", title: "Items", unit: "items", ids: []string{"count-items_*"}, trim: "items_"},
	{name: "sizes", title: "Sizes", unit: "bytes", ids: []string{"bytes-size_*"}, base1024: true, trim: "size_"},
	{name: "transferred", title: "Transferred (rate of the totals)", unit: "bytes/s", ids: []string{"if_octets"}},
	{name: "peers", title: "Peers", unit: "peers", ids: []string{"count-peers_*"}, trim: "peers_"},
	{name: "ratios", title: "Share ratios", unit: "items", ids: []string{"count-ratio_*"}, trim: "ratio_"},
	{name: "connections", title: "Sockets, HTTP connections, files", unit: "open", ids: []string{"count-open_sockets", "count-max_open_sockets", "count-http_open", "count-max_open_http", "count-open_files", "count-max_open_files"}},
	{name: "fileops", title: "Files opened and closed", unit: "files/s", ids: []string{"operations-files_opened", "operations-files_closed"}},
	{name: "memory", title: "Memory", unit: "bytes", ids: []string{"bytes-piece_memory", "bytes-piece_memory_max", "ps_rss", "ps_vm"}, base1024: true},
	{name: "cpu", title: "CPU and memory share", unit: "%", ids: []string{"rtorrent_percent-cpu", "percent-mem"}},
	{name: "cputime", title: "CPU time", unit: "% of a core", ids: []string{"ps_cputime"}, scale: 1e-4},
	{name: "process", title: "Threads, size in pages, major faults", unit: "count", ids: []string{"ps_count", "count-sz_pages", "operations-major_faults"}},
	{name: "storage", title: "Storage I/O", unit: "bytes/s", ids: []string{"ps_disk_octets"}},
	{name: "files", title: "Files in items", unit: "files", ids: []string{"count-files"}},
	{name: "events", title: "Download events", unit: "events/s", ids: []string{"operations-events_*"}, trim: "events_"},
	{name: "uptime", title: "Uptime", unit: "days", ids: []string{"uptime"}, scale: 1.0 / 86400},
	{name: "scantime", title: "Item scan time and age", unit: "seconds", ids: []string{"duration-scan_duration", "duration-scan_age"}, trim: "scan_"},
	{name: "scanitems", title: "Item scan: items read and new", unit: "items", ids: []string{"count-scan_items", "count-scan_new_hashes"}, trim: "scan_"},
	{name: "scanreply", title: "Item scan reply size", unit: "bytes", ids: []string{"bytes-scan_reply"}, base1024: true},
}

// catalogueByID indexes the catalogue's non-group metrics.
var catalogueByID = func() map[string]*metrics.Metric {
	m := map[string]*metrics.Metric{}
	cat := metrics.Catalogue()
	for i := range cat {
		if cat[i].Group == "" {
			m[cat[i].ID()] = &cat[i]
		}
	}
	return m
}()

// expand resolves a group's IDs against the catalogue, in catalogue order
// for prefixes.
func (g rtGroup) expand() []*metrics.Metric {
	var out []*metrics.Metric
	cat := metrics.Catalogue()
	for _, id := range g.ids {
		if prefix, ok := strings.CutSuffix(id, "*"); ok {
			for i := range cat {
				if cat[i].Group == "" && strings.HasPrefix(cat[i].ID(), prefix) {
					out = append(out, &cat[i])
				}
			}
			continue
		}
		if m := catalogueByID[id]; m != nil {
			out = append(out, m)
		}
	}
	return out
}

// rtorrentDefs returns the graphs of one rtorrent-<instance> directory.
func rtorrentDefs(p *datadir.PluginDir) []*Def {
	var out []*Def
	inst := p.Instance
	for _, g := range rtGroups {
		d := &Def{ID: p.Name + "." + g.name, Title: "rTorrent " + inst + ": " + g.title, Section: p.Name, Unit: g.unit, Base1024: g.base1024}
		for _, m := range g.expand() {
			f := p.File(m.ID())
			if f == nil {
				continue
			}
			for _, ds := range m.DS {
				leg := m.TypeInstance
				if leg == "" {
					leg = m.Type
				}
				leg = strings.TrimPrefix(leg, g.trim)
				if len(m.DS) > 1 {
					leg += " " + ds.Name
				}
				d.Lines = append(d.Lines, Line{File: f, DS: ds.Name, Legend: leg, Scale: g.scale})
			}
		}
		if len(d.Lines) > 0 {
			out = append(out, d)
		}
	}
	return append(out, groupDefs(p)...)
}

// groupDefs draws each per-tracker and per-label file: its item counts and
// its rates.
func groupDefs(p *datadir.PluginDir) []*Def {
	var out []*Def
	for _, m := range metrics.Catalogue() {
		if m.Group == "" {
			continue
		}
		for _, f := range p.Files {
			esc, ok := strings.CutPrefix(f.Instance, m.Group+"_")
			if f.Type != m.Type || !ok {
				continue
			}
			name, truncated, err := metrics.Unescape(esc)
			if err != nil {
				name = esc
			} else if truncated {
				name += "…"
			}
			title := fmt.Sprintf("rTorrent %s: %s %s", p.Instance, m.Group, name)
			items := &Def{ID: p.Name + "." + f.Name + ".items", Title: title + " items", Section: p.Name + " " + m.Group + "s", Unit: "items"}
			rates := &Def{ID: p.Name + "." + f.Name + ".traffic", Title: title + " rates", Section: p.Name + " " + m.Group + "s", Unit: "bytes/s"}
			for _, ds := range m.DS {
				switch ds.Name {
				case "up_rate", "down_rate":
					rates.Lines = append(rates.Lines, Line{File: f, DS: ds.Name, Legend: strings.TrimSuffix(ds.Name, "_rate")})
				case "items", "active", "complete", "seeding", "leeching", "messages":
					items.Lines = append(items.Lines, Line{File: f, DS: ds.Name, Legend: ds.Name})
				}
			}
			out = append(out, items, rates)
		}
	}
	return out
}
