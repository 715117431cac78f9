package live

import (
	"sort"
	"strings"

	"github.com/rtmon/rtmon/plugin/metrics"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// rtPlugin is the collectd plugin name the rTorrent plugin dispatches as.
const rtPlugin = metrics.Plugin

// itemsPrefix marks the catalogue's item counts: count-items_<view>.
const itemsPrefix = "items_"

// RTorrentIDs names the catalogue entries ("type[-type_instance]") the live
// snapshot shows besides the item counts. A test checks that each is in
// plugin/metrics' catalogue, so a renamed metric fails the build's tests
// instead of quietly turning into nulls.
var RTorrentIDs = struct {
	Up, UpLimit, Down, DownLimit, Uptime                string
	SizeTotal, SizeLeft, SizeCompleted, Files           string
	OpenSockets, MaxSockets, HTTPOpen, OpenFiles, Peers string
	ProcCPU, ProcMem, ProcRSS                           string
}{
	Up: "rtorrent_rate-up", UpLimit: "rtorrent_rate-up_limit",
	Down: "rtorrent_rate-down", DownLimit: "rtorrent_rate-down_limit",
	Uptime:    "uptime",
	SizeTotal: "bytes-size_total", SizeLeft: "bytes-size_left", SizeCompleted: "bytes-size_completed", Files: "count-files",
	OpenSockets: "count-open_sockets", MaxSockets: "count-max_open_sockets", HTTPOpen: "count-http_open",
	OpenFiles: "count-open_files", Peers: "count-peers_connected",
	ProcCPU: "rtorrent_percent-cpu", ProcMem: "percent-mem", ProcRSS: "ps_rss",
}

// ItemKeys are the item counts the catalogue defines (count-items_<key>),
// in catalogue order.
var ItemKeys []string

// rtWanted is the set of catalogue IDs the poller reads for each instance.
var rtWanted = map[string]bool{}

func init() {
	for _, m := range metrics.Catalogue() {
		if m.Type == "count" && strings.HasPrefix(m.TypeInstance, itemsPrefix) {
			ItemKeys = append(ItemKeys, strings.TrimPrefix(m.TypeInstance, itemsPrefix))
			rtWanted[m.ID()] = true
		}
	}
	for _, id := range rtIDList() {
		rtWanted[id] = true
	}
}

func rtIDList() []string {
	x := RTorrentIDs
	return []string{x.Up, x.UpLimit, x.Down, x.DownLimit, x.Uptime, x.SizeTotal, x.SizeLeft, x.SizeCompleted,
		x.Files, x.OpenSockets, x.MaxSockets, x.HTTPOpen, x.OpenFiles, x.Peers, x.ProcCPU, x.ProcMem, x.ProcRSS}
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
	get := func(tid string) *float64 {
		typ, ti, _ := strings.Cut(tid, "-")
		return r.value(unixsock.Identifier{Host: host, Plugin: rtPlugin, PluginInstance: name, Type: typ, TypeInstance: ti}, 0)
	}
	x := RTorrentIDs
	in := &Instance{
		Name:          name,
		UptimeSeconds: get(x.Uptime),
		Up:            Rate{Rate: get(x.Up), Limit: get(x.UpLimit)},
		Down:          Rate{Rate: get(x.Down), Limit: get(x.DownLimit)},
		Items:         map[string]*float64{},
		Sizes:         Sizes{TotalBytes: get(x.SizeTotal), LeftBytes: get(x.SizeLeft), CompletedBytes: get(x.SizeCompleted), Files: get(x.Files)},
		Sockets:       Sockets{Open: get(x.OpenSockets), Max: get(x.MaxSockets), HTTPOpen: get(x.HTTPOpen), OpenFiles: get(x.OpenFiles)},
		Process:       Process{CPUPercent: get(x.ProcCPU), MemPercent: get(x.ProcMem), RSSBytes: get(x.ProcRSS)},
		Peers:         get(x.Peers),
		Errors:        map[string]string{},
	}
	in.newest = r.newest(func(id unixsock.Identifier) bool {
		return id.Host == host && id.Plugin == rtPlugin && id.PluginInstance == name
	})
	missing := 0
	for _, k := range ItemKeys {
		v := get("count-" + itemsPrefix + k)
		in.Items[k] = v
		if v == nil {
			missing++
		}
	}
	if missing == len(ItemKeys) {
		in.Errors["items"] = "no item counts from the plugin for this instance"
	} else if in.Items["active"] == nil || in.Items["messages"] == nil {
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
