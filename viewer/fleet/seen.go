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
}

// seenHosts learns each host's interval from the time steps of one of its
// values (collectd's LISTVAL time). It holds only the hosts of the latest
// refresh, so it is bounded by MaxHosts.
type seenHosts struct {
	mu sync.Mutex
	m  map[string]hostState
}

func (s *seenHosts) update(names []string, hosts map[string]*hostAcc, now time.Time) map[string]hostState {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[string]hostState, len(names))
	for _, n := range names {
		st, ok := s.m[n]
		if !ok {
			st.interval = defaultInterval
		}
		h := hosts[n]
		if h.listed {
			if st.probe != h.probe.ID {
				st.probe, st.probeAt = h.probe.ID, h.probe.Time
			} else if d := h.probe.Time.Sub(st.probeAt); d > 0 {
				st.interval = min(max(d, time.Second), time.Hour)
				st.probeAt = h.probe.Time
			}
		}
		next[n] = st
	}
	s.m = next
	return next
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
