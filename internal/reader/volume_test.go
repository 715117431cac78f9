package reader

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// volScan is one scan in a volume accounting case: what rTorrent returned,
// and what the reader's caches hold by the time its moves are attributed.
type volScan struct {
	full    bool     // a full scan (rows = every item) or a delta scan (rows = the busy ones)
	rows    []item   // hash, upTotal, downTotal matter here
	bad     int      // malformed rows the full scan skipped
	restart bool     // the fast tier saw a new pid before this scan
	labels  labelMap // static data changes (relabels, new items) before attribution
	unread  []string // hashes whose static fetch failed in this scan
	// want: per label, [up, down] after this scan, for the groups with
	// items; a label missing here has no items now.
	want map[string][2]int64
}

type labelMap map[string]string // hash -> label

func it(hash string, up, down int64) item { return item{hash: hash, upTotal: up, downTotal: down} }

// TestVolumeAccounting drives the reader's merge, attribution and summary
// through sequences of scans: baseline, delta scans, new items, erase,
// relabel, stop, restart, a counter that falls, malformed rows, static data
// fetched late. Each step checks every label's volume.
func TestVolumeAccounting(t *testing.T) {
	base := labelMap{"A": "tv", "B": "tv", "C": "music"}
	cases := []struct {
		name  string
		scans []volScan
	}{
		{"first scan is a baseline, then full scans add increases", []volScan{
			{full: true, rows: []item{it("A", 100, 200), it("B", 5, 0), it("C", 1000, 1)}, labels: base,
				want: map[string][2]int64{"tv": {0, 0}, "music": {0, 0}}},
			{full: true, rows: []item{it("A", 110, 230), it("B", 5, 0), it("C", 1500, 1)},
				want: map[string][2]int64{"tv": {10, 30}, "music": {500, 0}}},
			{full: true, rows: []item{it("A", 111, 230), it("B", 9, 4), it("C", 1500, 1)},
				want: map[string][2]int64{"tv": {15, 34}, "music": {500, 0}}},
		}},
		{"delta scans count the busy rows; idle items are not read and lose nothing", []volScan{
			{full: true, rows: []item{it("A", 100, 200), it("B", 5, 0), it("C", 0, 0)}, labels: base,
				want: map[string][2]int64{"tv": {0, 0}, "music": {0, 0}}},
			{rows: []item{it("A", 150, 200)}, want: map[string][2]int64{"tv": {50, 0}, "music": {0, 0}}},
			{rows: []item{it("A", 160, 200), it("C", 7, 70)}, want: map[string][2]int64{"tv": {60, 0}, "music": {7, 70}}},
			// The full scan reads A again at the value the delta saw last: nothing twice.
			{full: true, rows: []item{it("A", 160, 200), it("B", 5, 0), it("C", 7, 70)},
				want: map[string][2]int64{"tv": {60, 0}, "music": {7, 70}}},
		}},
		{"an item added after the first scan counts from zero", []volScan{
			{full: true, rows: []item{it("A", 100, 200)}, labels: base, want: map[string][2]int64{"tv": {0, 0}}},
			{full: true, rows: []item{it("A", 100, 200), it("D", 40, 4000)}, labels: labelMap{"D": "new"},
				want: map[string][2]int64{"tv": {0, 0}, "new": {40, 4000}}},
			// Inserted while another was erased (view sizes unchanged), seen by a delta scan.
			{rows: []item{it("E", 3, 30)}, labels: labelMap{"E": "new"},
				want: map[string][2]int64{"tv": {0, 0}, "new": {43, 4030}}},
		}},
		{"an erased item keeps what it counted; its group's counter does not fall", []volScan{
			{full: true, rows: []item{it("A", 100, 200), it("C", 0, 0)}, labels: base,
				want: map[string][2]int64{"tv": {0, 0}, "music": {0, 0}}},
			{full: true, rows: []item{it("A", 100, 200), it("C", 30, 0)}, want: map[string][2]int64{"tv": {0, 0}, "music": {30, 0}}},
			// C erased (the bytes it moved after the last scan are the documented hole).
			{full: true, rows: []item{it("A", 120, 200)}, want: map[string][2]int64{"tv": {20, 0}}},
			// A new item in the old group: the group's counter goes on.
			{full: true, rows: []item{it("A", 120, 200), it("F", 1, 1)}, labels: labelMap{"F": "music"},
				want: map[string][2]int64{"tv": {20, 0}, "music": {31, 1}}},
		}},
		{"a relabelled item's bytes go to its label at the scan that reads them", []volScan{
			{full: true, rows: []item{it("A", 100, 200), it("B", 0, 0), it("C", 0, 0)}, labels: base,
				want: map[string][2]int64{"tv": {0, 0}, "music": {0, 0}}},
			{full: true, rows: []item{it("A", 110, 200), it("B", 0, 0), it("C", 0, 0)}, want: map[string][2]int64{"tv": {10, 0}, "music": {0, 0}}},
			{full: true, rows: []item{it("A", 125, 200), it("B", 0, 0), it("C", 0, 0)}, labels: labelMap{"A": "music"},
				want: map[string][2]int64{"tv": {10, 0}, "music": {15, 0}}},
			{rows: []item{it("A", 126, 201)}, want: map[string][2]int64{"tv": {10, 0}, "music": {16, 1}}},
		}},
		{"a stopped item keeps its totals: the next scan counts what it moved", []volScan{
			{full: true, rows: []item{it("A", 100, 200)}, labels: base, want: map[string][2]int64{"tv": {0, 0}}},
			{rows: []item{it("A", 150, 200)}, want: map[string][2]int64{"tv": {50, 0}}},
			// Stopped: not among the busy started rows; the full scan after reads it.
			{rows: nil, want: map[string][2]int64{"tv": {50, 0}}},
			{full: true, rows: []item{it("A", 170, 200)}, want: map[string][2]int64{"tv": {70, 0}}},
		}},
		{"an rTorrent restart takes a new baseline, the counters go on", []volScan{
			{full: true, rows: []item{it("A", 100, 200), it("C", 0, 0)}, labels: base,
				want: map[string][2]int64{"tv": {0, 0}, "music": {0, 0}}},
			{full: true, rows: []item{it("A", 110, 210), it("C", 5, 5)}, want: map[string][2]int64{"tv": {10, 10}, "music": {5, 5}}},
			// Restored from the session: more than the last read (saved at
			// shutdown) and less (an old save): neither is new traffic.
			{full: true, restart: true, rows: []item{it("A", 400, 400), it("C", 1, 1)},
				want: map[string][2]int64{"tv": {10, 10}, "music": {5, 5}}},
			{full: true, rows: []item{it("A", 401, 402), it("C", 4, 1)}, want: map[string][2]int64{"tv": {11, 12}, "music": {8, 5}}},
		}},
		{"a counter that falls without a restart counts nothing and is the new base", []volScan{
			{full: true, rows: []item{it("A", 100, 200)}, labels: base, want: map[string][2]int64{"tv": {0, 0}}},
			{full: true, rows: []item{it("A", 10, 250)}, want: map[string][2]int64{"tv": {0, 50}}},
			{full: true, rows: []item{it("A", 25, 250)}, want: map[string][2]int64{"tv": {15, 50}}},
		}},
		{"an item dropped as a malformed row is a baseline when it returns, never counted twice", []volScan{
			{full: true, rows: []item{it("A", 100, 200), it("C", 7000, 7000)}, labels: base,
				want: map[string][2]int64{"tv": {0, 0}, "music": {0, 0}}},
			{full: true, bad: 1, rows: []item{it("A", 101, 200)}, want: map[string][2]int64{"tv": {1, 0}}},
			{full: true, rows: []item{it("A", 102, 200), it("C", 7100, 7000)}, want: map[string][2]int64{"tv": {2, 0}, "music": {0, 0}}},
			{full: true, rows: []item{it("A", 102, 200), it("C", 7101, 7000)}, want: map[string][2]int64{"tv": {2, 0}, "music": {1, 0}}},
		}},
		{"a new item whose static data fails counts once it is fetched", []volScan{
			{full: true, rows: []item{it("A", 100, 200)}, labels: base, want: map[string][2]int64{"tv": {0, 0}}},
			{full: true, rows: []item{it("A", 100, 200), it("G", 9, 90)}, unread: []string{"G"},
				want: map[string][2]int64{"tv": {0, 0}, "": {0, 0}}},
			{full: true, rows: []item{it("A", 100, 200), it("G", 10, 90)}, labels: labelMap{"G": "late"},
				want: map[string][2]int64{"tv": {0, 0}, "late": {10, 90}}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(nil, Options{PerTracker: true, PerLabel: true})
			for i, sc := range tc.scans {
				if sc.restart {
					r.vol.rebase = true // what read() does on a new pid
				}
				if sc.full {
					r.mergeFull(append([]item(nil), sc.rows...), sc.bad, time.Now())
				} else {
					for _, row := range sc.rows {
						r.mergeRow(row)
					}
				}
				for h, l := range sc.labels {
					r.static[h] = staticInfo{label: l, domain: "t." + l}
				}
				for _, h := range sc.unread {
					delete(r.static, h)
				}
				r.attributeVolumes()
				res := r.summarize(r.known.list)
				got := map[string][2]int64{}
				for _, g := range res.labels {
					got[g.Name] = [2]int64{g.UpBytes, g.DownBytes}
				}
				if !maps.Equal(got, sc.want) {
					t.Fatalf("after scan %d: label volumes %v, want %v", i+1, got, sc.want)
				}
				// Trackers follow the same items: domain "t.<label>".
				for _, g := range res.trackers {
					want := sc.want[g.Name[min(2, len(g.Name)):]]
					if g.Name == "" {
						want = sc.want[""]
					}
					if [2]int64{g.UpBytes, g.DownBytes} != want {
						t.Fatalf("after scan %d: tracker %q volume [%d %d], want %v", i+1, g.Name, g.UpBytes, g.DownBytes, want)
					}
				}
			}
		})
	}
}

// TestVolumeBounds: pending moves never outgrow the picture, however many
// scans fail before attributing them, and accumulators of groups without
// items are dropped past maxIdleGroups.
func TestVolumeBounds(t *testing.T) {
	r := NewReader(nil, Options{PerTracker: true, PerLabel: true})
	r.mergeFull([]item{it("A", 0, 0), it("B", 0, 0)}, 0, time.Now())
	// Static data never arrives for B; A's scans keep failing before
	// attribution (pending grows), then one attributes.
	r.static["A"] = staticInfo{label: "x", domain: "d"}
	for i := 1; i <= 100; i++ {
		r.mergeRow(it("A", int64(i), 0))
		r.mergeRow(it("B", int64(i), 0))
		if n := len(r.vol.pending); n > 2*len(r.known.list)+64 {
			t.Fatalf("%d pending moves for %d items", n, len(r.known.list))
		}
	}
	r.attributeVolumes()
	if got := r.vol.labels["x"]; got == nil || got.up != 100 {
		t.Fatalf("label x volume %+v, want up 100", got)
	}
	sum := int64(0)
	for _, m := range r.vol.pending {
		if m.hash != "B" {
			t.Fatalf("pending %v holds more than B's moves", m)
		}
		sum += m.up
	}
	if sum != 100 {
		t.Fatalf("B's pending moves add up to %d bytes, want 100", sum)
	}
	// B leaves the picture: its moves, whose group was never known, go.
	r.mergeFull([]item{it("A", 100, 0)}, 0, time.Now())
	r.attributeVolumes()
	if len(r.vol.pending) != 0 {
		t.Fatalf("pending %v after B left", r.vol.pending)
	}

	// Just past the bound of idle groups: the next summary drops them.
	for i := 0; i <= maxIdleGroups; i++ {
		r.vol.labels[fmt.Sprint("gone", i)] = &byteCount{up: 1}
	}
	r.summarize(r.known.list)
	if _, ok := r.vol.labels["x"]; !ok || len(r.vol.labels) != 1 {
		t.Fatalf("%d label accumulators kept, want only x's", len(r.vol.labels))
	}
	// At the bound they stay.
	for i := 0; i < maxIdleGroups; i++ {
		r.vol.labels[fmt.Sprint("gone", i)] = &byteCount{up: 1}
	}
	r.summarize(r.known.list)
	if len(r.vol.labels) != maxIdleGroups+1 {
		t.Fatalf("%d label accumulators kept, want %d", len(r.vol.labels), maxIdleGroups+1)
	}
}

// TestVolumeEraseLog: the erase log an rc snippet keeps (ErasedLogMethod)
// closes the hole: an item erased after its last scan adds what it moved
// since, to the group it was in, once; bad entries and entries past one
// per known item are skipped with one sub-error.
func TestVolumeEraseLog(t *testing.T) {
	hA := strings.Repeat("A", 40)
	hB := strings.Repeat("B", 40)
	hC := strings.Repeat("C", 40)
	cases := []struct {
		name    string
		before  bool // the log arrives before the first scan
		log     string
		want    map[string][2]int64 // label accumulators after the log
		subErrs int
	}{
		{"before any scan: nothing to count from", true, hA + " 150 260;", map[string][2]int64{}, 0},
		{"one erase", false, hA + " 150 260;", map[string][2]int64{"x": {50, 60}}, 0},
		{"two erases, lower-case hash, spaces", false, " " + strings.ToLower(hA) + " 150 260 ; " + hB + " 7 8;", map[string][2]int64{"x": {50, 60}, "y": {2, 3}}, 0},
		{"a hash no scan read: skipped", false, hC + " 99 99;", map[string][2]int64{}, 0},
		{"totals below the last reading count nothing", false, hA + " 10 10;", map[string][2]int64{}, 0},
		{"malformed entries", false, hA + " 150;" + "nothash 1 2;" + hB + " -1 2;" + hB + " 1 x;" + hA + " 150 260;", map[string][2]int64{"x": {50, 60}}, 1},
		{"past one entry per known item", false, hA + " 150 260;" + hB + " 7 8;" + hA + " 170 280;", map[string][2]int64{"x": {50, 60}, "y": {2, 3}}, 1},
		{"the same item logged twice counts once", false, hA + " 150 260;" + hA + " 150 260;", map[string][2]int64{"x": {50, 60}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: "scgi:///nonexistent/rpc.socket"})
			if err != nil {
				t.Fatal(err)
			}
			r := NewReader(c, Options{PerTracker: true, PerLabel: true})
			r.static[hA] = staticInfo{label: "x", domain: "d"}
			r.static[hB] = staticInfo{label: "y", domain: "d"}
			if !tc.before {
				r.mergeFull([]item{it(hA, 100, 200), it(hB, 5, 5)}, 0, time.Now())
			}
			r.noteErased(tc.log)
			got := map[string][2]int64{}
			for name, v := range r.vol.labels {
				if v.up != 0 || v.down != 0 {
					got[name] = [2]int64{v.up, v.down}
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("label volumes %v, want %v", got, tc.want)
			}
			if n := len(r.SubErrors()); n != tc.subErrs {
				t.Errorf("%d sub-errors %v, want %d", n, r.SubErrors(), tc.subErrs)
			}
			// The next scan no longer has the erased items: nothing more
			// is counted, nothing falls.
			r.mergeFull(nil, 0, time.Now())
			r.attributeVolumes()
			for name, v := range r.vol.labels {
				if w := tc.want[name]; (v.up != 0 || v.down != 0) && [2]int64{v.up, v.down} != w {
					t.Errorf("after the next scan label %s = [%d %d], want %v", name, v.up, v.down, w)
				}
			}
		})
	}
}
