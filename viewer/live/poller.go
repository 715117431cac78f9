package live

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/problems"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// MaxHosts caps the hosts in one snapshot. A central collectd may hold
// hundreds; reading all of them every interval would load collectd for a
// page nobody can take in. The local host and hosts running rTorrent come
// first; the graphs still reach every host.
const MaxHosts = 32

// idleAfter is how long the poller keeps reading after the last client
// asked for a snapshot; an unwatched viewer leaves collectd alone.
const idleAfter = time.Minute

// Config says where the poller reads and how often.
type Config struct {
	Socket    string         // collectd unixsock
	Store     *datadir.Store // for the RRD fallback
	Interval  time.Duration
	Hostname  string   // collectd name of this machine
	DiskPaths []string // statfs'd for the local host
	Log       *slog.Logger
	// ProblemsDir holds the current problems (viewer/problems); empty:
	// none are shown.
	ProblemsDir string
}

// Poller reads collectd once per interval and shares the result.
type Poller struct {
	cfg    Config
	rrd    rrdReader
	srcLog sourceLog

	sock unixsock.Shared // the client to collectd's socket, dialled on first use

	cur     atomic.Pointer[Snapshot]
	mu      sync.Mutex
	changed chan struct{} // closed and replaced at every publish
	kick    chan struct{}
	demand  atomic.Int64 // unix nanoseconds of the last client's request

	// totals integrate rates into counters per host (see Totals); only
	// the Run goroutine touches them.
	totals   map[string]Totals
	lastPoll time.Time
	polls    atomic.Int64
	// sockPolls counts reads of collectd over unixsock (one LISTVAL and
	// its GETVALs each): the load the viewer puts on collectd, which
	// must not grow with the number of clients. Snapshots carry it.
	sockPolls atomic.Int64

	times valueTimes

	// pollMu makes a Refresh wait for a scheduled poll and vice versa:
	// totals and lastPoll belong to one poll at a time.
	pollMu sync.Mutex

	// problems lists ProblemsDir (problems.go), made at the first poll.
	problemsOnce sync.Once
	problems     *problems.Cache
}

// New returns a poller; call Run to start it.
func New(cfg Config) *Poller {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	p := &Poller{cfg: cfg, changed: make(chan struct{}), kick: make(chan struct{}, 1), totals: map[string]Totals{}, sock: unixsock.Shared{Socket: cfg.Socket}}
	p.rrd.log = cfg.Log
	p.demand.Store(time.Now().UnixNano())
	return p
}

// Run polls until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	defer p.sock.Close()
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		if time.Since(time.Unix(0, p.demand.Load())) < idleAfter || p.cur.Load() == nil {
			pctx, cancel := context.WithTimeout(ctx, p.pollBudget())
			p.publish(p.poll(pctx))
			cancel()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.kick:
		}
	}
}

// Refresh takes and publishes a snapshot now, outside the schedule. Tests
// use it to know exactly when the values were read.
func (p *Poller) Refresh(ctx context.Context) *Snapshot {
	s := p.poll(ctx)
	p.publish(s)
	return s
}

// Polls returns how many snapshots were taken: the load on collectd.
func (p *Poller) Polls() int64 { return p.polls.Load() }

// UnixsockPolls returns how many times the poller has read collectd over
// unixsock: one per LISTVAL sent (with the GETVALs that follow it),
// whether or not it succeeded.
func (p *Poller) UnixsockPolls() int64 { return p.sockPolls.Load() }

// Current returns the latest snapshot, waiting for the first one. It
// counts as demand: an idle poller starts reading again.
func (p *Poller) Current(ctx context.Context) (*Snapshot, error) {
	now := time.Now()
	p.demand.Store(now.UnixNano())
	for {
		p.mu.Lock()
		s, ch := p.cur.Load(), p.changed
		p.mu.Unlock()
		if s != nil {
			if now.Sub(time.Unix(0, int64(s.Time*1e9))) > 2*p.cfg.Interval {
				p.poke()
			}
			return s, nil
		}
		p.poke()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("live: no snapshot yet: %w", ctx.Err())
		}
	}
}

// Changed returns a channel closed at the next publish.
func (p *Poller) Changed() <-chan struct{} {
	p.demand.Store(time.Now().UnixNano())
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.changed
}

func (p *Poller) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *Poller) publish(s *Snapshot) {
	p.polls.Add(1)
	p.srcLog.note(p.cfg.Log, s)
	p.mu.Lock()
	// Polls run one at a time (pollMu) but publish after it: a poll that
	// finished late must not replace the newer snapshot of one that
	// started after it (the schedule's poll against Refresh).
	if cur := p.cur.Load(); cur != nil && cur.Time > s.Time {
		p.mu.Unlock()
		return
	}
	p.cur.Store(s)
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// poll takes one snapshot: from collectd, else from the RRD files.
func (p *Poller) poll(ctx context.Context) *Snapshot {
	p.pollMu.Lock()
	defer p.pollMu.Unlock()
	now := time.Now()
	s := &Snapshot{Time: float64(now.UnixMilli()) / 1000, Interval: p.cfg.Interval.Seconds(), enc: &encCache{}}
	p.readProblems(s, now)
	var omitted int
	pick := func(all []string) []string {
		var chosen []string
		chosen, omitted = p.pickHosts(all)
		return chosen
	}
	r, _, err := p.readCollectd(ctx, pick)
	s.UnixsockPolls = p.sockPolls.Load()
	if err == nil {
		s.Source = "collectd"
	} else {
		p.cfg.Log.Debug("live: collectd unixsock unavailable", "err", err)
		note := fmt.Sprintf("collectd unixsock unavailable (%s): values are the RRD files' last updates, which lag behind by up to collectd's rrdtool CacheTimeout", naming(p.cfg.Socket, err))
		fctx, cancel := fallbackContext(ctx, p.pollBudget())
		defer cancel()
		ix, ierr := p.cfg.Store.Get(fctx)
		if ierr == nil {
			r, _, ierr = p.rrd.read(fctx, ix, pick)
		}
		if ierr != nil {
			s.Source, s.Error = "none", fmt.Sprintf("%s; reading the RRD files failed too: %v", note, ierr)
			return s
		}
		s.Source, s.Note = "rrd", note
	}
	s.HostsOmitted = omitted
	byHost, names := r.byHost()
	names = p.orderHosts(names, byHost)
	var disks []Disk
	for _, name := range names {
		local := name == p.cfg.Hostname
		if local && disks == nil {
			disks = statDisks(p.cfg.DiskPaths)
		}
		h := buildHost(name, byHost[name], local, disks)
		if h.newest.After(s.newest) {
			s.newest = h.newest
		}
		h.totals = p.integrate(name, h, now)
		s.Hosts = append(s.Hosts, h)
	}
	p.lastPoll = now
	if len(s.Hosts) == 0 {
		s.Error = "no values: collectd reports none of the host or rTorrent plugins the live page shows"
	}
	return s
}

func (p *Poller) readCollectd(ctx context.Context, pick func([]string) []string) (Readings, []string, error) {
	c, err := p.sock.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	p.sockPolls.Add(1)
	return readCollectd(ctx, c, pick, &p.times)
}

// pickHosts keeps at most MaxHosts: the local host first, then by name.
// (Hosts with rTorrent cannot be told apart before reading; sorting by
// name keeps the choice stable between polls.)
func (p *Poller) pickHosts(all []string) ([]string, int) {
	sorted := append([]string(nil), all...)
	sort.Slice(sorted, func(i, j int) bool {
		li, lj := sorted[i] == p.cfg.Hostname, sorted[j] == p.cfg.Hostname
		if li != lj {
			return li
		}
		return sorted[i] < sorted[j]
	})
	if len(sorted) > MaxHosts {
		return sorted[:MaxHosts], len(sorted) - MaxHosts
	}
	return sorted, 0
}

// orderHosts puts the local host first, then hosts running rTorrent, then
// the rest, each by name.
func (p *Poller) orderHosts(names []string, byHost map[string]Readings) []string {
	rank := func(n string) int {
		if n == p.cfg.Hostname {
			return 0
		}
		for id := range byHost[n] {
			if id.Plugin == rtPlugin {
				return 1
			}
		}
		return 2
	}
	sort.SliceStable(names, func(i, j int) bool { return rank(names[i]) < rank(names[j]) })
	return names
}

// integrate adds rate x elapsed time to the host's counters.
func (p *Poller) integrate(name string, h *Host, now time.Time) Totals {
	t := p.totals[name]
	dt := p.cfg.Interval.Seconds()
	if !p.lastPoll.IsZero() {
		dt = now.Sub(p.lastPoll).Seconds()
	}
	if h.DiskIO != nil {
		t.DiskReadBytes += h.DiskIO.ReadBytesPerSec * dt
		t.DiskWriteBytes += h.DiskIO.WriteBytesPerSec * dt
		if h.DiskIO.ReadOpsPerSec != nil {
			t.DiskReadOps += *h.DiskIO.ReadOpsPerSec * dt
			t.DiskWriteOps += *h.DiskIO.WriteOpsPerSec * dt
		}
	}
	if h.Net != nil {
		t.NetRxBytes += h.Net.RxBytesPerSec * dt
		t.NetTxBytes += h.Net.TxBytesPerSec * dt
		if h.Net.RxPacketsPerSec != nil {
			t.NetRxPackets += *h.Net.RxPacketsPerSec * dt
			t.NetTxPackets += *h.Net.TxPacketsPerSec * dt
		}
	}
	p.totals[name] = t
	return t
}
