package collectd

import (
	"context"
	"strings"
	"testing"

	"collectd.org/api"
)

// TestWriteRefuses: what Write refuses before reaching collectd, so it
// runs without collectd: a name one byte past collectd's 127 (it would
// lose its NUL), a NUL in a name, a done context, no values, no plugin.
func TestWriteRefuses(t *testing.T) {
	ok := func() *api.ValueList {
		return &api.ValueList{
			Identifier: api.Identifier{Plugin: "rtorrent", PluginInstance: "seed", Type: "gauge"},
			Values:     []api.Value{api.Gauge(1)},
		}
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		edit    func(*api.ValueList)
		wantErr string
	}{
		{"type instance 128 bytes", context.Background(), func(vl *api.ValueList) { vl.TypeInstance = strings.Repeat("x", 128) }, "longer than collectd's 127"},
		{"plugin instance 128 bytes", context.Background(), func(vl *api.ValueList) { vl.PluginInstance = strings.Repeat("x", 128) }, "plugin instance"},
		{"NUL in host", context.Background(), func(vl *api.ValueList) { vl.Host = "a\x00b" }, "NUL"},
		{"done context", done, func(*api.ValueList) {}, "canceled"},
		{"no values", context.Background(), func(vl *api.ValueList) { vl.Values = nil }, "no values"},
		{"no plugin", context.Background(), func(vl *api.ValueList) { vl.Plugin = "" }, "no plugin name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vl := ok()
			tc.edit(vl)
			err := Write(tc.ctx, vl)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	// 127 bytes fits; outside collectd the dispatch itself then fails.
	vl := ok()
	vl.TypeInstance = strings.Repeat("x", 127)
	if err := Write(context.Background(), vl); err == nil || !strings.Contains(err.Error(), "plugin_dispatch_values") {
		t.Errorf("127-byte name: err = %v, want the dispatch (not the length) to fail outside collectd", err)
	}
}
