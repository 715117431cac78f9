// Package catalogue is rtmon's metric catalogue: every identifier the
// collectd plugin dispatches, with its collectd type, data sources, unit,
// meaning, source command and tier, and the escaping of tracker and label
// names into collectd names.
//
// It is data only and imports nothing but the standard library, so the
// viewer, the plugin, the probe and the docs test share it without the
// viewer linking the plugin's rTorrent client. Code names a metric through
// its variable here (catalogue.UpRate), never by typing "rtorrent_rate-up"
// again. The plugin's mapping from a snapshot to these metrics lives in
// plugin/dispatch, which a test keeps in step with this list.
//
// Identifiers follow collectd's scheme
//
//	<host>/rtorrent-<instance>/<type>[-<type_instance>]
//
// stored by the rrdtool plugin as
//
//	DataDir/<host>/rtorrent-<instance>/<type>[-<type_instance>].rrd
package catalogue

import "strings"

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
	// TierConnect values are read once each time the plugin connects to
	// rTorrent (and after a restart), and dispatched every interval.
	TierConnect Tier = "connect"
)

// Kinds of data source, as in types.db.
const (
	Gauge  = "GAUGE"
	Derive = "DERIVE"
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
	// GroupInstance(Group, name) for each tracker domain or label, and this
	// field shows the pattern (e.g. "tracker_<domain>").
	TypeInstance string
	DS           []DS
	Unit         string // of each data source, as stored (a DERIVE's rate is per second)
	Meaning      string
	Source       string // rTorrent command (or /proc file) behind the value
	Tier         Tier
	Group        string // "tracker" or "label" for group metrics, else ""
	// Needs names the <Sensors> option that must be on for the value to
	// be dispatched at all ("" for none).
	Needs string
}

// ID returns the identifier "type[-type_instance]" as collectd prints it
// after the plugin part.
func (m *Metric) ID() string {
	if m.TypeInstance == "" {
		return m.Type
	}
	return m.Type + "-" + m.TypeInstance
}

// All returns every metric the plugin can dispatch, in the order of
// docs/metrics.md. The slice and the metrics are shared: do not modify them.
func All() []*Metric { return all }

// Family is a run of metrics of one collectd type whose type instances
// share Prefix (the item counts, the share ratio buckets, ...); the viewer
// shows each family together and keys its members by what follows Prefix.
type Family struct {
	Type    string // "" for any type
	Prefix  string
	Metrics []*Metric // in catalogue order
}

// Key returns m's type instance without the family's prefix.
func (f *Family) Key(m *Metric) string { return strings.TrimPrefix(m.TypeInstance, f.Prefix) }

func family(typ, prefix string) *Family {
	f := &Family{Type: typ, Prefix: prefix}
	for _, m := range all {
		if m.Group == "" && (typ == "" || m.Type == typ) && strings.HasPrefix(m.TypeInstance, prefix) {
			f.Metrics = append(f.Metrics, m)
		}
	}
	return f
}

// The families, computed from the list so they cannot miss a member.
var (
	Items  = family("count", "items_")       // count-items_<key>: rTorrent's views and the scan's counts
	Sizes  = family("bytes", "size_")        // bytes-size_<key>
	Ratios = family("count", "ratio_")       // count-ratio_<bucket>
	Peers  = family("count", "peers_")       // count-peers_<key>
	Events = family("operations", "events_") // operations-events_<key>
	Scan   = family("", "scan_")             // <type>-scan_<key>: what the scan cost
)
