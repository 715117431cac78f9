package catalogue

import (
	"fmt"
	"strings"
)

// Prometheus names: collectd's write_prometheus plugin turns each data
// source of a value list into one Prometheus metric family,
//
//	collectd_<plugin>_<type>[_<ds>][_total]
//
// where the plugin part is left out when it equals the type, "_<ds>" is
// left out for a data source named "value", and "_total" is added to
// DERIVE and COUNTER data sources (Prometheus's convention for counters).
// The host becomes the label "instance", the plugin instance a label named
// after the plugin ("rtorrent"), and the type instance the label "type".
// These functions spell that out once, so docs/prometheus.md, the Grafana
// dashboard and the tests agree with what collectd really serves (the
// promstack test compares them with a real collectd's /metrics).

// PromPrefix starts the name of every family rtmon's values get.
const PromPrefix = "collectd_" + Plugin + "_"

// PromInstanceLabel is the label holding the plugin instance, the name of
// the <Instance> block: write_prometheus names it after the plugin.
const PromInstanceLabel = Plugin

// PromName returns the Prometheus metric name of data source ds of m.
func (m *Metric) PromName(ds DS) string {
	return PromFamily(Plugin, m.Type, ds)
}

// PromFamily returns write_prometheus's metric name for a data source of
// a value list of plugin and typ (also for the host plugins' values).
func PromFamily(plugin, typ string, ds DS) string {
	parts := []string{"collectd"}
	if plugin != typ {
		parts = append(parts, plugin)
	}
	parts = append(parts, typ)
	if ds.Name != "value" {
		parts = append(parts, ds.Name)
	}
	if ds.Kind == Derive {
		parts = append(parts, "total")
	}
	return strings.Join(parts, "_")
}

// PromSelector returns a PromQL selector of data source ds of m: its
// name, its type label (a regular expression matching every tracker or
// label for a group metric), and extra matchers (e.g. `rtorrent=~"$instance"`).
func (m *Metric) PromSelector(ds DS, extra ...string) string {
	var matchers []string
	switch {
	case m.Group != "":
		matchers = append(matchers, fmt.Sprintf(`type=~"%s_.*"`, m.Group))
	case m.TypeInstance != "":
		matchers = append(matchers, fmt.Sprintf(`type="%s"`, m.TypeInstance))
	}
	matchers = append(matchers, extra...)
	if len(matchers) == 0 {
		return m.PromName(ds)
	}
	return m.PromName(ds) + "{" + strings.Join(matchers, ",") + "}"
}

// PromMarkdown renders the table of docs/prometheus.md: every data source
// of every catalogue metric with the Prometheus name and labels
// write_prometheus gives it (a test keeps the two equal; `go test
// ./internal/catalogue -update-docs` rewrites it).
func PromMarkdown() string {
	var b strings.Builder
	b.WriteString("| collectd identifier (after `rtorrent-<instance>/`) | Prometheus metric | `type` label | kind | unit |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, m := range all {
		typeLabel := "(none)"
		switch {
		case m.Group != "":
			typeLabel = "`" + m.TypeInstance + "` (escaped as in metrics.md)"
		case m.TypeInstance != "":
			typeLabel = "`" + m.TypeInstance + "`"
		}
		for _, ds := range m.DS {
			kind := "gauge"
			if ds.Kind == Derive {
				kind = "counter: use `rate()`"
			}
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", m.ID(), m.PromName(ds), typeLabel, kind, cell(m.Unit))
		}
	}
	return b.String()
}
