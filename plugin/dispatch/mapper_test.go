package dispatch

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/reader"
)

func i64(v int64) *int64     { return &v }
func f64(v float64) *float64 { return &v }

// fullSnapshot has every sensor known, with distinct values.
func fullSnapshot() *reader.Snapshot {
	return &reader.Snapshot{
		Instance: "main", Time: time.Unix(1700000000, 0), PID: 4242, Uptime: f64(3600),
		Items: reader.Items{Total: 10, Started: 7, Stopped: 3, Complete: 6, Incomplete: 4, Seeding: 5, Leeching: 2,
			Hashing: 1, Resumed: 7, Active: i64(3), Messages: i64(1)},
		Traffic: reader.Traffic{UpRate: 1000, DownRate: 2000, UpTotal: 1 << 30, DownTotal: 2 << 30, UpLimit: 0, DownLimit: 5000, SkipRate: i64(12)},
		Resources: reader.Resources{OpenSockets: i64(20), HTTPOpen: i64(2), OpenFiles: i64(8), FilesOpened: i64(100), FilesClosed: i64(92),
			PieceMemory: i64(1 << 20), PieceMemoryMax: i64(1 << 28), MaxOpenSockets: i64(768), MaxOpenHTTP: i64(32), MaxOpenFiles: i64(128)},
		Process: &reader.Process{CPUUser: 1.5, CPUSystem: 0.25, CPUTime: 1.75, PCPU: f64(150), PMem: 1.25, SZ: 1000, RSS: 4 << 20,
			VSZ: 1000 * 4096, Threads: 4, Majflt: 7, ReadBytes: i64(300), WriteBytes: i64(400)},
		Sizes:  &reader.Sizes{SizeBytes: 10000, LeftBytes: 4000, Files: 30, Completed: 6000},
		Ratios: &reader.RatioBuckets{Below05: 1, To1: 2, To2: 3, To5: 4, Above5: 0},
		Peers:  &reader.Peers{Connected: 9, Seeds: 3, Accounted: 9, Incoming: 4, Encrypted: 2, Obfuscated: 1, Snubbed: 0, Preferred: 0, Unwanted: 1},
		Events: &reader.Events{Inserted: 2, Erased: 1, Finished: 1, Started: 3, Stopped: 2},
		Trackers: []reader.GroupCounts{
			{Name: "example.org", Items: 6, Active: 2, Complete: 4, Seeding: 3, Leeching: 1, Messages: 0, SizeBytes: 6000, LeftBytes: 2000, UpRate: 700, DownRate: 1500, Peers: 5,
				UpBytes: 7 << 20, DownBytes: 9 << 20},
			{Name: "my-tracker.net", Items: 4, SizeBytes: 4000},
		},
		Labels: []reader.GroupCounts{{Name: "none", Items: 10, UpBytes: 7 << 20, DownBytes: 9 << 20}},
		Scan:   &reader.ScanInfo{Duration: 250 * time.Millisecond, Age: 4, Items: 10, ReplyBytes: 5000, NewHashes: 10},
	}
}

var allOn = Options{PerTracker: true, PerLabel: true, PeerFlags: true}

func sampleMap(t *testing.T, ss []Sample) map[string][]float64 {
	t.Helper()
	m := map[string][]float64{}
	for _, s := range ss {
		id := typeID(s.Metric.Type, s.TypeInstance)
		if _, dup := m[id]; dup {
			t.Fatalf("identifier %s dispatched twice", id)
		}
		if len(s.Values) != len(s.Metric.DS) {
			t.Fatalf("%s: %d values for %d data sources", id, len(s.Values), len(s.Metric.DS))
		}
		m[id] = s.Values
	}
	return m
}

func TestSamplesFull(t *testing.T) {
	got := sampleMap(t, Samples(fullSnapshot(), allOn))
	want := map[string][]float64{
		"count-items_total": {10}, "count-items_started": {7}, "count-items_stopped": {3},
		"count-items_complete": {6}, "count-items_incomplete": {4}, "count-items_seeding": {5},
		"count-items_leeching": {2}, "count-items_hashing": {1}, "count-items_resumed": {7},
		"count-items_active": {3}, "count-items_messages": {1},
		"rtorrent_rate-up": {1000}, "rtorrent_rate-down": {2000}, "rtorrent_rate-up_limit": {0},
		"rtorrent_rate-down_limit": {5000}, "rtorrent_rate-skip": {12},
		"if_octets":          {2 << 30, 1 << 30}, // rx = down, tx = up
		"count-open_sockets": {20}, "count-max_open_sockets": {768}, "count-http_open": {2},
		"count-max_open_http": {32}, "count-open_files": {8}, "count-max_open_files": {128},
		"operations-files_opened": {100}, "operations-files_closed": {92},
		"bytes-piece_memory": {1 << 20}, "bytes-piece_memory_max": {1 << 28}, "uptime": {3600},
		"ps_cputime": {1.5e6, 0.25e6}, "rtorrent_percent-cpu": {150}, "percent-mem": {1.25},
		"ps_rss": {4 << 20}, "ps_vm": {1000 * 4096}, "count-sz_pages": {1000}, "ps_count": {1, 4},
		"operations-major_faults": {7}, "ps_disk_octets": {300, 400},
		"bytes-size_total": {10000}, "bytes-size_left": {4000}, "bytes-size_completed": {6000}, "count-files": {30},
		"count-ratio_lt_0_5": {1}, "count-ratio_0_5_to_1": {2}, "count-ratio_1_to_2": {3}, "count-ratio_2_to_5": {4}, "count-ratio_ge_5": {0},
		"count-peers_connected": {9}, "count-peers_seeds": {3}, "count-peers_accounted": {9}, "count-peers_incoming": {4},
		"count-peers_encrypted": {2}, "count-peers_obfuscated": {1}, "count-peers_snubbed": {0}, "count-peers_preferred": {0},
		"count-peers_unwanted":       {1},
		"operations-events_inserted": {2}, "operations-events_erased": {1}, "operations-events_finished": {1},
		"operations-events_started": {3}, "operations-events_stopped": {2},
		"duration-scan_duration": {0.25}, "duration-scan_age": {4}, "count-scan_items": {10}, "count-scan_new_hashes": {10},
		"bytes-scan_reply":                         {5000},
		"rtorrent_group-tracker_example.org":       {6, 2, 4, 3, 1, 0, 6000, 2000, 700, 1500, 5},
		"rtorrent_group-tracker_my~2Dtracker.net":  {4, 0, 0, 0, 0, 0, 4000, 0, 0, 0, 0},
		"rtorrent_group-label_none":                {10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"rtorrent_volume-tracker_example.org":      {7 << 20, 9 << 20},
		"rtorrent_volume-tracker_my~2Dtracker.net": {0, 0},
		"rtorrent_volume-label_none":               {7 << 20, 9 << 20},
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s missing", id)
			continue
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", id, g, w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected identifier %s", id)
		}
	}
}

func TestSamplesUnknownStayOut(t *testing.T) {
	// A remote rTorrent before its first scan, lacking optional commands:
	// only the fast tier's always-present values.
	s := &reader.Snapshot{Time: time.Unix(1700000000, 0), PID: 1, Items: reader.Items{Total: 2}}
	got := sampleMap(t, Samples(s, allOn))
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	want := "[count-items_complete count-items_hashing count-items_incomplete count-items_leeching count-items_resumed count-items_seeding count-items_started count-items_stopped count-items_total if_octets rtorrent_rate-down rtorrent_rate-down_limit rtorrent_rate-up rtorrent_rate-up_limit]"
	if fmt.Sprint(ids) != want {
		t.Fatalf("identifiers\n got %v\nwant %s", ids, want)
	}
}

func TestSamplesOptionsOff(t *testing.T) {
	got := sampleMap(t, Samples(fullSnapshot(), Options{}))
	for _, id := range []string{"count-peers_incoming", "count-peers_encrypted", "count-peers_unwanted",
		"rtorrent_group-tracker_example.org", "rtorrent_group-label_none",
		"rtorrent_volume-tracker_example.org", "rtorrent_volume-label_none"} {
		if _, ok := got[id]; ok {
			t.Errorf("%s dispatched with its option off", id)
		}
	}
	if _, ok := got["count-peers_connected"]; !ok {
		t.Errorf("count-peers_connected missing with PeerFlags off (it does not need p.multicall)")
	}
}

func derives(vls []*api.ValueList) map[string][]int64 {
	m := map[string][]int64{}
	for _, vl := range vls {
		for _, v := range vl.Values {
			if d, ok := v.(api.Derive); ok {
				m[typeID(vl.Type, vl.TypeInstance)] = append(m[typeID(vl.Type, vl.TypeInstance)], int64(d))
			}
		}
	}
	return m
}

func TestValueListsIdentityAndTypes(t *testing.T) {
	m := NewMapper("seedbox", allOn)
	s := fullSnapshot()
	vls := m.ValueLists(s, 10*time.Second)
	if len(vls) != len(Samples(s, allOn)) {
		t.Fatalf("%d value lists for %d samples", len(vls), len(Samples(s, allOn)))
	}
	for _, vl := range vls {
		if vl.Plugin != "rtorrent" || vl.PluginInstance != "seedbox" || vl.Host != "" {
			t.Fatalf("identifier %+v: want plugin rtorrent-seedbox and an empty host", vl.Identifier)
		}
		if !vl.Time.Equal(s.Time) || vl.Interval != 10*time.Second {
			t.Fatalf("%s: time %v interval %v", vl.Identifier, vl.Time, vl.Interval)
		}
		if len(vl.DSNames) != len(vl.Values) {
			t.Fatalf("%s: DSNames %v for %d values", vl.Identifier, vl.DSNames, len(vl.Values))
		}
	}
	d := derives(vls)
	if fmt.Sprint(d["if_octets"]) != fmt.Sprint([]int64{2 << 30, 1 << 30}) {
		t.Fatalf("if_octets = %v", d["if_octets"])
	}
	if fmt.Sprint(d["ps_cputime"]) != "[1500000 250000]" {
		t.Fatalf("ps_cputime = %v", d["ps_cputime"])
	}
}

// TestValueListsRestart: rTorrent restarts (new pid, totals back near zero);
// every DERIVE the plugin dispatches keeps rising, and the step across the
// restart is what the new rTorrent counted, not a spike.
func TestValueListsRestart(t *testing.T) {
	m := NewMapper("main", allOn)
	s := fullSnapshot()
	first := derives(m.ValueLists(s, time.Second))

	s2 := fullSnapshot()
	s2.Time = s.Time.Add(time.Second)
	s2.Traffic.UpTotal, s2.Traffic.DownTotal = 1<<30+500, 2<<30+800
	second := derives(m.ValueLists(s2, time.Second))

	s3 := fullSnapshot()
	s3.Time = s2.Time.Add(time.Second)
	s3.PID = 5000 // restarted
	s3.Traffic.UpTotal, s3.Traffic.DownTotal = 10, 20
	s3.Resources.FilesOpened, s3.Resources.FilesClosed = i64(3), i64(1)
	s3.Process.CPUUser, s3.Process.CPUSystem = 0.01, 0.02
	s3.Process.Majflt = 0
	third := derives(m.ValueLists(s3, time.Second))

	if got := second["if_octets"]; got[0] != 2<<30+800 || got[1] != 1<<30+500 {
		t.Fatalf("if_octets before restart = %v", got)
	}
	if got := third["if_octets"]; got[0] != 2<<30+800+20 || got[1] != 1<<30+500+10 {
		t.Fatalf("if_octets after restart = %v, want last total + new counts", got)
	}
	if got := third["operations-files_opened"]; got[0] != 103 {
		t.Fatalf("files_opened after restart = %v, want 103", got)
	}
	if got := third["ps_cputime"]; got[0] != 1500000+10000 || got[1] != 250000+20000 {
		t.Fatalf("ps_cputime after restart = %v", got)
	}
	// Events count since the plugin started: a new pid is no reset for them.
	if got := third["operations-events_started"]; got[0] != 3 {
		t.Fatalf("events_started after restart = %v, want 3 (unchanged)", got)
	}
	// So do the volumes: the reader re-baselines its items at a restart,
	// the counter goes on from where it was, without an offset added.
	if got := third["rtorrent_volume-label_none"]; got[0] != 7<<20 || got[1] != 9<<20 {
		t.Fatalf("rtorrent_volume-label_none after restart = %v, want [%d %d] (unchanged)", got, 7<<20, 9<<20)
	}
	for id, vals := range third {
		for i, v := range vals {
			if v < first[id][i] || v < second[id][i] {
				t.Errorf("%s[%d] fell: %d, %d, %d", id, i, first[id][i], second[id][i], v)
			}
		}
	}
}

// TestMappingCoversCatalogue: every catalogue metric has exactly one
// mapping and every mapping belongs to a catalogue metric, so the list of
// identifiers and the code that fills them cannot drift apart.
func TestMappingCoversCatalogue(t *testing.T) {
	for _, p := range coverage(catalogue.All(), mappings) {
		t.Error(p)
	}
}

// TestMappingCoverageCatches: the check above finds a missing, a doubled
// and a foreign mapping.
func TestMappingCoverageCatches(t *testing.T) {
	foreign := &catalogue.Metric{Type: "count", TypeInstance: "not_listed"}
	for name, ms := range map[string][]mapping{
		"missing": mappings[1:],
		"doubled": append(append([]mapping{}, mappings...), mappings[0]),
		"foreign": append(append([]mapping{}, mappings...), mapping{metric: foreign, get: mappings[0].get}),
	} {
		if len(coverage(catalogue.All(), ms)) == 0 {
			t.Errorf("%s mapping not caught", name)
		}
	}
}

// coverage lists what is wrong with ms as the mapping of all.
func coverage(all []*catalogue.Metric, ms []mapping) []string {
	var out []string
	n := map[*catalogue.Metric]int{}
	for _, mp := range ms {
		n[mp.metric]++
		id := mp.metric.ID()
		if (mp.get == nil) == (mp.groups == nil) {
			out = append(out, id+": needs exactly one of get and groups")
		}
		if (mp.groups != nil) != (mp.metric.Group != "") {
			out = append(out, fmt.Sprintf("%s: groups set %v for group %q", id, mp.groups != nil, mp.metric.Group))
		}
		if mp.resets && !hasDerive(mp.metric.DS) {
			out = append(out, id+": resets on a gauge")
		}
	}
	in := map[*catalogue.Metric]bool{}
	for _, m := range all {
		in[m] = true
		if n[m] != 1 {
			out = append(out, fmt.Sprintf("%s has %d mappings, want 1", m.ID(), n[m]))
		}
	}
	for m := range n {
		if !in[m] {
			out = append(out, m.ID()+" is mapped but not in the catalogue")
		}
	}
	return out
}

func hasDerive(ds []catalogue.DS) bool {
	for _, d := range ds {
		if d.Kind == catalogue.Derive {
			return true
		}
	}
	return false
}

func typeID(typ, ti string) string {
	return (&catalogue.Metric{Type: typ, TypeInstance: ti}).ID()
}
