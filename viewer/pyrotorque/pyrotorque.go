// Package pyrotorque maps the live snapshot to the replies of pyrotorque's
// /json/engine and /json/charts, so that pyrotorque's own page
// (pyrocore's htdocs/js/charts.js), dashboards and scripts written against
// pyrocore's web service keep working against rtmon.
//
// The types are pyrotorque's: every figure it sent is a number, every
// string a string, the positional arrays are psutil's tuples. collectd
// may lack a figure (no swap, disk or interface plugin loaded, a rate
// before its second value); the reply then leaves that section out rather
// than send null in its place. pyrotorque's page skips a section that is
// absent (it calls a section's handler only when the key is there and not
// null) but throws on a null inside one (null.toFixed in its percent
// formatter, null[0] on versions) and stops updating for good. Why a
// section is missing is said under "errors", which the page ignores.
package pyrotorque

import (
	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/live"
)

// Engine is /json/engine: one rTorrent instance.
type Engine struct {
	Now      float64 `json:"now"`
	EngineID string  `json:"engine_id"`
	// Versions are rTorrent's and libtorrent's versions, from the
	// plugin's rtorrent_version identifiers; "" until it dispatched them.
	Versions [2]string `json:"versions"`
	// Uptime is left out when rTorrent's start time is unknown: the page
	// then shows its own placeholder instead of a made-up 0.
	Uptime   *float64   `json:"uptime,omitempty"`
	Upload   [2]float64 `json:"upload"`   // [rate, max_rate] bytes/s
	Download [2]float64 `json:"download"` // [rate, max_rate] bytes/s
	// Views has the views whose size the plugin dispatched; one not
	// counted yet (active and messages come from the item scan) is left
	// out, and the page keeps its previous text for it.
	Views map[string]float64 `json:"views"`
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

// ViewNames are pyrotorque's views, in its order.
var ViewNames = []string{"default", "main", "started", "stopped", "complete", "incomplete", "seeding", "leeching", "active", "messages"}

// NewEngine maps one instance of a host. It returns nil and the reason
// when the instance's rates or limits are unknown: pyrotorque's page
// reads upload and download without checking them, and there is no
// honest number to put there (a limit of 0 would mean "unlimited").
func NewEngine(s *live.Snapshot, h *live.Host, in *live.Instance) (*Engine, string) {
	for _, v := range []*float64{in.Up.Rate, in.Up.Limit, in.Down.Rate, in.Down.Limit} {
		if v == nil {
			return nil, "no transfer rates or limits from the plugin for rTorrent instance " + in.Name + " yet"
		}
	}
	e := &Engine{
		Now:      s.Time,
		EngineID: h.Name + "/" + in.Name,
		Versions: [2]string{in.Versions.Client, in.Versions.Library},
		Uptime:   in.UptimeSeconds,
		Upload:   [2]float64{*in.Up.Rate, *in.Up.Limit},
		Download: [2]float64{*in.Down.Rate, *in.Down.Limit},
		Views:    map[string]float64{},
		Host:     h.Name,
		Instance: in.Name,
		Errors:   in.Errors,
	}
	for view, m := range viewKeys {
		if v := in.Items[catalogue.Items.Key(m)]; v != nil {
			e.Views[view] = *v
		}
	}
	return e, ""
}
