package unixsock

import (
	"errors"
	"strings"
	"testing"
)

func TestIdentifierStringAndParse(t *testing.T) {
	tests := []struct {
		s  string
		id Identifier
	}{
		{"rtmon-test/load/load", Identifier{Host: "rtmon-test", Plugin: "load", Type: "load"}},
		{"h/cpu-0/cpu-idle", Identifier{"h", "cpu", "0", "cpu", "idle"}},
		// The FIRST '-' splits, in the plugin part and in the type part.
		{"h/df-var-log/df_complex-free-x", Identifier{"h", "df", "var-log", "df_complex", "free-x"}},
		{"h/rtorrent-main/gauge-items-total", Identifier{"h", "rtorrent", "main", "gauge", "items-total"}},
		// Only the host and plugin end at '/': the type instance keeps its.
		{"h/p/t-a/b", Identifier{"h", "p", "", "t", "a/b"}},
		{"h.example.org/my plugin-inst x/gauge-a \"b\\c", Identifier{"h.example.org", "my plugin", "inst x", "gauge", "a \"b\\c"}},
		{"h/p/t-", Identifier{Host: "h", Plugin: "p", Type: "t"}}, // empty instance, as collectd reads it
	}
	for _, tc := range tests {
		got, err := ParseIdentifier(tc.s)
		if err != nil {
			t.Errorf("ParseIdentifier(%q): %v", tc.s, err)
			continue
		}
		if got != tc.id {
			t.Errorf("ParseIdentifier(%q) = %#v, want %#v", tc.s, got, tc.id)
		}
		if back, err := ParseIdentifier(got.String()); err != nil || back != got {
			t.Errorf("round trip of %q via %q = %#v, %v", tc.s, got.String(), back, err)
		}
	}
}

func TestIdentifierRefused(t *testing.T) {
	tests := []struct {
		name string
		s    string
	}{
		{"newline", "h/load/load\nLISTVAL"},
		{"carriage return", "h/load/load\r"},
		{"NUL", "h/load/load\x00garbage"},
		{"tab", "h/lo\tad/load"},
		{"DEL", "h/load/load\x7f"},
		{"no slash", "load"},
		{"one slash", "h/load"},
		{"empty host", "/load/load"},
		{"empty plugin", "h//load"},
		{"empty plugin name", "h/-0/load"},
		{"empty type", "h/load/"},
		{"empty", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIdentifier(tc.s)
			if !errors.Is(err, ErrInvalidIdentifier) {
				t.Errorf("ParseIdentifier(%q) error = %v, want ErrInvalidIdentifier", tc.s, err)
			}
		})
	}
}

func TestIdentifierValidate(t *testing.T) {
	tests := []struct {
		id   Identifier
		want string // "" for valid, else a fragment of the error
	}{
		{Identifier{Host: "h", Plugin: "p", Type: "t"}, ""},
		{Identifier{Host: "h", Plugin: "p", PluginInstance: "a-b", Type: "t", TypeInstance: "c-d/e"}, ""},
		{Identifier{Host: "h/x", Plugin: "p", Type: "t"}, "host"},
		{Identifier{Host: "h", Plugin: "p-q", Type: "t"}, "plugin"},
		{Identifier{Host: "h", Plugin: "p", PluginInstance: "a/b", Type: "t"}, "plugin instance"},
		{Identifier{Host: "h", Plugin: "p", Type: "t-u"}, "type"},
		{Identifier{Host: "h", Plugin: "p", Type: "t", TypeInstance: "x\ny"}, "control character"},
		{Identifier{Plugin: "p", Type: "t"}, "empty host"},
	}
	for _, tc := range tests {
		err := tc.id.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%#v: %v, want valid", tc.id, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrInvalidIdentifier)):
			t.Errorf("%#v: error %v, want ErrInvalidIdentifier about %q", tc.id, err, tc.want)
		}
	}
}
