package live

import (
	"encoding/json"
	"math"
	"sync/atomic"
	"time"
)

// encCache holds the latest encoding of one snapshot. Every /json/live
// reply and /events message is the shared snapshot with ages as of its
// sending, which change every tenth of a second at most: between two
// changes, all the replies are the same bytes, and encoding them was the
// larger part of the viewer's CPU under load (bench/viewer, perf).
type encCache struct {
	last atomic.Pointer[encoded]
}

type encoded struct {
	ages []float64 // s.At(now)'s ages in order; NaN for null
	b    []byte
}

// JSON returns s.At(now) encoded as /json/live sends it, with a trailing
// newline (as a JSON encoder writes). Calls that compute the same ages
// share one encoding; the bytes must not be modified.
func (s *Snapshot) JSON(now time.Time) ([]byte, error) {
	c := s.At(now)
	ages := c.ages()
	if s.enc != nil {
		if e := s.enc.last.Load(); e != nil && sameAges(e.ages, ages) {
			return e.b, nil
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	if s.enc != nil {
		s.enc.last.Store(&encoded{ages: ages, b: b})
	}
	return b, nil
}

// ages lists every age the encoding holds: the snapshot's, then each
// host's followed by its instances'.
func (s *Snapshot) ages() []float64 {
	v := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	out := []float64{v(s.Age)}
	for _, h := range s.Hosts {
		out = append(out, v(h.Age))
		for _, in := range h.RTorrent {
			out = append(out, v(in.Age))
		}
	}
	return out
}

func sameAges(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
