package promstack

import (
	"fmt"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// truth is a figure read from rTorrent directly.
type truth func() float64

func viewSize(t *testing.T, rt *testenv.RTorrent, view string) truth {
	return func() float64 { return float64(rt.MustInt(t, "view.size", "", view)) }
}

func intCall(t *testing.T, rt *testenv.RTorrent, method string) truth {
	return func() float64 { return float64(rt.MustInt(t, method)) }
}

// sumItems sums an integer d.* command over all items of rt.
func sumItems(t *testing.T, rt *testenv.RTorrent, cmd string) truth {
	return func() float64 { return sumWhere(t, rt, cmd, func(string) bool { return true }) }
}

// labelled counts the items of rt whose d.custom1 is l.
func labelled(t *testing.T, rt *testenv.RTorrent, l string) truth {
	return func() float64 {
		return sumWhere(t, rt, "d.custom1=", func(c string) bool { return c == l })
	}
}

// sumWhere adds up cmd's value (1 for a string command) over the items
// whose d.custom1 passes keep.
func sumWhere(t *testing.T, rt *testenv.RTorrent, cmd string, keep func(custom1 string) bool) float64 {
	rows, _ := rt.MustCall(t, "d.multicall2", "", "main", "d.custom1=", cmd).([]any)
	var sum float64
	for _, row := range rows {
		r, _ := row.([]any)
		if len(r) != 2 {
			t.Fatalf("d.multicall2 row %v", row)
		}
		c, _ := r[0].(string)
		if !keep(c) {
			continue
		}
		switch v := r[1].(type) {
		case int64:
			sum += float64(v)
		default:
			sum++
		}
	}
	return sum
}

// on adds the instance matchers to a catalogue metric's first data source.
func on(m *catalogue.Metric, inst string, more ...string) string {
	return onDS(m, 0, inst, more...)
}

func onDS(m *catalogue.Metric, ds int, inst string, more ...string) string {
	extra := append([]string{fmt.Sprintf(`instance=%q`, host), fmt.Sprintf(`%s=%q`, catalogue.PromInstanceLabel, inst)}, more...)
	sel := m.PromSelector(m.DS[ds], extra...)
	if m.Group != "" { // one tracker or label: the last matcher narrows the type
		sel = m.PromName(m.DS[ds]) + "{" + joinMatchers(extra) + "}"
	}
	return sel
}

func joinMatchers(m []string) string {
	s := ""
	for i, x := range m {
		if i > 0 {
			s += ","
		}
		s += x
	}
	return s
}

// valueCase is a query and rTorrent's own figure for it.
type valueCase struct {
	name  string
	expr  string
	truth truth
}

func valueCases(t *testing.T, sw *testenv.Swarm) []valueCase {
	seeder, leecher := sw.Seeder, sw.Leecher
	tracker := `type="` + catalogue.GroupInstance("tracker", "127.0.0.1") + `"`
	return []valueCase{
		{"seeder items", on(catalogue.ItemsTotal, "seeder"), viewSize(t, seeder, "main")},
		{"seeder seeding", on(catalogue.ItemsSeeding, "seeder"), viewSize(t, seeder, "seeding")},
		{"seeder complete", on(catalogue.ItemsComplete, "seeder"), viewSize(t, seeder, "complete")},
		{"seeder stopped", on(catalogue.ItemsStopped, "seeder"), viewSize(t, seeder, "stopped")},
		{"seeder up limit", on(catalogue.UpLimit, "seeder"), intCall(t, seeder, "throttle.global_up.max_rate")},
		{"seeder max open sockets", on(catalogue.MaxOpenSockets, "seeder"), intCall(t, seeder, "network.max_open_sockets")},
		{"seeder size", on(catalogue.SizeTotal, "seeder"), sumItems(t, seeder, "d.size_bytes=")},
		{"seeder files", on(catalogue.Files, "seeder"), sumItems(t, seeder, "d.size_files=")},
		{"seeder label items", on(catalogue.Labels, "seeder", `type="`+catalogue.GroupInstance("label", label)+`"`), labelled(t, seeder, label)},
		{"seeder label size", onDS(catalogue.Labels, 6, "seeder", `type="`+catalogue.GroupInstance("label", label)+`"`), sumItems(t, seeder, "d.size_bytes=")},
		{"leecher items", on(catalogue.ItemsTotal, "leecher"), viewSize(t, leecher, "main")},
		{"leecher leeching", on(catalogue.ItemsLeeching, "leecher"), viewSize(t, leecher, "leeching")},
		{"leecher incomplete", on(catalogue.ItemsIncomplete, "leecher"), viewSize(t, leecher, "incomplete")},
		{"leecher size", on(catalogue.SizeTotal, "leecher"), sumItems(t, leecher, "d.size_bytes=")},
		{"leecher tracker items", on(catalogue.Trackers, "leecher", tracker), sumItems(t, leecher, "d.hash=")},
		{"leecher tracker size", onDS(catalogue.Trackers, 6, "leecher", tracker), sumItems(t, leecher, "d.size_bytes=")},
		{"leecher unlabelled items", on(catalogue.Labels, "leecher", `type="label_none"`), labelled(t, leecher, "")},
	}
}

// testValues: Prometheus's answers equal rTorrent's own figures (read
// from rTorrent at the same moment; all of them are steady during the
// transfer). Poll: the scan tier needs a scan, the store a scrape.
func testValues(t *testing.T, s *stack, sw *testenv.Swarm) {
	for _, tc := range valueCases(t, sw) {
		t.Run(tc.name, func(t *testing.T) {
			var got, want float64
			var err error
			deadline := time.Now().Add(30 * time.Second)
			for {
				want = tc.truth()
				got, err = s.prom.one(tc.expr, time.Now())
				if err == nil && got == want {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: Prometheus %v (%v), rTorrent %v", tc.expr, got, err, want)
				}
				time.Sleep(time.Second)
			}
		})
	}
	if want := float64(torrents * size); want != sumItems(t, sw.Seeder, "d.size_bytes=")() {
		t.Errorf("the swarm's own figure is off: the seeder holds not %d torrents of %d bytes", torrents, size)
	}
}
