package collector

import (
	"context"
	"sync"

	"collectd.org/api"
	"collectd.org/cdtime"
)

// OneReadPerSecond wraps w, the writer of one instance, so that no two
// reads' values reach collectd stamped with the same whole second.
//
// Why: collectd's rrdtool plugin checks the order of values by their
// exact time, but writes each one as its time rounded to the nearest
// whole second. Two reads less than a second apart (collectd started one
// late on a loaded machine, the next on time: 27.6 s and 28.2 s) both
// become second 28, and rrdtool refuses the second one ("illegal attempt
// to update ... minimum one second step"). As values are cached and
// written in batches, rrdtool then drops the rest of that batch too: up
// to CacheTimeout of every series of the instance, a gap longer than the
// heartbeat, unknown in the archive.
//
// The later read's values are dropped instead: they add nothing to a
// second already stored. Value lists of the read already let through
// (they share its time) pass; a time in an earlier second (the clock was
// set back) passes as before. Dropped value lists count as written: the
// drop is not an error to report.
func OneReadPerSecond(w Writer) Writer {
	g := &secondGuard{w: w}
	return g.write
}

// secondGuard remembers the time of the latest read let through.
type secondGuard struct {
	w     Writer
	mu    sync.Mutex
	stamp cdtime.Time // the read's time as collectd receives it
}

func (g *secondGuard) write(ctx context.Context, vl *api.ValueList) error {
	if vl.Time.IsZero() { // collectd stamps it itself
		return g.w(ctx, vl)
	}
	stamp := cdtime.New(vl.Time)
	second := rrdSecond(stamp)
	g.mu.Lock()
	drop := stamp != g.stamp && second == rrdSecond(g.stamp)
	if !drop {
		g.stamp = stamp
	}
	g.mu.Unlock()
	if drop {
		return nil
	}
	return g.w(ctx, vl)
}

// rrdSecond is the whole second collectd's rrdtool plugin writes for a
// value stamped t: CDTIME_T_TO_TIME_T, which rounds half a second up.
func rrdSecond(t cdtime.Time) uint64 {
	return (uint64(t) + 1<<29) >> 30
}
