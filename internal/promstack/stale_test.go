package promstack

import (
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// testGone: an rTorrent that dies stops its values; collectd declares
// them missing (Timeout x Interval) and write_prometheus drops them from
// /metrics, Prometheus marks the series stale, so the query that alerts
// on a vanished rTorrent (docs/migrating-from-exporters.md) fires, while
// the other instance carries on. It kills the leecher: run it last.
func testGone(t *testing.T, s *stack, sw *testenv.Swarm) {
	items := on(catalogue.ItemsTotal, "leecher")
	alert := "absent_over_time(" + items + "[10s])"
	if got, err := s.prom.query(alert, time.Now()); err != nil || len(got) != 0 {
		t.Fatalf("%s fires while the leecher runs: %v (%v)", alert, got, err)
	}
	sw.Leecher.Kill()
	killed := time.Now()
	deadline := killed.Add(60 * time.Second)
	for {
		got, err := exposed(s.metricsURL)
		if err != nil {
			t.Fatal(err)
		}
		leecher, seeder := 0, 0
		for k := range got {
			switch {
			case strings.Contains(k, `rtorrent="leecher"`):
				leecher++
			case strings.Contains(k, `rtorrent="seeder"`):
				seeder++
			}
		}
		if leecher == 0 && seeder > 0 {
			t.Logf("the leecher's series left /metrics %v after it died; the seeder's %d stay", time.Since(killed).Round(100*time.Millisecond), seeder)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v after the leecher died, /metrics still has %d of its series (seeder %d)", time.Since(killed), leecher, seeder)
		}
		time.Sleep(time.Second)
	}
	for {
		got, err := s.prom.query(alert, time.Now())
		if err == nil && len(got) == 1 && got[0].Value == 1 {
			t.Logf("%s fires %v after the leecher died", alert, time.Since(killed).Round(100*time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v (%v), want it to fire", alert, got, err)
		}
		time.Sleep(time.Second)
	}
	if v, err := s.prom.one(on(catalogue.ItemsTotal, "seeder"), time.Now()); err != nil || v != float64(torrents) {
		t.Errorf("the seeder's items after the leecher died: %v (%v)", v, err)
	}
}
