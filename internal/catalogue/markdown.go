package catalogue

import (
	"fmt"
	"strings"
)

// Markdown renders the catalogue as the table in docs/metrics.md, so the
// documentation is generated from the same rows the plugin dispatches (a
// test keeps the two equal; `go test ./internal/catalogue -update-docs`
// rewrites the table).
func Markdown() string {
	var b strings.Builder
	b.WriteString("| identifier (after `rtorrent-<instance>/`) | data sources | unit | tier | source | meaning |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, m := range all {
		ds := make([]string, len(m.DS))
		for i, d := range m.DS {
			ds[i] = d.Name + ":" + d.Kind
		}
		meaning := m.Meaning
		if m.Needs != "" {
			meaning += " Only with `" + m.Needs + " true`."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n",
			m.ID(), cell(strings.Join(ds, ", ")), cell(m.Unit), m.Tier, cell(m.Source), cell(meaning))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
