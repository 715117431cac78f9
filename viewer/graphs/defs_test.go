package graphs

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
)

// TestCatalogueCovered: every metric of the catalogue is drawn by exactly
// one rTorrent graph, and every graph draws something.
func TestCatalogueCovered(t *testing.T) {
	count := map[string]int{}
	for _, g := range rtGroups {
		if len(g.metrics) == 0 {
			t.Errorf("group %s draws nothing", g.name)
		}
		for _, m := range g.metrics {
			count[m.ID()]++
		}
	}
	for _, m := range catalogue.All() {
		if m.Group != "" || m.Type == versionType { // versions are shown, not drawn
			continue
		}
		if count[m.ID()] != 1 {
			t.Errorf("%s is in %d rTorrent graphs, want 1", m.ID(), count[m.ID()])
		}
	}
}

// fullDataDir holds an RRD file for every catalogue metric (with the
// catalogue's data sources), two group files and the host plugins.
func fullDataDir(t *testing.T) *datadir.Host {
	t.Helper()
	dir := t.TempDir()
	constant := func(i, j int) float64 { return float64(10 * (j + 1)) }
	for _, m := range catalogue.All() {
		var ds []string
		for _, d := range m.DS {
			ds = append(ds, d.Name+":"+d.Kind)
		}
		name := m.ID()
		if m.Group != "" {
			name = m.Type + "-" + catalogue.GroupInstance(m.Group, "tracker.example.org")
		}
		collectdenv.RRD(t, dir, "box/rtorrent-main/"+name+".rrd", ds, 0, constant)
	}
	value := []string{"value:GAUGE"}
	for rel, ds := range map[string][]string{
		"load/load":                  {"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"},
		"cpu-0/cpu-user":             {"value:DERIVE"},
		"cpu-0/cpu-idle":             {"value:DERIVE"},
		"memory/memory-used":         value,
		"memory/memory-free":         value,
		"memory/memory-weird":        value, // unknown instance: stacked after the known ones
		"interface-eth0/if_octets":   {"rx:DERIVE", "tx:DERIVE"},
		"interface-eth0/if_packets":  {"rx:DERIVE", "tx:DERIVE"},
		"disk-sda/disk_octets":       {"read:DERIVE", "write:DERIVE"},
		"df-root/df_complex-used":    value,
		"df-root/df_complex-free":    value,
		"uptime/uptime":              value,
		"processes/ps_state-running": value,
		"ntpd/delay-x":               value, // a plugin with no definition
	} {
		collectdenv.RRD(t, dir, "box/"+rel+".rrd", ds, 30, constant)
	}
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ix.Host("box")
}

func TestForHost(t *testing.T) {
	h := fullDataDir(t)
	defs := ForHost(h)
	ids := map[string]*Def{}
	var order []string
	for _, d := range defs {
		if ids[d.ID] != nil {
			t.Errorf("duplicate ID %s", d.ID)
		}
		ids[d.ID] = d
		order = append(order, d.ID)
		for _, l := range d.Lines {
			if l.Color == "" || l.Scale == 0 {
				t.Errorf("%s: line %s without color or scale", d.ID, l.Legend)
			}
		}
	}
	for _, id := range []string{"rtorrent-main.traffic", "rtorrent-main.items", "rtorrent-main.uptime",
		"rtorrent-main.rtorrent_group-tracker_tracker.example.org.items", "rtorrent-main.rtorrent_group-label_tracker.example.org.traffic",
		"load.load", "cpu-0.cpu", "memory.memory", "interface-eth0.octets", "interface-eth0.packets", "disk-sda.octets",
		"df-root.usage", "uptime.uptime", "processes.states", "ntpd.delay-x"} {
		if ids[id] == nil {
			t.Errorf("no graph %s; have %v", id, order)
		}
	}
	// rTorrent first, the host plugins in page order, unknown plugins last.
	if !strings.HasPrefix(order[0], "rtorrent-main.") || order[len(order)-1] != "ntpd.delay-x" {
		t.Errorf("order %v", order)
	}
	if i, j := indexOf(order, "load.load"), indexOf(order, "memory.memory"); i > j {
		t.Errorf("load after memory: %v", order)
	}
	// Every rTorrent file is drawn by a catalogue graph, none generically.
	for _, d := range defs {
		if strings.HasPrefix(d.ID, "rtorrent-main.") && d.Lines[0].DS == "" {
			t.Errorf("rTorrent file drawn generically: %s", d.ID)
		}
	}
	mem := ids["memory.memory"]
	if !mem.Stack || !mem.Base1024 || mem.Lines[0].Legend != "used" || mem.Lines[len(mem.Lines)-1].Legend != "weird" {
		t.Errorf("memory graph %+v", mem)
	}
	if ids["uptime.uptime"].Lines[0].Scale != 1.0/86400 {
		t.Error("uptime not scaled to days")
	}
	tr := ids["rtorrent-main.rtorrent_group-tracker_tracker.example.org.items"]
	if !strings.Contains(tr.Title, "tracker tracker.example.org") {
		t.Errorf("group title %q does not show the unescaped name", tr.Title)
	}
	if Find(h, "rtorrent-main.traffic") == nil || Find(h, "../load.load") != nil || Find(h, "") != nil {
		t.Error("Find")
	}
}

func indexOf(s []string, x string) int {
	for i, v := range s {
		if v == x {
			return i
		}
	}
	return -1
}

// TestArgsEscape: names from DataDir reach librrd escaped, so a ':' in a
// directory name cannot add fields to a DEF.
func TestArgsEscape(t *testing.T) {
	dir := t.TempDir()
	collectdenv.RRD(t, dir, "co:lon/rtorrent-a:b/count-items_total.rrd", []string{"value:GAUGE"}, 3, func(i, j int) float64 { return 1 })
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := Find(ix.Host("co:lon"), "rtorrent-a:b.items")
	if d == nil {
		t.Fatal("no items graph for rtorrent-a:b")
	}
	args, err := NewRenderer(nil, 1, 0, nil).Args(d, testRequest(800, 300, "png"))
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(args, "\n")
	wantDEF := fmt.Sprintf("DEF:r0=%s:value:AVERAGE", strings.ReplaceAll(filepath.Join(ix.Root, "co:lon/rtorrent-a:b/count-items_total.rrd"), ":", `\:`))
	if !strings.Contains(joined, wantDEF) {
		t.Errorf("no escaped DEF %q in\n%s", wantDEF, joined)
	}
}
