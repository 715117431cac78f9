package promstack

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
)

const promDoc = "../../docs/prometheus.md"

// docsQueries returns every query of docs/prometheus.md: each line of
// its ```promql blocks.
func docsQueries(t *testing.T) []string {
	b, err := os.ReadFile(promDoc)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.TrimSpace(line) == "```promql":
			in = true
		case strings.HasPrefix(strings.TrimSpace(line), "```"):
			in = false
		case in && strings.TrimSpace(line) != "":
			out = append(out, strings.TrimSpace(line))
		}
	}
	if len(out) < 10 {
		t.Fatalf("%s: %d promql lines, want the page's queries", promDoc, len(out))
	}
	return out
}

// hasType reports whether the catalogue dispatches collectd type typ.
func hasType(typ string) bool {
	for _, m := range catalogue.All() {
		if m.Type == typ {
			return true
		}
	}
	return false
}

// testDocsQueries runs docs/prometheus.md's queries on both stores: each
// must parse and return at least one series.
func testDocsQueries(t *testing.T, s *stack) {
	for _, q := range docsQueries(t) {
		if strings.Contains(q, "rtorrent_volume") && !hasType("rtorrent_volume") {
			t.Logf("skipped (this build dispatches no rtorrent_volume): %s", q)
			continue
		}
		for _, a := range []*api{s.prom, s.vm} {
			got, err := a.query(q, time.Now().Add(-2*time.Second))
			if err != nil || len(got) == 0 {
				t.Errorf("%s: %s: %d series (%v)", a.name, q, len(got), err)
			}
		}
	}
}
