package rrd

import "testing"

// TestMallocTuned: glibc accepted the fixed mmap threshold and the arena
// cap (mallopt returns 0 for a setting it refuses); without them
// TestWorstRequestMemory (viewer/graphs) measures 228 MiB, not 96.
func TestMallocTuned(t *testing.T) {
	if !mallocTuned {
		t.Error("mallopt refused M_MMAP_THRESHOLD or M_ARENA_MAX")
	}
}
