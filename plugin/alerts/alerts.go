// Package alerts decides when the plugin tells collectd that something
// about an rTorrent instance changed for the worse or for the better:
// once per transition, never once per interval. It is plain Go, fed the
// outcome of each read, so every rule is tested without collectd; the
// plugin turns what it returns into collectd notifications
// (plugin/collectd.Notify) with plugin "rtorrent" and the instance as
// plugin instance. docs/alerts.md lists the conditions.
package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
)

// Severity of a notification, named as collectd names them.
type Severity int

const (
	Okay Severity = iota
	Warning
	Failure
)

func (s Severity) String() string {
	switch s {
	case Okay:
		return "OKAY"
	case Warning:
		return "WARNING"
	case Failure:
		return "FAILURE"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Type is the collectd type every notification of this package carries;
// the condition is its type instance (the Cond* constants).
const Type = "rtmon"

// The conditions, as type instances. Each is raised once and cleared
// once (an OKAY with the same type instance), except CondRestart, an
// event with no OKAY: the viewer shows it for a while (docs/alerts.md).
const (
	CondReachable    = "reachable"
	CondRestart      = "restart"
	CondScan         = "scan"
	CondMessages     = "messages"
	CondSockets      = "sockets"
	CondHTTP         = "http"
	CondFiles        = "files"
	CondThrottleUp   = "throttle_up"
	CondThrottleDown = "throttle_down"
)

// Notification is one transition to tell collectd about.
type Notification struct {
	Severity Severity
	Cond     string // the type instance
	Message  string
	Time     time.Time
}

// Options are the <Instance> block's notification options
// (plugin/pluginconf, docs/configuration.md).
type Options struct {
	// Off turns every notification of the instance off.
	Off bool
	// DownReads is how many failed reads in a row make rTorrent
	// unreachable (FAILURE).
	DownReads int
	// ScanFailures is how many failed item scans in a row make a
	// WARNING.
	ScanFailures int
	// MessageShare is the share of items (0..1] with a tracker message
	// above which a WARNING is raised; 0 turns the check off.
	MessageShare float64
	// LimitShare is the share of a limit (sockets, HTTP connections,
	// open files, upload/download throttle) above which the limit counts
	// as nearly exhausted; 0 turns the checks off.
	LimitShare float64
	// LimitReads is how many reads in a row a limit must stay above
	// LimitShare before the WARNING, and below it before the OKAY: a
	// throttle meant to be used runs at its limit in bursts.
	LimitReads int
}

// DefaultOptions are the values docs/configuration.md gives.
func DefaultOptions() Options {
	return Options{DownReads: 1, ScanFailures: 3, MessageShare: 0.10, LimitShare: 0.90, LimitReads: 6}
}

// scanErrPrefix starts the sub-error internal/reader notes when the item
// scan fails while the fast tier succeeded.
const scanErrPrefix = "item scan: "

// Tracker holds one instance's conditions between reads. It is not safe
// for concurrent use: collectd never runs one read callback twice at
// once, and the collector guards it besides.
type Tracker struct {
	opt   Options
	conds map[string]*cond

	failed   int // failed reads in a row
	lastErr  string
	pid      int64
	scanFail int
	scanAt   time.Time // ScanInfo.Time of the last good scan seen
}

// cond is one raise-once, clear-once condition.
type cond struct {
	raised bool
	since  time.Time
	streak int // reads in a row the condition differed from raised
}

// New returns the tracker for one instance.
func New(opt Options) *Tracker {
	return &Tracker{opt: opt, conds: map[string]*cond{}}
}

func (t *Tracker) cond(name string) *cond {
	c := t.conds[name]
	if c == nil {
		c = &cond{}
		t.conds[name] = c
	}
	return c
}

// Failed records a read that failed with err at now.
func (t *Tracker) Failed(now time.Time, err error) []Notification {
	if t.opt.Off {
		return nil
	}
	t.failed++
	t.lastErr = err.Error()
	c := t.cond(CondReachable)
	if c.raised || t.failed < max(t.opt.DownReads, 1) {
		return nil
	}
	c.raised, c.since = true, now
	return []Notification{{Severity: Failure, Cond: CondReachable, Time: now,
		Message: "rTorrent unreachable: " + t.lastErr}}
}

// Succeeded records a good read: its snapshot and the reader's
// sub-errors of that read.
func (t *Tracker) Succeeded(now time.Time, s *reader.Snapshot, subErrs []error) []Notification {
	if t.opt.Off || s == nil {
		return nil
	}
	var out []Notification
	t.failed = 0
	if c := t.cond(CondReachable); c.raised {
		c.raised = false
		out = append(out, Notification{Severity: Okay, Cond: CondReachable, Time: now,
			Message: fmt.Sprintf("rTorrent reachable again (pid %d) after %s", s.PID, now.Sub(c.since).Round(time.Second))})
	}
	if s.PID != 0 {
		if t.pid != 0 && s.PID != t.pid {
			out = append(out, Notification{Severity: Warning, Cond: CondRestart, Time: now,
				Message: fmt.Sprintf("rTorrent restarted (pid %d, was %d)", s.PID, t.pid)})
		}
		t.pid = s.PID
	}
	out = append(out, t.scan(now, s, subErrs)...)
	out = append(out, t.messages(now, s)...)
	out = append(out, t.limits(now, s)...)
	return out
}

// scan: a failed scan is a sub-error of an otherwise good read; a good
// one moves ScanInfo.Time. Reads with no scan due change nothing.
func (t *Tracker) scan(now time.Time, s *reader.Snapshot, subErrs []error) []Notification {
	var scanErr string
	for _, e := range subErrs {
		if msg := e.Error(); strings.HasPrefix(msg, scanErrPrefix) {
			scanErr = strings.TrimPrefix(msg, scanErrPrefix)
		}
	}
	c := t.cond(CondScan)
	switch {
	case scanErr != "":
		t.scanFail++
		if !c.raised && t.scanFail >= max(t.opt.ScanFailures, 1) {
			c.raised, c.since = true, now
			return []Notification{{Severity: Warning, Cond: CondScan, Time: now,
				Message: fmt.Sprintf("item scan failed %d times in a row: %s", t.scanFail, scanErr)}}
		}
	case s.Scan != nil && s.Scan.Time.After(t.scanAt):
		t.scanAt = s.Scan.Time
		t.scanFail = 0
		if c.raised {
			c.raised = false
			return []Notification{{Severity: Okay, Cond: CondScan, Time: now, Message: "item scan works again"}}
		}
	}
	return nil
}

func (t *Tracker) messages(now time.Time, s *reader.Snapshot) []Notification {
	if t.opt.MessageShare <= 0 || s.Items.Messages == nil {
		return nil
	}
	n, total := *s.Items.Messages, s.Items.Total
	over := total > 0 && float64(n) > t.opt.MessageShare*float64(total)
	return t.level(now, CondMessages, over, 1,
		fmt.Sprintf("%d of %d items have a tracker message (over %s)", n, total, pct(t.opt.MessageShare)),
		fmt.Sprintf("%d of %d items have a tracker message (within %s)", n, total, pct(t.opt.MessageShare)))
}

func (t *Tracker) limits(now time.Time, s *reader.Snapshot) []Notification {
	if t.opt.LimitShare <= 0 {
		return nil
	}
	r := s.Resources
	var out []Notification
	for _, l := range []struct {
		cond, what string
		used, max  *int64
	}{
		{CondSockets, "open sockets", r.OpenSockets, r.MaxOpenSockets},
		{CondHTTP, "HTTP connections", r.HTTPOpen, r.MaxOpenHTTP},
		{CondFiles, "open files", r.OpenFiles, r.MaxOpenFiles},
		{CondThrottleUp, "upload rate (B/s) against the throttle", &s.Traffic.UpRate, &s.Traffic.UpLimit},
		{CondThrottleDown, "download rate (B/s) against the throttle", &s.Traffic.DownRate, &s.Traffic.DownLimit},
	} {
		if l.used == nil || l.max == nil {
			continue
		}
		// A limit of 0 is "unlimited" (throttle) or unknown: never full.
		over := *l.max > 0 && float64(*l.used) >= t.opt.LimitShare*float64(*l.max)
		out = append(out, t.level(now, l.cond, over, max(t.opt.LimitReads, 1),
			fmt.Sprintf("%s nearly exhausted: %d of %d (at or over %s for %d reads)", l.what, *l.used, *l.max, pct(t.opt.LimitShare), max(t.opt.LimitReads, 1)),
			fmt.Sprintf("%s back below %s: %d of %d", l.what, pct(t.opt.LimitShare), *l.used, *l.max))...)
	}
	return out
}

// level raises name as a WARNING once over held for reads reads in a
// row, and clears it once it stopped holding for as many reads in a row:
// a rate hovering at its limit is one WARNING, not one per dip.
func (t *Tracker) level(now time.Time, name string, over bool, reads int, raise, clear string) []Notification {
	c := t.cond(name)
	if over != c.raised {
		c.streak++
	} else {
		c.streak = 0
	}
	if c.streak < reads {
		return nil
	}
	c.streak = 0
	if c.raised {
		c.raised = false
		return []Notification{{Severity: Okay, Cond: name, Time: now, Message: clear}}
	}
	c.raised, c.since = true, now
	return []Notification{{Severity: Warning, Cond: name, Time: now, Message: raise}}
}

func pct(f float64) string { return fmt.Sprintf("%g%%", f*100) }
