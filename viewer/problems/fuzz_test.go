package problems

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds Parse what collectd's exec plugin could hand
// rtmon-notify: notifications from any host a central collectd accepts.
// It must not panic, and whatever it accepts keeps every bound: names of
// at most MaxName bytes, valid UTF-8 without control characters, a
// message of one line of at most MaxMessage bytes.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"Severity: FAILURE\nTime: 1700000000.000\nHost: box\nPlugin: rtorrent\nPluginInstance: main\nType: rtmon\nTypeInstance: reachable\n\nrTorrent unreachable\n",
		"Severity: OKAY\nTime: 1700000000\nHost: box\nPlugin: rtorrent\n\nback\n",
		"Severity: WARNING\nHost: <img src=x>\nPlugin: df\n\n" + strings.Repeat("é", 300) + "\nsecond line\n",
		"Severity: FAILURE\nHost: " + strings.Repeat("h", 128) + "\nPlugin: x\n\nm\n",
		"Host: \x00\x1b\n\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := Parse(strings.NewReader(in))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		for field, v := range map[string]string{"host": n.Host, "plugin": n.Plugin, "plugin_instance": n.PluginInstance, "type": n.Type, "type_instance": n.TypeInstance} {
			if len(v) > MaxName || !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("accepted %s %q (input %q)", field, v, in)
			}
		}
		if len(n.Message) > MaxMessage || strings.ContainsAny(n.Message, "\r\n") {
			t.Fatalf("accepted message %q (input %q)", n.Message, in)
		}
	})
}
