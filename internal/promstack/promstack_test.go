package promstack

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilt()
	os.Exit(code)
}

// The swarm: two torrents at 300 KiB/s take ~160 s, longer than the test,
// so rates are measured while data moves. The seeder's items carry a
// label, the leecher's none.
const (
	torrents = 2
	size     = 24 << 20
	upKiB    = 300
	label    = "linux"
)

// TestPromStack runs the whole path once (rTorrent swarm, collectd with
// the plugin and write_prometheus, Prometheus scraping it and
// remote-writing to VictoriaMetrics) and checks, in subtests, the names,
// the values against rTorrent's own, the rates against the transfer, the
// two stores against each other, docs/prometheus.md's queries and every
// panel of the Grafana dashboard.
func TestPromStack(t *testing.T) {
	testenv.Need(t, "collectd", "rtorrent", "opentracker", promBin, vmBin)
	began := time.Now()
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: torrents, Size: size, UploadKiB: upKiB})
	for _, h := range sw.Seeder.Hashes(t) {
		sw.Seeder.MustCall(t, "d.custom1.set", h, label)
	}
	// Scans every 2 s, whatever the shared machine's load makes them cost
	// (LoadBudget 25 %): the scan-tier figures follow the transfer closely
	// enough to compare with rTorrent's own.
	metricsURL := startCollectd(t, collectdconf.PluginBlock(
		collectdconf.Instance("seeder", fmt.Sprintf("URL %q", sw.Seeder.URL), "Timeout 5", "MinScanInterval 2", "LoadBudget 25"),
		collectdconf.Instance("leecher", fmt.Sprintf("URL %q", sw.Leecher.URL), "Timeout 5", "MinScanInterval 2", "LoadBudget 25"),
	))
	vmURL := startVictoriaMetrics(t)
	s := &stack{
		metricsURL: metricsURL,
		prom:       &api{"Prometheus", startPrometheus(t, metricsURL, vmURL)},
		vm:         &api{"VictoriaMetrics", vmURL},
	}
	sw.WaitTransferring(t, time.Minute)
	t.Logf("swarm, collectd, Prometheus and VictoriaMetrics up, data flowing, after %v", time.Since(began).Round(time.Millisecond))

	t.Run("names", func(t *testing.T) { testNames(t, s) })
	t.Run("values match rTorrent", func(t *testing.T) { testValues(t, s, sw) })
	t.Run("rates match the transfer", func(t *testing.T) { testRates(t, s, sw) })
	t.Run("VictoriaMetrics answers the same", func(t *testing.T) { testSameAnswers(t, s, sw) })
	t.Run("docs queries", func(t *testing.T) { testDocsQueries(t, s) })
	t.Run("dashboard panels", func(t *testing.T) { testDashboard(t, s) })
	t.Run("a dead rTorrent leaves", func(t *testing.T) { testGone(t, s, sw) })
}

// testNames checks that collectd serves every catalogue metric of both
// instances under the name and labels the catalogue (and so
// docs/prometheus.md) gives it.
func testNames(t *testing.T, s *stack) {
	want := map[string]bool{}
	for _, inst := range []string{"seeder", "leecher"} {
		for _, m := range catalogue.All() {
			for _, ds := range m.DS {
				switch m.Group {
				case "":
					want[seriesKey(m.PromName(ds), inst, m.TypeInstance)] = true
				case "tracker":
					want[seriesKey(m.PromName(ds), inst, catalogue.GroupInstance("tracker", "127.0.0.1"))] = true
				case "label":
					l := "none"
					if inst == "seeder" {
						l = label
					}
					want[seriesKey(m.PromName(ds), inst, catalogue.GroupInstance("label", l))] = true
				}
			}
		}
	}
	// Scan-tier values appear after the first scan: poll.
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := exposed(s.metricsURL)
		if err != nil {
			t.Fatal(err)
		}
		var missing []string
		for k := range want {
			if !got[k] {
				missing = append(missing, k)
			}
		}
		if len(missing) == 0 {
			per := map[string]int{}
			for k := range got {
				for _, inst := range []string{"seeder", "leecher"} {
					if strings.Contains(k, `rtorrent="`+inst+`"`) {
						per[inst]++
					}
				}
			}
			t.Logf("/metrics: %d rtmon series (seeder %d, leecher %d), all %d the catalogue predicts", len(got), per["seeder"], per["leecher"], len(want))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("collectd's /metrics lacks %d of %d catalogue series, e.g. %v", len(missing), len(want), missing[:min(5, len(missing))])
		}
		time.Sleep(time.Second)
	}
}

// seriesKey names one series of /metrics by what the catalogue predicts:
// metric name, host, rtorrent instance, type.
func seriesKey(name, inst, typ string) string {
	k := name + ` instance="` + host + `" rtorrent="` + inst + `"`
	if typ != "" {
		k += ` type="` + typ + `"`
	}
	return k
}

// exposed reads collectd's /metrics and returns the seriesKey of each
// rtmon series (labels parsed here, not by code under test).
func exposed(u string) (map[string]bool, error) {
	b, err := get(u)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, catalogue.PromPrefix) {
			continue
		}
		name, rest, ok := strings.Cut(line, "{")
		if !ok {
			continue
		}
		labels, _, ok := strings.Cut(rest, "}")
		if !ok {
			return nil, fmt.Errorf("/metrics: unterminated labels in %q", line)
		}
		l := map[string]string{}
		for _, kv := range strings.Split(labels, ",") {
			k, v, _ := strings.Cut(kv, "=")
			l[k] = strings.Trim(v, `"`)
		}
		if len(l) > 3 || l["instance"] == "" || l["rtorrent"] == "" {
			return nil, fmt.Errorf("/metrics: unexpected labels in %q", line)
		}
		out[seriesKey(name, l["rtorrent"], l["type"])] = true
	}
	return out, nil
}

// within reports whether got is within frac of want.
func within(got, want, frac float64) bool {
	return math.Abs(got-want) <= frac*math.Abs(want)
}
