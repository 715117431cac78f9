// Package dispatch maps a reader.Snapshot to the metrics of
// internal/catalogue and those to collectd value lists. The catalogue says
// what each identifier is; this package says where in a snapshot its
// values come from, and a test checks that every catalogue entry has
// exactly one mapping here.
package dispatch

import (
	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/reader"
)

// mapping says how one catalogue metric is read from a snapshot.
type mapping struct {
	metric *catalogue.Metric
	// get returns the values in DS order, or nil when the sensor is
	// unknown in this snapshot (command missing, no scan yet, remote host).
	get func(s *reader.Snapshot) []float64
	// groups returns the breakdown of a group metric, and values one
	// group's values in DS order.
	groups func(s *reader.Snapshot) []reader.GroupCounts
	values func(g reader.GroupCounts) []float64
	// instance, when set, returns the type instance of this snapshot's
	// value ("" for none): a text carried in the name (the versions).
	instance func(s *reader.Snapshot) string
	// resets marks DERIVE counters that restart from zero with rTorrent
	// (process-lifetime totals): a new pid is a restart even when the new
	// value is not below the old one.
	resets bool
	// sensors name the fast-tier sensors (reader.DisabledInfo.Sensor) a
	// value held in a plain field comes from: when one is off or unread
	// in a snapshot, the field holds no reading and is not dispatched.
	sensors []string
}

var mappings = []mapping{
	view(catalogue.ItemsTotal, "main", func(i *reader.Items) int64 { return i.Total }),
	view(catalogue.ItemsStarted, "started", func(i *reader.Items) int64 { return i.Started }),
	view(catalogue.ItemsStopped, "stopped", func(i *reader.Items) int64 { return i.Stopped }),
	view(catalogue.ItemsComplete, "complete", func(i *reader.Items) int64 { return i.Complete }),
	view(catalogue.ItemsIncomplete, "incomplete", func(i *reader.Items) int64 { return i.Incomplete }),
	view(catalogue.ItemsSeeding, "seeding", func(i *reader.Items) int64 { return i.Seeding }),
	view(catalogue.ItemsLeeching, "leeching", func(i *reader.Items) int64 { return i.Leeching }),
	view(catalogue.ItemsHashing, "hashing", func(i *reader.Items) int64 { return i.Hashing }),
	view(catalogue.ItemsResumed, "active", func(i *reader.Items) int64 { return i.Resumed }),
	{metric: catalogue.ItemsActive, get: func(s *reader.Snapshot) []float64 { return ptr(s.Items.Active) }},
	{metric: catalogue.ItemsMessages, get: func(s *reader.Snapshot) []float64 { return ptr(s.Items.Messages) }},

	rate(catalogue.UpRate, "up_rate", func(t *reader.Traffic) int64 { return t.UpRate }),
	rate(catalogue.DownRate, "down_rate", func(t *reader.Traffic) int64 { return t.DownRate }),
	rate(catalogue.UpLimit, "up_limit", func(t *reader.Traffic) int64 { return t.UpLimit }),
	rate(catalogue.DownLimit, "down_limit", func(t *reader.Traffic) int64 { return t.DownLimit }),
	{metric: catalogue.SkipRate, get: func(s *reader.Snapshot) []float64 { return ptr(s.Traffic.SkipRate) }},
	{metric: catalogue.Octets, resets: true, sensors: []string{"down_total", "up_total"},
		get: func(s *reader.Snapshot) []float64 {
			return []float64{float64(s.Traffic.DownTotal), float64(s.Traffic.UpTotal)}
		}},

	resource(catalogue.OpenSockets, func(r *reader.Resources) *int64 { return r.OpenSockets }),
	resource(catalogue.MaxOpenSockets, func(r *reader.Resources) *int64 { return r.MaxOpenSockets }),
	resource(catalogue.HTTPOpen, func(r *reader.Resources) *int64 { return r.HTTPOpen }),
	resource(catalogue.MaxOpenHTTP, func(r *reader.Resources) *int64 { return r.MaxOpenHTTP }),
	resource(catalogue.OpenFiles, func(r *reader.Resources) *int64 { return r.OpenFiles }),
	resource(catalogue.MaxOpenFiles, func(r *reader.Resources) *int64 { return r.MaxOpenFiles }),
	counter(resource(catalogue.FilesOpened, func(r *reader.Resources) *int64 { return r.FilesOpened })),
	counter(resource(catalogue.FilesClosed, func(r *reader.Resources) *int64 { return r.FilesClosed })),
	resource(catalogue.PieceMemory, func(r *reader.Resources) *int64 { return r.PieceMemory }),
	resource(catalogue.PieceMemoryMax, func(r *reader.Resources) *int64 { return r.PieceMemoryMax }),
	{metric: catalogue.Uptime, get: func(s *reader.Snapshot) []float64 { return fptr(s.Uptime) }},

	counter(process(catalogue.CPUTime, func(p *reader.Process) []float64 { return []float64{p.CPUUser * 1e6, p.CPUSystem * 1e6} })),
	process(catalogue.CPUPercent, func(p *reader.Process) []float64 { return fptr(p.PCPU) }),
	process(catalogue.MemPercent, func(p *reader.Process) []float64 { return []float64{p.PMem} }),
	process(catalogue.RSS, func(p *reader.Process) []float64 { return []float64{float64(p.RSS)} }),
	process(catalogue.VM, func(p *reader.Process) []float64 { return []float64{float64(p.VSZ)} }),
	process(catalogue.SizePages, func(p *reader.Process) []float64 { return []float64{float64(p.SZ)} }),
	process(catalogue.ProcessCount, func(p *reader.Process) []float64 { return []float64{1, float64(p.Threads)} }),
	counter(process(catalogue.MajorFaults, func(p *reader.Process) []float64 { return []float64{float64(p.Majflt)} })),
	counter(process(catalogue.DiskOctets, func(p *reader.Process) []float64 {
		if p.ReadBytes == nil || p.WriteBytes == nil {
			return nil
		}
		return []float64{float64(*p.ReadBytes), float64(*p.WriteBytes)}
	})),

	sizes(catalogue.SizeTotal, func(z *reader.Sizes) int64 { return z.SizeBytes }),
	sizes(catalogue.SizeLeft, func(z *reader.Sizes) int64 { return z.LeftBytes }),
	sizes(catalogue.SizeCompleted, func(z *reader.Sizes) int64 { return z.Completed }),
	sizes(catalogue.Files, func(z *reader.Sizes) int64 { return z.Files }),

	ratio(catalogue.RatioBelow05, func(r *reader.RatioBuckets) int64 { return r.Below05 }),
	ratio(catalogue.Ratio05To1, func(r *reader.RatioBuckets) int64 { return r.To1 }),
	ratio(catalogue.Ratio1To2, func(r *reader.RatioBuckets) int64 { return r.To2 }),
	ratio(catalogue.Ratio2To5, func(r *reader.RatioBuckets) int64 { return r.To5 }),
	ratio(catalogue.RatioAtLeast5, func(r *reader.RatioBuckets) int64 { return r.Above5 }),

	peer(catalogue.PeersConnected, func(p *reader.Peers) int64 { return p.Connected }),
	peer(catalogue.PeersSeeds, func(p *reader.Peers) int64 { return p.Seeds }),
	peer(catalogue.PeersAccounted, func(p *reader.Peers) int64 { return p.Accounted }),
	peer(catalogue.PeersIncoming, func(p *reader.Peers) int64 { return p.Incoming }),
	peer(catalogue.PeersEncrypted, func(p *reader.Peers) int64 { return p.Encrypted }),
	peer(catalogue.PeersObfuscated, func(p *reader.Peers) int64 { return p.Obfuscated }),
	peer(catalogue.PeersSnubbed, func(p *reader.Peers) int64 { return p.Snubbed }),
	peer(catalogue.PeersPreferred, func(p *reader.Peers) int64 { return p.Preferred }),
	peer(catalogue.PeersUnwanted, func(p *reader.Peers) int64 { return p.Unwanted }),

	event(catalogue.EventsInserted, func(e *reader.Events) int64 { return e.Inserted }),
	event(catalogue.EventsErased, func(e *reader.Events) int64 { return e.Erased }),
	event(catalogue.EventsFinished, func(e *reader.Events) int64 { return e.Finished }),
	event(catalogue.EventsStarted, func(e *reader.Events) int64 { return e.Started }),
	event(catalogue.EventsStopped, func(e *reader.Events) int64 { return e.Stopped }),
	exactEvent(catalogue.EventsLoaded, func(e *reader.Events) int64 { return e.Loaded }),
	exactEvent(catalogue.EventsPaused, func(e *reader.Events) int64 { return e.Paused }),
	exactEvent(catalogue.EventsResumed, func(e *reader.Events) int64 { return e.Resumed }),
	exactEvent(catalogue.EventsOpened, func(e *reader.Events) int64 { return e.Opened }),
	exactEvent(catalogue.EventsClosed, func(e *reader.Events) int64 { return e.Closed }),
	exactEvent(catalogue.EventsHashQueued, func(e *reader.Events) int64 { return e.HashQueued }),
	exactEvent(catalogue.EventsHashDone, func(e *reader.Events) int64 { return e.HashDone }),
	exactEvent(catalogue.EventsHashFailed, func(e *reader.Events) int64 { return e.HashFailed }),
	exactEvent(catalogue.EventsHashRemoved, func(e *reader.Events) int64 { return e.HashRemoved }),
	version(catalogue.VersionClient, "client", func(s *reader.Snapshot) string { return s.ClientVersion }),
	version(catalogue.VersionLibrary, "library", func(s *reader.Snapshot) string { return s.LibraryVersion }),

	scanInfo(catalogue.ScanDuration, func(i *reader.ScanInfo) float64 { return i.Duration.Seconds() }),
	scanInfo(catalogue.ScanAge, func(i *reader.ScanInfo) float64 { return i.Age }),
	scanInfo(catalogue.ScanItems, func(i *reader.ScanInfo) float64 { return float64(i.Items) }),
	scanInfo(catalogue.ScanNewHashes, func(i *reader.ScanInfo) float64 { return float64(i.NewHashes) }),
	scanInfo(catalogue.ScanReply, func(i *reader.ScanInfo) float64 { return float64(i.ReplyBytes) }),

	{metric: catalogue.Trackers, groups: func(s *reader.Snapshot) []reader.GroupCounts { return s.Trackers }, values: groupValues},
	{metric: catalogue.Labels, groups: func(s *reader.Snapshot) []reader.GroupCounts { return s.Labels }, values: groupValues},
	// Volumes count since the plugin started (the reader takes a new
	// baseline when rTorrent restarts), so a new pid is no reset for them.
	{metric: catalogue.TrackerVolume, groups: func(s *reader.Snapshot) []reader.GroupCounts { return s.Trackers }, values: volumeValues},
	{metric: catalogue.LabelVolume, groups: func(s *reader.Snapshot) []reader.GroupCounts { return s.Labels }, values: volumeValues},
}

// ordered holds the mappings in catalogue order, so value lists come out
// in the order of docs/metrics.md whatever the order above.
var ordered = func() []*mapping {
	by := map[*catalogue.Metric]*mapping{}
	for i := range mappings {
		by[mappings[i].metric] = &mappings[i]
	}
	var out []*mapping
	for _, m := range catalogue.All() {
		if mp := by[m]; mp != nil {
			out = append(out, mp)
		}
	}
	return out
}()

// groupValues are a breakdown's values in the order of the catalogue's
// rtorrent_group data sources.
func groupValues(g reader.GroupCounts) []float64 {
	return []float64{float64(g.Items), float64(g.Active), float64(g.Complete), float64(g.Seeding),
		float64(g.Leeching), float64(g.Messages), float64(g.SizeBytes), float64(g.LeftBytes),
		float64(g.UpRate), float64(g.DownRate), float64(g.Peers)}
}

// volumeValues are a group's rtorrent_volume values: up, down.
func volumeValues(g reader.GroupCounts) []float64 {
	return []float64{float64(g.UpBytes), float64(g.DownBytes)}
}
