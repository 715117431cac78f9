package promstack

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// testSameAnswers runs the same queries on both stores at the same
// moment: VictoriaMetrics holds what Prometheus scraped (remote_write),
// so the answers must match: equal for the values, within 10 % for rate(),
// which the two compute differently (Prometheus extrapolates to the
// window's edges, VictoriaMetrics does not).
func testSameAnswers(t *testing.T, s *stack, sw *testenv.Swarm) {
	cases := valueCases(t, sw)
	exprs := []struct {
		expr string
		frac float64
	}{
		{"rate(" + onDS(catalogue.Octets, 1, "seeder") + "[30s])", 0.1},
		{`sum by (rtorrent, type) (` + catalogue.ItemsTotal.PromName(catalogue.ItemsTotal.DS[0]) + `{type=~"items_.*"})`, 0},
	}
	for _, c := range cases {
		exprs = append(exprs, struct {
			expr string
			frac float64
		}{c.expr, 0})
	}
	for _, e := range exprs {
		deadline := time.Now().Add(30 * time.Second)
		for {
			// Both stores at the same past moment, which remote_write
			// has surely delivered.
			at := time.Now().Add(-5 * time.Second)
			p, errP := s.prom.query(e.expr, at)
			v, errV := s.vm.query(e.expr, at)
			diff := compare(p, v, e.frac)
			if errP == nil && errV == nil && len(p) > 0 && diff == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: Prometheus %v (%v), VictoriaMetrics %v (%v): %s", e.expr, p, errP, v, errV, diff)
				break
			}
			time.Sleep(time.Second)
		}
	}
	// The closing figures: one query, each store, rTorrent's own answer.
	for _, c := range cases {
		if c.name != "seeder items" && c.name != "seeder size" && c.name != "leecher tracker size" {
			continue
		}
		at := time.Now().Add(-5 * time.Second)
		p, errP := s.prom.one(c.expr, at)
		v, errV := s.vm.one(c.expr, at)
		truth := c.truth()
		t.Logf("%s: rTorrent %.0f, Prometheus %.0f, VictoriaMetrics %.0f", c.expr, truth, p, v)
		if errP != nil || errV != nil || p != truth || v != truth {
			t.Errorf("%s: rTorrent %v, Prometheus %v (%v), VictoriaMetrics %v (%v)", c.expr, truth, p, errP, v, errV)
		}
	}
}

// compare says how two instant vectors differ ("" when they match: the
// same label sets, values within frac).
func compare(a, b []sample, frac float64) string {
	key := func(l map[string]string) string {
		var kv []string
		for k, v := range l {
			kv = append(kv, k+"="+v)
		}
		sort.Strings(kv)
		return strings.Join(kv, ",")
	}
	am := map[string]float64{}
	for _, s := range a {
		am[key(s.Labels)] = s.Value
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d series against %d", len(a), len(b))
	}
	for _, s := range b {
		want, ok := am[key(s.Labels)]
		if !ok {
			return "series " + key(s.Labels) + " only in the second"
		}
		if !within(s.Value, want, frac) {
			return fmt.Sprintf("%s: %v against %v", key(s.Labels), want, s.Value)
		}
	}
	return ""
}
