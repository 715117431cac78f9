package catalogue

var (
	gauge  = []DS{{"value", Gauge}}
	derive = []DS{{"value", Derive}}
)

// Items, from view.size of rTorrent's built-in views (fast tier), and the
// scan's own counts.
var (
	ItemsTotal      = view("total", "main", "All items (loaded torrents).")
	ItemsStarted    = view("started", "started", "Items started (d.state = 1).")
	ItemsStopped    = view("stopped", "stopped", "Items stopped (d.state = 0).")
	ItemsComplete   = view("complete", "complete", "Items whose data is complete.")
	ItemsIncomplete = view("incomplete", "incomplete", "Items still missing data.")
	ItemsSeeding    = view("seeding", "seeding", "Items started and complete.")
	ItemsLeeching   = view("leeching", "leeching", "Items started and incomplete (downloading).")
	ItemsHashing    = view("hashing", "hashing", "Items being hash-checked.")
	ItemsResumed    = view("resumed", "active", "Items in rTorrent's own \"active\" view: resumed (not paused), whether or not anything moves. Not the same as items_active.")
	ItemsActive     = &Metric{Type: "count", TypeInstance: "items_active", DS: gauge, Unit: "items", Tier: TierFast,
		Meaning: "Items transferring now: up or down rate above zero (ruTorrent's Active filter), read at every interval; the latest scan's count where rTorrent lacks d.multicall.filtered.",
		Source:  "d.multicall.filtered started or={d.up.rate=,d.down.rate=} d.hash= (fast tier), else d.multicall2 main: d.up.rate, d.down.rate"}
	ItemsMessages = &Metric{Type: "count", TypeInstance: "items_messages", DS: gauge, Unit: "items", Tier: TierScan,
		Meaning: "Items with a non-empty message (tracker errors and the like).",
		Source:  "d.multicall2 main: d.message"}
)

// Traffic (fast tier, skip rate from the scan).
var (
	UpRate    = rate("up", "throttle.global_up.rate", "Upload rate of all items.")
	DownRate  = rate("down", "throttle.global_down.rate", "Download rate of all items.")
	UpLimit   = rate("up_limit", "throttle.global_up.max_rate", "Global upload limit; 0 means unlimited.")
	DownLimit = rate("down_limit", "throttle.global_down.max_rate", "Global download limit; 0 means unlimited.")
	SkipRate  = &Metric{Type: "rtorrent_rate", TypeInstance: "skip", DS: gauge, Unit: "bytes/s", Tier: TierScan,
		Meaning: "Rate of unwanted data received (skipped), summed over all items.",
		Source:  "d.multicall2 main: d.skip.rate"}
	Octets = &Metric{Type: "if_octets", DS: []DS{{"rx", Derive}, {"tx", Derive}}, Unit: "bytes (stored as bytes/s)", Tier: TierFast,
		Meaning: "Traffic totals: rx = downloaded, tx = uploaded. rTorrent counts from its start; the plugin keeps the counter rising across rTorrent restarts.",
		Source:  "throttle.global_down.total, throttle.global_up.total"}
)

// Resources rTorrent holds (fast tier).
var (
	OpenSockets    = count("open_sockets", "network.open_sockets", "Sockets open now.")
	MaxOpenSockets = count("max_open_sockets", "network.max_open_sockets", "Limit on open sockets.")
	HTTPOpen       = count("http_open", "network.http.current_open", "HTTP connections open now (tracker announces, web seeds).")
	MaxOpenHTTP    = count("max_open_http", "network.http.max_open", "Limit on open HTTP connections.")
	OpenFiles      = count("open_files", "network.open_files (0.10+), else system.files.opened_counter - system.files.closed_counter", "Files open now.")
	MaxOpenFiles   = count("max_open_files", "network.max_open_files", "Limit on open files.")
	FilesOpened    = &Metric{Type: "operations", TypeInstance: "files_opened", DS: derive, Unit: "files (stored as opens/s)", Tier: TierFast,
		Meaning: "Files opened since rTorrent started.", Source: "system.files.opened_counter"}
	FilesClosed = &Metric{Type: "operations", TypeInstance: "files_closed", DS: derive, Unit: "files (stored as closes/s)", Tier: TierFast,
		Meaning: "Files closed since rTorrent started.", Source: "system.files.closed_counter"}
	PieceMemory = &Metric{Type: "bytes", TypeInstance: "piece_memory", DS: gauge, Unit: "bytes", Tier: TierFast,
		Meaning: "Memory used for pieces (chunk cache).", Source: "pieces.memory.current"}
	PieceMemoryMax = &Metric{Type: "bytes", TypeInstance: "piece_memory_max", DS: gauge, Unit: "bytes", Tier: TierFast,
		Meaning: "Limit on memory for pieces.", Source: "pieces.memory.max"}
	Uptime = &Metric{Type: "uptime", DS: gauge, Unit: "seconds", Tier: TierFast,
		Meaning: "Seconds since rTorrent started.",
		Source:  "system.startup_time where the rc defines it, else the start time of /proc/<system.pid>"}
)

// The rTorrent process, from /proc when it runs on this host.
var (
	CPUTime = &Metric{Type: "ps_cputime", DS: []DS{{"user", Derive}, {"syst", Derive}}, Unit: "microseconds (stored as µs/s)", Tier: TierProc,
		Meaning: "CPU time used by rTorrent in user and system mode, in microseconds as collectd's processes plugin reports it.",
		Source:  "/proc/<system.pid>/stat utime, stime"}
	CPUPercent = &Metric{Type: "rtorrent_percent", TypeInstance: "cpu", DS: gauge, Unit: "percent of one core", Tier: TierProc,
		Meaning: "CPU use since the previous read, as ps %cpu; may exceed 100 on several cores, which is why this is not the standard percent type (capped at 100.1).",
		Source:  "/proc/<system.pid>/stat"}
	MemPercent   = proc("percent", "mem", "percent", "Resident memory as a share of MemTotal, as ps %mem.", "/proc/<system.pid>/stat rss, /proc/meminfo MemTotal")
	RSS          = proc("ps_rss", "", "bytes", "Resident set size.", "/proc/<system.pid>/stat rss")
	VM           = proc("ps_vm", "", "bytes", "Virtual memory size (ps vsz).", "/proc/<system.pid>/stat vsize")
	SizePages    = proc("count", "sz_pages", "pages", "Virtual size in pages (ps sz).", "/proc/<system.pid>/stat vsize")
	ProcessCount = &Metric{Type: "ps_count", DS: []DS{{"processes", Gauge}, {"threads", Gauge}}, Unit: "processes, threads", Tier: TierProc,
		Meaning: "processes = 1 while rTorrent runs; threads = its thread count.",
		Source:  "/proc/<system.pid>/stat num_threads"}
	MajorFaults = &Metric{Type: "operations", TypeInstance: "major_faults", DS: derive, Unit: "faults (stored as faults/s)", Tier: TierProc,
		Meaning: "Major page faults of rTorrent (pages read from disk).", Source: "/proc/<system.pid>/stat majflt"}
	DiskOctets = &Metric{Type: "ps_disk_octets", DS: []DS{{"read", Derive}, {"write", Derive}}, Unit: "bytes (stored as bytes/s)", Tier: TierProc,
		Meaning: "Bytes rTorrent read from and wrote to storage.", Source: "/proc/<system.pid>/io read_bytes, write_bytes (needs permission)"}
)

// Sizes (item scan).
var (
	SizeTotal     = scan("bytes", "size_total", "bytes", "Sum of all items' sizes.", "d.size_bytes (cached per hash)")
	SizeLeft      = scan("bytes", "size_left", "bytes", "Bytes still to download, summed over all items.", "d.multicall2 main: d.left_bytes")
	SizeCompleted = scan("bytes", "size_completed", "bytes", "Bytes downloaded and verified, summed over all items.", "d.size_bytes - d.left_bytes")
	Files         = scan("count", "files", "files", "Files in all items.", "d.size_files (cached per hash)")
)

// Share ratio histogram (item scan).
var (
	RatioBelow05  = ratio("ratio_lt_0_5", "ratio < 0.5")
	Ratio05To1    = ratio("ratio_0_5_to_1", "0.5 <= ratio < 1")
	Ratio1To2     = ratio("ratio_1_to_2", "1 <= ratio < 2")
	Ratio2To5     = ratio("ratio_2_to_5", "2 <= ratio < 5")
	RatioAtLeast5 = ratio("ratio_ge_5", "ratio >= 5")
)

// Peers (item scan; the flags from p.multicall when PeerFlags is on).
var (
	PeersConnected  = peer("peers_connected", "Peers connected, summed over all items.", "d.multicall2 main: d.peers_connected", "")
	PeersSeeds      = peer("peers_seeds", "Connected peers that have the whole item.", "d.multicall2 main: d.peers_complete", "")
	PeersAccounted  = peer("peers_accounted", "Peers accounted for (rTorrent's own connection count).", "d.multicall2 main: d.peers_accounted", "")
	PeersIncoming   = peer("peers_incoming", "Connected peers that connected to us.", "p.multicall: p.is_incoming", "PeerFlags")
	PeersEncrypted  = peer("peers_encrypted", "Connected peers over an encrypted link.", "p.multicall: p.is_encrypted", "PeerFlags")
	PeersObfuscated = peer("peers_obfuscated", "Connected peers with an obfuscated handshake.", "p.multicall: p.is_obfuscated", "PeerFlags")
	PeersSnubbed    = peer("peers_snubbed", "Connected peers we snubbed.", "p.multicall: p.is_snubbed", "PeerFlags")
	PeersPreferred  = peer("peers_preferred", "Connected peers marked preferred.", "p.multicall: p.is_preferred", "PeerFlags")
	PeersUnwanted   = peer("peers_unwanted", "Connected peers marked unwanted.", "p.multicall: p.is_unwanted", "PeerFlags")
)

// Download events: counted inside rTorrent where the rc imports
// dist/rtorrent/rtmon-events.rc, else (the first five only) found by
// comparing consecutive scans. Versions, read once per connection.
var (
	EventsInserted = event("events_inserted", "inserted", "Items added (event.download.inserted_new).")
	EventsErased   = event("events_erased", "erased", "Items removed (event.download.erased).")
	EventsFinished = event("events_finished", "finished", "Items that completed their download (event.download.finished).")
	EventsStarted  = event("events_started", "started", "Items started (d.start: event.download.resumed of an item last seen stopped).")
	EventsStopped  = event("events_stopped", "stopped", "Items stopped (d.stop: event.download.paused with d.state 0).")

	EventsLoaded      = exactEvent("events_loaded", "loaded", "Items loaded from the session when rTorrent starts (event.download.inserted_session).")
	EventsPaused      = exactEvent("events_paused", "paused", "Items paused and left started (event.download.paused with d.state 1: d.pause, and d.close or d.erase of a started item).")
	EventsResumed     = exactEvent("events_resumed", "resumed", "Items resumed that were not stopped (event.download.resumed other than a start: d.resume, the resume after a hash check or a load_start).")
	EventsOpened      = exactEvent("events_opened", "opened", "Items whose files were opened (event.download.opened).")
	EventsClosed      = exactEvent("events_closed", "closed", "Items whose files were closed (event.download.closed).")
	EventsHashQueued  = exactEvent("events_hash_queued", "hash_queued", "Hash checks queued (event.download.hash_queued).")
	EventsHashDone    = exactEvent("events_hash_done", "hash_done", "Hash checks finished (event.download.hash_done).")
	EventsHashFailed  = exactEvent("events_hash_failed", "hash_failed", "Hash checks that failed (event.download.hash_failed).")
	EventsHashRemoved = exactEvent("events_hash_removed", "hash_removed", "Hash checks taken off the queue (event.download.hash_removed: d.close, d.erase, d.check_hash).")

	VersionClient = &Metric{Type: "rtorrent_version", TypeInstance: "client_<version>", DS: gauge, Unit: "1 (the version is the type instance)", Tier: TierConnect,
		Meaning: "rTorrent's version, e.g. client_0.9.8: collectd values carry no strings, so the version, escaped as tracker names are, is the type instance of a gauge that is always 1. Find it with LISTVAL.",
		Source:  "system.client_version, read once per connection"}
	VersionLibrary = &Metric{Type: "rtorrent_version", TypeInstance: "library_<version>", DS: gauge, Unit: "1 (the version is the type instance)", Tier: TierConnect,
		Meaning: "libtorrent's version, e.g. library_0.13.8, as client_<version>.",
		Source:  "system.library_version, read once per connection"}
)

// Versions are the identifiers whose type instance carries a text and
// whose value means nothing: not graphed.
var Versions = []*Metric{VersionClient, VersionLibrary}

// ExactEvents are the event counters only rtmon-events.rc provides: not
// dispatched without it.
var ExactEvents = []*Metric{EventsLoaded, EventsPaused, EventsResumed, EventsOpened, EventsClosed,
	EventsHashQueued, EventsHashDone, EventsHashFailed, EventsHashRemoved}

// What the scan itself cost, for the load budget.
var (
	ScanDuration  = scanInfo("duration", "scan_duration", "seconds", "Time rTorrent spent answering the latest item scan.")
	ScanAge       = scanInfo("duration", "scan_age", "seconds", "Age of the scan-tier values at this read.")
	ScanItems     = scanInfo("count", "scan_items", "items", "Items the latest scan read.")
	ScanNewHashes = scanInfo("count", "scan_new_hashes", "items", "Items whose static data the latest scan fetched (not seen before).")
	ScanReply     = scanInfo("bytes", "scan_reply", "bytes", "Size of the latest scan's replies.")
)

// Breakdowns, one identifier per tracker domain and per label.
var (
	Trackers = &Metric{Type: "rtorrent_group", TypeInstance: "tracker_<domain>", DS: groupDS, Group: "tracker", Tier: TierScan, Needs: "PerTracker",
		Unit:    "items; size_bytes, left_bytes in bytes; up_rate, down_rate in bytes/s; peers",
		Meaning: "Per tracker domain (host of the first usable tracker URL, lower case, without port and a leading www./tracker./announce.; \"none\" for items without one): items, active, complete, seeding, leeching, messages, size_bytes, left_bytes, up_rate, down_rate, peers.",
		Source:  "t.multicall (nested in d.multicall2, cached per hash) and the item scan"}
	Labels = &Metric{Type: "rtorrent_group", TypeInstance: "label_<label>", DS: groupDS, Group: "label", Tier: TierScan, Needs: "PerLabel",
		Unit:    "items; size_bytes, left_bytes in bytes; up_rate, down_rate in bytes/s; peers",
		Meaning: "Per label (d.custom1 as ruTorrent writes it, URI-decoded; \"none\" for items without one): the same data sources as per tracker.",
		Source:  "d.custom1 (cached per hash) and the item scan"}
)

// Byte volumes per tracker domain and per label (issue 13): counters exact
// to rTorrent's per-item totals, stored as DERIVE so rrdtool keeps bytes/s
// and a volume over a range is the sum of rate x step.
var (
	TrackerVolume = &Metric{Type: "rtorrent_volume", TypeInstance: "tracker_<domain>", DS: volumeDS, Group: "tracker", Tier: TierScan, Needs: "PerTracker",
		Unit:    "bytes (stored as bytes/s)",
		Meaning: "Bytes uploaded (up) and downloaded (down) by the items of one tracker domain (named as for rtorrent_group) since the plugin started. Each scan adds what each item it reads moved since the scan that read it last, so a volume is exact to rTorrent's own counters whatever the traffic does between scans, and an item stopped or relabelled between scans loses nothing. Bytes go to the group the item is in at the scan that reads them. Not counted: what items held when the plugin started, totals restored from the session when rTorrent restarts, and, unless the rc imports rtmon-events.rc (whose erase log closes this hole), what an item erased between two scans moved after the last of them (at most its rate times the scan gap; idle items lose nothing).",
		Source:  "d.multicall2 main (and the delta scan): d.up.total, d.down.total"}
	LabelVolume = &Metric{Type: "rtorrent_volume", TypeInstance: "label_<label>", DS: volumeDS, Group: "label", Tier: TierScan, Needs: "PerLabel",
		Unit:    "bytes (stored as bytes/s)",
		Meaning: "Bytes uploaded (up) and downloaded (down) by the items of one label (named as for rtorrent_group) since the plugin started; counted as per tracker. A relabelled item's bytes go to its new label from the scan that re-reads labels (every MaxScanInterval).",
		Source:  "d.multicall2 main (and the delta scan): d.up.total, d.down.total; d.custom1"}
)

// volumeDS are the data sources of rtorrent_volume.
var volumeDS = []DS{{"up", Derive}, {"down", Derive}}

// groupDS are the data sources of rtorrent_group, one file per tracker
// domain or label with all its figures.
var groupDS = []DS{
	{"items", Gauge}, {"active", Gauge}, {"complete", Gauge}, {"seeding", Gauge},
	{"leeching", Gauge}, {"messages", Gauge}, {"size_bytes", Gauge}, {"left_bytes", Gauge},
	{"up_rate", Gauge}, {"down_rate", Gauge}, {"peers", Gauge},
}

// all is the catalogue in the order of docs/metrics.md.
var all = []*Metric{
	ItemsTotal, ItemsStarted, ItemsStopped, ItemsComplete, ItemsIncomplete, ItemsSeeding, ItemsLeeching,
	ItemsHashing, ItemsResumed, ItemsActive, ItemsMessages,
	UpRate, DownRate, UpLimit, DownLimit, SkipRate, Octets,
	OpenSockets, MaxOpenSockets, HTTPOpen, MaxOpenHTTP, OpenFiles, MaxOpenFiles,
	FilesOpened, FilesClosed, PieceMemory, PieceMemoryMax, Uptime,
	CPUTime, CPUPercent, MemPercent, RSS, VM, SizePages, ProcessCount, MajorFaults, DiskOctets,
	SizeTotal, SizeLeft, SizeCompleted, Files,
	RatioBelow05, Ratio05To1, Ratio1To2, Ratio2To5, RatioAtLeast5,
	PeersConnected, PeersSeeds, PeersAccounted, PeersIncoming, PeersEncrypted, PeersObfuscated,
	PeersSnubbed, PeersPreferred, PeersUnwanted,
	EventsInserted, EventsErased, EventsFinished, EventsStarted, EventsStopped,
	EventsLoaded, EventsPaused, EventsResumed, EventsOpened, EventsClosed,
	EventsHashQueued, EventsHashDone, EventsHashFailed, EventsHashRemoved,
	VersionClient, VersionLibrary,
	ScanDuration, ScanAge, ScanItems, ScanNewHashes, ScanReply,
	Trackers, Labels,
	TrackerVolume, LabelVolume,
}
