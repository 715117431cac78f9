package collectd

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNotifyRefuses: what Notify refuses before reaching collectd, so it
// runs without collectd, and that a message past collectd's 255 bytes is
// shortened rather than refused.
func TestNotifyRefuses(t *testing.T) {
	ok := func() Notification {
		return Notification{Severity: SevFailure, Plugin: "rtorrent", PluginInstance: "seed", Type: "rtorrent", TypeInstance: "reachable", Message: "down"}
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		edit    func(*Notification)
		wantErr string
	}{
		{"type instance 128 bytes", context.Background(), func(n *Notification) { n.TypeInstance = strings.Repeat("x", 128) }, "longer than collectd's 127"},
		{"plugin instance 128 bytes", context.Background(), func(n *Notification) { n.PluginInstance = strings.Repeat("x", 128) }, "plugin instance"},
		{"NUL in host", context.Background(), func(n *Notification) { n.Host = "a\x00b" }, "NUL"},
		{"done context", done, func(*Notification) {}, "canceled"},
		{"no plugin", context.Background(), func(n *Notification) { n.Plugin = "" }, "no plugin name"},
		{"bad severity", context.Background(), func(n *Notification) { n.Severity = 3 }, "unknown severity"},
		// Fits: outside collectd the dispatch itself then fails.
		{"127-byte name", context.Background(), func(n *Notification) { n.TypeInstance = strings.Repeat("x", 127) }, "plugin_dispatch_notification"},
		{"message of 10000 bytes", context.Background(), func(n *Notification) { n.Message = strings.Repeat("é", 5000) }, "plugin_dispatch_notification"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := ok()
			tc.edit(&n)
			err := Notify(tc.ctx, n)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		max      int
	}{
		{"a\nb\rc\x00d", "a b c d", 255},
		{strings.Repeat("x", 255), strings.Repeat("x", 255), 255},
		{strings.Repeat("x", 256), strings.Repeat("x", 252) + "…", 255},
		{"ab\xffc", "ab?c", 255},
	} {
		got := OneLine(tc.in, tc.max)
		if got != tc.want {
			t.Errorf("OneLine(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := OneLine(strings.Repeat("é", 500), MaxMessage)
	if len(long) > MaxMessage || !utf8.ValidString(long) || !strings.HasSuffix(long, "…") {
		t.Errorf("cut message: %d bytes, valid %v, %q", len(long), utf8.ValidString(long), long[len(long)-6:])
	}
}
