package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rtmon/rtmon/viewer/unixsock"
)

// valueTimes caches the last LISTVAL: when collectd last received each
// value. The graphs use it to decide whether a FLUSH is needed before they
// read the files.
type valueTimes struct {
	mu    sync.Mutex
	at    time.Time
	times map[unixsock.Identifier]time.Time
}

func (v *valueTimes) store(entries []unixsock.Entry) {
	m := make(map[unixsock.Identifier]time.Time, len(entries))
	for _, e := range entries {
		m[e.ID] = e.Time
	}
	v.mu.Lock()
	v.at, v.times = time.Now(), m
	v.mu.Unlock()
}

func (v *valueTimes) fresh(maxAge time.Duration) map[unixsock.Identifier]time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.times != nil && time.Since(v.at) < maxAge {
		return v.times
	}
	return nil
}

// valueTimesMaxAge bounds the age of the LISTVAL the graphs decide on,
// whatever the poll interval: an older one would miss values that came in
// since and leave them out of the graph.
const valueTimesMaxAge = 2 * time.Second

// LastValueTimes returns when collectd last received each value, from the
// poller's latest LISTVAL when it is recent, otherwise from a new LISTVAL.
func (p *Poller) LastValueTimes(ctx context.Context) (map[unixsock.Identifier]time.Time, error) {
	if m := p.times.fresh(min(p.cfg.Interval, valueTimesMaxAge)); m != nil {
		return m, nil
	}
	c, err := p.sock.Get(ctx)
	if err != nil {
		return nil, err
	}
	entries, err := c.ListVal(ctx)
	if err != nil {
		return nil, fmt.Errorf("live: LISTVAL: %w", err)
	}
	p.times.store(entries)
	return p.times.fresh(time.Hour), nil
}

// flushLineBudget leaves room under collectd's 1024-byte line for the
// verb and options when packing identifiers into FLUSH commands.
const flushLineBudget = unixsock.MaxCommandLen - 64

// Flush asks collectd's rrdtool plugin to write the cached values of ids,
// in as many FLUSH commands as collectd's line limit needs.
func (p *Poller) Flush(ctx context.Context, ids []unixsock.Identifier) error {
	c, err := p.sock.Get(ctx)
	if err != nil {
		return err
	}
	var batch []unixsock.Identifier
	n := 0
	send := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := c.Flush(ctx, 0, []string{"rrdtool"}, batch)
		batch, n = batch[:0], 0
		return err
	}
	for _, id := range ids {
		l := len(id.String()) + len(" identifier=\"\"") + 8 // quotes and escapes
		if n+l > flushLineBudget {
			if err := send(); err != nil {
				return err
			}
		}
		batch = append(batch, id)
		n += l
	}
	if err := send(); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("live: FLUSH: %w", err)
	}
	return nil
}
