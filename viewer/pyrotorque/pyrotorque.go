// Package pyrotorque maps the live snapshot to the replies of pyrotorque's
// /json/engine and /json/charts, so dashboards and scripts written against
// pyrocore's web service keep working against rtmon. The shapes are
// pyrotorque's: positional arrays where it had psutil tuples. Where it
// broke (one failing figure turned the whole reply into an HTTP 500),
// these replies put null in the failing place and say why under "errors".
package pyrotorque

import (
	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/live"
)

// Engine is /json/engine: one rTorrent instance.
type Engine struct {
	Now      float64 `json:"now"`
	EngineID string  `json:"engine_id"`
	// Versions are rTorrent's and libtorrent's versions in pyrotorque;
	// the collectd plugin does not dispatch them (they are not
	// measurements), so they are empty strings.
	Versions [2]string           `json:"versions"`
	Uptime   *float64            `json:"uptime"`
	Upload   [2]*float64         `json:"upload"`   // [rate, max_rate] bytes/s
	Download [2]*float64         `json:"download"` // [rate, max_rate] bytes/s
	Views    map[string]*float64 `json:"views"`
	// Host and Instance say where the figures come from (not in pyrotorque).
	Host     string            `json:"host"`
	Instance string            `json:"instance"`
	Errors   map[string]string `json:"errors,omitempty"`
}

// viewKeys maps pyrotorque's view names to the catalogue's item counts.
// pyrotorque's "active" view was its own filter for items transferring
// now, which is what items_active counts (not rTorrent's "active" view).
var viewKeys = map[string]*catalogue.Metric{
	"default": catalogue.ItemsTotal, "main": catalogue.ItemsTotal,
	"started": catalogue.ItemsStarted, "stopped": catalogue.ItemsStopped,
	"complete": catalogue.ItemsComplete, "incomplete": catalogue.ItemsIncomplete,
	"seeding": catalogue.ItemsSeeding, "leeching": catalogue.ItemsLeeching,
	"active": catalogue.ItemsActive, "messages": catalogue.ItemsMessages,
}

// NewEngine maps one instance of a host.
func NewEngine(s *live.Snapshot, h *live.Host, in *live.Instance) *Engine {
	e := &Engine{
		Now:      s.Time,
		EngineID: h.Name + "/" + in.Name,
		Uptime:   in.UptimeSeconds,
		Upload:   [2]*float64{in.Up.Rate, in.Up.Limit},
		Download: [2]*float64{in.Down.Rate, in.Down.Limit},
		Views:    map[string]*float64{},
		Host:     h.Name,
		Instance: in.Name,
		Errors:   in.Errors,
	}
	for view, m := range viewKeys {
		e.Views[view] = in.Items[catalogue.Items.Key(m)]
	}
	return e
}

// Charts is /json/charts: the engine plus the host's figures.
type Charts struct {
	Engine   *Engine  `json:"engine"`
	Uptime   *float64 `json:"uptime"`
	FQDN     string   `json:"fqdn"`
	CPUUsage *float64 `json:"cpu_usage"`
	// RAMUsage is psutil.virtual_memory's head: [total, available,
	// percent, used, free].
	RAMUsage []*float64 `json:"ram_usage"`
	// SwapUsage is psutil.swap_memory: [total, used, free, percent, sin, sout]
	// with sin and sout in pages/s (psutil: bytes since boot).
	SwapUsage []*float64 `json:"swap_usage"`
	// DiskUsage is [used_sum, total_sum, [[used, total], ...]] over the
	// host's disks.
	DiskUsage []any `json:"disk_usage"`
	// DiskIO is psutil.disk_io_counters' head: [read_count, write_count,
	// read_bytes, write_bytes], counted since the viewer started by
	// integrating collectd's rates, so differences over time are rates as
	// they were with psutil's counters since boot.
	DiskIO []*float64 `json:"disk_io"`
	// NetIO is psutil.net_io_counters' head: [bytes_sent, bytes_recv,
	// packets_sent, packets_recv], counted like DiskIO.
	NetIO  []*float64        `json:"net_io"`
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
		c.Engine = NewEngine(s, h, in)
	} else {
		c.Errors["engine"] = "no rTorrent instance on this host"
	}
	c.RAMUsage = make([]*float64, 5)
	if m := h.Memory; m != nil {
		c.RAMUsage = []*float64{p(m.TotalBytes), p(m.AvailableBytes), p(m.Percent), p(m.UsedBytes), p(m.FreeBytes)}
	}
	c.SwapUsage = make([]*float64, 6)
	if sw := h.Swap; sw != nil {
		c.SwapUsage = []*float64{p(sw.TotalBytes), p(sw.UsedBytes), p(sw.FreeBytes), p(sw.Percent), sw.InPerSec, sw.OutPerSec}
	}
	var used, total float64
	pairs := [][2]float64{}
	for _, d := range h.Disks {
		if d.Error != "" {
			continue
		}
		used += d.UsedBytes
		total += d.TotalBytes
		pairs = append(pairs, [2]float64{d.UsedBytes, d.TotalBytes})
	}
	c.DiskUsage = []any{used, total, pairs}
	t := h.Totals()
	c.DiskIO = make([]*float64, 4)
	if h.DiskIO != nil {
		c.DiskIO = []*float64{p(t.DiskReadOps), p(t.DiskWriteOps), p(t.DiskReadBytes), p(t.DiskWriteBytes)}
	}
	c.NetIO = make([]*float64, 4)
	if h.Net != nil {
		c.NetIO = []*float64{p(t.NetTxBytes), p(t.NetRxBytes), p(t.NetTxPackets), p(t.NetRxPackets)}
	}
	if len(c.Errors) == 0 {
		c.Errors = nil
	}
	return c
}

func p(v float64) *float64 { return &v }
