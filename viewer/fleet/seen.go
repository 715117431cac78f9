package fleet

import (
	"sync"
	"time"

	"github.com/rtmon/rtmon/viewer/unixsock"
)

// defaultInterval is assumed for a host until two of its updates were
// seen: collectd's default Interval and the one docs/fleet.md ships.
const defaultInterval = 10 * time.Second

// hostState is what the poller remembers of a host between refreshes.
type hostState struct {
	probe    unixsock.Identifier // the value whose time steps give the interval
	probeAt  time.Time
	interval time.Duration
	learnt   bool // interval seen, not assumed
	listed   bool // in collectd's cache at the latest refresh

	// The host's clock (hostAcc.clock): start is when its uptime began,
	// learnt as the latest of LISTVAL time - value (a value newer than
	// the LISTVAL only makes that earlier); sample = start + value is
	// when the latest value was taken, without a LISTVAL.
	clock  unixsock.Identifier
	start  float64 // epoch seconds; 0 unknown
	sample time.Time
}

// seenHosts learns each host's interval and, from its clock, the time of
// its latest values. It holds only the hosts of the latest refresh, so it
// is bounded by MaxHosts.
type seenHosts struct {
	mu sync.Mutex
	m  map[string]hostState
}

func (s *seenHosts) update(names []string, hosts map[string]*hostAcc, vals map[unixsock.Identifier][]float64, freshList bool, now time.Time) map[string]hostState {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[string]hostState, len(names))
	for _, n := range names {
		st, ok := s.m[n]
		if !ok {
			st.interval = defaultInterval
		}
		h := hosts[n]
		st.listed = h.listed
		if h.listed && h.clock != (unixsock.Identifier{}) {
			if st.clock != h.clock {
				st.clock, st.start, st.sample = h.clock, 0, time.Time{}
			}
			if v := first(vals[h.clock]); v != nil {
				if freshList && !h.clockTime.IsZero() {
					est := float64(h.clockTime.UnixMilli())/1000 - *v
					if est > st.start {
						st.start = est // later: a restart, or a closer estimate
					}
				}
				if st.start > 0 {
					sample := time.UnixMilli(int64((st.start + *v) * 1000))
					if sample.Before(st.sample.Add(-time.Second)) {
						// The clock went back: rTorrent or the host
						// restarted. Ages come from LISTVAL (sent
						// again at once, see listEvery) until the
						// new start is learnt.
						st.start = 0
						next[n] = st
						continue
					}
					if d := sample.Sub(st.sample); !st.sample.IsZero() && d >= time.Second {
						if !st.learnt || d < st.interval {
							st.interval, st.learnt = min(d, time.Hour), true
						}
					}
					if sample.After(st.sample) {
						st.sample = sample
					}
				}
			}
		} else if h.listed && freshList {
			if st.probe != h.probe.ID {
				st.probe, st.probeAt = h.probe.ID, h.probe.Time
			} else if d := h.probe.Time.Sub(st.probeAt); d > 0 {
				st.interval, st.learnt = min(max(d, time.Second), time.Hour), true
				st.probeAt = h.probe.Time
			}
		}
		next[n] = st
	}
	s.m = next
	return next
}

// allClocked reports whether every host collectd holds has a clock
// whose start is known.
func (s *seenHosts) allClocked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.m {
		if !st.listed {
			continue
		}
		if st.start == 0 {
			return false
		}
		n++
	}
	return n > 0
}

// minInterval is the shortest interval of the hosts of the latest
// refresh; defaultInterval when there are none.
func (s *seenHosts) minInterval() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := time.Duration(0)
	for _, st := range s.m {
		if m == 0 || st.interval < m {
			m = st.interval
		}
	}
	if m == 0 {
		return defaultInterval
	}
	return m
}
