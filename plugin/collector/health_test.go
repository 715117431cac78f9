package collector

import (
	"testing"
	"time"
)

func TestHealth(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type step struct {
		ok       bool
		at       int // seconds after t0
		want     Transition
		outage   time.Duration
		failures int
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"all good", []step{{true, 0, Steady, 0, 0}, {true, 1, Steady, 0, 0}}},
		{"down at start, then back", []step{{false, 0, WentDown, 0, 0}, {false, 1, Steady, 0, 0}, {true, 5, CameBack, 5 * time.Second, 2}}},
		{"one error per outage", []step{{true, 0, Steady, 0, 0}, {false, 1, WentDown, 0, 0}, {false, 2, Steady, 0, 0},
			{false, 3, Steady, 0, 0}, {true, 4, CameBack, 3 * time.Second, 3}, {true, 5, Steady, 0, 0},
			{false, 6, WentDown, 0, 0}, {true, 7, CameBack, time.Second, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Health
			for i, s := range tc.steps {
				now := t0.Add(time.Duration(s.at) * time.Second)
				if s.ok {
					tr, outage, failures := h.Succeeded(now)
					if tr != s.want || outage != s.outage || failures != s.failures {
						t.Fatalf("step %d: Succeeded = %v, %v, %d; want %v, %v, %d", i, tr, outage, failures, s.want, s.outage, s.failures)
					}
				} else if tr := h.Failed(now); tr != s.want {
					t.Fatalf("step %d: Failed = %v, want %v", i, tr, s.want)
				}
				if h.Down() == s.ok {
					t.Fatalf("step %d: Down() = %v after ok=%v", i, h.Down(), s.ok)
				}
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	for _, tc := range []struct{ timeout, interval, want time.Duration }{
		{5 * time.Second, 10 * time.Second, 5 * time.Second},
		{10 * time.Second, 10 * time.Second, 8 * time.Second},
		{5 * time.Second, time.Second, 800 * time.Millisecond},
		{0, 2 * time.Second, 1600 * time.Millisecond},
	} {
		if got := Deadline(tc.timeout, tc.interval); got != tc.want {
			t.Errorf("Deadline(%v, %v) = %v, want %v", tc.timeout, tc.interval, got, tc.want)
		}
	}
}

func TestOnceSet(t *testing.T) {
	o := newOnceSet(2)
	for i, tc := range []struct {
		msg  string
		want bool
	}{{"a", true}, {"a", false}, {"b", true}, {"a", false}, {"c", true}, {"a", true}} {
		if got := o.First(tc.msg); got != tc.want {
			t.Fatalf("step %d: First(%q) = %v, want %v", i, tc.msg, got, tc.want)
		}
	}
}
