package main

import (
	"context"
	"fmt"
	"time"

	"collectd.org/api"
	cdconfig "collectd.org/config"
	"github.com/rtmon/rtmon/plugin/alerts"
	"github.com/rtmon/rtmon/plugin/collectd"
	"github.com/rtmon/rtmon/plugin/collector"
	"github.com/rtmon/rtmon/plugin/pluginconf"
)

// configurer receives the merged <Plugin rtorrent> block. plugin/collectd
// calls it from an init callback, after the whole config file was read
// (and after the fork, when there is one: hence the fork guard).
type configurer struct{}

func (*configurer) Configure(_ context.Context, block cdconfig.Block) (err error) {
	defer recoverTo("reading the configuration")
	interval := collectd.ConfigInterval()
	if interval <= 0 {
		interval = pluginconf.DefaultInterval
	}
	res := pluginconf.Parse(block, interval)
	log := collectdLog{}
	for _, e := range res.Errors {
		log.Error(e.Error())
	}
	for _, w := range res.Warnings {
		log.Warning(w)
	}
	if len(res.Instances) == 0 {
		if len(res.Errors) == 0 {
			log.Warning(`no <Instance "name"> configured in <Plugin rtorrent>: nothing to read (see docs/configuration.md)`)
		}
		return nil
	}
	write := api.WriterFunc(collectd.Write)
	for _, in := range res.Instances {
		// One guard per instance: its reads share a time per read, and
		// collectd's rrdtool stores whole seconds (see OneReadPerSecond).
		c, err := collector.New(in, log, collector.OneReadPerSecond(write.Write))
		if err != nil {
			log.Error(fmt.Sprintf("instance %q skipped: %v", in.Name, err))
			continue
		}
		c.SetNotifier(in.Alerts, notifier(in.Name))
		// One read callback per instance: collectd's read threads then
		// read instances in parallel, a slow rTorrent does not delay the
		// others, and collectd never runs one callback twice at once.
		// The interval is given explicitly: the same value collectd would
		// pick, without the error it logs when it has to look it up.
		if err := collectd.RegisterRead(name+"/"+in.Name, interval, &reader{c: c, interval: interval}); err != nil {
			log.Error(fmt.Sprintf("instance %q skipped: registering its read callback: %v", in.Name, err))
			continue
		}
		log.Info(fmt.Sprintf("instance %q: reading %s every %v, each read within %v", in.Name, c.URL(), interval, collector.Deadline(in.Timeout, interval)))
	}
	return nil
}

// reader is one instance's read callback.
type reader struct {
	c        *collector.Collector
	interval time.Duration // as registered
}

// Read always returns nil: collectd suspends a failing read callback with
// a doubling backoff (up to a day), which would delay noticing rTorrent's
// return. The collector logs problems itself, once.
func (r *reader) Read(ctx context.Context) error {
	defer recoverTo("reading instance " + r.c.Name())
	interval, err := collectd.Interval()
	if err != nil || interval <= 0 {
		interval = r.interval
	}
	r.c.Read(ctx, interval)
	return nil
}

// notifier sends an instance's notifications through collectd: plugin
// "rtorrent", the instance as plugin instance, the condition as type
// instance (docs/alerts.md).
func notifier(instance string) collector.Notifier {
	return func(ctx context.Context, n alerts.Notification) error {
		sev := map[alerts.Severity]collectd.Severity{alerts.Okay: collectd.SevOkay, alerts.Warning: collectd.SevWarning, alerts.Failure: collectd.SevFailure}[n.Severity]
		return collectd.Notify(ctx, collectd.Notification{Severity: sev, Time: n.Time, Plugin: name, PluginInstance: instance,
			Type: alerts.Type, TypeInstance: n.Cond, Message: n.Message})
	}
}
