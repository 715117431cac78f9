package collector

import (
	"context"
	"fmt"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/plugin/alerts"
)

// Notifier hands one notification of this instance to collectd
// (plugin_dispatch_notification inside collectd).
type Notifier func(ctx context.Context, n alerts.Notification) error

// SetNotifier turns on the instance's notifications (plugin/alerts) with
// opt; without it the collector sends none. Call it before the first
// Read.
func (c *Collector) SetNotifier(opt alerts.Options, notify Notifier) {
	if opt.Off || notify == nil {
		return
	}
	c.alerts, c.notify = alerts.New(opt), notify
}

// readFailed and readSucceeded feed the outcome of a read to the
// tracker and send what it decides.
func (c *Collector) readFailed(ctx context.Context, now time.Time, err error) {
	if c.alerts != nil {
		c.send(ctx, c.alerts.Failed(now, err))
	}
}

func (c *Collector) readSucceeded(ctx context.Context, now time.Time, snap *reader.Snapshot) {
	if c.alerts != nil {
		c.send(ctx, c.alerts.Succeeded(now, snap, c.reader.SubErrors()))
	}
}

func (c *Collector) send(ctx context.Context, ns []alerts.Notification) {
	for _, n := range ns {
		if err := c.notify(ctx, n); err != nil {
			msg := fmt.Sprintf("%s %s: %v", n.Severity, n.Cond, err)
			if c.writeErr.First(msg) {
				c.log.Warning(fmt.Sprintf("instance %q: sending the notification %s (logged once)", c.name, msg))
			}
		}
	}
}
