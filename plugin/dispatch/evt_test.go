package dispatch

import (
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/reader"
)

// TestSamplesEventsBySource: the exact-only event keys are dispatched only
// when the events come from rtmon-events.rc; the scan keys either way.
func TestSamplesEventsBySource(t *testing.T) {
	for _, tc := range []struct {
		source     string
		exactCount int // exact-only identifiers dispatched
	}{
		{reader.EventsExact, 9},
		{reader.EventsScan, 0},
		{"", 0},
	} {
		s := fullSnapshot()
		s.EventsSource = tc.source
		s.Events = &reader.Events{Inserted: 2, Paused: 4, HashDone: 5}
		got := sampleMap(t, Samples(s, allOn))
		n := 0
		for _, k := range []string{"loaded", "paused", "resumed", "opened", "closed", "hash_queued", "hash_done", "hash_failed", "hash_removed"} {
			if _, ok := got["operations-events_"+k]; ok {
				n++
			}
		}
		if n != tc.exactCount || got["operations-events_inserted"][0] != 2 {
			t.Errorf("source %q: %d exact-only keys, inserted %v; want %d and 2", tc.source, n, got["operations-events_inserted"], tc.exactCount)
		}
		if tc.exactCount > 0 && (got["operations-events_paused"][0] != 4 || got["operations-events_hash_done"][0] != 5) {
			t.Errorf("source %q: paused %v hash_done %v, want 4 and 5", tc.source, got["operations-events_paused"], got["operations-events_hash_done"])
		}
	}
}

// TestSamplesVersions: each version is the type instance of a gauge 1,
// escaped and bounded like a tracker name; an unknown one is not sent.
func TestSamplesVersions(t *testing.T) {
	s := fullSnapshot()
	s.ClientVersion, s.LibraryVersion = "0.9.8", "0.13.8-rc/1 "+strings.Repeat("x", 300)
	got := sampleMap(t, Samples(s, allOn))
	if v := got["rtorrent_version-client_0.9.8"]; len(v) != 1 || v[0] != 1 {
		t.Errorf("client version: %v, want [1]", v)
	}
	var lib string
	for id := range got {
		if rest, ok := strings.CutPrefix(id, "rtorrent_version-library_"); ok {
			lib = rest
		}
	}
	if !strings.HasPrefix(lib, "0.13.8~2Drc~2F1~20xxx") || len("library_"+lib) > 127 || !strings.Contains(lib, "~~") {
		t.Errorf("library version instance %q: want escaped, cut to 127 bytes with a hash tail", lib)
	}
	s.ClientVersion, s.LibraryVersion = "", ""
	for id := range sampleMap(t, Samples(s, allOn)) {
		if strings.HasPrefix(id, "rtorrent_version-") {
			t.Errorf("%s dispatched without a version", id)
		}
	}
}
