package catalogue

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the catalogue table in docs/metrics.md")

const (
	docsPath   = "../../docs/metrics.md"
	tableBegin = "<!-- catalogue:begin (generated from internal/catalogue; go test ./internal/catalogue -update-docs) -->\n"
	tableEnd   = "<!-- catalogue:end -->\n"
)

// TestDocsMatchCatalogue fails when docs/metrics.md misses an identifier of
// the catalogue or describes it differently.
func TestDocsMatchCatalogue(t *testing.T) {
	raw, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("docs/metrics.md: %v", err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, tableBegin), strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/metrics.md: catalogue markers missing")
	}
	table := doc[i+len(tableBegin) : j]
	if want := Markdown(); table != want {
		if *updateDocs {
			doc = doc[:i+len(tableBegin)] + want + doc[j:]
			if err := os.WriteFile(docsPath, []byte(doc), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote the table in %s", docsPath)
		} else {
			t.Errorf("docs/metrics.md's table differs from the catalogue; run go test ./internal/catalogue -update-docs")
		}
	}
	for _, m := range All() {
		if !strings.Contains(doc, "| `"+m.ID()+"` |") {
			t.Errorf("docs/metrics.md: no row for %s", m.ID())
		}
	}
	for _, td := range Types() {
		if !strings.Contains(doc, td.Name) {
			t.Errorf("docs/metrics.md: type %s not explained", td.Name)
		}
	}
}
