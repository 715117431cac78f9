package live

import (
	"time"

	"github.com/rtmon/rtmon/viewer/problems"
)

// Snapshot is the reply of /json/live. Unknown figures are null; a section
// that could not be read names the reason in its host's or instance's
// Errors, and the rest of the snapshot is unaffected.
type Snapshot struct {
	// Time is when the poller took the snapshot (epoch seconds).
	Time float64 `json:"time"`
	// Age is how old the newest value is when the reply is sent, in
	// seconds: collectd's own age plus the poller's.
	Age *float64 `json:"age_seconds"`
	// Source is "collectd" (unixsock), "rrd" (fallback: the RRD files'
	// last updates) or "none".
	Source   string  `json:"source"`
	Note     string  `json:"note,omitempty"`
	Interval float64 `json:"interval_seconds"`
	Hosts    []*Host `json:"hosts"`
	// HostsOmitted counts hosts left out beyond MaxHosts.
	HostsOmitted int    `json:"hosts_omitted,omitempty"`
	Error        string `json:"error,omitempty"`
	// UnixsockPolls counts the poller's reads of collectd over unixsock
	// since the viewer started, this snapshot's included: its growth per
	// interval is the viewer's load on collectd, the same for one client
	// or a thousand (bench/viewer shows it).
	UnixsockPolls int64 `json:"unixsock_polls"`
	// Problems are what collectd's notifications say is wrong now, per
	// host and instance, with when each began (problems.go).
	Problems []problems.Problem `json:"problems"`
	// ProblemsSkipped counts problem files left out (over the count or
	// size bound, malformed); ProblemsError says why none could be read.
	ProblemsSkipped int    `json:"problems_skipped,omitempty"`
	ProblemsError   string `json:"problems_error,omitempty"`

	newest time.Time
	// enc caches the encoding (see JSON); nil in copies and in snapshots
	// not made by the poller, which then encode every time.
	enc *encCache
}

// Host is one collectd host.
type Host struct {
	Name string `json:"name"`
	// Local is true for the host the viewer runs on (-hostname): the one
	// the disks from -disk-usage-path belong to.
	Local         bool     `json:"local"`
	Age           *float64 `json:"age_seconds"`
	UptimeSeconds *float64 `json:"uptime_seconds"`
	Load          *Load    `json:"load"`
	CPUPercent    *float64 `json:"cpu_percent"`
	Memory        *Memory  `json:"memory"`
	Swap          *Swap    `json:"swap"`
	Disks         []Disk   `json:"disks"`
	DiskIO        *DiskIO  `json:"disk_io"`
	Net           *Net     `json:"net"`
	// RTorrent holds one entry per rTorrent instance of this host.
	RTorrent []*Instance `json:"rtorrent"`
	// Errors maps a section name (system, cpu, memory, swap, disks,
	// disk_io, net) to why it is missing or incomplete.
	Errors map[string]string `json:"errors,omitempty"`

	newest time.Time
	// totals are the counters /json/charts reports (see Totals).
	totals Totals
}

// Load is the system load average.
type Load struct {
	Short float64 `json:"short"`
	Mid   float64 `json:"mid"`
	Long  float64 `json:"long"`
}

// Memory is RAM use as collectd's memory plugin counts it: Used excludes
// buffers, page cache and slab; Available is free + buffers + cache +
// reclaimable slab.
type Memory struct {
	Percent        float64 `json:"percent"`
	UsedBytes      float64 `json:"used_bytes"`
	AvailableBytes float64 `json:"available_bytes"`
	FreeBytes      float64 `json:"free_bytes"`
	TotalBytes     float64 `json:"total_bytes"`
}

// Swap is swap use; Total is 0 when the host has no swap.
type Swap struct {
	Percent    float64  `json:"percent"`
	UsedBytes  float64  `json:"used_bytes"`
	FreeBytes  float64  `json:"free_bytes"`
	TotalBytes float64  `json:"total_bytes"`
	InPerSec   *float64 `json:"in_pages_per_second"`
	OutPerSec  *float64 `json:"out_pages_per_second"`
}

// Disk is one file system's usage: from statfs(2) of a -disk-usage-path
// on the local host, from collectd's df plugin on others.
type Disk struct {
	Path       string  `json:"path"`
	UsedBytes  float64 `json:"used"`
	TotalBytes float64 `json:"total"`
	FreeBytes  float64 `json:"free"`
	Percent    float64 `json:"percent"`
	Source     string  `json:"source"` // "statfs" or "collectd-df"
	Error      string  `json:"error,omitempty"`
}

// DiskIO is summed over whole disks (partitions are left out so nothing
// counts twice).
type DiskIO struct {
	ReadBytesPerSec  float64  `json:"read_bytes_per_second"`
	WriteBytesPerSec float64  `json:"write_bytes_per_second"`
	ReadOpsPerSec    *float64 `json:"read_ops_per_second"`
	WriteOpsPerSec   *float64 `json:"write_ops_per_second"`
	Devices          []string `json:"devices"`
}

// Net is summed over every interface but loopback.
type Net struct {
	RxBytesPerSec   float64  `json:"rx_bytes_per_second"`
	TxBytesPerSec   float64  `json:"tx_bytes_per_second"`
	RxPacketsPerSec *float64 `json:"rx_packets_per_second"`
	TxPacketsPerSec *float64 `json:"tx_packets_per_second"`
	Interfaces      []string `json:"interfaces"`
}

// Instance is one rTorrent (a collectd plugin instance of "rtorrent").
type Instance struct {
	Name          string   `json:"name"`
	Age           *float64 `json:"age_seconds"`
	UptimeSeconds *float64 `json:"uptime_seconds"`
	Up            Rate     `json:"up"`
	Down          Rate     `json:"down"`
	// Items has one key per view the plugin's catalogue counts
	// (count-items_<key>): total, started, stopped, complete, incomplete,
	// seeding, leeching, hashing, resumed, active, messages.
	Items   map[string]*float64 `json:"items"`
	Sizes   Sizes               `json:"sizes"`
	Sockets Sockets             `json:"sockets"`
	Process Process             `json:"process"`
	Peers   *float64            `json:"peers_connected"`
	// Versions are rTorrent's and libtorrent's (see versions.go).
	Versions Versions          `json:"versions"`
	Errors   map[string]string `json:"errors,omitempty"`

	newest time.Time
}

// Rate is a transfer rate and its limit (0 = unlimited), bytes/s.
type Rate struct {
	Rate  *float64 `json:"rate"`
	Limit *float64 `json:"limit"`
}

// Sizes are summed over all items.
type Sizes struct {
	TotalBytes     *float64 `json:"total_bytes"`
	LeftBytes      *float64 `json:"left_bytes"`
	CompletedBytes *float64 `json:"completed_bytes"`
	Files          *float64 `json:"files"`
}

// Sockets, HTTP connections and files rTorrent holds open.
type Sockets struct {
	Open      *float64 `json:"open"`
	Max       *float64 `json:"max"`
	HTTPOpen  *float64 `json:"http_open"`
	OpenFiles *float64 `json:"open_files"`
}

// Process is rTorrent's process, when it runs on the host collectd reads.
type Process struct {
	CPUPercent *float64 `json:"cpu_percent"`
	MemPercent *float64 `json:"mem_percent"`
	RSSBytes   *float64 `json:"rss_bytes"`
}

// Totals are counters integrated from collectd's rates since the viewer
// started. pyrotorque's /json/charts sent psutil's cumulative counters and
// its page computed rates from their differences; these keep that working.
type Totals struct {
	DiskReadBytes, DiskWriteBytes float64
	DiskReadOps, DiskWriteOps     float64
	NetRxBytes, NetTxBytes        float64
	NetRxPackets, NetTxPackets    float64
}

// Totals returns the host's integrated counters.
func (h *Host) Totals() Totals { return h.totals }

// At returns a copy of s with the ages computed for now. The copy shares
// everything but the top level, hosts and instances with s, so s stays
// immutable and shared.
func (s *Snapshot) At(now time.Time) *Snapshot {
	c := *s
	c.enc = nil
	c.Age = age(now, s.newest)
	c.Hosts = make([]*Host, len(s.Hosts))
	for i, h := range s.Hosts {
		hc := *h
		hc.Age = age(now, h.newest)
		hc.RTorrent = make([]*Instance, len(h.RTorrent))
		for j, in := range h.RTorrent {
			ic := *in
			ic.Age = age(now, in.newest)
			hc.RTorrent[j] = &ic
		}
		c.Hosts[i] = &hc
	}
	return &c
}

// age is null when nothing was read.
func age(now, t time.Time) *float64 {
	if t.IsZero() {
		return nil
	}
	d := now.Sub(t).Seconds()
	if d < 0 {
		d = 0 // clocks of remote hosts may run ahead
	}
	return f64(float64(int64(d*10)) / 10)
}

func f64(v float64) *float64 { return &v }
