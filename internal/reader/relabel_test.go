package reader

import (
	"context"
	"maps"
	"testing"
	"time"
)

// TestRelabelSeen: ruTorrent relabels an item with d.custom1.set (the
// label URI-encoded). The per-label counts follow once MaxScanInterval has
// passed, matching rTorrent's own d.custom1 of every item; before that,
// scans do not re-read labels.
func TestRelabelSeen(t *testing.T) {
	rt, tors := startIdle(t, 3, "relabel")
	for _, x := range tors {
		rt.MustCall(t, "d.custom1.set", x.InfoHash, "old")
	}
	opt := DefaultOptions()
	opt.LoadBudget, opt.MinScanInterval, opt.MaxScanInterval = 1, time.Millisecond, 3*time.Second
	r := newReader(t, rt.URL, opt)
	ctx := context.Background()
	labels := func() map[string]int64 {
		t.Helper()
		time.Sleep(5 * time.Millisecond) // past MinScanInterval: every read scans
		s, err := r.Read(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if s.Scan == nil {
			t.Fatal("no scan")
		}
		got := map[string]int64{}
		for _, g := range s.Labels {
			got[g.Name] = g.Items
		}
		return got
	}
	truth := func() map[string]int64 {
		t.Helper()
		want := map[string]int64{}
		for _, row := range rt.MustCall(t, "d.multicall2", "", "main", "d.custom1=").([]any) {
			want[label(row.([]any)[0].(string))]++
		}
		return want
	}
	if got, want := labels(), truth(); !maps.Equal(got, want) {
		t.Fatalf("labels %v, rTorrent has %v", got, want)
	}
	before := truth()
	rt.MustCall(t, "d.custom1.set", tors[0].InfoHash, "new%20one")
	start := time.Now()
	if got := labels(); !maps.Equal(got, before) && time.Since(start) < opt.MaxScanInterval {
		t.Errorf("labels %v right after the relabel, want the cached %v: labels are re-read on every scan", got, before)
	}
	want := truth()
	if want["new one"] != 1 {
		t.Fatalf("rTorrent's labels %v: the relabel did not take", want)
	}
	var got map[string]int64
	waitFor(t, 4*opt.MaxScanInterval, "the relabel in the per-label counts", func() bool {
		got = labels()
		return maps.Equal(got, want)
	})
}
