package catalogue

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

const (
	promDocsPath   = "../../docs/prometheus.md"
	promTableBegin = "<!-- prometheus:begin (generated from internal/catalogue; go test ./internal/catalogue -update-docs) -->\n"
	promTableEnd   = "<!-- prometheus:end -->\n"
)

// TestPromDocsMatchCatalogue fails when docs/prometheus.md's table differs
// from the catalogue, so a new metric cannot ship without its name there.
func TestPromDocsMatchCatalogue(t *testing.T) {
	raw, err := os.ReadFile(promDocsPath)
	if err != nil {
		t.Fatalf("docs/prometheus.md: %v", err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, promTableBegin), strings.Index(doc, promTableEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/prometheus.md: table markers missing")
	}
	if want := PromMarkdown(); doc[i+len(promTableBegin):j] != want {
		if *updateDocs {
			doc = doc[:i+len(promTableBegin)] + want + doc[j:]
			if err := os.WriteFile(promDocsPath, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the table in %s", promDocsPath)
		} else {
			t.Errorf("docs/prometheus.md's table differs from the catalogue; run go test ./internal/catalogue -update-docs")
		}
	}
	for _, m := range All() {
		for _, ds := range m.DS {
			if !strings.Contains(doc, "| `"+m.PromName(ds)+"` |") {
				t.Errorf("docs/prometheus.md: no row for %s", m.PromName(ds))
			}
		}
	}
}

// promName is Prometheus's metric name syntax.
var promName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

func TestPromFamily(t *testing.T) {
	for _, tc := range []struct {
		plugin, typ string
		ds          DS
		want        string
	}{
		{"rtorrent", "count", DS{"value", Gauge}, "collectd_rtorrent_count"},
		{"rtorrent", "if_octets", DS{"tx", Derive}, "collectd_rtorrent_if_octets_tx_total"},
		{"rtorrent", "operations", DS{"value", Derive}, "collectd_rtorrent_operations_total"},
		{"rtorrent", "duration", DS{"seconds", Gauge}, "collectd_rtorrent_duration_seconds"},
		{"rtorrent", "rtorrent_group", DS{"up_rate", Gauge}, "collectd_rtorrent_rtorrent_group_up_rate"},
		{"load", "load", DS{"shortterm", Gauge}, "collectd_load_shortterm"},
	} {
		if got := PromFamily(tc.plugin, tc.typ, tc.ds); got != tc.want {
			t.Errorf("PromFamily(%q, %q, %v) = %q, want %q", tc.plugin, tc.typ, tc.ds, got, tc.want)
		}
	}
	// Every name the catalogue yields is a legal Prometheus name with
	// rtmon's prefix, and no two data sources share name and type label.
	seen := map[string]string{}
	for _, m := range All() {
		for _, ds := range m.DS {
			n := m.PromName(ds)
			if !promName.MatchString(n) || !strings.HasPrefix(n, PromPrefix) {
				t.Errorf("%s %s: bad Prometheus name %q", m.ID(), ds.Name, n)
			}
			key := m.PromSelector(ds)
			if other, dup := seen[key]; dup {
				t.Errorf("%s and %s both map to %s", m.ID(), other, key)
			}
			seen[key] = m.ID()
		}
	}
}

func TestPromSelector(t *testing.T) {
	for _, tc := range []struct {
		m     *Metric
		ds    int
		extra []string
		want  string
	}{
		{ItemsTotal, 0, nil, `collectd_rtorrent_count{type="items_total"}`},
		{RSS, 0, []string{`rtorrent="a"`}, `collectd_rtorrent_ps_rss{rtorrent="a"}`},
		{Uptime, 0, nil, `collectd_rtorrent_uptime`},
		{Trackers, 0, nil, `collectd_rtorrent_rtorrent_group_items{type=~"tracker_.*"}`},
		{Octets, 1, []string{`instance="h"`}, `collectd_rtorrent_if_octets_tx_total{instance="h"}`},
	} {
		if got := tc.m.PromSelector(tc.m.DS[tc.ds], tc.extra...); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.m.ID(), got, tc.want)
		}
	}
}
