package graphs

import (
	"sort"

	"github.com/rtmon/rtmon/viewer/datadir"
)

// pluginOrder is the order of the host plugins on the host page.
var pluginOrder = []string{"load", "cpu", "memory", "swap", "df", "disk", "interface", "uptime", "processes"}

func pluginRank(p string) int {
	for i, n := range pluginOrder {
		if n == p {
			return i
		}
	}
	return len(pluginOrder)
}

func sortByPlugin(defs []*Def) {
	sort.SliceStable(defs, func(i, j int) bool {
		a, b := defs[i].Lines[0].File.Dir, defs[j].Lines[0].File.Dir
		if ra, rb := pluginRank(a.Plugin), pluginRank(b.Plugin); ra != rb {
			return ra < rb
		}
		return a.Name < b.Name
	})
}

// Orders of type instances in stacked graphs: the busy parts at the bottom.
var (
	cpuStates = []string{"user", "nice", "system", "softirq", "interrupt", "steal", "wait", "idle"}
	memParts  = []string{"used", "buffered", "cached", "slab_unrecl", "slab_recl", "free"}
	swapParts = []string{"used", "cached", "free"}
	dfParts   = []string{"used", "reserved", "free"}
	psStates  = []string{"running", "blocked", "sleeping", "stopped", "paging", "zombies"}
)

// hostDefs returns the definitions of a host plugin's directory.
func hostDefs(p *datadir.PluginDir) []*Def {
	var out []*Def
	add := func(d *Def) {
		if d != nil && len(d.Lines) > 0 {
			d.Section = p.Name
			out = append(out, d)
		}
	}
	switch p.Plugin {
	case "load":
		add(dsLines(p, "load", "load", "Load average", "processes", []string{"shortterm", "midterm", "longterm"}, []string{"1 min", "5 min", "15 min"}))
	case "cpu":
		add(stacked(p, "cpu", "cpu", "CPU "+p.Instance, "jiffies/s", cpuStates))
		add(stacked(p, "percent", "percent", "CPU "+p.Instance, "%", cpuStates))
	case "memory":
		d := stacked(p, "memory", "memory", "Memory", "bytes", memParts)
		if d != nil {
			d.Base1024 = true
		}
		add(d)
	case "swap":
		d := stacked(p, "swap", "swap", "Swap", "bytes", swapParts)
		if d != nil {
			d.Base1024 = true
		}
		add(d)
		add(instLines(p, "swap_io", "io", "Swap in/out", "pages/s", []string{"in", "out"}))
	case "df":
		d := stacked(p, "df_complex", "usage", "Disk space "+p.Instance, "bytes", dfParts)
		if d != nil {
			d.Base1024 = true
		}
		add(d)
	case "disk":
		add(dsLines(p, "disk_octets", "octets", "Disk "+p.Instance+" throughput", "bytes/s", []string{"read", "write"}, nil))
		add(dsLines(p, "disk_ops", "ops", "Disk "+p.Instance+" operations", "ops/s", []string{"read", "write"}, nil))
	case "interface":
		add(dsLines(p, "if_octets", "octets", "Network "+p.Instance+" traffic", "bytes/s", []string{"rx", "tx"}, nil))
		add(dsLines(p, "if_packets", "packets", "Network "+p.Instance+" packets", "packets/s", []string{"rx", "tx"}, nil))
		add(dsLines(p, "if_errors", "errors", "Network "+p.Instance+" errors", "errors/s", []string{"rx", "tx"}, nil))
	case "uptime":
		if f := p.File("uptime"); f != nil {
			add(&Def{ID: p.Name + ".uptime", Title: "Uptime", Unit: "days", Lines: []Line{{File: f, DS: "value", Legend: "uptime", Scale: 1.0 / 86400}}})
		}
	case "processes":
		add(stacked(p, "ps_state", "states", "Processes", "processes", psStates))
	}
	return out
}

// dsLines draws the named data sources of one file (type without instance).
func dsLines(p *datadir.PluginDir, file, name, title, unit string, ds, legends []string) *Def {
	f := p.File(file)
	if f == nil {
		return nil
	}
	d := &Def{ID: p.Name + "." + name, Title: title, Unit: unit}
	for i, n := range ds {
		leg := n
		if legends != nil {
			leg = legends[i]
		}
		d.Lines = append(d.Lines, Line{File: f, DS: n, Legend: leg})
	}
	return d
}

// instLines draws the "value" of type-<instance> files, one per instance.
func instLines(p *datadir.PluginDir, typ, name, title, unit string, insts []string) *Def {
	d := &Def{ID: p.Name + "." + name, Title: title, Unit: unit}
	for _, in := range insts {
		if f := p.File(typ + "-" + in); f != nil {
			d.Lines = append(d.Lines, Line{File: f, DS: "value", Legend: in})
		}
	}
	return d
}

// stacked draws type-<instance> files as stacked areas, known instances in
// the given order and any others after them.
func stacked(p *datadir.PluginDir, typ, name, title, unit string, order []string) *Def {
	d := &Def{ID: p.Name + "." + name, Title: title, Unit: unit, Stack: true}
	seen := map[string]bool{}
	for _, in := range order {
		if f := p.File(typ + "-" + in); f != nil {
			d.Lines = append(d.Lines, Line{File: f, DS: "value", Legend: in})
			seen[in] = true
		}
	}
	for _, f := range p.Files {
		if f.Type == typ && f.Instance != "" && !seen[f.Instance] {
			d.Lines = append(d.Lines, Line{File: f, DS: "value", Legend: f.Instance})
		}
	}
	if len(d.Lines) == 0 {
		return nil
	}
	return d
}
