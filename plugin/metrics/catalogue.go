// Package metrics is rtmon's metric catalogue: every identifier the collectd
// plugin dispatches, with its collectd type, unit, meaning, source command
// and tier, and the mapping from a sensors.Snapshot to collectd value lists.
//
// It is pure Go (no cgo), so the viewer imports it to know what the plugin
// writes, and docs/metrics.md is checked against it by a test.
//
// Identifiers follow collectd's scheme
//
//	<host>/rtorrent-<instance>/<type>[-<type_instance>]
//
// stored by the rrdtool plugin as
//
//	DataDir/<host>/rtorrent-<instance>/<type>[-<type_instance>].rrd
package metrics

import "github.com/rtmon/rtmon/plugin/sensors"

// Plugin is the collectd plugin name of every value rtmon dispatches; the
// plugin instance is the name of the <Instance> block.
const Plugin = "rtorrent"

// Tier says when a value is read from rTorrent.
type Tier string

const (
	// TierFast values come from one system.multicall every interval; its
	// cost does not grow with the number of items.
	TierFast Tier = "fast"
	// TierScan values come from the item scan, which runs on its own
	// cadence (load budget); between scans the latest result is dispatched
	// again every interval so RRDs and the unixsock cache never go stale.
	TierScan Tier = "scan"
	// TierProc values come from /proc/<pid> every interval, when rTorrent
	// runs on the same host as collectd.
	TierProc Tier = "proc"
)

// DS is one data source of a collectd type: its name and kind (GAUGE or
// DERIVE), as in types.db.
type DS struct {
	Name string
	Kind string
}

// Metric describes one identifier, or one family of identifiers for the
// per-tracker and per-label breakdowns.
type Metric struct {
	Type string
	// TypeInstance is fixed, except for a group metric, where it is
	// Group + "_" + Escape(name) for each tracker domain or label, and this
	// field shows the pattern (e.g. "tracker_<domain>").
	TypeInstance string
	DS           []DS
	Unit         string // of each data source, as stored (a DERIVE's rate is per second)
	Meaning      string
	Source       string // rTorrent command (or /proc file) behind the value
	Tier         Tier
	Group        string // "tracker" or "label" for group metrics, else ""

	// resets marks DERIVE counters that restart from zero with rTorrent
	// (process-lifetime totals): a new pid is a restart even when the new
	// value is not below the old one.
	resets bool
	// get returns the values in DS order, or nil when the sensor is
	// unknown in this snapshot (command missing, no scan yet, remote host).
	get func(s *sensors.Snapshot) []float64
	// groups returns the breakdown of a group metric.
	groups func(s *sensors.Snapshot) []sensors.GroupCounts
	// needs names an option that must be on for the value to mean anything.
	needs string
	// sensors name the fast-tier sensors (sensors.DisabledInfo.Sensor) a
	// value held in a plain field comes from: when one is off or unread
	// in a snapshot, the field holds no reading and is not dispatched.
	sensors []string
}

// ID returns the identifier "type[-type_instance]" as collectd prints it
// after the plugin part.
func (m *Metric) ID() string { return typeID(m.Type, m.TypeInstance) }

func typeID(typ, ti string) string {
	if ti == "" {
		return typ
	}
	return typ + "-" + ti
}

var (
	gauge  = []DS{{"value", "GAUGE"}}
	derive = []DS{{"value", "DERIVE"}}
)

// Catalogue returns every metric the plugin can dispatch, in the order of
// docs/metrics.md. The slice is shared: do not modify it.
func Catalogue() []Metric { return catalogue }

var catalogue = []Metric{
	// Items, from view.size of rTorrent's built-in views (fast tier).
	view("total", "main", "All items (loaded torrents)."),
	view("started", "started", "Items started (d.state = 1)."),
	view("stopped", "stopped", "Items stopped (d.state = 0)."),
	view("complete", "complete", "Items whose data is complete."),
	view("incomplete", "incomplete", "Items still missing data."),
	view("seeding", "seeding", "Items started and complete."),
	view("leeching", "leeching", "Items started and incomplete (downloading)."),
	view("hashing", "hashing", "Items being hash-checked."),
	view("resumed", "active", "Items in rTorrent's own \"active\" view: resumed (not paused), whether or not anything moves. Not the same as items_active."),
	{Type: "count", TypeInstance: "items_active", DS: gauge, Unit: "items", Tier: TierScan,
		Meaning: "Items transferring now: up or down rate above zero at the latest scan (ruTorrent's Active filter).",
		Source:  "d.multicall2 main: d.up.rate, d.down.rate",
		get:     func(s *sensors.Snapshot) []float64 { return ptr(s.Items.Active) }},
	{Type: "count", TypeInstance: "items_messages", DS: gauge, Unit: "items", Tier: TierScan,
		Meaning: "Items with a non-empty message (tracker errors and the like).",
		Source:  "d.multicall2 main: d.message",
		get:     func(s *sensors.Snapshot) []float64 { return ptr(s.Items.Messages) }},

	// Traffic (fast tier, skip rate from the scan).
	rate("up", "up_rate", "throttle.global_up.rate", "Upload rate of all items.", func(s *sensors.Snapshot) int64 { return s.Traffic.UpRate }),
	rate("down", "down_rate", "throttle.global_down.rate", "Download rate of all items.", func(s *sensors.Snapshot) int64 { return s.Traffic.DownRate }),
	rate("up_limit", "up_limit", "throttle.global_up.max_rate", "Global upload limit; 0 means unlimited.", func(s *sensors.Snapshot) int64 { return s.Traffic.UpLimit }),
	rate("down_limit", "down_limit", "throttle.global_down.max_rate", "Global download limit; 0 means unlimited.", func(s *sensors.Snapshot) int64 { return s.Traffic.DownLimit }),
	{Type: "rtorrent_rate", TypeInstance: "skip", DS: gauge, Unit: "bytes/s", Tier: TierScan,
		Meaning: "Rate of unwanted data received (skipped), summed over all items.",
		Source:  "d.multicall2 main: d.skip.rate",
		get:     func(s *sensors.Snapshot) []float64 { return ptr(s.Traffic.SkipRate) }},
	{Type: "if_octets", DS: []DS{{"rx", "DERIVE"}, {"tx", "DERIVE"}}, Unit: "bytes (stored as bytes/s)", Tier: TierFast, resets: true,
		Meaning: "Traffic totals: rx = downloaded, tx = uploaded. rTorrent counts from its start; the plugin keeps the counter rising across rTorrent restarts.",
		Source:  "throttle.global_down.total, throttle.global_up.total", sensors: []string{"down_total", "up_total"},
		get: func(s *sensors.Snapshot) []float64 {
			return []float64{float64(s.Traffic.DownTotal), float64(s.Traffic.UpTotal)}
		}},

	// Resources rTorrent holds (fast tier).
	count("open_sockets", "network.open_sockets", "Sockets open now.", func(s *sensors.Snapshot) *int64 { return s.Resources.OpenSockets }),
	count("max_open_sockets", "network.max_open_sockets", "Limit on open sockets.", func(s *sensors.Snapshot) *int64 { return s.Resources.MaxOpenSockets }),
	count("http_open", "network.http.current_open", "HTTP connections open now (tracker announces, web seeds).", func(s *sensors.Snapshot) *int64 { return s.Resources.HTTPOpen }),
	count("max_open_http", "network.http.max_open", "Limit on open HTTP connections.", func(s *sensors.Snapshot) *int64 { return s.Resources.MaxOpenHTTP }),
	count("open_files", "network.open_files (0.10+), else system.files.opened_counter - system.files.closed_counter", "Files open now.", func(s *sensors.Snapshot) *int64 { return s.Resources.OpenFiles }),
	count("max_open_files", "network.max_open_files", "Limit on open files.", func(s *sensors.Snapshot) *int64 { return s.Resources.MaxOpenFiles }),
	{Type: "operations", TypeInstance: "files_opened", DS: derive, Unit: "files (stored as opens/s)", Tier: TierFast, resets: true,
		Meaning: "Files opened since rTorrent started.", Source: "system.files.opened_counter",
		get: func(s *sensors.Snapshot) []float64 { return ptr(s.Resources.FilesOpened) }},
	{Type: "operations", TypeInstance: "files_closed", DS: derive, Unit: "files (stored as closes/s)", Tier: TierFast, resets: true,
		Meaning: "Files closed since rTorrent started.", Source: "system.files.closed_counter",
		get: func(s *sensors.Snapshot) []float64 { return ptr(s.Resources.FilesClosed) }},
	{Type: "bytes", TypeInstance: "piece_memory", DS: gauge, Unit: "bytes", Tier: TierFast,
		Meaning: "Memory used for pieces (chunk cache).", Source: "pieces.memory.current",
		get: func(s *sensors.Snapshot) []float64 { return ptr(s.Resources.PieceMemory) }},
	{Type: "bytes", TypeInstance: "piece_memory_max", DS: gauge, Unit: "bytes", Tier: TierFast,
		Meaning: "Limit on memory for pieces.", Source: "pieces.memory.max",
		get: func(s *sensors.Snapshot) []float64 { return ptr(s.Resources.PieceMemoryMax) }},
	{Type: "uptime", DS: gauge, Unit: "seconds", Tier: TierFast,
		Meaning: "Seconds since rTorrent started.",
		Source:  "system.startup_time where the rc defines it, else the start time of /proc/<system.pid>",
		get:     func(s *sensors.Snapshot) []float64 { return fptr(s.Uptime) }},

	// The rTorrent process, from /proc when it runs on this host.
	{Type: "ps_cputime", DS: []DS{{"user", "DERIVE"}, {"syst", "DERIVE"}}, Unit: "microseconds (stored as µs/s)", Tier: TierProc, resets: true,
		Meaning: "CPU time used by rTorrent in user and system mode, in microseconds as collectd's processes plugin reports it.",
		Source:  "/proc/<system.pid>/stat utime, stime",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Process == nil {
				return nil
			}
			return []float64{s.Process.CPUUser * 1e6, s.Process.CPUSystem * 1e6}
		}},
	{Type: "rtorrent_percent", TypeInstance: "cpu", DS: gauge, Unit: "percent of one core", Tier: TierProc,
		Meaning: "CPU use since the previous read, as ps %cpu; may exceed 100 on several cores, which is why this is not the standard percent type (capped at 100.1).",
		Source:  "/proc/<system.pid>/stat",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Process == nil {
				return nil
			}
			return fptr(s.Process.PCPU)
		}},
	proc("percent", "mem", "percent", "Resident memory as a share of MemTotal, as ps %mem.", "/proc/<system.pid>/stat rss, /proc/meminfo MemTotal",
		func(p *sensors.Process) float64 { return p.PMem }),
	proc("ps_rss", "", "bytes", "Resident set size.", "/proc/<system.pid>/stat rss",
		func(p *sensors.Process) float64 { return float64(p.RSS) }),
	proc("ps_vm", "", "bytes", "Virtual memory size (ps vsz).", "/proc/<system.pid>/stat vsize",
		func(p *sensors.Process) float64 { return float64(p.VSZ) }),
	proc("count", "sz_pages", "pages", "Virtual size in pages (ps sz).", "/proc/<system.pid>/stat vsize",
		func(p *sensors.Process) float64 { return float64(p.SZ) }),
	{Type: "ps_count", DS: []DS{{"processes", "GAUGE"}, {"threads", "GAUGE"}}, Unit: "processes, threads", Tier: TierProc,
		Meaning: "processes = 1 while rTorrent runs; threads = its thread count.",
		Source:  "/proc/<system.pid>/stat num_threads",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Process == nil {
				return nil
			}
			return []float64{1, float64(s.Process.Threads)}
		}},
	{Type: "operations", TypeInstance: "major_faults", DS: derive, Unit: "faults (stored as faults/s)", Tier: TierProc, resets: true,
		Meaning: "Major page faults of rTorrent (pages read from disk).", Source: "/proc/<system.pid>/stat majflt",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Process == nil {
				return nil
			}
			return []float64{float64(s.Process.Majflt)}
		}},
	{Type: "ps_disk_octets", DS: []DS{{"read", "DERIVE"}, {"write", "DERIVE"}}, Unit: "bytes (stored as bytes/s)", Tier: TierProc, resets: true,
		Meaning: "Bytes rTorrent read from and wrote to storage.", Source: "/proc/<system.pid>/io read_bytes, write_bytes (needs permission)",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Process == nil || s.Process.ReadBytes == nil || s.Process.WriteBytes == nil {
				return nil
			}
			return []float64{float64(*s.Process.ReadBytes), float64(*s.Process.WriteBytes)}
		}},

	// Sizes (item scan).
	sizes("bytes", "size_total", "bytes", "Sum of all items' sizes.", "d.size_bytes (cached per hash)", func(z *sensors.Sizes) int64 { return z.SizeBytes }),
	sizes("bytes", "size_left", "bytes", "Bytes still to download, summed over all items.", "d.multicall2 main: d.left_bytes", func(z *sensors.Sizes) int64 { return z.LeftBytes }),
	sizes("bytes", "size_completed", "bytes", "Bytes downloaded and verified, summed over all items.", "d.size_bytes - d.left_bytes", func(z *sensors.Sizes) int64 { return z.Completed }),
	sizes("count", "files", "files", "Files in all items.", "d.size_files (cached per hash)", func(z *sensors.Sizes) int64 { return z.Files }),

	// Share ratio histogram (item scan).
	ratio("ratio_lt_0_5", "ratio < 0.5", func(r *sensors.RatioBuckets) int64 { return r.Below05 }),
	ratio("ratio_0_5_to_1", "0.5 <= ratio < 1", func(r *sensors.RatioBuckets) int64 { return r.To1 }),
	ratio("ratio_1_to_2", "1 <= ratio < 2", func(r *sensors.RatioBuckets) int64 { return r.To2 }),
	ratio("ratio_2_to_5", "2 <= ratio < 5", func(r *sensors.RatioBuckets) int64 { return r.To5 }),
	ratio("ratio_ge_5", "ratio >= 5", func(r *sensors.RatioBuckets) int64 { return r.Above5 }),

	// Peers (item scan; the flags from p.multicall when PeerFlags is on).
	peer("peers_connected", "Peers connected, summed over all items.", "d.multicall2 main: d.peers_connected", "", func(p *sensors.Peers) int64 { return p.Connected }),
	peer("peers_seeds", "Connected peers that have the whole item.", "d.multicall2 main: d.peers_complete", "", func(p *sensors.Peers) int64 { return p.Seeds }),
	peer("peers_accounted", "Peers accounted for (rTorrent's own connection count).", "d.multicall2 main: d.peers_accounted", "", func(p *sensors.Peers) int64 { return p.Accounted }),
	peer("peers_incoming", "Connected peers that connected to us.", "p.multicall: p.is_incoming", "PeerFlags", func(p *sensors.Peers) int64 { return p.Incoming }),
	peer("peers_encrypted", "Connected peers over an encrypted link.", "p.multicall: p.is_encrypted", "PeerFlags", func(p *sensors.Peers) int64 { return p.Encrypted }),
	peer("peers_obfuscated", "Connected peers with an obfuscated handshake.", "p.multicall: p.is_obfuscated", "PeerFlags", func(p *sensors.Peers) int64 { return p.Obfuscated }),
	peer("peers_snubbed", "Connected peers we snubbed.", "p.multicall: p.is_snubbed", "PeerFlags", func(p *sensors.Peers) int64 { return p.Snubbed }),
	peer("peers_preferred", "Connected peers marked preferred.", "p.multicall: p.is_preferred", "PeerFlags", func(p *sensors.Peers) int64 { return p.Preferred }),
	peer("peers_unwanted", "Connected peers marked unwanted.", "p.multicall: p.is_unwanted", "PeerFlags", func(p *sensors.Peers) int64 { return p.Unwanted }),

	// Download events, found by comparing consecutive scans.
	event("events_inserted", "Items added.", func(e *sensors.Events) int64 { return e.Inserted }),
	event("events_erased", "Items removed.", func(e *sensors.Events) int64 { return e.Erased }),
	event("events_finished", "Items that completed their download.", func(e *sensors.Events) int64 { return e.Finished }),
	event("events_started", "Items started.", func(e *sensors.Events) int64 { return e.Started }),
	event("events_stopped", "Items stopped.", func(e *sensors.Events) int64 { return e.Stopped }),

	// What the scan itself cost, for the load budget.
	scanInfo("duration", "scan_duration", "seconds", "Time rTorrent spent answering the latest item scan.", func(i *sensors.ScanInfo) float64 { return i.Duration.Seconds() }),
	scanInfo("duration", "scan_age", "seconds", "Age of the scan-tier values at this read.", func(i *sensors.ScanInfo) float64 { return i.Age }),
	scanInfo("count", "scan_items", "items", "Items the latest scan read.", func(i *sensors.ScanInfo) float64 { return float64(i.Items) }),
	scanInfo("count", "scan_new_hashes", "items", "Items whose static data the latest scan fetched (not seen before).", func(i *sensors.ScanInfo) float64 { return float64(i.NewHashes) }),
	scanInfo("bytes", "scan_reply", "bytes", "Size of the latest scan's replies.", func(i *sensors.ScanInfo) float64 { return float64(i.ReplyBytes) }),

	// Breakdowns, one identifier per tracker domain and per label.
	{Type: "rtorrent_group", TypeInstance: "tracker_<domain>", DS: groupDS, Group: "tracker", Tier: TierScan, needs: "PerTracker",
		Unit:    "items; size_bytes, left_bytes in bytes; up_rate, down_rate in bytes/s; peers",
		Meaning: "Per tracker domain (host of the first usable tracker URL, lower case, without port and a leading www./tracker./announce.; \"none\" for items without one): items, active, complete, seeding, leeching, messages, size_bytes, left_bytes, up_rate, down_rate, peers.",
		Source:  "t.multicall (nested in d.multicall2, cached per hash) and the item scan",
		groups:  func(s *sensors.Snapshot) []sensors.GroupCounts { return s.Trackers }},
	{Type: "rtorrent_group", TypeInstance: "label_<label>", DS: groupDS, Group: "label", Tier: TierScan, needs: "PerLabel",
		Unit:    "items; size_bytes, left_bytes in bytes; up_rate, down_rate in bytes/s; peers",
		Meaning: "Per label (d.custom1 as ruTorrent writes it, URI-decoded; \"none\" for items without one): the same data sources as per tracker.",
		Source:  "d.custom1 (cached per hash) and the item scan",
		groups:  func(s *sensors.Snapshot) []sensors.GroupCounts { return s.Labels }},
}

var groupDS = []DS{
	{"items", "GAUGE"}, {"active", "GAUGE"}, {"complete", "GAUGE"}, {"seeding", "GAUGE"},
	{"leeching", "GAUGE"}, {"messages", "GAUGE"}, {"size_bytes", "GAUGE"}, {"left_bytes", "GAUGE"},
	{"up_rate", "GAUGE"}, {"down_rate", "GAUGE"}, {"peers", "GAUGE"},
}

func groupValues(g sensors.GroupCounts) []float64 {
	return []float64{float64(g.Items), float64(g.Active), float64(g.Complete), float64(g.Seeding),
		float64(g.Leeching), float64(g.Messages), float64(g.SizeBytes), float64(g.LeftBytes),
		float64(g.UpRate), float64(g.DownRate), float64(g.Peers)}
}
