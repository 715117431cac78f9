package live

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

func id(s string) unixsock.Identifier {
	i, err := unixsock.ParseIdentifier(s)
	if err != nil {
		panic(err)
	}
	return i
}

func readings(t0 time.Time, kv map[string][]float64) Readings {
	r := Readings{}
	for k, v := range kv {
		r[id(k)] = Reading{Time: t0, Values: v}
	}
	return r
}

// TestCatalogueIDs: every rTorrent figure the snapshot shows is an
// identifier the plugin's catalogue defines.
func TestCatalogueIDs(t *testing.T) {
	known := map[*catalogue.Metric]bool{}
	for _, m := range catalogue.All() {
		known[m] = true
	}
	for _, m := range rtShown {
		if !known[m] {
			t.Errorf("%s is not in the catalogue's list", m.ID())
		}
	}
	want := []string{"total", "started", "stopped", "complete", "incomplete", "seeding", "leeching", "active", "messages"}
	have := strings.Join(ItemKeys, ",")
	for _, k := range want {
		if !strings.Contains(","+have+",", ","+k+",") {
			t.Errorf("item %q (a pyrotorque view) not among the catalogue's item counts %v", k, ItemKeys)
		}
	}
}

func TestBuildHost(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	r := readings(t0, map[string][]float64{
		"h/load/load":                            {0.5, 0.25, 0.125},
		"h/uptime/uptime":                        {86400},
		"h/cpu-0/cpu-user":                       {30},
		"h/cpu-0/cpu-system":                     {10},
		"h/cpu-0/cpu-idle":                       {50},
		"h/cpu-0/cpu-wait":                       {10},
		"h/cpu-1/cpu-user":                       {50},
		"h/cpu-1/cpu-idle":                       {50},
		"h/memory/memory-used":                   {400},
		"h/memory/memory-free":                   {300},
		"h/memory/memory-cached":                 {200},
		"h/memory/memory-buffered":               {50},
		"h/memory/memory-slab_recl":              {30},
		"h/memory/memory-slab_unrecl":            {20},
		"h/swap/swap-used":                       {25},
		"h/swap/swap-free":                       {75},
		"h/swap/swap-cached":                     {0},
		"h/disk-sda/disk_octets":                 {1000, 2000},
		"h/disk-sda1/disk_octets":                {1000, 2000}, // a partition: not counted twice
		"h/disk-nvme0n1/disk_octets":             {10, 20},
		"h/disk-nvme0n1p2/disk_octets":           {10, 20},
		"h/disk-sda/disk_ops":                    {5, 6},
		"h/disk-nvme0n1/disk_ops":                {1, 1},
		"h/interface-eth0/if_octets":             {100, 200},
		"h/interface-lo/if_octets":               {1e9, 1e9}, // loopback: left out
		"h/interface-eth1/if_octets":             {1, 2},
		"h/interface-eth0/if_packets":            {3, 4},
		"h/interface-eth1/if_packets":            {1, 1},
		"h/rtorrent-main/count-items_total":      {42},
		"h/rtorrent-main/count-items_active":     {3},
		"h/rtorrent-main/rtorrent_rate-up":       {1024},
		"h/rtorrent-main/rtorrent_rate-down":     {2048},
		"h/rtorrent-main/rtorrent_rate-up_limit": {0},
		"h/rtorrent-other/count-items_total":     {7},
	})
	h := buildHost("h", r, false, nil)
	check := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, deref(got), want)
		}
	}
	check("uptime", h.UptimeSeconds, 86400)
	if h.Load == nil || *h.Load != (Load{0.5, 0.25, 0.125}) {
		t.Errorf("load = %+v", h.Load)
	}
	// busy = total - idle - wait = (30+10+50+10+50+50) - 100 - 10 = 90 of 200.
	check("cpu", h.CPUPercent, 45)
	if h.Memory == nil || h.Memory.TotalBytes != 1000 || h.Memory.Percent != 40 || h.Memory.AvailableBytes != 580 {
		t.Errorf("memory = %+v", h.Memory)
	}
	if h.Swap == nil || h.Swap.Percent != 25 || h.Swap.TotalBytes != 100 {
		t.Errorf("swap = %+v", h.Swap)
	}
	if h.DiskIO == nil || h.DiskIO.ReadBytesPerSec != 1010 || h.DiskIO.WriteBytesPerSec != 2020 ||
		strings.Join(h.DiskIO.Devices, ",") != "nvme0n1,sda" || *h.DiskIO.ReadOpsPerSec != 6 {
		t.Errorf("disk io = %+v", h.DiskIO)
	}
	if h.Net == nil || h.Net.RxBytesPerSec != 101 || h.Net.TxBytesPerSec != 202 || strings.Join(h.Net.Interfaces, ",") != "eth0,eth1" ||
		*h.Net.RxPacketsPerSec != 4 {
		t.Errorf("net = %+v", h.Net)
	}
	if len(h.RTorrent) != 2 || h.RTorrent[0].Name != "main" || h.RTorrent[1].Name != "other" {
		t.Fatalf("instances = %+v", h.RTorrent)
	}
	m := h.RTorrent[0]
	check("items.total", m.Items["total"], 42)
	check("items.active", m.Items["active"], 3)
	check("up", m.Up.Rate, 1024)
	check("down", m.Down.Rate, 2048)
	check("up limit", m.Up.Limit, 0)
	if m.Items["seeding"] != nil || m.Down.Limit != nil {
		t.Error("values collectd does not hold must be null")
	}
	if m.Errors["items"] == "" || m.Errors["sizes"] == "" {
		t.Errorf("missing sections not explained: %v", m.Errors)
	}
	// No swap, disk or df values for this host: only those sections fail.
	if len(h.Disks) != 0 || h.Errors["disks"] == "" || h.Errors["cpu"] != "" || h.Errors["memory"] != "" {
		t.Errorf("errors = %v", h.Errors)
	}
}

// TestOneFailingSection: a host whose cpu rate is not known yet (NaN) has
// every other figure and an error for cpu only.
func TestOneFailingSection(t *testing.T) {
	r := readings(time.Now(), map[string][]float64{
		"h/load/load":          {1, 1, 1},
		"h/cpu-0/cpu-user":     {math.NaN()},
		"h/cpu-0/cpu-idle":     {10},
		"h/memory/memory-used": {1},
		"h/memory/memory-free": {1},
	})
	h := buildHost("h", r, true, []Disk{{Path: "/", UsedBytes: 1, TotalBytes: 2}})
	if h.CPUPercent != nil || h.Errors["cpu"] == "" {
		t.Errorf("cpu = %v, errors %v", deref(h.CPUPercent), h.Errors)
	}
	if h.Load == nil || h.Memory == nil || h.Errors["load"] != "" || h.Errors["memory"] != "" {
		t.Errorf("a failing cpu took other sections with it: %+v", h.Errors)
	}
	if len(h.Disks) != 1 || h.Errors["disks"] != "" {
		t.Errorf("local disks = %+v", h.Disks)
	}
}

// TestCPUPercentMode: with the cpu plugin's ValuesPercentage, the percent
// type is used and the jiffies ignored.
func TestCPUPercentMode(t *testing.T) {
	r := readings(time.Now(), map[string][]float64{
		"h/cpu/percent-user":   {20},
		"h/cpu/percent-system": {5},
		"h/cpu/percent-wait":   {5},
		"h/cpu/percent-idle":   {70},
	})
	if got := cpuPercent("h", r); got == nil || *got != 25 {
		t.Errorf("cpu = %v, want 25", deref(got))
	}
}

func TestWholeDisks(t *testing.T) {
	for in, want := range map[string]string{
		"sda,sda1,sda2,sdb":         "sda,sdb",
		"nvme0n1,nvme0n1p1,nvme1n1": "nvme0n1,nvme1n1",
		"mmcblk0,mmcblk0p1":         "mmcblk0",
		"sda1,sda2":                 "sda1,sda2", // no whole disk listed: keep the partitions
		"dm-0,dm-1":                 "dm-0,dm-1",
		"md0,md1":                   "md0,md1",
	} {
		if got := strings.Join(wholeDisks(strings.Split(in, ",")), ","); got != want {
			t.Errorf("wholeDisks(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestWanted(t *testing.T) {
	for s, want := range map[string]bool{
		"h/load/load": true, "h/cpu-3/cpu-idle": true, "h/memory/memory-used": true,
		"h/interface-lo/if_octets": false, "h/interface-eth0/if_octets": true, "h/interface-eth0/if_errors": false,
		"h/rtorrent-main/count-items_total": true, "h/rtorrent-main/rtorrent_rate-up": true,
		"h/rtorrent-main/count-ratio_ge_5": false, "h/rtorrent-main/rtorrent_group-tracker_x": false,
		"h/processes/ps_state-running": false, "h/df-root/df_complex-used": true,
	} {
		if got := Wanted(id(s)); got != want {
			t.Errorf("Wanted(%s) = %v, want %v", s, got, want)
		}
	}
}

// TestAt: ages are computed per reply, and the shared snapshot is not
// modified.
func TestAt(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	s := &Snapshot{Time: 1_800_000_001, newest: t0, Hosts: []*Host{{Name: "h", newest: t0,
		RTorrent: []*Instance{{Name: "main", newest: t0.Add(-time.Second)}}}}}
	c := s.At(t0.Add(2500 * time.Millisecond))
	if *c.Age != 2.5 || *c.Hosts[0].Age != 2.5 || *c.Hosts[0].RTorrent[0].Age != 3.5 {
		t.Errorf("ages %v %v %v", *c.Age, *c.Hosts[0].Age, *c.Hosts[0].RTorrent[0].Age)
	}
	if s.Age != nil || s.Hosts[0].Age != nil || s.Hosts[0].RTorrent[0].Age != nil {
		t.Error("At modified the shared snapshot")
	}
	empty := (&Snapshot{}).At(t0)
	if empty.Age != nil {
		t.Error("age of an empty snapshot must be null")
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
