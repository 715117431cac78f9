package collector

import "time"

// Transition is what a read changed about an instance's reachability.
type Transition int

const (
	// Steady: nothing to log.
	Steady Transition = iota
	// WentDown: the first failed read after a good one (or at start).
	WentDown
	// CameBack: the first good read after failures.
	CameBack
)

// Health is the small state machine behind "one ERROR when rTorrent goes
// down, one NOTICE when it is back, nothing per interval in between".
// collectd reads every few seconds; an rTorrent that is down for an hour
// must not fill the log with a thousand identical lines.
type Health struct {
	down     bool
	since    time.Time // when the current outage began
	failures int       // failed reads in the current outage
}

// Failed records a failed read at now.
func (h *Health) Failed(now time.Time) Transition {
	h.failures++
	if h.down {
		return Steady
	}
	h.down, h.since = true, now
	return WentDown
}

// Succeeded records a good read at now; for CameBack it also returns how
// long the outage lasted and how many reads failed in it.
func (h *Health) Succeeded(now time.Time) (t Transition, outage time.Duration, failures int) {
	if !h.down {
		return Steady, 0, 0
	}
	outage, failures = now.Sub(h.since), h.failures
	h.down, h.failures = false, 0
	return CameBack, outage, failures
}

// Down reports whether the last read failed.
func (h *Health) Down() bool { return h.down }
