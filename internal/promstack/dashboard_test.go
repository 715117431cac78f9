package promstack

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/grafana"
)

// grafanaVars is what Grafana puts in for the dashboard's variables with
// "All" chosen (allValue ".*") and a one-minute rate window.
var grafanaVars = strings.NewReplacer(
	"$host", ".*",
	"$rtorrent", ".*",
	"$__rate_interval", "1m",
)

// labelValues unpacks a variable's label_values(selector, label), a
// Grafana function, into the selector Prometheus runs for it.
var labelValues = regexp.MustCompile(`^label_values\((.+), (\w+)\)$`)

// testDashboard runs every panel's query of the dashboard as generated
// (the same bytes as dist/grafana/rtmon.json, which internal/grafana's
// test keeps equal) as Grafana would, a range query over the last
// minute, on Prometheus and VictoriaMetrics: each must return data. The
// variables' queries must find this test's host and both instances.
func testDashboard(t *testing.T, s *stack) {
	d := grafana.Generate()
	for _, v := range d.Templating.List {
		q, ok := v.Query.(grafana.VariableQuery)
		if !ok {
			continue
		}
		m := labelValues.FindStringSubmatch(q.Query)
		if m == nil {
			t.Errorf("variable %s: query %q is not label_values(selector, label)", v.Name, q.Query)
			continue
		}
		got, err := s.prom.query(grafanaVars.Replace(m[1]), time.Now())
		values := map[string]bool{}
		for _, s := range got {
			values[s.Labels[m[2]]] = true
		}
		want := map[string][]string{"host": {host}, "rtorrent": {"seeder", "leecher"}}[v.Name]
		for _, w := range want {
			if !values[w] {
				t.Errorf("variable %s: %s finds %v (%v), not %q", v.Name, q.Query, values, err, w)
			}
		}
	}
	to := time.Now()
	from := to.Add(-time.Minute)
	n := 0
	for _, q := range d.Queries() {
		expr := grafanaVars.Replace(q.Expr)
		if strings.Contains(expr, "$") {
			t.Errorf("panel %q %s: variable left after substitution: %s", q.Panel, q.RefID, expr)
			continue
		}
		for _, a := range []*api{s.prom, s.vm} {
			got, err := a.queryRange(expr, from, to, 5*time.Second)
			points := 0
			for _, s := range got {
				points += s.Points
			}
			if err != nil || points == 0 {
				t.Errorf("%s: panel %q %s: %s: %d series, %d points (%v)", a.name, q.Panel, q.RefID, expr, len(got), points, err)
			}
		}
		n++
	}
	t.Logf("%d panel queries ran on both stores, each returned data", n)
}
