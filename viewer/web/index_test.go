package web

import (
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// TestNewFilesFoundAtOnce: a host or file collectd creates after the
// index was built is found on the first request, not after the next
// scheduled rebuild; a name that does not exist stays a 404.
func TestNewFilesFoundAtOnce(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", IndexMaxAge: time.Hour})
	if r := get(t, s.URL, "/hosts"); r.Code != 200 {
		t.Fatal(r.Code)
	}
	time.Sleep(indexRetryAge + 100*time.Millisecond)
	collectdenv.RRD(t, dir, "newhost/load/load.rrd", []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}, 5, func(i, j int) float64 { return 1 })
	collectdenv.RRD(t, dir, "box/uptime/uptime.rrd", []string{"value:GAUGE"}, 5, func(i, j int) float64 { return 1 })
	for _, p := range []string{"/host/newhost", "/graph/newhost/load.load?range=1h", "/graph/box/uptime.uptime?range=1h",
		"/api/series?host=newhost&graph=load.load&range=1h"} {
		if r := get(t, s.URL, p); r.Code != 200 {
			t.Errorf("%s = %d right after the file appeared", p, r.Code)
		}
	}
	if r := get(t, s.URL, "/host/nohost"); r.Code != 404 {
		t.Errorf("/host/nohost = %d", r.Code)
	}
}
