package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/problems"
	"github.com/rtmon/rtmon/viewer/rrdcached"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// idleAfter: with no request for this long the poller stops reading.
const idleAfter = time.Minute

// Config says where the poller reads and how often.
type Config struct {
	Socket   string         // collectd unixsock
	Store    *datadir.Store // hosts whose values collectd no longer holds
	Interval time.Duration  // between refreshes
	Log      *slog.Logger
	// RRDCached, when set, is reported in Table.Archive.
	RRDCached *rrdcached.Client
	// PerValue reads one GETVAL per round trip, as the live page does;
	// only bench/fleet sets it, to measure the difference.
	PerValue bool
	// ProblemsDir is rtmon-notify's directory of current problems
	// (-problems-dir); empty shows none.
	ProblemsDir string
	// ListEvery is how often LISTVAL is sent again (see listVal); zero:
	// half the shortest host interval, within [Interval, 30 s].
	ListEvery time.Duration
}

// Poller keeps the fleet table; one per viewer, shared by every request.
type Poller struct {
	cfg Config

	sock unixsock.Shared // the client to collectd's socket, dialled on first use

	cur     atomic.Pointer[snapshot]
	mu      sync.Mutex
	changed chan struct{}
	kick    chan struct{}
	demand  atomic.Int64
	refMu   sync.Mutex // one refresh at a time
	seen    seenHosts
	polls   atomic.Int64
	// list is the latest LISTVAL and when it was taken; only build
	// (under refMu) touches them.
	list   []unixsock.Entry
	listAt time.Time

	problemsOnce sync.Once
	problems     *problems.Cache
}

// snapshot is a table and its JSON, encoded once.
type snapshot struct {
	table *Table
	json  []byte
}

// New returns a poller; call Run.
func New(cfg Config) *Poller {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Second
	}
	p := &Poller{cfg: cfg, changed: make(chan struct{}), kick: make(chan struct{}, 1), sock: unixsock.Shared{Socket: cfg.Socket}}
	p.demand.Store(time.Now().UnixNano())
	return p
}

// Run refreshes while someone asks, until ctx ends: every half of the
// shortest host interval (5 s at collectd's 10 s; no host's values change
// faster), at least Config.Interval apart.
func (p *Poller) Run(ctx context.Context) {
	defer p.sock.Close()
	for {
		if time.Since(time.Unix(0, p.demand.Load())) < idleAfter || p.cur.Load() == nil {
			p.Refresh(ctx)
		}
		t := time.NewTimer(p.period())
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-p.kick:
			t.Stop()
		}
	}
}

// Refresh reads collectd now and publishes the table.
func (p *Poller) Refresh(ctx context.Context) *Table {
	p.refMu.Lock()
	defer p.refMu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, max(p.cfg.Interval*4, 5*time.Second))
	defer cancel()
	t := p.build(rctx)
	b, err := json.Marshal(t)
	if err != nil { // cannot happen: plain fields, NaN never stored
		b = []byte(fmt.Sprintf(`{"error":%q}`, err.Error()))
	}
	p.polls.Add(1)
	p.mu.Lock()
	p.cur.Store(&snapshot{table: t, json: b})
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	return t
}

// Polls counts refreshes: the load on collectd, whatever the browsers.
func (p *Poller) Polls() int64 { return p.polls.Load() }

// Current returns the latest table and its JSON, waiting for the first.
// It counts as demand: an idle poller starts reading again.
func (p *Poller) Current(ctx context.Context) (*Table, []byte, error) {
	p.demand.Store(time.Now().UnixNano())
	for {
		p.mu.Lock()
		s, ch := p.cur.Load(), p.changed
		p.mu.Unlock()
		if s != nil {
			if time.Since(time.UnixMilli(int64(s.table.Time*1000))) > 2*p.period() {
				p.poke()
			}
			return s.table, s.json, nil
		}
		p.poke()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("fleet: no table yet: %w", ctx.Err())
		}
	}
}

func (p *Poller) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}
