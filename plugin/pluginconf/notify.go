package pluginconf

import (
	"fmt"
	"math"

	cdconfig "collectd.org/config"
)

// The notification options of an <Instance> block (plugin/alerts,
// docs/configuration.md and docs/alerts.md): kept together here so other
// option groups can grow beside them without touching this one.
var notifyOptions = map[string]option{
	"notifications":     boolean(func(in *Instance, b bool) { in.Alerts.Off = !b }),
	"notifyfailedreads": count(func(in *Instance, n int) { in.Alerts.DownReads = n }),
	"notifyfailedscans": count(func(in *Instance, n int) { in.Alerts.ScanFailures = n }),
	"notifylimitreads":  count(func(in *Instance, n int) { in.Alerts.LimitReads = n }),
	"notifymessagepercent": number("a percentage from 0 (off) to 100", func(f float64) bool { return f >= 0 && f <= 100 },
		func(in *Instance, f float64) { in.Alerts.MessageShare = f / 100 }),
	"notifylimitpercent": number("a percentage from 0 (off) to 100", func(f float64) bool { return f >= 0 && f <= 100 },
		func(in *Instance, f float64) { in.Alerts.LimitShare = f / 100 }),
}

var notifyOptionNames = []string{"Notifications", "NotifyFailedReads", "NotifyFailedScans", "NotifyMessagePercent",
	"NotifyLimitPercent", "NotifyLimitReads"}

// maxCount bounds the read counts: past a day of reads at a 1 s interval
// a condition would never be said, which is Notifications false.
const maxCount = 86400

func count(set func(*Instance, int)) option {
	return func(in *Instance, v cdconfig.Value) error {
		f, ok := v.Float64()
		if !ok || f != math.Trunc(f) || f < 1 || f > maxCount {
			return fmt.Errorf("want a whole number of reads from 1 to %d, got %s", maxCount, describe(v))
		}
		set(in, int(f))
		return nil
	}
}

func init() {
	for k, o := range notifyOptions {
		options[k] = o
	}
	optionNames = append(optionNames, notifyOptionNames...)
}
