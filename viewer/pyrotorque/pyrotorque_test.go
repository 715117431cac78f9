package pyrotorque

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/viewer/live"
)

func f(v float64) *float64 { return &v }

// TestShapes: pyrotorque's positional arrays keep their length and order
// when figures are missing (null in place), and the failing parts are
// named instead of failing the whole reply.
func TestShapes(t *testing.T) {
	s := &live.Snapshot{Time: 1800000000}
	h := &live.Host{Name: "box", UptimeSeconds: f(100), CPUPercent: f(12.5),
		Memory: &live.Memory{Percent: 40, UsedBytes: 400, AvailableBytes: 500, FreeBytes: 300, TotalBytes: 1000},
		Disks:  []live.Disk{{Path: "/", UsedBytes: 10, TotalBytes: 100}, {Path: "/srv", UsedBytes: 5, TotalBytes: 50}, {Path: "/gone", Error: "statfs: no such file"}},
		Errors: map[string]string{"swap": "collectd has no swap values for this host"}}
	c := NewCharts(s, h, nil)
	b, _ := json.Marshal(c)
	js := string(b)
	for _, want := range []string{
		`"engine":null`, `"cpu_usage":12.5`, `"ram_usage":[1000,500,40,400,300]`,
		`"swap_usage":[null,null,null,null,null,null]`, `"disk_usage":[15,150,[[10,100],[5,50]]]`,
		`"disk_io":[null,null,null,null]`, `"net_io":[null,null,null,null]`,
		`"engine":"no rTorrent instance on this host"`, `"swap":"collectd has no swap values`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("charts lacks %s:\n%s", want, js)
		}
	}

	in := &live.Instance{Name: "main", UptimeSeconds: f(60), Up: live.Rate{Rate: f(1), Limit: f(0)}, Down: live.Rate{Rate: f(2)},
		Items: map[string]*float64{"total": f(8), "active": f(1), "stopped": f(5)}}
	e := NewEngine(s, h, in)
	b, _ = json.Marshal(e)
	js = string(b)
	for _, want := range []string{`"engine_id":"box/main"`, `"versions":["",""]`, `"upload":[1,0]`, `"download":[2,null]`,
		`"default":8`, `"main":8`, `"active":1`, `"stopped":5`, `"seeding":null`, `"now":1800000000`} {
		if !strings.Contains(js, want) {
			t.Errorf("engine lacks %s:\n%s", want, js)
		}
	}
	if len(e.Views) != 10 {
		t.Errorf("%d views, pyrotorque has 10", len(e.Views))
	}
}
