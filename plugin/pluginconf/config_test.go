package pluginconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdconfig "collectd.org/config"

	"github.com/rtmon/rtmon/internal/reader"
)

func opt(key string, v any) cdconfig.Block {
	return cdconfig.Block{Key: key, Values: cdconfig.Values(v)}
}

func instance(name string, opts ...cdconfig.Block) cdconfig.Block {
	return cdconfig.Block{Key: "Instance", Values: cdconfig.Values(name), Children: opts}
}

func plugin(children ...cdconfig.Block) cdconfig.Block {
	return cdconfig.Block{Key: "plugin", Values: cdconfig.Values("rtorrent"), Children: children}
}

func TestParseDefaults(t *testing.T) {
	res := Parse(plugin(instance("main", opt("URL", "scgi:///tmp/rpc.socket"))), 10*time.Second)
	if len(res.Errors) != 0 || len(res.Warnings) != 0 || len(res.Instances) != 1 {
		t.Fatalf("Parse = %+v", res)
	}
	in := res.Instances[0]
	def := reader.DefaultOptions()
	if in.Name != "main" || in.Client.Name != "main" || in.Client.URL != "scgi:///tmp/rpc.socket" ||
		in.Timeout != 5*time.Second || in.Client.Timeout != 5*time.Second || in.Sensors != def {
		t.Fatalf("instance = %+v", in)
	}
	if m := in.Metrics(); !m.PerTracker || !m.PerLabel || !m.PeerFlags {
		t.Fatalf("metrics options %+v, want all on by default", m)
	}
}

func TestParseAllOptions(t *testing.T) {
	ca := writeCA(t)
	res := Parse(plugin(instance("web.1",
		opt("url", "https://127.0.0.1:8443/RPC2"), // keys are case-insensitive
		opt("Username", "rt"), opt("Password", "secret"), opt("CAFile", ca),
		opt("InsecureSkipVerify", false), opt("Timeout", 2.5), opt("MaxReplyMB", 8),
		opt("PerTracker", false), opt("PerLabel", "no"), opt("PeerFlags", "on"),
		opt("LoadBudget", 2), opt("MinScanInterval", 60), opt("MaxScanInterval", 600), opt("ProcRoot", "/host/proc"),
	)), 10*time.Second)
	if len(res.Errors) != 0 || len(res.Instances) != 1 {
		t.Fatalf("Parse = %+v", res)
	}
	in := res.Instances[0]
	c, s := in.Client, in.Sensors
	if c.Username != "rt" || c.Password != "secret" || c.CAFile != ca || c.MaxReplyBytes != 8<<20 || c.Timeout != 2500*time.Millisecond {
		t.Errorf("client config %+v", c)
	}
	if s.PerTracker || s.PerLabel || !s.PeerFlags || s.LoadBudget != 0.02 || s.MinScanInterval != time.Minute ||
		s.MaxScanInterval != 10*time.Minute || s.ProcRoot != "/host/proc" {
		t.Errorf("sensor options %+v", s)
	}
}

// TestParseBadInstance: each broken instance costs itself only, with one
// error naming the instance and the option; the good one survives.
func TestParseBadInstance(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block cdconfig.Block
		want  []string // substrings of the one error
	}{
		{"unknown key", instance("bad", opt("URL", "scgi:///x.sock"), opt("Frobnicate", true)), []string{`instance "bad"`, `unknown option "Frobnicate"`}},
		{"unknown scheme", instance("bad", opt("URL", "ftp://host/RPC2")), []string{`instance "bad"`, "option URL", `unknown scheme "ftp"`}},
		{"timeout not a number", instance("bad", opt("URL", "scgi:///x.sock"), opt("Timeout", "abc")), []string{`instance "bad"`, "option Timeout", `got "abc"`}},
		{"timeout zero", instance("bad", opt("URL", "scgi:///x.sock"), opt("Timeout", 0)), []string{"option Timeout", "above 0"}},
		{"negative budget", instance("bad", opt("URL", "scgi:///x.sock"), opt("LoadBudget", -1)), []string{"option LoadBudget", "percentage"}},
		{"budget over 100", instance("bad", opt("URL", "scgi:///x.sock"), opt("LoadBudget", 150)), []string{"option LoadBudget"}},
		{"bool as number", instance("bad", opt("URL", "scgi:///x.sock"), opt("PerTracker", 1)), []string{"option PerTracker", "true or false"}},
		{"bool as word", instance("bad", opt("URL", "scgi:///x.sock"), opt("PeerFlags", "maybe")), []string{"option PeerFlags", `"maybe"`}},
		{"url missing", instance("bad", opt("Timeout", 1)), []string{`instance "bad"`, "option URL missing"}},
		{"url not a string", instance("bad", opt("URL", 5)), []string{"option URL", "quoted string"}},
		{"url relative socket", instance("bad", opt("URL", "scgi://rpc.socket")), []string{`instance "bad"`, "option URL"}},
		{"credentials on scgi", instance("bad", opt("URL", "scgi:///x.sock"), opt("Username", "u")), []string{`instance "bad"`, "Username/Password apply to http(s)"}},
		{"two values", instance("bad", opt("URL", "scgi:///x.sock"), cdconfig.Block{Key: "Timeout", Values: cdconfig.Values(1, 2)}), []string{"option Timeout takes exactly one value"}},
		{"given twice", instance("bad", opt("URL", "scgi:///x.sock"), opt("url", "scgi:///y.sock")), []string{"option url given twice"}},
		{"scan bounds", instance("bad", opt("URL", "scgi:///x.sock"), opt("MinScanInterval", 100), opt("MaxScanInterval", 50)), []string{"MaxScanInterval", "below MinScanInterval"}},
		{"proc root relative", instance("bad", opt("URL", "scgi:///x.sock"), opt("ProcRoot", "proc")), []string{"option ProcRoot", "absolute"}},
		{"reply cap zero", instance("bad", opt("URL", "scgi:///x.sock"), opt("MaxReplyMB", 0)), []string{"option MaxReplyMB"}},
		{"two problems, one error", instance("bad", opt("URL", "gopher://x"), opt("Timeout", "abc")), []string{"option URL", "option Timeout"}},
		{"name with dash", instance("my-box", opt("URL", "scgi:///x.sock")), []string{`instance "my-box"`, "letters, digits"}},
		{"name with slash", instance("../x", opt("URL", "scgi:///x.sock")), []string{`instance "../x"`}},
		{"name only dots", instance("..", opt("URL", "scgi:///x.sock")), []string{`instance ".."`}},
		{"name empty", instance("", opt("URL", "scgi:///x.sock")), []string{`instance ""`}},
		{"name too long", instance(strings.Repeat("a", 128), opt("URL", "scgi:///x.sock")), []string{"at most 127 bytes"}},
		{"name not a string", cdconfig.Block{Key: "Instance", Values: cdconfig.Values(1), Children: []cdconfig.Block{opt("URL", "scgi:///x.sock")}}, []string{"one quoted name"}},
		{"duplicate name", instance("good", opt("URL", "scgi:///y.sock")), []string{`instance "good": defined twice`}},
		{"stray option", opt("URL", "scgi:///x.sock"), []string{`unknown option "URL" in <Plugin rtorrent>`}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkOneError(t, tc.block, tc.want...) })
	}
}

func TestParseTimeoutClamp(t *testing.T) {
	for _, tc := range []struct {
		name     string
		timeout  any // nil: not given
		interval time.Duration
		want     time.Duration
		warn     bool
	}{
		{"default below interval", nil, 10 * time.Second, 5 * time.Second, false},
		{"default clamped silently", nil, 2 * time.Second, 1600 * time.Millisecond, false},
		{"given below", 3, 10 * time.Second, 3 * time.Second, false},
		{"given at interval", 10, 10 * time.Second, 8 * time.Second, true},
		{"given above", 30, 1 * time.Second, 800 * time.Millisecond, true},
		{"interval unknown", nil, 0, 5 * time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := []cdconfig.Block{opt("URL", "scgi:///x.sock")}
			if tc.timeout != nil {
				opts = append(opts, opt("Timeout", tc.timeout))
			}
			res := Parse(plugin(instance("main", opts...)), tc.interval)
			if len(res.Instances) != 1 {
				t.Fatalf("Parse = %+v", res)
			}
			if got := res.Instances[0].Timeout; got != tc.want || res.Instances[0].Client.Timeout != tc.want {
				t.Errorf("timeout %v, want %v", got, tc.want)
			}
			if (len(res.Warnings) > 0) != tc.warn {
				t.Errorf("warnings %v, want warning: %v", res.Warnings, tc.warn)
			}
			if tc.warn && !strings.Contains(res.Warnings[0], `instance "main"`) {
				t.Errorf("warning %q does not name the instance", res.Warnings[0])
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	res := Parse(cdconfig.Block{}, 10*time.Second)
	if len(res.Instances)+len(res.Errors)+len(res.Warnings) != 0 {
		t.Fatalf("Parse(empty) = %+v", res)
	}
}

func TestOptionNamesComplete(t *testing.T) {
	if len(optionNames) != len(options) {
		t.Fatalf("%d documented names for %d options", len(optionNames), len(options))
	}
	for _, n := range optionNames {
		if _, ok := options[strings.ToLower(n)]; !ok {
			t.Errorf("%s documented but not parsed", n)
		}
	}
}

// writeCA writes a throwaway self-signed certificate, only parsed, never
// used for a connection.
func writeCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rtmon test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
