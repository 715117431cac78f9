package collectd

import (
	"reflect"
	"strings"
	"testing"

	"collectd.org/config"
)

// TestConvertItem: collectd's parsed C config tree becomes the same
// config.Block, values of every type and nested blocks included, and
// malformed trees give an error instead of a crash. Runs without collectd.
func TestConvertItem(t *testing.T) {
	full := config.Block{
		Key:    "Plugin",
		Values: config.Values("rtorrent"),
		Children: []config.Block{
			{Key: "Instance", Values: config.Values("seed"), Children: []config.Block{
				{Key: "URL", Values: config.Values("scgi:///run/rtorrent/rpc.socket")},
				{Key: "Timeout", Values: config.Values(2.5)},
				{Key: "Trackers", Values: config.Values(true)},
				{Key: "Labels", Values: config.Values(false)},
				{Key: "Mixed", Values: config.Values("a", 1.0, true, "")},
			}},
			{Key: "Instance", Values: config.Values("leech")},
		},
	}
	for _, tc := range []struct {
		name    string
		in      config.Block
		setType int // -1: leave
		wantErr string
	}{
		{"full tree", full, -1, ""},
		{"empty block", config.Block{Key: "Plugin"}, -1, ""},
		{"unknown value type", config.Block{Key: "X", Values: config.Values(1.0)}, 7, "unknown value type 7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := convertBlockForTest(tc.in, tc.setType)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.in) {
				t.Errorf("got  %#v\nwant %#v", got, tc.in)
			}
		})
	}
}

// TestConvertItemDepth: nesting up to maxConfigDepth converts; one level
// more is refused.
func TestConvertItemDepth(t *testing.T) {
	if err := convertNestedForTest(maxConfigDepth); err != nil {
		t.Errorf("depth %d: %v", maxConfigDepth, err)
	}
	if err := convertNestedForTest(maxConfigDepth + 1); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("depth %d: err = %v, want nested deeper", maxConfigDepth+1, err)
	}
}

// TestConvertItemNil: a NULL item is an error.
func TestConvertItemNil(t *testing.T) {
	if _, err := convertItem(nil, 0); err == nil {
		t.Error("convertItem(nil) gave no error")
	}
}
