package pyrotorque

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/viewer/live"
)

func f(v float64) *float64 { return &v }

// kind is a JSON type as pyrotorque's replies had it: "num", "str", an
// array of kinds ("[num,num]", "[num*]" for any length), an object of
// kinds, or "views" (an object of numbers).
type shape any

type arr struct {
	elems []shape // fixed positions
	min   int     // fewest elements; len(elems) when 0
	rest  shape   // kind of elements past elems (nil: none allowed)
}

type obj map[string]shape

// engineShape and chartsShape are what pyrotorque sent (pyrocore's
// util/stats.engine_data and daemon/webapp.json_charts, psutil's tuples)
// plus rtmon's additions host, instance and errors. Every key may be
// missing; none may be null.
var engineShape = obj{
	"now": "num", "engine_id": "str", "versions": arr{elems: []shape{"str", "str"}}, "uptime": "num",
	"upload": arr{elems: []shape{"num", "num"}}, "download": arr{elems: []shape{"num", "num"}},
	"views": "views", "host": "str", "instance": "str", "errors": "strings",
}

var chartsShape = obj{
	"engine": engineShape, "uptime": "num", "fqdn": "str", "cpu_usage": "num",
	"ram_usage":  arr{elems: []shape{"num", "num", "num", "num", "num"}},
	"swap_usage": arr{elems: []shape{"num", "num", "num", "num", "num", "num"}, min: 4},
	"disk_usage": arr{elems: []shape{"num", "num", arr{rest: arr{elems: []shape{"num", "num"}}}}},
	"disk_io":    arr{elems: []shape{"num", "num", "num", "num"}},
	"net_io":     arr{elems: []shape{"num", "num", "num", "num"}},
	"host":       "str", "errors": "strings",
}

// check reports every place where v does not have shape s.
func check(path string, v any, s shape) []string {
	if v == nil {
		return []string{path + " is null"}
	}
	switch s := s.(type) {
	case string:
		switch s {
		case "num":
			if _, ok := v.(float64); !ok {
				return []string{fmt.Sprintf("%s is %T, want a number", path, v)}
			}
		case "str":
			if _, ok := v.(string); !ok {
				return []string{fmt.Sprintf("%s is %T, want a string", path, v)}
			}
		case "views", "strings":
			m, ok := v.(map[string]any)
			if !ok {
				return []string{fmt.Sprintf("%s is %T, want an object", path, v)}
			}
			var bad []string
			for k, x := range m {
				want := "num"
				if s == "strings" {
					want = "str"
				} else if !slices.Contains(ViewNames, k) {
					bad = append(bad, path+"."+k+" is not a pyrotorque view")
				}
				bad = append(bad, check(path+"."+k, x, want)...)
			}
			return bad
		}
	case arr:
		a, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an array", path, v)}
		}
		lo := s.min
		if lo == 0 {
			lo = len(s.elems)
		}
		if len(a) < lo || (s.rest == nil && len(a) > len(s.elems)) {
			return []string{fmt.Sprintf("%s has %d elements, want %d..%d", path, len(a), lo, len(s.elems))}
		}
		var bad []string
		for i, x := range a {
			es := s.rest
			if i < len(s.elems) {
				es = s.elems[i]
			}
			bad = append(bad, check(fmt.Sprintf("%s[%d]", path, i), x, es)...)
		}
		return bad
	case obj:
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an object", path, v)}
		}
		var bad []string
		for k, x := range m {
			ks, known := s[k]
			if !known {
				bad = append(bad, path+"."+k+" is not a key pyrotorque sent")
				continue
			}
			bad = append(bad, check(path+"."+k, x, ks)...)
		}
		return bad
	}
	return nil
}

func fullHost() *live.Host {
	return &live.Host{Name: "box", UptimeSeconds: f(100), CPUPercent: f(12.5),
		Memory: &live.Memory{Percent: 40, UsedBytes: 400, AvailableBytes: 500, FreeBytes: 300, TotalBytes: 1000},
		Swap:   &live.Swap{Percent: 10, UsedBytes: 1, FreeBytes: 9, TotalBytes: 10, InPerSec: f(2), OutPerSec: f(3)},
		Disks:  []live.Disk{{Path: "/", UsedBytes: 10, TotalBytes: 100}, {Path: "/srv", UsedBytes: 5, TotalBytes: 50}},
		DiskIO: &live.DiskIO{ReadBytesPerSec: 1}, Net: &live.Net{RxBytesPerSec: 1}}
}

func fullInstance() *live.Instance {
	in := &live.Instance{Name: "main", UptimeSeconds: f(60), Up: live.Rate{Rate: f(1), Limit: f(0)}, Down: live.Rate{Rate: f(2), Limit: f(7)},
		Items: map[string]*float64{}, Versions: live.Versions{Client: "0.9.8", Library: "0.13.8"}}
	for _, k := range []string{"total", "started", "stopped", "complete", "incomplete", "seeding", "leeching", "active", "messages"} {
		in.Items[k] = f(3)
	}
	return in
}

// TestTypesWithPluginsMissing: with any host plugin missing, and with an
// rTorrent instance partly or not read, every key of /json/charts (and
// so of /json/engine, its "engine") has the JSON type pyrotorque sent,
// nothing is null, and exactly the sections collectd cannot supply are
// left out, each with its reason under errors.
func TestTypesWithPluginsMissing(t *testing.T) {
	all := []string{"engine", "uptime", "fqdn", "cpu_usage", "ram_usage", "swap_usage", "disk_usage", "disk_io", "net_io", "host"}
	for _, tc := range []struct {
		name    string
		host    func(*live.Host)
		inst    func(*live.Instance) *live.Instance
		missing []string // sections left out
		swapLen int
		views   int
		noUp    bool // engine without uptime
	}{
		{name: "everything", swapLen: 6, views: 10},
		{name: "no swap plugin", host: func(h *live.Host) { h.Swap = nil }, missing: []string{"swap_usage"}, views: 10},
		{name: "swap without swap_io", host: func(h *live.Host) { h.Swap.InPerSec, h.Swap.OutPerSec = nil, nil }, swapLen: 4, views: 10},
		{name: "no memory plugin", host: func(h *live.Host) { h.Memory = nil }, missing: []string{"ram_usage"}, swapLen: 6, views: 10},
		{name: "no cpu rate", host: func(h *live.Host) { h.CPUPercent = nil }, missing: []string{"cpu_usage"}, swapLen: 6, views: 10},
		{name: "no uptime plugin", host: func(h *live.Host) { h.UptimeSeconds = nil }, missing: []string{"uptime"}, swapLen: 6, views: 10},
		{name: "no disks", host: func(h *live.Host) { h.Disks = nil }, missing: []string{"disk_usage"}, swapLen: 6, views: 10},
		{name: "unreadable disk only", host: func(h *live.Host) { h.Disks = []live.Disk{{Path: "/gone", Error: "statfs: no such file"}} },
			missing: []string{"disk_usage"}, swapLen: 6, views: 10},
		{name: "no disk plugin", host: func(h *live.Host) { h.DiskIO = nil }, missing: []string{"disk_io"}, swapLen: 6, views: 10},
		{name: "no interface plugin", host: func(h *live.Host) { h.Net = nil }, missing: []string{"net_io"}, swapLen: 6, views: 10},
		{name: "host plugins all missing", host: func(h *live.Host) {
			h.Swap, h.Memory, h.CPUPercent, h.UptimeSeconds, h.Disks, h.DiskIO, h.Net = nil, nil, nil, nil, nil, nil, nil
		}, missing: []string{"swap_usage", "ram_usage", "cpu_usage", "uptime", "disk_usage", "disk_io", "net_io"}, views: 10},
		{name: "scan not run", inst: func(in *live.Instance) *live.Instance {
			in.Items["active"], in.Items["messages"] = nil, nil
			return in
		}, swapLen: 6, views: 8},
		{name: "no rTorrent uptime", inst: func(in *live.Instance) *live.Instance { in.UptimeSeconds = nil; return in }, swapLen: 6, views: 10, noUp: true},
		{name: "no versions", inst: func(in *live.Instance) *live.Instance { in.Versions = live.Versions{}; return in }, swapLen: 6, views: 10},
		{name: "no rates yet", inst: func(in *live.Instance) *live.Instance { in.Down.Limit = nil; return in }, missing: []string{"engine"}, swapLen: 6},
		{name: "no rTorrent", inst: func(*live.Instance) *live.Instance { return nil }, missing: []string{"engine"}, swapLen: 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, in := fullHost(), fullInstance()
			if tc.host != nil {
				tc.host(h)
			}
			if tc.inst != nil {
				in = tc.inst(in)
			}
			b, err := json.Marshal(NewCharts(&live.Snapshot{Time: 1800000000.5}, h, in))
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			for _, bad := range check("charts", v, chartsShape) {
				t.Error(bad)
			}
			var absent []string
			for _, k := range all {
				if _, ok := v[k]; !ok {
					absent = append(absent, k)
				}
			}
			sort.Strings(absent)
			want := slices.Clone(tc.missing)
			sort.Strings(want)
			if !slices.Equal(absent, want) {
				t.Errorf("sections left out %v, want %v\n%s", absent, want, b)
			}
			errs, _ := v["errors"].(map[string]any)
			if slices.Contains(tc.missing, "engine") && errs["engine"] == nil {
				t.Errorf("engine left out without a reason: %s", b)
			}
			if sw, ok := v["swap_usage"].([]any); ok && len(sw) != tc.swapLen {
				t.Errorf("swap_usage has %d elements, want %d", len(sw), tc.swapLen)
			}
			if e, ok := v["engine"].(map[string]any); ok {
				if n := len(e["views"].(map[string]any)); n != tc.views {
					t.Errorf("%d views, want %d: %s", n, tc.views, b)
				}
				if _, ok := e["uptime"]; ok == tc.noUp {
					t.Errorf("engine uptime present %v, want %v", ok, !tc.noUp)
				}
				if e["now"] != 1800000000.5 || e["engine_id"] != "box/main" {
					t.Errorf("engine %s", b)
				}
				if vs := e["versions"].([]any); in.Versions.Client != "" && (vs[0] != "0.9.8" || vs[1] != "0.13.8") {
					t.Errorf("versions %v", vs)
				}
			}
		})
	}
}

// TestValues: the figures land in psutil's positions.
func TestValues(t *testing.T) {
	h, in := fullHost(), fullInstance()
	h.Disks = append(h.Disks, live.Disk{Path: "/gone", Error: "statfs: no such file"})
	b, _ := json.Marshal(NewCharts(&live.Snapshot{Time: 1800000000}, h, in))
	js := string(b)
	for _, want := range []string{
		`"cpu_usage":12.5`, `"ram_usage":[1000,500,40,400,300]`, `"swap_usage":[10,1,9,10,2,3]`,
		`"disk_usage":[15,150,[[10,100],[5,50]]]`, `"disk_io":[0,0,0,0]`, `"net_io":[0,0,0,0]`,
		`"engine_id":"box/main"`, `"versions":["0.9.8","0.13.8"]`, `"upload":[1,0]`, `"download":[2,7]`,
		`"default":3`, `"main":3`, `"now":1800000000`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("charts lacks %s:\n%s", want, js)
		}
	}
	if strings.Contains(js, "null") {
		t.Errorf("null in %s", js)
	}
}
