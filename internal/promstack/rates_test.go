package promstack

import (
	"fmt"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// rateWindow is how long the rates are measured over.
const rateWindow = 20 * time.Second

// testRates measures the transfer from rTorrent itself over rateWindow
// and compares what Prometheus holds for the same window:
//   - rate() of the if_octets counters against rTorrent's byte totals;
//   - the rate gauges (rTorrent's own rate, the bytes of its last 60 s
//     over 60 s, which trails the bytes moved in a transfer's first
//     minute, when this runs) against rTorrent's rate readings, sampled
//     every second;
//   - the leecher's per-tracker down_rate (a scan-tier sum of the items'
//     d.down.rate) against that sum read from rTorrent every second, on
//     average and at its highest: a group figure that drifts upwards
//     shows in the maximum.
func testRates(t *testing.T, s *stack, sw *testenv.Swarm) {
	upTotal, downTotal := intCall(t, sw.Seeder, "throttle.global_up.total"), intCall(t, sw.Leecher, "throttle.global_down.total")
	upGauge, downGauge := intCall(t, sw.Seeder, "throttle.global_up.rate"), intCall(t, sw.Leecher, "throttle.global_down.rate")
	itemsDown := sumItems(t, sw.Leecher, "d.down.rate=")
	tracker := onDS(catalogue.Trackers, 9, "leecher", `type="`+catalogue.GroupInstance("tracker", "127.0.0.1")+`"`)

	// The scan tier's first scans run under the load budget and saw the
	// transfer's first bytes: wait until its per-tracker figure reflects
	// the running transfer before the window opens.
	deadline := time.Now().Add(time.Minute)
	for {
		got, err := s.prom.one(tracker, time.Now())
		want := itemsDown()
		if err == nil && want > 0 && within(got, want, 0.4) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v (%v) never came near the items' summed rate %v", tracker, got, err, want)
		}
		time.Sleep(time.Second)
	}

	var upSeen, downSeen, itemsSeen, itemsMax float64
	n := 0
	t0, up0, down0 := time.Now(), upTotal(), downTotal()
	for time.Since(t0) < rateWindow {
		time.Sleep(time.Second)
		upSeen += upGauge()
		downSeen += downGauge()
		r := itemsDown()
		itemsSeen += r
		itemsMax = max(itemsMax, r)
		n++
	}
	t1, up1, down1 := time.Now(), upTotal(), downTotal()
	secs := t1.Sub(t0).Seconds()
	upRate, downRate := (up1-up0)/secs, (down1-down0)/secs
	upSeen, downSeen, itemsSeen = upSeen/float64(n), downSeen/float64(n), itemsSeen/float64(n)
	t.Logf("rTorrent over %v: sent %.0f B/s by its totals, %.0f B/s by its rate (mean of %d readings); received %.0f B/s, rate %.0f B/s, items' d.down.rate summed %.0f B/s",
		t1.Sub(t0).Round(time.Millisecond), upRate, upSeen, n, downRate, downSeen, itemsSeen)
	if r := sw.Leecher.MustInt(t, "throttle.global_down.rate"); r <= 0 || upRate <= 0 {
		t.Fatalf("the transfer ended early: leecher down rate %d, seeder sent %.0f B/s", r, upRate)
	}
	if upRate > 1.2*upKiB*1024 {
		t.Errorf("the seeder sent %.0f B/s, above its %d KiB/s limit: the swarm is not what the test assumes", upRate, upKiB)
	}
	// Wait until the window's last samples are scraped.
	time.Sleep(2*scrape + time.Second)
	win := fmt.Sprintf("[%ds]", int(rateWindow.Seconds()))
	for _, tc := range []struct {
		name, expr string
		want, frac float64
	}{
		{"seeder tx counter", "rate(" + onDS(catalogue.Octets, 1, "seeder") + win + ")", upRate, 0.25},
		{"leecher rx counter", "rate(" + onDS(catalogue.Octets, 0, "leecher") + win + ")", downRate, 0.25},
		{"seeder up gauge", "avg_over_time(" + on(catalogue.UpRate, "seeder") + win + ")", upSeen, 0.3},
		{"leecher down gauge", "avg_over_time(" + on(catalogue.DownRate, "leecher") + win + ")", downSeen, 0.3},
		{"leecher per tracker, mean", "avg_over_time(" + tracker + win + ")", itemsSeen, 0.4},
		{"leecher per tracker, highest", "max_over_time(" + tracker + win + ")", itemsMax, 0.5},
	} {
		got, err := s.prom.one(tc.expr, t1)
		t.Logf("%s: Prometheus %.0f B/s, rTorrent %.0f B/s", tc.name, got, tc.want)
		if err != nil || !within(got, tc.want, tc.frac) {
			t.Errorf("%s: %s = %v (%v), want %.0f ± %.0f%%", tc.name, tc.expr, got, err, tc.want, 100*tc.frac)
		}
	}
}
