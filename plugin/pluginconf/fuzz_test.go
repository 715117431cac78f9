package pluginconf

import (
	"strings"
	"testing"
	"time"

	cdconfig "collectd.org/config"
)

// FuzzParseConfig builds a <Plugin rtorrent> block from fuzzed keys and
// values (strings, numbers, booleans, several values, nested blocks) and
// checks Parse never panics, every error and warning is one bounded line,
// and every instance it accepts is usable: its URL parses and its timeout
// stays below the interval.
func FuzzParseConfig(f *testing.F) {
	f.Add("main", "URL", "scgi:///home/rt/.session/rpc.socket", "Timeout", 5.0, uint8(0))
	f.Add("web.1", "url", "https://seedbox.example.org/RPC2", "Username", 0.0, uint8(1))
	f.Add("a-b", "Frobnicate", "x", "PerTracker", 1.0, uint8(2))
	f.Add("main", "URL", "scgi://127.0.0.1:5000", "LoadBudget", 1e-300, uint8(3))
	f.Add("main", "URL", "ftp://h/", "MaxReplyMB", -1.0, uint8(4))
	f.Add("..", "ProcRoot", "proc", "MinScanInterval", 0.0001, uint8(5))
	f.Add("main", "URL", "scgi:///x", "MaxScanInterval", 1.0, uint8(6))
	f.Fuzz(func(t *testing.T, name, key1, str, key2 string, num float64, shape uint8) {
		var second cdconfig.Block
		switch shape % 8 {
		case 0:
			second = opt(key2, num)
		case 1:
			second = opt(key2, str)
		case 2:
			second = opt(key2, shape&8 != 0)
		case 3:
			second = cdconfig.Block{Key: key2, Values: cdconfig.Values(num, str)}
		case 4:
			second = cdconfig.Block{Key: key2}
		case 5:
			second = cdconfig.Block{Key: key2, Children: []cdconfig.Block{opt(key1, str)}}
		case 6:
			second = opt(key1, str) // the first option again
		case 7:
			second = opt(key2, strings.Repeat(str, 3))
		}
		inst := instance(name, opt(key1, str), second)
		if shape&16 != 0 {
			inst = cdconfig.Block{Key: name, Values: cdconfig.Values(str), Children: inst.Children}
		}
		interval := time.Duration(shape%4+1) * time.Second
		res := Parse(plugin(inst, instance("main", opt("URL", "scgi:///x.sock"))), interval)
		for _, e := range res.Errors {
			checkLine(t, e.Error())
		}
		for _, w := range res.Warnings {
			checkLine(t, w)
		}
		for _, in := range res.Instances {
			if in.Timeout <= 0 || float64(in.Timeout) > float64(interval)*TimeoutShare {
				t.Fatalf("instance %q: timeout %v for interval %v", in.Name, in.Timeout, interval)
			}
			if in.Client.MaxReplyBytes < 0 || in.Sensors.LoadBudget <= 0 || in.Sensors.MinScanInterval <= 0 ||
				in.Sensors.MaxScanInterval < in.Sensors.MinScanInterval {
				t.Fatalf("instance %q accepted with %+v", in.Name, in)
			}
		}
		if len(res.Instances)+len(res.Errors) == 0 {
			t.Fatalf("neither instance nor error: %+v", res)
		}
	})
}

func checkLine(t *testing.T, msg string) {
	t.Helper()
	if strings.ContainsAny(msg, "\n\r\x00") || len(msg) > maxErrorLen || msg == "" {
		t.Fatalf("message not one bounded line: %q", msg)
	}
}
