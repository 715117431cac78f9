package live

import (
	"regexp"
	"sort"
	"strings"

	"github.com/rtmon/rtmon/viewer/unixsock"
)

// buildHost maps one host's readings to its live figures. disks are the
// statfs results for the local host (nil for others, whose disks come
// from collectd's df plugin).
func buildHost(name string, r Readings, local bool, disks []Disk) *Host {
	h := &Host{Name: name, Local: local, Errors: map[string]string{}}
	h.newest = r.newest(func(unixsock.Identifier) bool { return true })
	miss := func(section, plugin string) {
		h.Errors[section] = "collectd has no " + plugin + " values for this host"
	}

	if v := r.value(unixsock.Identifier{Host: name, Plugin: "uptime", Type: "uptime"}, 0); v != nil {
		h.UptimeSeconds = v
	} else {
		miss("uptime", "uptime")
	}
	loadID := unixsock.Identifier{Host: name, Plugin: "load", Type: "load"}
	if s, m, l := r.value(loadID, 0), r.value(loadID, 1), r.value(loadID, 2); s != nil && m != nil && l != nil {
		h.Load = &Load{Short: *s, Mid: *m, Long: *l}
	} else {
		miss("load", "load")
	}
	h.CPUPercent = cpuPercent(name, r)
	if h.CPUPercent == nil {
		h.Errors["cpu"] = "collectd has no cpu values (or no rate yet) for this host"
	}
	if h.Memory = memory(name, r); h.Memory == nil {
		miss("memory", "memory")
	}
	if h.Swap = swap(name, r); h.Swap == nil {
		miss("swap", "swap")
	}
	if local && disks != nil {
		h.Disks = disks
	} else {
		h.Disks = dfDisks(name, r)
	}
	if len(h.Disks) == 0 {
		h.Errors["disks"] = "no -disk-usage-path for this host and no collectd df values"
	}
	for _, d := range h.Disks {
		if d.Error != "" {
			h.Errors["disks"] = d.Path + ": " + d.Error
		}
	}
	if h.DiskIO = diskIO(name, r); h.DiskIO == nil {
		h.Errors["disk_io"] = "collectd has no disk values (or no rate yet) for this host"
	}
	if h.Net = network(name, r); h.Net == nil {
		h.Errors["net"] = "collectd has no interface values (or no rate yet) for this host"
	}
	h.RTorrent = instances(name, r)
	if len(h.Errors) == 0 {
		h.Errors = nil
	}
	return h
}

// cpuPercent is the busy share of all CPUs: everything but idle and wait
// (as psutil counts it), from collectd's percent values when the cpu
// plugin reports them (ValuesPercentage true), otherwise from the jiffy
// rates of the cpu type.
func cpuPercent(host string, r Readings) *float64 {
	sums := map[string]map[string]float64{"percent": {}, "cpu": {}}
	for id, rd := range r {
		if id.Host != host || id.Plugin != "cpu" || len(rd.Values) == 0 {
			continue
		}
		m, ok := sums[id.Type]
		if !ok {
			continue
		}
		v := r.value(id, 0)
		if v == nil {
			return nil // a rate not yet known: no figure rather than a wrong one
		}
		m[id.TypeInstance] += *v
	}
	states := sums["percent"]
	if len(states) == 0 {
		states = sums["cpu"]
	}
	var total float64
	for _, v := range states {
		total += v
	}
	if total <= 0 {
		return nil
	}
	busy := total - states["idle"] - states["wait"]
	return f64(clampPercent(100 * busy / total))
}

func memory(host string, r Readings) *Memory {
	vals := map[string]float64{}
	for id := range r {
		if id.Host == host && id.Plugin == "memory" && id.Type == "memory" {
			if v := r.value(id, 0); v != nil {
				vals[id.TypeInstance] = *v
			}
		}
	}
	used, ok := vals["used"]
	if !ok {
		return nil
	}
	var total float64
	for k, v := range vals {
		if k != "available" {
			total += v
		}
	}
	avail, ok := vals["available"]
	if !ok {
		avail = vals["free"] + vals["buffered"] + vals["cached"] + vals["slab_recl"]
	}
	m := &Memory{UsedBytes: used, TotalBytes: total, FreeBytes: vals["free"], AvailableBytes: avail}
	if total > 0 {
		m.Percent = clampPercent(100 * used / total)
	}
	return m
}

func swap(host string, r Readings) *Swap {
	vals := map[string]float64{}
	for id := range r {
		if id.Host == host && id.Plugin == "swap" && id.Type == "swap" {
			if v := r.value(id, 0); v != nil {
				vals[id.TypeInstance] += *v // summed over devices when ReportByDevice
			}
		}
	}
	if len(vals) == 0 {
		return nil
	}
	s := &Swap{UsedBytes: vals["used"], FreeBytes: vals["free"], TotalBytes: vals["used"] + vals["free"] + vals["cached"]}
	if s.TotalBytes > 0 {
		s.Percent = clampPercent(100 * s.UsedBytes / s.TotalBytes)
	}
	s.InPerSec = r.value(unixsock.Identifier{Host: host, Plugin: "swap", Type: "swap_io", TypeInstance: "in"}, 0)
	s.OutPerSec = r.value(unixsock.Identifier{Host: host, Plugin: "swap", Type: "swap_io", TypeInstance: "out"}, 0)
	return s
}

// dfDisks reads collectd's df plugin: df-<mount>/df_complex-{used,free,reserved}.
func dfDisks(host string, r Readings) []Disk {
	byMount := map[string]map[string]float64{}
	for id := range r {
		if id.Host != host || id.Plugin != "df" || id.Type != "df_complex" {
			continue
		}
		if v := r.value(id, 0); v != nil {
			m := byMount[id.PluginInstance]
			if m == nil {
				m = map[string]float64{}
				byMount[id.PluginInstance] = m
			}
			m[id.TypeInstance] = *v
		}
	}
	var out []Disk
	for mount, m := range byMount {
		d := Disk{Path: mount, UsedBytes: m["used"], FreeBytes: m["free"], TotalBytes: m["used"] + m["free"] + m["reserved"], Source: "collectd-df"}
		if d.UsedBytes+d.FreeBytes > 0 {
			d.Percent = clampPercent(100 * d.UsedBytes / (d.UsedBytes + d.FreeBytes))
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// partition matches a partition's suffix after its disk's name: sda1,
// nvme0n1p2, mmcblk0p1.
var partition = regexp.MustCompile(`^p?[0-9]+$`)

// wholeDisks drops the partitions of disks that are also listed, so that
// sums count every byte once.
func wholeDisks(devs []string) []string {
	var out []string
	for _, d := range devs {
		part := false
		for _, p := range devs {
			if p != d && strings.HasPrefix(d, p) && partition.MatchString(d[len(p):]) {
				part = true
				break
			}
		}
		if !part {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

func diskIO(host string, r Readings) *DiskIO {
	seen := map[string]bool{}
	for id := range r {
		if id.Host == host && id.Plugin == "disk" && id.Type == "disk_octets" {
			seen[id.PluginInstance] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	devs := make([]string, 0, len(seen))
	for d := range seen {
		devs = append(devs, d)
	}
	io := &DiskIO{Devices: wholeDisks(devs)}
	var rops, wops float64
	haveOps := true
	for _, d := range io.Devices {
		oct := unixsock.Identifier{Host: host, Plugin: "disk", PluginInstance: d, Type: "disk_octets"}
		rd, wr := r.value(oct, 0), r.value(oct, 1)
		if rd == nil || wr == nil {
			return nil
		}
		io.ReadBytesPerSec += *rd
		io.WriteBytesPerSec += *wr
		ops := unixsock.Identifier{Host: host, Plugin: "disk", PluginInstance: d, Type: "disk_ops"}
		if ro, wo := r.value(ops, 0), r.value(ops, 1); ro != nil && wo != nil {
			rops += *ro
			wops += *wo
		} else {
			haveOps = false
		}
	}
	if haveOps {
		io.ReadOpsPerSec, io.WriteOpsPerSec = f64(rops), f64(wops)
	}
	return io
}

func network(host string, r Readings) *Net {
	var ifs []string
	for id := range r {
		if id.Host == host && id.Plugin == "interface" && id.Type == "if_octets" && id.PluginInstance != "lo" {
			ifs = append(ifs, id.PluginInstance)
		}
	}
	if len(ifs) == 0 {
		return nil
	}
	sort.Strings(ifs)
	n := &Net{Interfaces: ifs}
	var rxp, txp float64
	havePackets := true
	for _, i := range ifs {
		oct := unixsock.Identifier{Host: host, Plugin: "interface", PluginInstance: i, Type: "if_octets"}
		rx, tx := r.value(oct, 0), r.value(oct, 1)
		if rx == nil || tx == nil {
			return nil
		}
		n.RxBytesPerSec += *rx
		n.TxBytesPerSec += *tx
		pk := unixsock.Identifier{Host: host, Plugin: "interface", PluginInstance: i, Type: "if_packets"}
		if rp, tp := r.value(pk, 0), r.value(pk, 1); rp != nil && tp != nil {
			rxp += *rp
			txp += *tp
		} else {
			havePackets = false
		}
	}
	if havePackets {
		n.RxPacketsPerSec, n.TxPacketsPerSec = f64(rxp), f64(txp)
	}
	return n
}

func clampPercent(p float64) float64 {
	switch {
	case p < 0:
		return 0
	case p > 100:
		return 100
	}
	return p
}
