package fleet

import (
	"github.com/rtmon/rtmon/viewer/rrdcached"
)

const (
	// MaxHosts caps the hosts listed; the rest are counted in
	// Table.HostsOmitted. 5,000 rows are about 1.5 MB of JSON.
	MaxHosts = 5000
	// MaxInstances caps the rTorrent instances listed per host.
	MaxInstances = 16
	// MaxNameLen caps a host or instance name (bytes); longer names are
	// left out and counted in Table.Refused. collectd's own limit is 127.
	MaxNameLen = 127
	// FleetHost is the host name the central snippet's aggregation plugin
	// writes the fleet-wide sums under (collectd.conf.d/central/
	// aggregation.conf); it is shown as the fleet's graphs, not as a row.
	FleetHost = "rtmon-fleet"
)

// Row is one rTorrent instance of one host, or a host without rTorrent.
// Figures collectd does not hold (stale host, sensor off) are null.
type Row struct {
	Host     string   `json:"host"`
	Instance string   `json:"instance,omitempty"`
	Up       *float64 `json:"up_rate"`   // bytes/s
	Down     *float64 `json:"down_rate"` // bytes/s
	Items    *float64 `json:"items"`
	Active   *float64 `json:"active"`
	Messages *float64 `json:"messages"`
	// DiskFree and DiskTotal sum the host's df values (bytes).
	DiskFree  *float64 `json:"disk_free_bytes"`
	DiskTotal *float64 `json:"disk_total_bytes"`
	// Age is how old the host's newest value is (seconds); -1 when the
	// host has never been seen by this viewer and its files say nothing.
	Age float64 `json:"age_seconds"`
	// Stale: nothing from the host for more than two of its intervals
	// (Interval), or collectd has dropped it from its cache.
	Stale    bool    `json:"stale"`
	Interval float64 `json:"interval_seconds"`
	// Problems counts the current problems (viewer/problems, recorded by
	// rtmon-notify) of this instance and of the host itself; Problem is
	// the first of them, failures before warnings.
	Problems int    `json:"problems"`
	Problem  string `json:"problem,omitempty"`
}

// Totals sum the fresh rows.
type Totals struct {
	Up         float64 `json:"up_rate"`
	Down       float64 `json:"down_rate"`
	Items      float64 `json:"items"`
	Active     float64 `json:"active"`
	Messages   float64 `json:"messages"`
	DiskFree   float64 `json:"disk_free_bytes"`
	Hosts      int     `json:"hosts"`
	HostsStale int     `json:"hosts_stale"`
	Instances  int     `json:"instances"`
	Problems   int     `json:"problems"`
}

// Refresh says what the latest refresh cost collectd.
type Refresh struct {
	Seconds    float64 `json:"seconds"`
	RoundTrips int     `json:"round_trips"` // unixsock commands answered (a batch counts once)
	Values     int     `json:"values"`      // identifiers LISTVAL named
	Read       int     `json:"read"`        // identifiers read with GETVAL
	// ListVal: this refresh sent LISTVAL; otherwise it reused the one
	// taken ListAge seconds ago (see Poller.listVal).
	ListVal bool    `json:"listval"`
	ListAge float64 `json:"listval_age_seconds"`
}

// Table is /json/fleet.
type Table struct {
	Time   float64 `json:"time"`
	Source string  `json:"source"` // "collectd", or "datadir" when collectd cannot be read
	Error  string  `json:"error,omitempty"`
	Rows   []Row   `json:"rows"`
	Totals Totals  `json:"totals"`
	// HostsOmitted counts hosts beyond MaxHosts; InstancesOmitted those
	// beyond MaxInstances; Refused names longer than MaxNameLen or that
	// collectd could not be asked about.
	HostsOmitted     int     `json:"hosts_omitted"`
	InstancesOmitted int     `json:"instances_omitted"`
	Refused          int     `json:"names_refused"`
	Refresh          Refresh `json:"refresh"`
	// FleetGraphs: FleetHost's files exist (the aggregation snippet is in
	// use), so the page shows the fleet-wide graphs.
	FleetGraphs bool `json:"fleet_graphs"`
	// ProblemsError says why the problems directory could not be read.
	ProblemsError string `json:"problems_error,omitempty"`
	// Archive is rrdcached's state when the viewer flushes through it
	// (-rrdcached): ok false means graphs end where rrdcached last wrote.
	Archive *rrdcached.Status `json:"rrdcached,omitempty"`
}
