package dispatch

import "testing"

func TestMonotonic(t *testing.T) {
	type step struct {
		raw       int64
		restarted bool
		want      int64
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"rising", []step{{0, false, 0}, {100, false, 100}, {250, false, 250}}},
		{"steady", []step{{5, false, 5}, {5, false, 5}}},
		{"restart falls to zero", []step{{1000, false, 1000}, {1500, false, 1500}, {0, false, 1500}, {200, false, 1700}}},
		{"restart seen by pid, counter already past the old value", []step{{100, false, 100}, {300, true, 400}, {350, false, 450}}},
		{"two restarts", []step{{10, false, 10}, {3, false, 13}, {1, false, 14}, {5, false, 18}}},
		{"first value after start is taken as is", []step{{1 << 40, true, 1 << 40}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Monotonic
			prev := int64(-1)
			for i, s := range tc.steps {
				got := c.Next(s.raw, s.restarted)
				if got != s.want {
					t.Fatalf("step %d: Next(%d, %v) = %d, want %d", i, s.raw, s.restarted, got, s.want)
				}
				if got < prev {
					t.Fatalf("step %d: fell from %d to %d", i, prev, got)
				}
				prev = got
			}
		})
	}
}
