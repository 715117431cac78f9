package reader

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// Options tune what a Reader reads and how hard it may lean on rTorrent.
type Options struct {
	// LoadBudget is the share of wall time rTorrent may spend answering
	// the item scan (default 0.01, i.e. 1%). After a scan that took D,
	// the next one waits D/LoadBudget, within [MinScanInterval,
	// MaxScanInterval].
	LoadBudget      float64
	MinScanInterval time.Duration // default 30s
	MaxScanInterval time.Duration // default 15m
	PerTracker      bool          // per tracker-domain breakdown (nested t.multicall for new hashes)
	PerLabel        bool          // per label (d.custom1) breakdown
	PeerFlags       bool          // p.multicall over items with peers
	ProcRoot        string        // default "/proc"
}

// DefaultOptions are what the plugin uses when the config says nothing.
func DefaultOptions() Options {
	return Options{LoadBudget: 0.01, MinScanInterval: 30 * time.Second, MaxScanInterval: 15 * time.Minute,
		PerTracker: true, PerLabel: true, PeerFlags: true, ProcRoot: "/proc"}
}

// ErrBusy is returned when a read is asked for while the previous one is
// still waiting on rTorrent: one request in flight per instance, always.
var ErrBusy = errors.New("previous read still in flight")

// Reader reads Snapshots of one rTorrent. Read may be called from any
// goroutine; calls never overlap.
type Reader struct {
	client *rtorrent.Client
	opt    Options
	mu     sync.Mutex

	// Per-connection state, rebuilt when the method list is read anew.
	gen      uint64
	plan     *plan
	identity struct{ client, library, hostname string }

	static   map[string]staticInfo
	labelsAt time.Time // when every item's label was last read
	events   eventCounter
	ev       evState // the Events reported, from either source (exact.go)
	known    known   // every item as of the latest scan (delta.go)
	vol      volumes
	last     *scanResult
	nextScan time.Time
	// The latest scan's start, and the client's total time waiting on
	// rTorrent then: the budget counts every RPC since, fast reads too.
	scanStart     time.Time
	scanStartWait time.Duration
	pid           int64
	prevProc      *procSample
	memTotal      int64

	subErrs []error // sub-call problems of the current read, for the caller to log
}

// NewReader returns a Reader; it does not contact rTorrent.
func NewReader(c *rtorrent.Client, opt Options) *Reader {
	d := DefaultOptions()
	if opt.LoadBudget <= 0 {
		opt.LoadBudget = d.LoadBudget
	}
	if opt.MinScanInterval <= 0 {
		opt.MinScanInterval = d.MinScanInterval
	}
	if opt.MaxScanInterval <= 0 {
		opt.MaxScanInterval = d.MaxScanInterval
	}
	if opt.MaxScanInterval < opt.MinScanInterval {
		opt.MaxScanInterval = opt.MinScanInterval
	}
	if opt.ProcRoot == "" {
		opt.ProcRoot = d.ProcRoot
	}
	return &Reader{client: c, opt: opt, static: map[string]staticInfo{}}
}

// Client is the rTorrent client the reader uses.
func (r *Reader) Client() *rtorrent.Client { return r.client }

// SubErrors returns the problems of single sub-calls in the last read
// (a fault for one view, a malformed row): the read itself succeeded.
func (r *Reader) SubErrors() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.subErrs...)
}

func (r *Reader) noteSubError(err error) { r.subErrs = append(r.subErrs, err) }

// Read takes one snapshot: the fast tier always, the item scan when it is
// due or forceScan is set. It returns ErrBusy rather than queue behind a
// read still in flight.
func (r *Reader) Read(ctx context.Context, forceScan bool) (*Snapshot, error) {
	return r.readLocked(ctx, scanIfDue, forceScan)
}

// ReadFast takes the fast tier only, leaving the scan-tier fields as the
// last scan left them (nil if none ran): one round trip.
func (r *Reader) ReadFast(ctx context.Context) (*Snapshot, error) {
	return r.readLocked(ctx, scanNever, false)
}

type scanPolicy int

const (
	scanIfDue scanPolicy = iota
	scanNever
)

func (r *Reader) readLocked(ctx context.Context, policy scanPolicy, forceScan bool) (*Snapshot, error) {
	if !r.mu.TryLock() {
		return nil, fmt.Errorf("rtorrent %q: %w", r.client.Name(), ErrBusy)
	}
	defer r.mu.Unlock()
	r.subErrs = nil
	s, err := r.read(ctx, policy, forceScan)
	if err != nil && rtorrent.IsTransport(err) {
		// rTorrent may come back as another build: read its commands anew.
		r.client.Invalidate()
	}
	return s, err
}

func (r *Reader) read(ctx context.Context, policy scanPolicy, forceScan bool) (*Snapshot, error) {
	if err := r.connect(ctx); err != nil {
		return nil, err
	}
	s := &Snapshot{Instance: r.client.Name(), URL: r.client.Endpoint().Display, Time: time.Now()}
	s.ClientVersion, s.LibraryVersion, s.Hostname = r.identity.client, r.identity.library, r.identity.hostname
	if err := r.readFast(ctx, s); err != nil {
		return nil, err
	}
	// An unread pid (0: system.pid failed) is not a restart.
	restarted := r.pid != 0 && s.PID != 0 && s.PID != r.pid
	if restarted {
		// A restart: another process, maybe another build. The fast tier
		// just read is still good; commands are read again next time.
		r.client.Invalidate()
		r.prevProc = nil
		r.vol.rebase = true
	}
	if s.PID != 0 {
		r.pid = s.PID
	}
	r.readProcess(s)
	r.exactEvents(s)
	// Before any scan: the scan would drop the items erased since the
	// last read, and with them the groups their last bytes belong to.
	r.noteErased(s.erasedLog)

	// The read that sees a restart scans at once (needFull makes it full):
	// the scan takes the volumes' new baseline (volume.go), and every
	// read until then would lose the restarted rTorrent's traffic. Only
	// this read: a scan that fails backs off as any other.
	forceScan = forceScan || restarted && policy == scanIfDue
	if policy == scanIfDue && (forceScan || r.nextScan.IsZero() || !s.Time.Before(r.nextScan) && r.withinBudget(time.Now())) {
		full := forceScan || r.needFull(s, s.Time)
		if err := r.scan(ctx, full, s); err != nil {
			// The fast tier's values are good: keep them, with the last
			// scan's fields, and say why the scan failed. A failing scan
			// (a reply over the cap, a deadline too short for this many
			// items) backs off like a slow one instead of retrying every
			// read.
			r.noteSubError(fmt.Errorf("item scan: %w", err))
			if rtorrent.IsTransport(err) {
				r.client.Invalidate()
			}
			r.nextScan = time.Now().Add(r.scanGap(time.Since(s.Time)))
		}
	}
	r.fill(s)
	r.applyMovers(s)
	r.fillEvents(s)
	s.Off = append(s.Off, r.plan.off...)
	return s, nil
}

// connect reads the method list and identity once per connection and
// builds the fast tier's plan from them.
func (r *Reader) connect(ctx context.Context) error {
	methods, err := r.client.Methods(ctx)
	if err != nil {
		return err
	}
	if g := r.client.Generation(); g == r.gen && r.plan != nil {
		return nil
	}
	calls := []rtorrent.Method{{Name: "system.client_version"}, {Name: "system.library_version"}, {Name: "system.hostname"}, {Name: "view.list"}}
	res, err := r.client.Multicall(ctx, calls)
	if err != nil {
		return err
	}
	for i, dst := range []*string{&r.identity.client, &r.identity.library, &r.identity.hostname} {
		*dst = ""
		if res[i].Err != nil {
			if !rtorrent.IsMethodMissing(res[i].Err) {
				r.noteSubError(res[i].Err)
			}
		} else if v, ok := asString(res[i].Value); ok {
			*dst = v
		} else {
			r.noteSubError(fmt.Errorf("rtorrent %q: %s returned %s, want a string", r.client.Name(), calls[i].Name, describeValue(res[i].Value)))
		}
	}
	views := map[string]bool{}
	if res[3].Err != nil {
		// Without the view list every view count is off (not zero) for
		// this connection.
		r.noteSubError(res[3].Err)
	} else if list, ok := res[3].Value.([]any); !ok {
		r.noteSubError(fmt.Errorf("rtorrent %q: view.list returned %s, want an array", r.client.Name(), describeValue(res[3].Value)))
	} else {
		for _, v := range list {
			if name, ok := v.(string); ok {
				views[name] = true
			}
		}
	}
	r.plan = newPlan(methods, views)
	r.gen = r.client.Generation()
	return nil
}

// scan runs the item scan tier, full or delta (delta.go), and schedules
// the next one. s is the snapshot whose fast tier was just read.
func (r *Reader) scan(ctx context.Context, full bool, s *Snapshot) error {
	before := r.client.Stats()
	start := time.Now()
	r.scanStart, r.scanStartWait = start, before.CallTime
	if full {
		items, bad, err := r.scanItems(ctx)
		if err != nil {
			return err
		}
		r.mergeFull(items, bad, start)
	} else if err := r.scanDelta(ctx); err != nil {
		return err
	}
	r.known.hashing, r.known.hashingOK = s.Items.Hashing, r.plan.hashing
	items := r.known.list
	if r.labelsAt.IsZero() {
		r.labelsAt = start // the first scan reads every label as static data
	}
	fetched, err := r.fetchStatic(ctx, items)
	if err != nil {
		return err
	}
	if full && r.labelsDue(start) {
		// A failed re-read costs only the relabels it would have shown:
		// the scan stands, and the next full scan tries again.
		if err := r.fetchLabels(ctx); err != nil {
			r.noteSubError(fmt.Errorf("%w; labels not read again, kept as they were", err))
		} else {
			r.labelsAt = start
		}
	}
	r.attributeVolumes()
	res := r.summarize(items)
	if r.opt.PeerFlags {
		if err := r.readPeerFlags(ctx, items, &res.peers); err != nil {
			return err
		}
	}
	r.events.observe(items)
	r.scanEvents()
	after := r.client.Stats()
	res.at = time.Now()
	res.duration = after.CallTime - before.CallTime
	res.replyBytes = after.BytesRecv - before.BytesRecv
	res.newHashes = fetched
	res.full = full
	r.last = res
	r.nextScan = start.Add(r.scanGap(res.duration))
	return nil
}

// withinBudget says whether rTorrent's time inside our RPCs since the
// latest scan began, the fast reads since included, is within the load
// budget of the wall time passed. scanGap alone counts the scan; on a slow
// link or a busy rTorrent the fast reads add to it. MaxScanInterval still
// bounds the wait.
func (r *Reader) withinBudget(now time.Time) bool {
	if r.scanStart.IsZero() {
		return true
	}
	elapsed := now.Sub(r.scanStart)
	if elapsed >= r.opt.MaxScanInterval {
		return true
	}
	spent := r.client.Stats().CallTime - r.scanStartWait
	return float64(spent) <= r.opt.LoadBudget*float64(elapsed)
}

// scanGap holds rTorrent's time in our scans to the load budget: a scan
// that kept rTorrent busy for d waits d/budget before the next.
func (r *Reader) scanGap(d time.Duration) time.Duration {
	gap := time.Duration(float64(d) / r.opt.LoadBudget)
	return min(max(gap, r.opt.MinScanInterval), r.opt.MaxScanInterval)
}

// fill copies the latest scan's results into s.
func (r *Reader) fill(s *Snapshot) {
	res := r.last
	if res == nil {
		return
	}
	s.Items.Active, s.Items.Messages = ptr(res.active), ptr(res.messages)
	s.Traffic.SkipRate = ptr(res.skipRate)
	s.Sizes = ptr(res.sizes)
	s.Ratios = ptr(res.ratios)
	s.Peers = ptr(res.peers)
	s.Trackers, s.Labels = res.trackers, res.labels
	s.Scan = &ScanInfo{Time: res.at, Age: s.Time.Sub(res.at).Seconds(), Duration: res.duration,
		Items: res.items, ReplyBytes: res.replyBytes, NewHashes: res.newHashes, Next: r.nextScan, Full: res.full}
}

// readProcess fills Process and, failing system.startup_time, Uptime from
// /proc when rTorrent runs here.
func (r *Reader) readProcess(s *Snapshot) {
	if !r.client.Local() || s.PID <= 0 {
		return
	}
	cur, err := readProc(r.opt.ProcRoot, s.PID)
	if err != nil {
		return
	}
	if r.memTotal == 0 {
		r.memTotal, _ = memTotal(r.opt.ProcRoot)
	}
	s.Process = cur.process(r.prevProc, r.memTotal)
	r.prevProc = cur
	if s.Uptime == nil {
		up := float64(s.Time.Unix() - cur.startEpoch)
		s.Uptime, s.UptimeSource = &up, "/proc"
	}
}
