package graphs

import (
	"fmt"
	"strings"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/datadir"
)

const rtPlugin = catalogue.Plugin

// rtGroup is one rTorrent graph: catalogue metrics drawn together.
type rtGroup struct {
	name, title, unit string
	metrics           []*catalogue.Metric
	base1024          bool
	scale             float64
	trim              string // prefix cut from legends
}

// metric shortens the table below.
type metric = catalogue.Metric

// rtGroups cover every non-group metric of the catalogue exactly once (a
// test checks it), so whatever the plugin writes has a graph.
var rtGroups = []rtGroup{
	{name: "traffic", title: "Transfer rates", unit: "bytes/s", metrics: []*metric{catalogue.UpRate, catalogue.DownRate, catalogue.UpLimit, catalogue.DownLimit, catalogue.SkipRate}},
	{name: "items", title: "Items", unit: "items", metrics: catalogue.Items.Metrics, trim: catalogue.Items.Prefix},
	{name: "sizes", title: "Sizes", unit: "bytes", metrics: catalogue.Sizes.Metrics, base1024: true, trim: catalogue.Sizes.Prefix},
	{name: "transferred", title: "Transferred (rate of the totals)", unit: "bytes/s", metrics: []*metric{catalogue.Octets}},
	{name: "peers", title: "Peers", unit: "peers", metrics: catalogue.Peers.Metrics, trim: catalogue.Peers.Prefix},
	{name: "ratios", title: "Share ratios", unit: "items", metrics: catalogue.Ratios.Metrics, trim: catalogue.Ratios.Prefix},
	{name: "connections", title: "Sockets, HTTP connections, files", unit: "open", metrics: []*metric{catalogue.OpenSockets, catalogue.MaxOpenSockets, catalogue.HTTPOpen, catalogue.MaxOpenHTTP, catalogue.OpenFiles, catalogue.MaxOpenFiles}},
	{name: "fileops", title: "Files opened and closed", unit: "files/s", metrics: []*metric{catalogue.FilesOpened, catalogue.FilesClosed}},
	{name: "memory", title: "Memory", unit: "bytes", metrics: []*metric{catalogue.PieceMemory, catalogue.PieceMemoryMax, catalogue.RSS, catalogue.VM}, base1024: true},
	{name: "cpu", title: "CPU and memory share", unit: "%", metrics: []*metric{catalogue.CPUPercent, catalogue.MemPercent}},
	{name: "cputime", title: "CPU time", unit: "% of a core", metrics: []*metric{catalogue.CPUTime}, scale: 1e-4},
	{name: "process", title: "Threads, size in pages, major faults", unit: "count", metrics: []*metric{catalogue.ProcessCount, catalogue.SizePages, catalogue.MajorFaults}},
	{name: "storage", title: "Storage I/O", unit: "bytes/s", metrics: []*metric{catalogue.DiskOctets}},
	{name: "files", title: "Files in items", unit: "files", metrics: []*metric{catalogue.Files}},
	{name: "events", title: "Download events", unit: "events/s", metrics: catalogue.Events.Metrics, trim: catalogue.Events.Prefix},
	{name: "uptime", title: "Uptime", unit: "days", metrics: []*metric{catalogue.Uptime}, scale: 1.0 / 86400},
	{name: "scantime", title: "Item scan time and age", unit: "seconds", metrics: []*metric{catalogue.ScanDuration, catalogue.ScanAge}, trim: catalogue.Scan.Prefix},
	{name: "scanitems", title: "Item scan: items read and new", unit: "items", metrics: []*metric{catalogue.ScanItems, catalogue.ScanNewHashes}, trim: catalogue.Scan.Prefix},
	{name: "scanreply", title: "Item scan reply size", unit: "bytes", metrics: []*metric{catalogue.ScanReply}, base1024: true},
}

// rtorrentDefs returns the graphs of one rtorrent-<instance> directory.
func rtorrentDefs(p *datadir.PluginDir) []*Def {
	var out []*Def
	inst := p.Instance
	for _, g := range rtGroups {
		d := &Def{ID: p.Name + "." + g.name, Title: "rTorrent " + inst + ": " + g.title, Section: p.Name, Unit: g.unit, Base1024: g.base1024}
		for _, m := range g.metrics {
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
	return append(append(out, groupDefs(p)...), volumeDefs(p)...)
}

// groupDefs draws each per-tracker and per-label file: its item counts and
// its rates.
func groupDefs(p *datadir.PluginDir) []*Def {
	var out []*Def
	for _, m := range catalogue.All() {
		if m.Group == "" {
			continue
		}
		for _, f := range p.Files {
			esc, ok := strings.CutPrefix(f.Instance, m.Group+"_")
			if f.Type != m.Type || !ok {
				continue
			}
			name, truncated, err := catalogue.Unescape(esc)
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
			for _, d := range []*Def{items, rates} {
				if len(d.Lines) > 0 { // a group type without these data sources (rtorrent_volume)
					out = append(out, d)
				}
			}
		}
	}
	return out
}
