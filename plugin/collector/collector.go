// Package collector is the plugin's read behaviour for one rTorrent
// instance, in plain Go so it is tested without collectd: read a snapshot
// within a deadline below the interval, map it to value lists, hand them
// to a writer, and log what an operator needs, once, rather than every
// interval. It never lets a panic or an error escape to collectd.
package collector

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/plugin/alerts"
	"github.com/rtmon/rtmon/plugin/dispatch"
	"github.com/rtmon/rtmon/plugin/pluginconf"
)

// Logger is collectd's log as the plugin glue hands it over. Messages come
// without the "rtorrent plugin: " prefix; the glue adds it.
type Logger interface {
	Error(msg string)
	Warning(msg string)
	Notice(msg string)
	Info(msg string)
}

// Writer dispatches one value list (plugin.Write inside collectd).
type Writer func(ctx context.Context, vl *api.ValueList) error

// Collector reads one rTorrent instance.
type Collector struct {
	name    string
	url     string
	timeout time.Duration
	reader  *reader.Reader
	mapper  *dispatch.Mapper
	log     Logger
	write   Writer

	busy     atomic.Bool
	health   Health
	lastErr  error // of the latest failed read, for the flapping summary
	lastPID  int64
	subErrs  *onceSet
	writeErr *onceSet
	reads    atomic.Int64

	alerts *alerts.Tracker // nil: no notifications (notify.go)
	notify Notifier
}

// New builds the collector for a parsed instance; it does not contact
// rTorrent.
func New(in pluginconf.Instance, log Logger, write Writer) (*Collector, error) {
	client, err := rtorrent.New(in.Client)
	if err != nil {
		return nil, err
	}
	// Said here, once per instance as collectd configures it, not at
	// every read.
	if w := client.CleartextAuth(); w != "" {
		log.Warning(fmt.Sprintf("instance %q: %s", in.Name, w))
	}
	return &Collector{
		name:     in.Name,
		url:      client.Endpoint().Display,
		timeout:  in.Timeout,
		reader:   reader.NewReader(client, in.Sensors),
		mapper:   dispatch.NewMapper(in.Name, in.Metrics()),
		log:      log,
		write:    write,
		subErrs:  newOnceSet(256),
		writeErr: newOnceSet(256),
	}, nil
}

// Name is the instance name.
func (c *Collector) Name() string { return c.name }

// URL is the instance's URL as shown in messages: any password replaced.
func (c *Collector) URL() string { return c.url }

// QuietReads is, in read intervals, how long after rTorrent answers again
// a new outage counts as flapping (see Health): 60 intervals, 10 minutes
// at collectd's default interval.
const QuietReads = 60

// Deadline is how long one read may take for a given interval: the
// configured Timeout, but never more than TimeoutShare of the interval, so
// a read ends before the next one is due.
func Deadline(timeout, interval time.Duration) time.Duration {
	limit := time.Duration(float64(interval) * pluginconf.TimeoutShare)
	if timeout <= 0 || timeout > limit {
		return limit
	}
	return timeout
}

// Read takes one snapshot and writes its values. It returns the number of
// value lists written. It never panics and never fails towards collectd:
// collectd suspends a failing read callback with exponential backoff (up
// to a day), which would delay noticing that rTorrent is back, so every
// problem is logged here instead.
func (c *Collector) Read(ctx context.Context, interval time.Duration) (written int) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error(fmt.Sprintf("instance %q: recovered from a panic in the read: %v (please report this) %s", c.name, r, shortStack()))
		}
	}()
	if !c.busy.CompareAndSwap(false, true) {
		// collectd does not run one callback twice at once; this guards
		// the rule "one request in flight per instance" all the same.
		return 0
	}
	defer c.busy.Store(false)
	c.reads.Add(1)

	rctx, cancel := context.WithTimeout(ctx, Deadline(c.timeout, interval))
	snap, err := c.reader.Read(rctx, false)
	cancel()
	now := time.Now()
	if err != nil {
		if errors.Is(err, reader.ErrBusy) {
			return 0
		}
		c.lastErr = err
		c.readFailed(ctx, now, err)
		c.health.Quiet = QuietReads * interval
		if c.health.Failed(now) == WentDown {
			c.log.Error(fmt.Sprintf("instance %q: cannot read rTorrent: %v; no values until it answers again (logged once)", c.name, err))
		}
		return 0
	}
	t, outage, n := c.health.Succeeded(now)
	c.readSucceeded(ctx, now, snap)
	if t == CameBack || c.lastPID != 0 && snap.PID != 0 && snap.PID != c.lastPID {
		// After an outage or a restart, a sub-call problem that is still
		// there is news again: say it once more.
		c.subErrs = newOnceSet(256)
	}
	switch {
	case t == CameBack:
		c.log.Notice(fmt.Sprintf("instance %q: rTorrent at %s answers again (pid %d) after %s and %d failed reads",
			c.name, c.url, snap.PID, outage.Round(time.Second), n))
	case t == Flapping:
		c.log.Warning(fmt.Sprintf("instance %q: rTorrent at %s had %d short outages in %s, each over within %d reads (latest: %v); "+
			"short outages are summed up at most once every %d intervals, longer ones logged as errors",
			c.name, c.url, n, outage.Round(time.Second), confirmReads, c.lastErr, QuietReads))
	case c.lastPID != 0 && snap.PID != 0 && snap.PID != c.lastPID:
		c.log.Notice(fmt.Sprintf("instance %q: rTorrent restarted (pid %d, was %d); totals continue from where they were", c.name, snap.PID, c.lastPID))
	}
	if c.lastPID == 0 && snap.PID != 0 {
		c.log.Info(fmt.Sprintf("instance %q: reading rTorrent %s at %s (pid %d)", c.name, snap.ClientVersion, c.url, snap.PID))
	}
	if snap.PID != 0 {
		c.lastPID = snap.PID
	}
	for _, e := range c.reader.SubErrors() {
		if msg := e.Error(); c.subErrs.First(msg) {
			c.log.Warning(fmt.Sprintf("instance %q: %s (the read went on; logged once, and again after an outage or restart)", c.name, msg))
		}
	}
	return c.dispatch(ctx, snap, interval)
}

// dispatch writes the snapshot's value lists. It uses the callback's
// context, not the read deadline: collectd.Write (plugin/collectd) refuses to
// write once its context is done, and a read that used most of its time
// should still deliver.
func (c *Collector) dispatch(ctx context.Context, snap *reader.Snapshot, interval time.Duration) int {
	n := 0
	for _, vl := range c.mapper.ValueLists(snap, interval) {
		if err := c.write(ctx, vl); err != nil {
			msg := fmt.Sprintf("%s: %v", vl.Identifier, err)
			if c.writeErr.First(msg) {
				c.log.Warning(fmt.Sprintf("instance %q: dispatching %s (logged once per identifier and error)", c.name, msg))
			}
			continue
		}
		n++
	}
	return n
}

// Reads is how many reads were started, for tests and shutdown messages.
func (c *Collector) Reads() int64 { return c.reads.Load() }

// shortStack is the panicking goroutine's stack on one line, so a
// collectd log line holds it whole.
func shortStack() string {
	lines := strings.Split(strings.TrimSpace(string(debug.Stack())), "\n")
	var frames []string
	for i := 1; i+1 < len(lines) && len(frames) < 12; i += 2 {
		fn := strings.TrimSpace(lines[i])
		if strings.HasPrefix(fn, "runtime/debug.") || strings.HasPrefix(fn, "panic(") ||
			strings.Contains(fn, "collector.shortStack") || strings.Contains(fn, "collector.(*Collector).Read.func1") {
			continue
		}
		at := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndexByte(at, ' '); j > 0 {
			at = at[:j]
		}
		frames = append(frames, fn+" at "+at)
	}
	return "[" + strings.Join(frames, " < ") + "]"
}
