package pluginconf

import (
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/plugin/alerts"
)

// TestParseNotifyOptions: the notification options reach alerts.Options,
// and the defaults are alerts.DefaultOptions.
func TestParseNotifyOptions(t *testing.T) {
	res := Parse(plugin(instance("main", opt("URL", "scgi:///x.sock"))), 10*time.Second)
	if len(res.Instances) != 1 || res.Instances[0].Alerts != alerts.DefaultOptions() {
		t.Fatalf("defaults: %+v, want %+v", res, alerts.DefaultOptions())
	}
	res = Parse(plugin(instance("main", opt("URL", "scgi:///x.sock"),
		opt("Notifications", false), opt("NotifyFailedReads", 2), opt("NotifyFailedScans", 5),
		opt("NotifyMessagePercent", 25), opt("NotifyLimitPercent", 0), opt("notifylimitreads", 86400))), 10*time.Second)
	if len(res.Errors) != 0 || len(res.Instances) != 1 {
		t.Fatalf("Parse = %+v", res)
	}
	want := alerts.Options{Off: true, DownReads: 2, ScanFailures: 5, MessageShare: 0.25, LimitShare: 0, LimitReads: 86400}
	if got := res.Instances[0].Alerts; got != want {
		t.Errorf("alerts options %+v, want %+v", got, want)
	}
}

// TestParseBadNotifyOptions: a bad value is one error line naming the
// option and the instance; values one past each bound are refused.
func TestParseBadNotifyOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    string
		v    any
		want string
	}{
		{"reads zero", "NotifyFailedReads", 0, "whole number of reads from 1 to 86400"},
		{"reads past the bound", "NotifyFailedReads", 86401, "got 86401"},
		{"reads fractional", "NotifyFailedScans", 1.5, "got 1.5"},
		{"reads as string", "NotifyLimitReads", "three", `got "three"`},
		{"percent negative", "NotifyMessagePercent", -0.5, "percentage from 0 (off) to 100"},
		{"percent past 100", "NotifyLimitPercent", 100.01, "percentage"},
		{"bool as word", "Notifications", "sometimes", "true or false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOneError(t, instance("bad", opt("URL", "scgi:///x.sock"), opt(tc.o, tc.v)), `instance "bad"`, "option "+tc.o, tc.want)
		})
	}
	res := Parse(plugin(instance("bad", opt("URL", "scgi:///x.sock"), opt("NotifyFailedReads", 0))), 10*time.Second)
	if len(res.Errors) != 1 || strings.Contains(res.Errors[0].Error(), "\n") {
		t.Errorf("errors %v, want one line", res.Errors)
	}
}

// The notification options in TestBadOptionTypes, kept beside them.
func init() {
	optionKinds["Notifications"] = kindBool
	for _, n := range notifyOptionNames[1:] {
		optionKinds[n] = kindNumber
	}
}
