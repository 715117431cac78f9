package grafana

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/catalogue"
)

var update = flag.Bool("update-dashboard", false, "rewrite dist/grafana/rtmon.json")

const file = "../../dist/grafana/rtmon.json"

// TestDashboardFile: the committed dashboard is what the generator makes
// now (go generate ./internal/grafana rewrites it).
func TestDashboardFile(t *testing.T) {
	want, err := Generate().JSON()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if *update {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", file)
		return
	}
	if err != nil {
		t.Fatalf("%v; go generate ./internal/grafana writes it", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the generator's output; run go generate ./internal/grafana", file)
	}
	again, _ := Generate().JSON()
	if !bytes.Equal(again, want) {
		t.Errorf("two runs of the generator differ")
	}
}

// model is the committed file read generically, as Grafana reads it: the
// checks below do not trust the generator's own types.
type model map[string]any

func load(t *testing.T) model {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m
}

func list(v any) []any         { l, _ := v.([]any); return l }
func obj(v any) map[string]any { o, _ := v.(map[string]any); return o }
func num(v any) int            { f, _ := v.(float64); return int(f) }
func str(v any) string         { s, _ := v.(string); return s }

// TestModel checks the file against Grafana's dashboard JSON model: the
// schema version, the datasource variable every query uses, unique panel
// ids, every panel on the 24-column grid without overlap, and targets
// with an expression and a unique refId.
func TestModel(t *testing.T) {
	m := load(t)
	if v := num(m["schemaVersion"]); v != SchemaVersion || v < 43 {
		t.Errorf("schemaVersion %v, want %d (43: the newest classic model)", m["schemaVersion"], SchemaVersion)
	}
	// What the migrations to 40-43 would change must already hold.
	if _, ok := m["refresh"].(string); !ok {
		t.Errorf("refresh %v is not a string (schema 40)", m["refresh"])
	}
	if _, ok := obj(m["timepicker"])["time_options"]; ok {
		t.Errorf("timepicker has time_options (removed in schema 41)")
	}
	if str(m["uid"]) == "" || str(m["title"]) == "" || m["id"] != nil {
		t.Errorf("uid %q, title %q, id %v: want a uid and title, id null (Grafana assigns it on import)", m["uid"], m["title"], m["id"])
	}
	vars := map[string]map[string]any{}
	for _, v := range list(obj(m["templating"])["list"]) {
		vars[str(obj(v)["name"])] = obj(v)
	}
	if d := vars["datasource"]; d == nil || str(d["type"]) != "datasource" || str(d["query"]) != "prometheus" {
		t.Errorf("no datasource variable of type prometheus: %v", vars["datasource"])
	}
	for _, name := range []string{"host", "rtorrent"} {
		v := vars[name]
		if v == nil || str(v["type"]) != "query" || str(obj(v["datasource"])["uid"]) != "${datasource}" || str(obj(v["query"])["query"]) == "" {
			t.Errorf("variable %s: %v", name, v)
		}
	}
	varRef := regexp.MustCompile(`\$\{?(\w+)`)
	ids := map[int]bool{}
	var cells [][4]int
	panels := list(m["panels"])
	if len(panels) < 20 {
		t.Fatalf("%d panels", len(panels))
	}
	for _, pv := range panels {
		p := obj(pv)
		title := str(p["title"])
		id := num(p["id"])
		if id <= 0 || ids[id] {
			t.Errorf("panel %q: id %d missing or not unique", title, id)
		}
		ids[id] = true
		g := obj(p["gridPos"])
		x, y, w, h := num(g["x"]), num(g["y"]), num(g["w"]), num(g["h"])
		if w <= 0 || h <= 0 || x < 0 || y < 0 || x+w > 24 {
			t.Errorf("panel %q: gridPos %v outside the 24-column grid", title, g)
		}
		for _, c := range cells {
			if x < c[0]+c[2] && c[0] < x+w && y < c[1]+c[3] && c[1] < y+h {
				t.Errorf("panel %q at %v overlaps another at %v", title, g, c)
			}
		}
		cells = append(cells, [4]int{x, y, w, h})
		if str(p["type"]) == "row" {
			continue
		}
		for _, tr := range list(p["transformations"]) {
			if str(obj(tr)["id"]) == "formatTime" {
				t.Errorf("panel %q uses formatTime (replaced in schema 43)", title)
			}
		}
		for _, o := range list(obj(p["fieldConfig"])["overrides"]) {
			for _, pr := range list(obj(o)["properties"]) {
				if str(obj(pr)["id"]) == "custom.hideFrom" {
					t.Errorf("panel %q hides a field (schema 42 changes hideFrom)", title)
				}
			}
		}
		if str(p["type"]) != "timeseries" || str(obj(p["datasource"])["uid"]) != "${datasource}" {
			t.Errorf("panel %q: type %v, datasource %v", title, p["type"], p["datasource"])
		}
		targets := list(p["targets"])
		if len(targets) == 0 {
			t.Errorf("panel %q has no targets", title)
		}
		refs := map[string]bool{}
		for _, tv := range targets {
			tg := obj(tv)
			ref, expr := str(tg["refId"]), str(tg["expr"])
			if ref == "" || refs[ref] || expr == "" || str(obj(tg["datasource"])["uid"]) != "${datasource}" {
				t.Errorf("panel %q: target %v: want a unique refId, an expr and the datasource variable", title, tg)
			}
			refs[ref] = true
			for _, r := range varRef.FindAllStringSubmatch(expr, -1) {
				if vars[r[1]] == nil && !strings.HasPrefix(r[1], "__") {
					t.Errorf("panel %q: %s uses $%s, which is no variable", title, expr, r[1])
				}
			}
		}
	}
}

// TestNamesFromCatalogue: every rtmon metric the dashboard queries is a
// name the catalogue gives, and the breakdowns and scan cost are there.
func TestNamesFromCatalogue(t *testing.T) {
	known := map[string]bool{}
	for _, m := range catalogue.All() {
		for _, ds := range m.DS {
			known[m.PromName(ds)] = true
		}
	}
	name := regexp.MustCompile(catalogue.PromPrefix + `\w+`)
	used := map[string]bool{}
	for _, q := range Generate().Queries() {
		for _, n := range name.FindAllString(q.Expr, -1) {
			if !known[n] {
				t.Errorf("panel %q queries %s, which the catalogue does not dispatch", q.Panel, n)
			}
			used[n] = true
		}
	}
	for _, m := range []*catalogue.Metric{catalogue.Octets, catalogue.UpRate, catalogue.ItemsTotal, catalogue.SizeTotal,
		catalogue.PeersConnected, catalogue.Trackers, catalogue.Labels, catalogue.ScanDuration, catalogue.ScanReply, catalogue.CPUTime} {
		if !used[m.PromName(m.DS[0])] {
			t.Errorf("no panel shows %s", m.ID())
		}
	}
	var both []string
	for _, q := range Generate().Queries() {
		if strings.Contains(q.Expr, `type=~"tracker_.*"`) || strings.Contains(q.Expr, `type=~"label_.*"`) {
			both = append(both, q.Expr)
		}
	}
	if len(both) < 8 {
		t.Errorf("%d per-tracker and per-label queries, want at least 8", len(both))
	}
}
