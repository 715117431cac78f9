package live

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// sourceLog tells the viewer's log when the live values change source,
// once per change: when collectd's unixsock stops answering (the values
// then come from the RRD files, or from nowhere) and when it answers
// again. The poller runs every interval; a collectd that is down for an
// hour must not write a line per poll, and an operator must still learn
// why the live page lags.
type sourceLog struct {
	mu   sync.Mutex
	last string // Source of the last snapshot; "" before the first
}

func (l *sourceLog) note(log *slog.Logger, s *Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	prev := l.last
	if s.Source == prev {
		return
	}
	l.last = s.Source
	switch s.Source {
	case "collectd":
		if prev != "" {
			log.Info("live: collectd unixsock answers again; live values come from collectd", "was", prev)
		}
	case "rrd":
		log.Warn("live: " + s.Note + " (logged once, until collectd answers again)")
	default:
		log.Error("live: no live values: " + s.Error + " (logged once, until a source answers again)")
	}
}

// badFiles remembers RRD files the fallback could not read, so each is
// logged once (again only after it was readable in between), not at
// every poll.
type badFiles struct {
	mu  sync.Mutex
	err map[string]string // path -> the error last logged
}

// note records the outcome of reading path and logs a new failure.
func (b *badFiles) note(log *slog.Logger, path string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		delete(b.err, path)
		return
	}
	msg := err.Error()
	if b.err[path] == msg {
		return
	}
	if b.err == nil || len(b.err) >= 4096 {
		b.err = map[string]string{}
	}
	b.err[path] = msg
	log.Warn("live: RRD file left out of the live values (logged once per file and error)", "file", path, "err", msg)
}

// naming is err's text, with path in front unless it already names it:
// the first failure on an open connection ("broken pipe") does not say
// which socket it was.
func naming(path string, err error) string {
	msg := err.Error()
	if path == "" || strings.Contains(msg, path) {
		return msg
	}
	return path + ": " + msg
}

// pollBudget bounds one scheduled read of collectd, and separately the
// RRD fallback after it.
func (p *Poller) pollBudget() time.Duration { return max(p.cfg.Interval, 2*time.Second) }

// fallbackContext is the context for reading the RRD files after collectd
// failed: its own budget, since a frozen collectd (its socket accepts,
// nothing answers) uses up the poll's whole deadline, and a fallback on
// the expired context would leave the live page with no values at all.
// It still ends at once when ctx is cancelled (the viewer stops).
func fallbackContext(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	stop := context.AfterFunc(ctx, func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	return fctx, func() { stop(); cancel() }
}
