package pluginconf

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdconfig "collectd.org/config"
)

// optionKind is how an option's value is read, which decides the wrong
// types to try on it.
type optionKind int

const (
	kindString optionKind = iota
	kindBool
	kindNumber
)

// optionKinds lists every option the parser takes; TestBadOptionTypes
// fails when one is added without an entry here.
var optionKinds = map[string]optionKind{
	"URL": kindString, "Username": kindString, "Password": kindString, "CAFile": kindString, "ProcRoot": kindString,
	"InsecureSkipVerify": kindBool, "PerTracker": kindBool, "PerLabel": kindBool, "PeerFlags": kindBool,
	"Timeout": kindNumber, "MaxReplyMB": kindNumber, "LoadBudget": kindNumber, "MinScanInterval": kindNumber, "MaxScanInterval": kindNumber,
}

// maxErrorLen bounds an error line: a hostile or mistaken value (a
// megabyte of text in a string) must not become a megabyte of log line.
const maxErrorLen = 1024

// checkOneError parses a good instance beside bad and checks the one error:
// one line, bounded, naming the instance and every want; the good instance
// still runs.
func checkOneError(t *testing.T, bad cdconfig.Block, want ...string) {
	t.Helper()
	good := instance("good", opt("URL", "scgi://127.0.0.1:5000"))
	var res Result
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("Parse panicked: %v", r)
			}
		}()
		res = Parse(plugin(good, bad), 10*time.Second)
	}()
	if len(res.Instances) != 1 || res.Instances[0].Name != "good" {
		t.Errorf("instances %+v, want only good", res.Instances)
	}
	if len(res.Errors) != 1 {
		t.Fatalf("errors %q, want exactly one", res.Errors)
	}
	msg := res.Errors[0].Error()
	if strings.ContainsAny(msg, "\n\r\x00") {
		t.Errorf("error is not one clean line: %q", msg)
	}
	if len(msg) > maxErrorLen {
		t.Errorf("error is %d bytes long, want at most %d: %.200q…", len(msg), maxErrorLen, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

// TestBadOptionTypes: every option, given a value of each wrong type, a
// block instead of a value, no value or two values, costs its instance with
// one error naming the instance and the option.
func TestBadOptionTypes(t *testing.T) {
	if len(optionKinds) != len(options) {
		t.Fatalf("optionKinds has %d options, the parser %d: add the new one here", len(optionKinds), len(options))
	}
	for _, name := range optionNames {
		kind, ok := optionKinds[name]
		if !ok {
			t.Fatalf("no kind for option %s", name)
		}
		wrong := map[string]cdconfig.Block{
			"no value":     {Key: name},
			"two values":   {Key: name, Values: cdconfig.Values(goodValue(kind), goodValue(kind))},
			"three values": {Key: name, Values: cdconfig.Values("a", 1, true)},
			"block":        {Key: name, Children: []cdconfig.Block{opt("URL", "scgi:///x.sock")}},
			"block with a value": {Key: name, Values: cdconfig.Values(goodValue(kind)),
				Children: []cdconfig.Block{opt("Inner", 1)}},
		}
		switch kind {
		case kindString:
			wrong["number"] = opt(name, 5)
			wrong["bool"] = opt(name, true)
			wrong["NaN"] = opt(name, math.NaN())
		case kindBool:
			wrong["number 1"] = opt(name, 1)
			wrong["number 0"] = opt(name, 0)
			wrong["word"] = opt(name, "maybe")
			wrong["empty string"] = opt(name, "")
			wrong["newline"] = opt(name, "true\nfalse")
		case kindNumber:
			wrong["string"] = opt(name, "abc")
			wrong["numeric string"] = opt(name, "5")
			wrong["bool"] = opt(name, true)
			wrong["empty string"] = opt(name, "")
		}
		for what, b := range wrong {
			t.Run(name+"/"+what, func(t *testing.T) {
				opts := []cdconfig.Block{b}
				if name != "URL" {
					opts = append(opts, opt("URL", "scgi:///x.sock"))
				}
				checkOneError(t, instance("bad", opts...), `instance "bad"`, "option "+name)
			})
		}
	}
}

func goodValue(k optionKind) any {
	switch k {
	case kindBool:
		return true
	case kindNumber:
		return 1
	}
	return "scgi:///x.sock"
}

// TestBadOptionValues: values of the right type but wrong, for every
// option that has wrong values.
func TestBadOptionValues(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("x", 1<<20)
	scgi := opt("URL", "scgi:///x.sock")
	https := opt("URL", "https://127.0.0.1/RPC2")
	for _, tc := range []struct {
		name string
		opts []cdconfig.Block
		want []string
	}{
		{"URL empty", []cdconfig.Block{opt("URL", "")}, []string{"option URL", "empty URL"}},
		{"URL blank", []cdconfig.Block{opt("URL", "  ")}, []string{"option URL", "empty URL"}},
		{"URL ftp", []cdconfig.Block{opt("URL", "ftp://h/RPC2")}, []string{"option URL", `unknown scheme "ftp"`}},
		{"URL file", []cdconfig.Block{opt("URL", "file:///etc/passwd")}, []string{"option URL", `unknown scheme "file"`}},
		{"URL javascript", []cdconfig.Block{opt("URL", "javascript:alert(1)")}, []string{"option URL", "unknown scheme"}},
		{"URL no scheme", []cdconfig.Block{opt("URL", "/home/rt/rpc.socket")}, []string{"option URL", "no scheme"}},
		{"URL relative socket", []cdconfig.Block{opt("URL", "scgi://rpc.socket")}, []string{"option URL", "host:port"}},
		{"URL socket path too long", []cdconfig.Block{opt("URL", "scgi:///"+strings.Repeat("s", 200))}, []string{"option URL", "107 bytes"}},
		{"URL tcp without port", []cdconfig.Block{opt("URL", "scgi://127.0.0.1")}, []string{"option URL", "host:port"}},
		{"URL tcp with path", []cdconfig.Block{opt("URL", "scgi://127.0.0.1:5000/RPC2")}, []string{"option URL", "no path"}},
		{"URL scgi user", []cdconfig.Block{opt("URL", "scgi://u:pw@127.0.0.1:5000")}, []string{"option URL", "no authentication"}},
		{"URL http no host", []cdconfig.Block{opt("URL", "http:///RPC2")}, []string{"option URL", "no host"}},
		{"URL newline", []cdconfig.Block{opt("URL", "scgi:///a\nb")}, []string{"option URL"}},
		{"URL NUL", []cdconfig.Block{opt("URL", "http://h/\x00")}, []string{"option URL"}},
		{"URL bad escape", []cdconfig.Block{opt("URL", "http://h/%zz")}, []string{"option URL"}},
		{"URL huge", []cdconfig.Block{opt("URL", "ftp://"+huge)}, []string{"option URL"}},
		{"URL password not shown", []cdconfig.Block{opt("URL", "gopher://u:hunter2@h/")}, []string{"option URL", "xxxxx"}},
		{"Username on scgi", []cdconfig.Block{scgi, opt("Username", "u")}, []string{"Username/Password apply to http(s)"}},
		{"Password on scgi", []cdconfig.Block{scgi, opt("Password", "p")}, []string{"Username/Password apply to http(s)"}},
		{"CAFile on scgi", []cdconfig.Block{scgi, opt("CAFile", notPEM)}, []string{"CAFile/InsecureSkipVerify apply to https"}},
		{"InsecureSkipVerify on scgi", []cdconfig.Block{scgi, opt("InsecureSkipVerify", true)}, []string{"CAFile/InsecureSkipVerify apply to https"}},
		{"CAFile missing", []cdconfig.Block{https, opt("CAFile", filepath.Join(dir, "none.pem"))}, []string{"CA file", "no such file"}},
		{"CAFile not PEM", []cdconfig.Block{https, opt("CAFile", notPEM)}, []string{"CA file", "no PEM certificate"}},
		{"CAFile a directory", []cdconfig.Block{https, opt("CAFile", dir)}, []string{"CA file"}},
		{"CAFile newline", []cdconfig.Block{https, opt("CAFile", dir+"/a\nb.pem")}, []string{"CA file"}},
		{"CAFile huge", []cdconfig.Block{https, opt("CAFile", "/"+huge)}, []string{"CA file"}},
		{"Timeout zero", []cdconfig.Block{scgi, opt("Timeout", 0)}, []string{"option Timeout", "above 0"}},
		{"Timeout negative", []cdconfig.Block{scgi, opt("Timeout", -1)}, []string{"option Timeout"}},
		{"Timeout below a millisecond", []cdconfig.Block{scgi, opt("Timeout", 1e-12)}, []string{"option Timeout"}},
		{"Timeout huge", []cdconfig.Block{scgi, opt("Timeout", 1e300)}, []string{"option Timeout"}},
		{"Timeout infinite", []cdconfig.Block{scgi, opt("Timeout", math.Inf(1))}, []string{"option Timeout"}},
		{"Timeout NaN", []cdconfig.Block{scgi, opt("Timeout", math.NaN())}, []string{"option Timeout"}},
		{"MaxReplyMB zero", []cdconfig.Block{scgi, opt("MaxReplyMB", 0)}, []string{"option MaxReplyMB"}},
		{"MaxReplyMB negative", []cdconfig.Block{scgi, opt("MaxReplyMB", -64)}, []string{"option MaxReplyMB"}},
		{"MaxReplyMB tiny", []cdconfig.Block{scgi, opt("MaxReplyMB", 1e-9)}, []string{"option MaxReplyMB"}},
		{"MaxReplyMB huge", []cdconfig.Block{scgi, opt("MaxReplyMB", 1e12)}, []string{"option MaxReplyMB"}},
		{"MaxReplyMB NaN", []cdconfig.Block{scgi, opt("MaxReplyMB", math.NaN())}, []string{"option MaxReplyMB"}},
		{"LoadBudget zero", []cdconfig.Block{scgi, opt("LoadBudget", 0)}, []string{"option LoadBudget"}},
		{"LoadBudget negative", []cdconfig.Block{scgi, opt("LoadBudget", -5)}, []string{"option LoadBudget"}},
		{"LoadBudget over 100", []cdconfig.Block{scgi, opt("LoadBudget", 100.5)}, []string{"option LoadBudget"}},
		{"LoadBudget tiny", []cdconfig.Block{scgi, opt("LoadBudget", 1e-300)}, []string{"option LoadBudget"}},
		{"LoadBudget infinite", []cdconfig.Block{scgi, opt("LoadBudget", math.Inf(1))}, []string{"option LoadBudget"}},
		{"MinScanInterval zero", []cdconfig.Block{scgi, opt("MinScanInterval", 0)}, []string{"option MinScanInterval"}},
		{"MinScanInterval negative", []cdconfig.Block{scgi, opt("MinScanInterval", -30)}, []string{"option MinScanInterval"}},
		{"MinScanInterval below a millisecond", []cdconfig.Block{scgi, opt("MinScanInterval", 1e-10)}, []string{"option MinScanInterval"}},
		{"MaxScanInterval huge", []cdconfig.Block{scgi, opt("MaxScanInterval", 1e18)}, []string{"option MaxScanInterval"}},
		{"MaxScanInterval below Min", []cdconfig.Block{scgi, opt("MaxScanInterval", 10)}, []string{"option MaxScanInterval", "below MinScanInterval"}},
		{"ProcRoot relative", []cdconfig.Block{scgi, opt("ProcRoot", "proc")}, []string{"option ProcRoot", "absolute"}},
		{"ProcRoot empty", []cdconfig.Block{scgi, opt("ProcRoot", "")}, []string{"option ProcRoot", "absolute"}},
		{"ProcRoot huge", []cdconfig.Block{scgi, opt("ProcRoot", huge)}, []string{"option ProcRoot", "absolute"}},
		{"unknown option", []cdconfig.Block{scgi, opt("Frobnicate", 1)}, []string{`unknown option "Frobnicate"`}},
		{"unknown option huge", []cdconfig.Block{scgi, opt(huge, 1)}, []string{"unknown option"}},
		{"unknown option newline", []cdconfig.Block{scgi, opt("Time\nout", 1)}, []string{"unknown option"}},
		{"option twice, other case", []cdconfig.Block{scgi, opt("TIMEOUT", 1), opt("timeout", 2)}, []string{"option timeout given twice"}},
		{"URL twice", []cdconfig.Block{scgi, opt("URL", "scgi:///y.sock")}, []string{"option URL given twice"}},
		{"URL missing", []cdconfig.Block{opt("Timeout", 1)}, []string{"option URL missing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOneError(t, instance("bad", tc.opts...), append([]string{`instance "bad"`}, tc.want...)...)
		})
	}
}

// TestBadInstanceBlocks: what is wrong with the <Instance> block itself.
func TestBadInstanceBlocks(t *testing.T) {
	url := opt("URL", "scgi:///x.sock")
	for _, tc := range []struct {
		name  string
		block cdconfig.Block
		want  []string
	}{
		{"no name", cdconfig.Block{Key: "Instance", Children: []cdconfig.Block{url}}, []string{"<Instance> needs exactly one quoted name"}},
		{"two names", cdconfig.Block{Key: "Instance", Values: cdconfig.Values("a", "b"), Children: []cdconfig.Block{url}}, []string{"<Instance> needs exactly one quoted name"}},
		{"number name", cdconfig.Block{Key: "Instance", Values: cdconfig.Values(7), Children: []cdconfig.Block{url}}, []string{"<Instance> needs exactly one quoted name"}},
		{"bool name", cdconfig.Block{Key: "Instance", Values: cdconfig.Values(true), Children: []cdconfig.Block{url}}, []string{"<Instance> needs exactly one quoted name"}},
		{"name with newline", instance("a\nb", url), []string{`instance "a\nb" skipped`}},
		{"name with NUL", instance("a\x00b", url), []string{`instance "a\x00b" skipped`}},
		{"name with space", instance("my box", url), []string{`instance "my box" skipped`}},
		{"name with unicode", instance("bö", url), []string{`instance "bö" skipped`}},
		{"name huge", instance(strings.Repeat("a", 1<<20), url), []string{"skipped", "at most 127 bytes"}},
		{"duplicate", instance("good", opt("URL", "scgi:///y.sock")), []string{`instance "good": defined twice`}},
		{"empty instance", instance("bad"), []string{`instance "bad"`, "option URL missing"}},
		{"stray value option", opt("URL", "scgi:///x.sock"), []string{`unknown option "URL" in <Plugin rtorrent>`}},
		{"stray block", cdconfig.Block{Key: "Server", Values: cdconfig.Values("x"), Children: []cdconfig.Block{url}}, []string{`unknown option "Server" in <Plugin rtorrent>`}},
		{"stray huge key", opt(strings.Repeat("k", 1<<20), 1), []string{"unknown option", "in <Plugin rtorrent>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOneError(t, tc.block, tc.want...)
		})
	}
}
