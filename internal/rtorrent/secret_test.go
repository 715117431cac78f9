package rtorrent

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// pw is the password every case below carries; no message may hold it,
// nor the parts of it a parser error might excerpt.
const pw = "s3cr3t%zzPW"

func assertNoSecret(t *testing.T, msg string, want ...string) {
	t.Helper()
	for _, s := range []string{"s3cr3t", "zzPW", "%zz", "PW@"} {
		if strings.Contains(msg, s) {
			t.Errorf("message shows the password (%q): %s", s, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message spans lines: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
}

// TestURLSecretsInParseErrors: every way a URL with a password can be
// refused says what is wrong and where, with the password replaced.
func TestURLSecretsInParseErrors(t *testing.T) {
	tests := []struct{ name, raw, want string }{
		{"bad escape in password", "http://admin:" + pw + "@127.0.0.1/RPC2", "invalid URL escape"},
		{"bad escape, password with slash", "http://admin:s3cr3t/%zzPW@127.0.0.1/RPC2", "admin:xxxxx@127.0.0.1"},
		{"password read as a port", "http://admin:s3cr3tPW/x@127.0.0.1/RPC2", "admin:xxxxx@127.0.0.1"},
		{"no scheme", "admin:s3cr3tPW@127.0.0.1/RPC2", "admin:xxxxx@127.0.0.1"},
		{"no slashes", "http:admin:s3cr3tPW@127.0.0.1/RPC2", "xxxxx@127.0.0.1"},
		{"unknown scheme", "gopher://admin:s3cr3tPW@127.0.0.1/", `unknown scheme "gopher"`},
		{"scgi with user", "scgi://admin:s3cr3tPW@127.0.0.1:5000", "no authentication"},
		{"too long", "http://admin:s3cr3tPW@127.0.0.1/" + strings.Repeat("a", MaxURLLen), "longer than"},
		{"space in host", "http://admin:s3cr3tPW@127.0.0 .1/RPC2", "admin:xxxxx@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{Name: "box", URL: tt.raw})
			if err == nil {
				t.Fatalf("New(%q) succeeded", tt.raw)
			}
			assertNoSecret(t, err.Error(), `rtorrent "box"`, "URL ", tt.want)
		})
	}
}

// TestDisplayKeepsPathAt: a URL that parses is shown as net/url redacts
// it; an '@' in its path is not taken for a user part.
func TestDisplayKeepsPathAt(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1/a:b@c":                "http://127.0.0.1/a:b@c",
		"http://admin:s3cr3tPW@127.0.0.1/a:b@c": "http://admin:xxxxx@127.0.0.1/a:b@c",
		"scgi:///run/rt@1/rpc.socket":           "scgi:///run/rt@1/rpc.socket",
	} {
		ep, err := ParseURL(raw)
		if err != nil || ep.Display != want {
			t.Errorf("ParseURL(%q) shows %q, %v; want %q", raw, ep.Display, err, want)
		}
	}
}

// TestURLSecretsAtReadTime: failures while reading an http(s) URL with a
// password in it (and in Password) keep it out of the error, which names
// the instance and the URL with the password replaced.
func TestURLSecretsAtReadTime(t *testing.T) {
	testenv.Need(t, "rtorrent", "nginx")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	web := testenv.StartNginx(t, rt.Socket, "rt", "right-password")
	gone := testenv.StartNginx(t, "/nonexistent/rpc.socket", "rt", pw)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer tlsSrv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	withUser := func(u string) string {
		return strings.Replace(u, "://", "://admin:"+strings.ReplaceAll(pw, "%", "%25")+"@", 1)
	}

	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"connection refused, password in URL", Config{URL: withUser("http://" + closed + "/RPC2")}, "connection refused"},
		{"connection refused, Password option", Config{URL: "http://" + closed + "/RPC2", Username: "admin", Password: pw}, "connection refused"},
		{"401 from nginx, password in URL", Config{URL: withUser(web.URL)}, "401"},
		{"401 from nginx, Password option", Config{URL: web.URL, Username: "rt", Password: pw}, "401"},
		{"502 from nginx, rTorrent gone", Config{URL: gone.URL, Username: "rt", Password: pw}, "502"},
		{"502 from nginx, password in URL", Config{URL: strings.Replace(gone.URL, "://", "://rt:"+strings.ReplaceAll(pw, "%", "%25")+"@", 1)}, "502"},
		{"TLS unknown authority, password in URL", Config{URL: withUser(tlsSrv.URL + "/RPC2")}, "certificate"},
		{"TLS unknown authority, Password option", Config{URL: tlsSrv.URL + "/RPC2", Username: "admin", Password: pw}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Name, tt.cfg.Timeout = "box", 5*time.Second
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Call(context.Background(), "system.pid")
			if err == nil {
				t.Fatal("call succeeded")
			}
			host := strings.TrimPrefix(strings.TrimPrefix(strings.SplitN(tt.cfg.URL, "/RPC2", 2)[0], "http://"), "https://")
			if i := strings.LastIndexByte(host, '@'); i >= 0 {
				host = host[i+1:]
			}
			assertNoSecret(t, err.Error(), `rtorrent "box"`, host, tt.want)
			if strings.Count(err.Error(), host) != 1 {
				t.Errorf("the URL appears more than once: %s", err)
			}
		})
	}
}

// TestCleartextAuth: the warning is given exactly for credentials sent
// over plain http to a host that is not loopback.
func TestCleartextAuth(t *testing.T) {
	tests := []struct {
		cfg  Config
		warn bool
	}{
		{Config{URL: "http://seedbox.example/RPC2", Username: "u", Password: pw}, true},
		{Config{URL: "http://admin:s3cr3tPW@192.0.2.7:8080/RPC2"}, true},
		{Config{URL: "http://seedbox.example/RPC2", Password: pw}, true},
		{Config{URL: "http://seedbox.example/RPC2"}, false},
		{Config{URL: "https://seedbox.example/RPC2", Username: "u", Password: pw}, false},
		{Config{URL: "http://127.0.0.1:8080/RPC2", Username: "u", Password: pw}, false},
		{Config{URL: "http://localhost/RPC2", Username: "u", Password: pw}, false},
		{Config{URL: "http://[::1]/RPC2", Username: "u", Password: pw}, false},
		{Config{URL: "http://admin:s3cr3tPW@127.0.0.2/RPC2"}, false},
	}
	for _, tt := range tests {
		tt.cfg.Name = "box"
		c, err := New(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		w := c.CleartextAuth()
		if (w != "") != tt.warn {
			t.Errorf("%s (user %q): warning %q, want one: %v", tt.cfg.URL, tt.cfg.Username, w, tt.warn)
		}
		if w != "" {
			assertNoSecret(t, w, `rtorrent "box"`, "clear text", "https://")
		}
	}
}
