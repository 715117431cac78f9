package graphs

import (
	"github.com/rtmon/rtmon/viewer/datadir"
)

// Def is one graph of one host.
type Def struct {
	// ID is unique among the host's graphs: "<plugin dir>.<name>".
	ID    string
	Title string
	// Section groups graphs on the host page ("rtorrent-main", "cpu", ...).
	Section string
	Unit    string // vertical label
	Lines   []Line
	// Stack draws the lines as stacked areas (parts of a whole).
	Stack bool
	// Base1024 scales by powers of 1024 (memory, sizes).
	Base1024 bool
}

// Line is one data source drawn.
type Line struct {
	File   *datadir.File
	DS     string // data source name; "" for every DS of the file (read at render time)
	Legend string
	Color  string // "#rrggbb"; "" picks from the palette
	// Scale multiplies the values (e.g. 1e-4 turns µs/s into percent).
	Scale float64
}

// Files returns the distinct files the graph reads.
func (d *Def) Files() []*datadir.File {
	var out []*datadir.File
	seen := map[*datadir.File]bool{}
	for _, l := range d.Lines {
		if !seen[l.File] {
			seen[l.File] = true
			out = append(out, l.File)
		}
	}
	return out
}

// palette is used in order for lines without a color; it reads on both
// the light and the dark theme.
var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"}

// ForHost returns every graph of a host: rTorrent instances first, then the
// host plugins in the order the pages show them, then everything else.
func ForHost(h *datadir.Host) []*Def {
	var rt, known, rest []*Def
	for _, p := range h.Plugins {
		used := map[*datadir.File]bool{}
		var defs []*Def
		switch {
		case p.Plugin == rtPlugin:
			defs = rtorrentDefs(p)
			for _, f := range hiddenFiles(p) {
				used[f] = true
			}
		default:
			defs = hostDefs(p)
		}
		for _, d := range defs {
			for _, f := range d.Files() {
				used[f] = true
			}
		}
		generic := genericDefs(p, used)
		switch {
		case p.Plugin == rtPlugin:
			rt = append(rt, defs...)
			rt = append(rt, generic...)
		case len(defs) > 0:
			known = append(known, defs...)
			rest = append(rest, generic...)
		default:
			rest = append(rest, generic...)
		}
	}
	sortByPlugin(known)
	all := append(append(rt, known...), rest...)
	// IDs are built from directory and file names joined by '.', so two
	// hostile names could collide; the first one wins and the page never
	// offers a graph it cannot find again.
	seen := map[string]bool{}
	out := all[:0]
	for _, d := range all {
		if seen[d.ID] {
			continue
		}
		seen[d.ID] = true
		for i := range d.Lines {
			if d.Lines[i].Color == "" {
				d.Lines[i].Color = palette[i%len(palette)]
			}
			if d.Lines[i].Scale == 0 {
				d.Lines[i].Scale = 1
			}
		}
		out = append(out, d)
	}
	return out
}

// Find returns the host's graph with the given ID, or nil.
func Find(h *datadir.Host, id string) *Def {
	for _, d := range ForHost(h) {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// genericDefs draws each file no definition used, all its data sources.
func genericDefs(p *datadir.PluginDir, used map[*datadir.File]bool) []*Def {
	var out []*Def
	for _, f := range p.Files {
		if used[f] {
			continue
		}
		out = append(out, &Def{
			ID: p.Name + "." + f.Name, Title: p.Name + " " + f.Name, Section: p.Name,
			Lines: []Line{{File: f, Legend: f.Name}},
		})
	}
	return out
}
