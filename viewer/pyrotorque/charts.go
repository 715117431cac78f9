package pyrotorque

import "github.com/rtmon/rtmon/viewer/live"

// Charts is /json/charts: the engine plus the host's figures. Every
// section is left out (omitempty) when collectd cannot supply it.
type Charts struct {
	// Engine is left out when the host runs no rTorrent or its rates are
	// unknown. pyrotorque's page reads engine.now on every reply, so it
	// shows nothing new until an engine is there (pyrotorque itself
	// answered 500 then); rtmon's own clients still get the host figures.
	Engine   *Engine  `json:"engine,omitempty"`
	Uptime   *float64 `json:"uptime,omitempty"`
	FQDN     string   `json:"fqdn"`
	CPUUsage *float64 `json:"cpu_usage,omitempty"`
	// RAMUsage is psutil.virtual_memory's head: [total, available,
	// percent, used, free].
	RAMUsage []float64 `json:"ram_usage,omitempty"`
	// SwapUsage is psutil.swap_memory: [total, used, free, percent, sin,
	// sout] with sin and sout in pages/s (psutil: bytes since boot); sin
	// and sout are left off when collectd's swap plugin reports no
	// swap_io (the page reads only used and percent).
	SwapUsage []float64 `json:"swap_usage,omitempty"`
	// DiskUsage is [used_sum, total_sum, [[used, total], ...]] over the
	// host's readable disks.
	DiskUsage []any `json:"disk_usage,omitempty"`
	// DiskIO is psutil.disk_io_counters' head: [read_count, write_count,
	// read_bytes, write_bytes], counted since the viewer started by
	// integrating collectd's rates, so differences over time are rates as
	// they were with psutil's counters since boot. The counts stay 0 when
	// collectd reports no disk_ops; the page reads only the bytes.
	DiskIO []float64 `json:"disk_io,omitempty"`
	// NetIO is psutil.net_io_counters' head: [bytes_sent, bytes_recv,
	// packets_sent, packets_recv], counted like DiskIO (packets 0 without
	// if_packets).
	NetIO  []float64         `json:"net_io,omitempty"`
	Host   string            `json:"host"`
	Errors map[string]string `json:"errors,omitempty"`
}

// NewCharts maps a host and, if it has one, an rTorrent instance.
func NewCharts(s *live.Snapshot, h *live.Host, in *live.Instance) *Charts {
	c := &Charts{Uptime: h.UptimeSeconds, FQDN: h.Name, CPUUsage: h.CPUPercent, Host: h.Name, Errors: map[string]string{}}
	for k, v := range h.Errors {
		c.Errors[k] = v
	}
	if in != nil {
		var why string
		if c.Engine, why = NewEngine(s, h, in); c.Engine == nil {
			c.Errors["engine"] = why
		}
	} else {
		c.Errors["engine"] = "no rTorrent instance on this host"
	}
	if m := h.Memory; m != nil {
		c.RAMUsage = []float64{m.TotalBytes, m.AvailableBytes, m.Percent, m.UsedBytes, m.FreeBytes}
	}
	if sw := h.Swap; sw != nil {
		c.SwapUsage = []float64{sw.TotalBytes, sw.UsedBytes, sw.FreeBytes, sw.Percent}
		if sw.InPerSec != nil && sw.OutPerSec != nil {
			c.SwapUsage = append(c.SwapUsage, *sw.InPerSec, *sw.OutPerSec)
		}
	}
	var used, total float64
	pairs := [][2]float64{}
	for _, d := range h.Disks {
		if d.Error != "" || d.TotalBytes <= 0 {
			continue
		}
		used += d.UsedBytes
		total += d.TotalBytes
		pairs = append(pairs, [2]float64{d.UsedBytes, d.TotalBytes})
	}
	if len(pairs) > 0 {
		c.DiskUsage = []any{used, total, pairs}
	}
	t := h.Totals()
	if h.DiskIO != nil {
		c.DiskIO = []float64{t.DiskReadOps, t.DiskWriteOps, t.DiskReadBytes, t.DiskWriteBytes}
	}
	if h.Net != nil {
		c.NetIO = []float64{t.NetTxBytes, t.NetRxBytes, t.NetTxPackets, t.NetRxPackets}
	}
	if len(c.Errors) == 0 {
		c.Errors = nil
	}
	return c
}
