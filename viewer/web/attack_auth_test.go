package web

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func authServer(t *testing.T) (*testServer, string) {
	t.Helper()
	dir, _ := hostileDataDir(t)
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw-right"), bcrypt.MinCost)
	ht := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(ht, []byte("alice:"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", Htpasswd: ht, EventLifetime: 1})
	return s, "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:pw-right"))
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestAuthBypass: with -htpasswd nothing is served without the right
// credentials: not with malformed Authorization headers, not through
// other spellings of a path (case, encoding, doubled or trailing
// slashes, dot segments), not through HEAD or OPTIONS or other methods,
// and not from static assets, /events, JSON or graph images. TestAuth
// has missing, wrong and unknown credentials on every route.
func TestAuthBypass(t *testing.T) {
	s, good := authServer(t)
	malformed := map[string]string{
		"scheme only":        "Basic",
		"scheme and space":   "Basic ",
		"other scheme":       "Bearer " + b64("alice:pw-right"),
		"digest":             `Digest username="alice", response="x"`,
		"no colon":           "Basic " + b64("alicepw-right"),
		"empty user":         "Basic " + b64(":pw-right"),
		"empty password":     "Basic " + b64("alice:"),
		"colon only":         "Basic " + b64(":"),
		"not base64":         "Basic %%%%",
		"url-safe base64":    "Basic " + base64.URLEncoding.EncodeToString([]byte("alice:pw-right?>")),
		"truncated":          good[:len(good)-4],
		"password prefix":    "Basic " + b64("alice:pw-righ"),
		"password + suffix":  "Basic " + b64("alice:pw-right\x00"),
		"user with NUL":      "Basic " + b64("alice\x00:pw-right"),
		"user case":          "Basic " + b64("Alice:pw-right"),
		"two credentials":    good + ", " + good,
		"huge":               "Basic " + strings.Repeat("A", 12000),
		"spaces in base64":   "Basic " + b64("alice:pw-right")[:4] + " " + b64("alice:pw-right")[4:],
		"password in user":   "Basic " + b64("pw-right:alice"),
		"alice twice":        "Basic " + b64("alice:alice"),
		"only the hash user": "Basic " + b64("alice:"+"$2a$04$"),
	}
	for _, p := range append(everyRoute, "/events") {
		for name, h := range malformed {
			r := get(t, s.URL, p, "Authorization", h)
			if r.Code != http.StatusUnauthorized {
				t.Errorf("%s with %s = %d, want 401", p, name, r.Code)
			}
			checkHeaders(t, p+" "+name, r)
		}
	}
	// Other spellings and methods: never a 2xx and never content.
	for _, p := range []string{"/JSON/live", "/json/live/", "/json//live", "//json/live", "/json/./live", "/json/x/../live",
		"/%6Ason/live", "/json%2flive", "/static/../json/live", "/Static/app.css", "/static//app.css", "/static/app.css/",
		"/static/./app.css", "/static/%61pp.css", "/graph/box/load.load.png", "/events/", "/json/live?auth=alice:pw-right",
		"/json/live;alice", "/json/live%00", "/hosts#x", "/host/box?user=alice"} {
		r := get(t, s.URL, p)
		if r.Code < 300 || r.Code == 304 {
			t.Errorf("GET %s without credentials = %d", p, r.Code)
		}
		if strings.Contains(string(r.Body), `"hosts"`) || strings.Contains(string(r.Body), "<html") ||
			strings.Contains(string(r.Body), "function") || strings.Contains(string(r.Body), "PNG") {
			t.Errorf("GET %s without credentials returned content: %.100s", p, r.Body)
		}
	}
	for _, m := range []string{http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodPatch, http.MethodTrace, http.MethodConnect, "PROPFIND", "get"} {
		for _, p := range []string{"/", "/json/live", "/static/app.css", "/graph/box/load.load", "/events", "/nope"} {
			r := do(t, m, s.URL, p)
			if r.Code < 300 {
				t.Errorf("%s %s without credentials = %d", m, p, r.Code)
			}
			if len(r.Body) > 0 && !strings.Contains(string(r.Body), "only GET") && !strings.Contains(string(r.Body), "authentication required") &&
				!strings.Contains(string(r.Body), "Bad Request") && !strings.Contains(string(r.Body), "method") {
				t.Errorf("%s %s without credentials returned %.100q", m, p, r.Body)
			}
			checkHeaders(t, m+" "+p, r)
		}
	}
	// The right credentials still work, with the scheme in any case
	// (RFC 7617), so the refusals above are refusals.
	for _, h := range []string{good, "basic " + strings.TrimPrefix(good, "Basic "), "BASIC " + strings.TrimPrefix(good, "Basic ")} {
		if r := get(t, s.URL, "/json/live", "Authorization", h); r.Code != 200 {
			t.Errorf("%q = %d, want 200", h, r.Code)
		}
	}
	// A refusal names nothing: no user, no hint whether it exists.
	a := get(t, s.URL, "/json/live", "Authorization", "Basic "+b64("alice:wrong"))
	b := get(t, s.URL, "/json/live", "Authorization", "Basic "+b64("nobody:wrong"))
	if string(a.Body) != string(b.Body) || a.Code != b.Code {
		t.Errorf("a wrong password (%d %s) and an unknown user (%d %s) are answered differently", a.Code, a.Body, b.Code, b.Body)
	}
}

// TestHeadersOnErrors: CSP, nosniff and frame headers are on every error
// the viewer answers (400, 401, 404, 405, 421) and on static assets and
// HEAD replies, not only on pages. (Requests Go's server refuses before
// any handler, such as a malformed escape or 431, get Go's plain-text
// reply without them; see docs/SECURITY.md.)
func TestHeadersOnErrors(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", EventLifetime: 1})
	as, _ := authServer(t)
	for _, tc := range []struct {
		base, method, path string
		hdr                []string
		want               int
	}{
		{s.URL, "GET", "/graph/box/load.load?w=1", nil, 400},
		{s.URL, "GET", "/api/series?host=box", nil, 400},
		{s.URL, "GET", "/host/box%25zz", nil, 404},
		{s.URL, "GET", "/nope", nil, 404},
		{s.URL, "GET", "/static/nope.js", nil, 404},
		{s.URL, "GET", "/static/", nil, 404},
		{s.URL, "GET", "/json/engine?host=nope", nil, 404},
		{s.URL, "POST", "/json/live", nil, 405},
		{s.URL, "OPTIONS", "/", nil, 405},
		{s.URL, "GET", "/hosts", []string{"Host", "evil.example"}, 421},
		{s.URL, "GET", "/json/engine?host=box&instance=nope", nil, 404},
		{s.URL, "HEAD", "/static/app.css", nil, 200},
		{s.URL, "HEAD", "/nope", nil, 404},
		{s.URL, "GET", "/static/live.js", nil, 200},
		{s.URL, "GET", "/static/favicon.svg", nil, 200},
		{as.URL, "GET", "/static/app.css", nil, 401},
		{as.URL, "HEAD", "/", nil, 401},
		{as.URL, "OPTIONS", "/", nil, 405},
	} {
		r := do(t, tc.method, tc.base, tc.path, tc.hdr...)
		if r.Code != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, r.Code, tc.want)
		}
		checkHeaders(t, tc.method+" "+tc.path, r)
		if ct := r.Header.Get("Content-Type"); r.Code >= 400 && tc.method != "HEAD" && strings.Contains(ct, "html") {
			t.Errorf("%s %s: error as %s (errors are text or JSON)", tc.method, tc.path, ct)
		}
	}
}
