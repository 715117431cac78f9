package collector

import "time"

// Transition is what a read changed about an instance's reachability.
type Transition int

const (
	// Steady: nothing to log.
	Steady Transition = iota
	// WentDown: an outage to log (the first failed read after a good
	// one, or the confirmReads-th of an outage that followed a recent
	// return).
	WentDown
	// CameBack: the first good read after a logged outage.
	CameBack
	// Flapping: the first good read after a short, unlogged outage, and
	// time for the summary of such outages (at most once per Quiet).
	Flapping
)

// confirmReads is how many failed reads in a row make an outage that
// follows a recent return worth an ERROR of its own.
const confirmReads = 3

// Health is the small state machine behind "one ERROR when rTorrent goes
// down, one NOTICE when it is back, nothing per interval in between".
// collectd reads every few seconds; an rTorrent that is down for an hour
// must not fill the log with a thousand identical lines, and neither must
// one that misses every other deadline (flapping): an outage that begins
// within Quiet of the last return is logged only once it lasts
// confirmReads reads, and the short ones are summed up at most once per
// Quiet.
type Health struct {
	// Quiet is how long after a return a new outage counts as flapping;
	// zero logs every outage at once.
	Quiet time.Duration

	down     bool
	logged   bool      // the current outage was logged
	since    time.Time // when the current outage began
	failures int       // failed reads in the current outage

	lastBack    time.Time // end of the last outage
	lastSummary time.Time // when short outages were last summed up
	shortOnes   int       // short outages since the last summary
	shortReads  int       // their failed reads
}

// Failed records a failed read at now.
func (h *Health) Failed(now time.Time) Transition {
	h.failures++
	if !h.down {
		h.down, h.since = true, now
		h.logged = h.lastBack.IsZero() || now.Sub(h.lastBack) >= h.Quiet
		if h.logged {
			return WentDown
		}
	}
	if !h.logged && h.failures >= confirmReads {
		h.logged = true
		return WentDown
	}
	return Steady
}

// Succeeded records a good read at now. For CameBack it also returns how
// long the outage lasted and how many reads failed in it; for Flapping,
// the span since the last summary and the short outages in it.
func (h *Health) Succeeded(now time.Time) (t Transition, outage time.Duration, failures int) {
	if !h.down {
		return Steady, 0, 0
	}
	outage, failures = now.Sub(h.since), h.failures
	h.down, h.failures, h.lastBack = false, 0, now
	if h.logged {
		return CameBack, outage, failures
	}
	h.shortOnes++
	h.shortReads += failures
	if !h.lastSummary.IsZero() && now.Sub(h.lastSummary) < h.Quiet {
		return Steady, 0, 0
	}
	span := now.Sub(h.lastSummary)
	if h.lastSummary.IsZero() {
		span = outage
	}
	n := h.shortOnes
	h.lastSummary, h.shortOnes, h.shortReads = now, 0, 0
	return Flapping, span, n
}

// Down reports whether the last read failed.
func (h *Health) Down() bool { return h.down }
