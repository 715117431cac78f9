package live

import (
	"encoding/json"
	"testing"
	"time"
)

// TestSnapshotJSON: the cached encoding is always what encoding s.At(now)
// gives, as the ages move on at different instants for the snapshot, its
// hosts and instances; calls at the same ages share one encoding.
func TestSnapshotJSON(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	s := &Snapshot{Time: float64(t0.Unix()), Source: "collectd", Interval: 1, enc: &encCache{},
		newest: t0.Add(-30 * time.Millisecond)}
	h := &Host{Name: "box", Local: true, newest: t0.Add(-70 * time.Millisecond)}
	h.RTorrent = []*Instance{{Name: "main", newest: t0.Add(-10 * time.Millisecond)}, {Name: "idle"}} // idle: never read, age null
	s.Hosts = []*Host{h, {Name: "quiet"}}

	var prev []byte
	shared := 0
	for ms := 0; ms < 1000; ms += 7 {
		now := t0.Add(time.Duration(ms) * time.Millisecond)
		got, err := s.JSON(now)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(s.At(now))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want)+"\n" {
			t.Fatalf("at +%d ms:\n got %s\nwant %s", ms, got, want)
		}
		if prev != nil && &prev[0] == &got[0] {
			shared++
		}
		prev = got
	}
	// 143 calls over a second in which the ages change at ~30 instants.
	if shared < 90 {
		t.Errorf("only %d of 143 calls reused the previous encoding", shared)
	}

	// A snapshot not made by the poller encodes every time, the same way.
	plain := &Snapshot{Source: "none", Error: "x"}
	a, _ := plain.JSON(t0)
	b, _ := plain.JSON(t0)
	want, _ := json.Marshal(plain.At(t0))
	if string(a) != string(want)+"\n" || &a[0] == &b[0] {
		t.Errorf("uncached snapshot: %s", a)
	}
}
