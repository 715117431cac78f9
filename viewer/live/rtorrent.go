package live

import (
	"sort"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// rtPlugin is the collectd plugin name the rTorrent plugin dispatches as.
const rtPlugin = catalogue.Plugin

// ItemKeys are the item counts the catalogue defines (count-items_<key>),
// in catalogue order.
var ItemKeys []string

// rtShown are the catalogue metrics the live snapshot shows besides the
// item counts.
var rtShown = []*catalogue.Metric{
	catalogue.UpRate, catalogue.UpLimit, catalogue.DownRate, catalogue.DownLimit, catalogue.Uptime,
	catalogue.SizeTotal, catalogue.SizeLeft, catalogue.SizeCompleted, catalogue.Files,
	catalogue.OpenSockets, catalogue.MaxOpenSockets, catalogue.HTTPOpen, catalogue.OpenFiles, catalogue.PeersConnected,
	catalogue.CPUPercent, catalogue.MemPercent, catalogue.RSS,
}

// rtWanted is the set of catalogue IDs the poller reads for each instance.
var rtWanted = map[string]bool{}

func init() {
	for _, m := range catalogue.Items.Metrics {
		ItemKeys = append(ItemKeys, catalogue.Items.Key(m))
		rtWanted[m.ID()] = true
	}
	for _, m := range rtShown {
		rtWanted[m.ID()] = true
	}
}

// instances maps the rtorrent-<instance> readings of one host.
func instances(host string, r Readings) []*Instance {
	names := map[string]bool{}
	for id := range r {
		if id.Host == host && id.Plugin == rtPlugin {
			names[id.PluginInstance] = true
		}
	}
	var out []*Instance
	for name := range names {
		out = append(out, instance(host, name, r))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func instance(host, name string, r Readings) *Instance {
	get := func(m *catalogue.Metric) *float64 {
		return r.value(unixsock.Identifier{Host: host, Plugin: rtPlugin, PluginInstance: name, Type: m.Type, TypeInstance: m.TypeInstance}, 0)
	}
	in := &Instance{
		Name:          name,
		UptimeSeconds: get(catalogue.Uptime),
		Up:            Rate{Rate: get(catalogue.UpRate), Limit: get(catalogue.UpLimit)},
		Down:          Rate{Rate: get(catalogue.DownRate), Limit: get(catalogue.DownLimit)},
		Items:         map[string]*float64{},
		Sizes: Sizes{TotalBytes: get(catalogue.SizeTotal), LeftBytes: get(catalogue.SizeLeft),
			CompletedBytes: get(catalogue.SizeCompleted), Files: get(catalogue.Files)},
		Sockets: Sockets{Open: get(catalogue.OpenSockets), Max: get(catalogue.MaxOpenSockets),
			HTTPOpen: get(catalogue.HTTPOpen), OpenFiles: get(catalogue.OpenFiles)},
		Process: Process{CPUPercent: get(catalogue.CPUPercent), MemPercent: get(catalogue.MemPercent), RSSBytes: get(catalogue.RSS)},
		Peers:   get(catalogue.PeersConnected),
		Errors:  map[string]string{},
	}
	in.Versions = versions(host, name, r)
	in.newest = r.newest(func(id unixsock.Identifier) bool {
		return id.Host == host && id.Plugin == rtPlugin && id.PluginInstance == name
	})
	missing := 0
	for i, m := range catalogue.Items.Metrics {
		k := ItemKeys[i]
		v := get(m)
		in.Items[k] = v
		if v == nil {
			missing++
		}
	}
	if missing == len(ItemKeys) {
		in.Errors["items"] = "no item counts from the plugin for this instance"
	} else if in.Items[catalogue.Items.Key(catalogue.ItemsActive)] == nil || in.Items[catalogue.Items.Key(catalogue.ItemsMessages)] == nil {
		in.Errors["items"] = "active and messages come from the item scan, which has not run yet"
	}
	if in.Up.Rate == nil || in.Down.Rate == nil {
		in.Errors["traffic"] = "no rates from the plugin for this instance"
	}
	if in.Sizes.TotalBytes == nil {
		in.Errors["sizes"] = "sizes come from the item scan, which has not run yet"
	}
	if in.UptimeSeconds == nil {
		in.Errors["uptime"] = "rTorrent's start time is unknown (no system.startup_time and not a local process)"
	}
	if len(in.Errors) == 0 {
		in.Errors = nil
	}
	return in
}
