// Package reader turns one rTorrent into a Snapshot of every sensor rtmon
// reports, reading it in tiers so that rTorrent's global lock is held as
// little as possible:
//
//   - the fast tier, every read: one system.multicall of globals and the
//     view sizes, whose cost does not grow with the number of items;
//   - the item scan, on its own cadence held to a load budget: one
//     d.multicall2 over "main" with short fields only;
//   - static per-item data (size, file count, tracker domain, label),
//     cached per hash and fetched only for hashes not seen before.
//
// Process figures come from /proc when rTorrent runs on this machine.
package reader

import "time"

// Snapshot holds every sensor of one rTorrent instance at one moment.
// Pointer and slice fields are nil when the sensor is unavailable (a command
// missing from this build, rTorrent on another host, no scan yet), so a
// consumer never mistakes "unknown" for zero.
type Snapshot struct {
	Instance string    `json:"instance"`
	URL      string    `json:"url"`
	Time     time.Time `json:"time"`

	ClientVersion  string `json:"client_version"`
	LibraryVersion string `json:"library_version"`
	Hostname       string `json:"hostname,omitempty"`
	PID            int64  `json:"pid"`
	// Uptime in seconds: system.startup_time where the user's rc defines
	// it, else the start time of /proc/<pid> when rTorrent is local.
	Uptime       *float64 `json:"uptime_seconds,omitempty"`
	UptimeSource string   `json:"uptime_source,omitempty"`

	Items     Items     `json:"items"`
	Traffic   Traffic   `json:"traffic"`
	Resources Resources `json:"resources"`
	Process   *Process  `json:"process,omitempty"`

	// From the item scan; nil until the first scan.
	Sizes    *Sizes         `json:"sizes,omitempty"`
	Ratios   *RatioBuckets  `json:"ratios,omitempty"`
	Peers    *Peers         `json:"peers,omitempty"`
	Events   *Events        `json:"events,omitempty"`
	Trackers []GroupCounts  `json:"trackers,omitempty"`
	Labels   []GroupCounts  `json:"labels,omitempty"`
	Scan     *ScanInfo      `json:"scan,omitempty"`
	Off      []DisabledInfo `json:"disabled,omitempty"`
	// Exact events and items moving now (issue 13, exact.go, moving.go).
	// EventsSource says where Events come from: EventsExact or EventsScan.
	EventsSource string  `json:"events_source,omitempty"`
	exactRaw     []int64 // this read's rtmon.events.* values, in exactKeys order; -1 unread
	moving       movers  // the fast tier's list of items moving now
	erasedLog    string  // the erase log the fast tier read and emptied (erasedlog.go)

	// Unread names the fast-tier sensors (DisabledInfo.Sensor) whose
	// sub-call failed in this read: a fault, or a value of the wrong type.
	// Their fields hold no reading and must not be reported; the reason
	// is among the reader's SubErrors.
	Unread []string `json:"unread,omitempty"`
}

// Items counts items by state. View-backed counts come from the fast tier
// (view.size); Active and Messages need the item scan.
type Items struct {
	Total      int64 `json:"total"`      // view main
	Started    int64 `json:"started"`    // view started
	Stopped    int64 `json:"stopped"`    // view stopped
	Complete   int64 `json:"complete"`   // view complete
	Incomplete int64 `json:"incomplete"` // view incomplete
	Seeding    int64 `json:"seeding"`    // view seeding
	Leeching   int64 `json:"leeching"`   // view leeching (downloading)
	Hashing    int64 `json:"hashing"`    // view hashing
	// Resumed is rTorrent's own "active" view: items not paused, whether
	// or not anything moves. Not the same as Active.
	Resumed int64 `json:"resumed"`
	// Active counts items transferring now (up or down rate above zero),
	// as ruTorrent's Active filter does. Item scan; nil before it.
	Active *int64 `json:"active,omitempty"`
	// Messages counts items whose d.message is not empty (tracker errors
	// and the like). Item scan; nil before it.
	Messages *int64 `json:"messages,omitempty"`
}

// Traffic is rTorrent's global throttle state. Rates are bytes/s; totals
// are bytes since rTorrent started (they fall to zero on a restart).
type Traffic struct {
	UpRate    int64 `json:"up_rate"`
	DownRate  int64 `json:"down_rate"`
	UpTotal   int64 `json:"up_total"`
	DownTotal int64 `json:"down_total"`
	UpLimit   int64 `json:"up_limit"`   // 0 = unlimited
	DownLimit int64 `json:"down_limit"` // 0 = unlimited
	// SkipRate sums d.skip.rate (bytes/s of unwanted data) over all items.
	// Item scan; nil before it.
	SkipRate *int64 `json:"skip_rate,omitempty"`
}

// Resources are rTorrent's own gauges of what it holds.
type Resources struct {
	OpenSockets    *int64 `json:"open_sockets,omitempty"`
	HTTPOpen       *int64 `json:"http_open,omitempty"`
	OpenFiles      *int64 `json:"open_files,omitempty"` // network.open_files (0.10+) or opened-closed counters
	FilesOpened    *int64 `json:"files_opened,omitempty"`
	FilesClosed    *int64 `json:"files_closed,omitempty"`
	PieceMemory    *int64 `json:"piece_memory,omitempty"`     // bytes
	PieceMemoryMax *int64 `json:"piece_memory_max,omitempty"` // bytes
	MaxOpenSockets *int64 `json:"max_open_sockets,omitempty"`
	MaxOpenHTTP    *int64 `json:"max_open_http,omitempty"`
	MaxOpenFiles   *int64 `json:"max_open_files,omitempty"`
}

// Process holds ps-style figures of the rTorrent process, read from /proc
// when it runs on this machine.
type Process struct {
	CPUUser    float64  `json:"cpu_user_seconds"`
	CPUSystem  float64  `json:"cpu_system_seconds"`
	CPUTime    float64  `json:"cpu_seconds"`    // user + system, as ps cputime
	PCPU       *float64 `json:"pcpu,omitempty"` // % of one core since the previous read
	PMem       float64  `json:"pmem"`           // RSS as % of MemTotal, as ps %mem
	SZ         int64    `json:"sz_pages"`       // ps sz: virtual size in pages
	RSS        int64    `json:"rss_bytes"`      // resident set size
	VSZ        int64    `json:"vsz_bytes"`      // virtual size
	Threads    int64    `json:"threads"`
	Started    int64    `json:"start_time"` // epoch seconds
	Majflt     int64    `json:"major_faults"`
	ReadBytes  *int64   `json:"read_bytes,omitempty"` // /proc/<pid>/io, when readable
	WriteBytes *int64   `json:"write_bytes,omitempty"`
}

// Sizes sums static and progress sizes over all items (item scan).
type Sizes struct {
	SizeBytes int64 `json:"size_bytes"` // sum of d.size_bytes
	LeftBytes int64 `json:"left_bytes"` // sum of d.left_bytes
	Files     int64 `json:"files"`      // sum of d.size_files
	Completed int64 `json:"completed_bytes"`
}

// RatioBuckets is a histogram of items by share ratio (d.ratio / 1000).
type RatioBuckets struct {
	Below05 int64 `json:"lt_0_5"` // ratio < 0.5
	To1     int64 `json:"0_5_to_1"`
	To2     int64 `json:"1_to_2"`
	To5     int64 `json:"2_to_5"`
	Above5  int64 `json:"ge_5"`
}

// Peers sums peer figures over all items. Connected and Seeds come from
// the item scan; the flags come from p.multicall over items that have peers.
type Peers struct {
	Connected  int64 `json:"connected"`  // d.peers_connected
	Seeds      int64 `json:"seeds"`      // d.peers_complete
	Accounted  int64 `json:"accounted"`  // d.peers_accounted
	Incoming   int64 `json:"incoming"`   // p.is_incoming
	Encrypted  int64 `json:"encrypted"`  // p.is_encrypted
	Obfuscated int64 `json:"obfuscated"` // p.is_obfuscated
	Snubbed    int64 `json:"snubbed"`    // p.is_snubbed
	Preferred  int64 `json:"preferred"`  // p.is_preferred
	Unwanted   int64 `json:"unwanted"`   // p.is_unwanted
}

// Events counts download events since the reader started. Where the
// user's rc imports dist/rtorrent/rtmon-events.rc, rTorrent counts every
// event itself (EventsSource "rtorrent"): every field is exact. Otherwise
// (EventsSource "scan") the first five are found by comparing consecutive
// scans, which misses what happens between two scans, and the rest are
// not reported.
type Events struct {
	Inserted int64 `json:"inserted"`
	Erased   int64 `json:"erased"`
	Finished int64 `json:"finished"`
	Started  int64 `json:"started"`
	Stopped  int64 `json:"stopped"`
	// Only from rtmon-events.rc.
	Loaded      int64 `json:"loaded"` // items loaded from the session at rTorrent's start
	Paused      int64 `json:"paused"`
	Resumed     int64 `json:"resumed"`
	Opened      int64 `json:"opened"`
	Closed      int64 `json:"closed"`
	HashQueued  int64 `json:"hash_queued"`
	HashDone    int64 `json:"hash_done"`
	HashFailed  int64 `json:"hash_failed"`
	HashRemoved int64 `json:"hash_removed"`
}

// GroupCounts is the breakdown for one tracker domain or one label.
type GroupCounts struct {
	Name      string `json:"name"`
	Items     int64  `json:"items"`
	Active    int64  `json:"active"`
	Complete  int64  `json:"complete"`
	Seeding   int64  `json:"seeding"`
	Leeching  int64  `json:"leeching"`
	Messages  int64  `json:"messages"`
	SizeBytes int64  `json:"size_bytes"`
	LeftBytes int64  `json:"left_bytes"`
	UpRate    int64  `json:"up_rate"`
	DownRate  int64  `json:"down_rate"`
	Peers     int64  `json:"peers"`
	// UpBytes and DownBytes are the bytes the group's items uploaded and
	// downloaded since the reader started: the sum of each item's
	// d.up.total and d.down.total increases between the scans that read
	// it (volume.go). They never fall, and change only at a scan.
	UpBytes   int64 `json:"up_bytes"`
	DownBytes int64 `json:"down_bytes"`
}

// ScanInfo says how fresh the scan-tier fields are and what the scan cost.
type ScanInfo struct {
	Time       time.Time     `json:"time"`
	Age        float64       `json:"age_seconds"`
	Duration   time.Duration `json:"duration_ns"`
	Items      int           `json:"items"`
	ReplyBytes int64         `json:"reply_bytes"`
	NewHashes  int           `json:"new_hashes"`
	Next       time.Time     `json:"next"`
	// Full is true when the latest scan read every item, false when it
	// read only the busy ones (the delta scan, delta.go).
	Full bool `json:"full"`
}

// DisabledInfo names a sensor switched off because this rTorrent lacks the
// command behind it.
type DisabledInfo struct {
	Sensor  string `json:"sensor"`
	Command string `json:"command"`
}
