package catalogue

import (
	"os/exec"
	"strings"
	"testing"
)

func TestCatalogueWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range All() {
		id := m.ID()
		if seen[id] {
			t.Errorf("%s listed twice", id)
		}
		seen[id] = true
		if m.Meaning == "" || m.Source == "" || m.Unit == "" || m.Tier == "" || len(m.DS) == 0 {
			t.Errorf("%s: incomplete entry %+v", id, m)
		}
		for _, d := range m.DS {
			if d.Kind != Gauge && d.Kind != Derive {
				t.Errorf("%s: data source %s has kind %q", id, d.Name, d.Kind)
			}
		}
		if m.Group == "" && len(m.TypeInstance) > MaxNameLen {
			t.Errorf("%s: type instance too long", id)
		}
		if m.Group != "" && !strings.HasPrefix(m.TypeInstance, m.Group+"_<") {
			t.Errorf("%s: group %s, pattern %q", id, m.Group, m.TypeInstance)
		}
		switch m.Needs {
		case "", "PerTracker", "PerLabel", "PeerFlags":
		default:
			t.Errorf("%s: needs unknown option %q", id, m.Needs)
		}
	}
}

// TestFamilies: each family has the members the viewer shows, in
// catalogue order, and Key strips the prefix.
func TestFamilies(t *testing.T) {
	for _, tc := range []struct {
		f    *Family
		keys string
	}{
		{Items, "total started stopped complete incomplete seeding leeching hashing resumed active messages"},
		{Sizes, "total left completed"},
		{Ratios, "lt_0_5 0_5_to_1 1_to_2 2_to_5 ge_5"},
		{Peers, "connected seeds accounted incoming encrypted obfuscated snubbed preferred unwanted"},
		{Events, "inserted erased finished started stopped loaded paused resumed opened closed hash_queued hash_done hash_failed hash_removed"},
		{Scan, "duration age items new_hashes reply"},
	} {
		var keys []string
		for _, m := range tc.f.Metrics {
			keys = append(keys, tc.f.Key(m))
		}
		if got := strings.Join(keys, " "); got != tc.keys {
			t.Errorf("family %s%s: keys %q, want %q", tc.f.Type, tc.f.Prefix, got, tc.keys)
		}
	}
}

// TestLeaf: the catalogue imports the standard library only, so whoever
// imports it (the viewer above all) links nothing of the plugin.
func TestLeaf(t *testing.T) {
	out, err := exec.Command(goTool(t), "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/rtmon/rtmon/internal/catalogue" {
			t.Errorf("the catalogue depends on %s", p)
		}
	}
}

// goTool finds the go command; go test puts its own GOROOT/bin first on
// PATH.
func goTool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command: %v", err)
	}
	return p
}
