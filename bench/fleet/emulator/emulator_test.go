package emulator

import (
	"slices"
	"strings"
	"testing"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/catalogue"
)

// TestListsCoverCatalogue: one emulated host sends every metric of the
// catalogue (the group ones once per tracker and label) and the host
// plugins', with values that move between rounds.
func TestListsCoverCatalogue(t *testing.T) {
	h := newHost("box", Config{Instances: 1, Items: 100, Trackers: 2, Labels: 3}, 1)
	t0 := time.Unix(1_800_000_000, 0)
	first := h.valueLists(t0, 10*time.Second)
	second := h.valueLists(t0.Add(10*time.Second), 10*time.Second)
	got := map[string]int{}
	for _, vl := range first {
		if vl.Host != "box" || !vl.Time.Equal(t0) {
			t.Fatalf("list %v: host %q time %v", vl.Identifier, vl.Host, vl.Time)
		}
		got[vl.Plugin+"/"+vl.Type+"-"+vl.TypeInstance]++
	}
	for _, m := range catalogue.All() {
		want := 1
		switch m.Group {
		case "tracker":
			want = 2
		case "label":
			want = 3
		}
		n := 0
		for k, c := range got {
			prefix := catalogue.Plugin + "/" + m.Type + "-"
			if m.Group != "" {
				if strings.HasPrefix(k, prefix+m.Group+"_") {
					n += c
				}
			} else if slices.Contains(catalogue.Versions, m) { // the version is the type instance
				if strings.HasPrefix(k, prefix+strings.TrimSuffix(m.TypeInstance, "<version>")) {
					n += c
				}
			} else if k == prefix+m.TypeInstance {
				n += c
			}
		}
		if n != want {
			t.Errorf("%s-%s: sent %d times, want %d", m.Type, m.TypeInstance, n, want)
		}
	}
	for _, p := range []string{"cpu/percent-idle", "load/load-", "memory/memory-used", "swap/swap-used", "df/df_complex-free", "disk/disk_octets-", "interface/if_octets-"} {
		if got[p] != 1 {
			t.Errorf("host plugin list %s sent %d times, want 1", p, got[p])
		}
	}
	if len(first) != len(second) {
		t.Fatalf("rounds differ in size: %d, %d", len(first), len(second))
	}
	moved := 0
	for i := range first {
		if first[i].Values[0] != second[i].Values[0] {
			moved++
		}
	}
	// Counters (DERIVE) never fall: a falling one is an unknown rate in
	// the archive, which TestFleet would count as a lost value.
	for r := 0; r < 50; r++ {
		next := h.valueLists(t0.Add(time.Duration(20+10*r)*time.Second), 10*time.Second)
		for i, vl := range next {
			for j, v := range vl.Values {
				if d, ok := v.(api.Derive); ok && d < second[i].Values[j].(api.Derive) {
					t.Fatalf("%v ds %d fell from %v to %v", vl.Identifier, j, second[i].Values[j], d)
				}
			}
		}
		second = next
	}
	if moved < len(first)/3 {
		t.Errorf("only %d of %d values moved between rounds", moved, len(first))
	}
}

func TestConfigBounds(t *testing.T) {
	for _, c := range []Config{{Hosts: 0}, {Hosts: MaxHosts + 1}, {Hosts: 1, Interval: 1500 * time.Millisecond}, {Hosts: 1, Trackers: 65}} {
		c.Addr = "127.0.0.1:9"
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
