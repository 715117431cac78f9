package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

const secret = "TOP-SECRET-OUTSIDE-DATADIR"

// hostileDataDir builds a DataDir with a normal host, hosts and files
// whose names carry markup, quotes, colons, backslashes and newlines, and
// symlinks that lead out of it to files holding a marker.
func hostileDataDir(t *testing.T) (string, string) {
	t.Helper()
	base := t.TempDir()
	dir, outside := filepath.Join(base, "rrd"), filepath.Join(base, "outside")
	gauge := []string{"value:GAUGE"}
	one := func(i, j int) float64 { return float64(i) }
	for _, rel := range []string{
		"box/load/load.rrd",
		"box/rtorrent-main/count-items_total.rrd",
		"<script>alert(1)/rtorrent-<img src=x onerror=alert(2)>/count-items_total.rrd",
		`q"uote/rtorrent-a"b/count-items_total.rrd`,
		"co:lon/rtorrent-a:b/rtorrent_rate-up.rrd",
		`back\slash/rtorrent-c\d/count-items_total.rrd`,
		"new\nline/load/load.rrd",
		"box/bad\nplugin/load.rrd",
	} {
		ds := gauge
		if strings.HasSuffix(rel, "load/load.rrd") {
			ds = []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}
		}
		collectdenv.RRD(t, dir, rel, ds, 20, one)
	}
	collectdenv.RRD(t, outside, "host/load/load.rrd", []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}, 20, one)
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte(secret), 0o644)
	for link, target := range map[string]string{
		"evil":             filepath.Join(outside, "host"),
		"box/evilplugin":   filepath.Join(outside, "host/load"),
		"box/load/out.rrd": filepath.Join(outside, "host/load/load.rrd"),
		"box/load/txt.rrd": filepath.Join(outside, "secret.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, outside
}

// TestTraversalAndInjection: every way of naming something outside the
// index, or of smuggling a separator into a name, is refused; names that
// are in the index come back escaped in HTML and JSON.
func TestTraversalAndInjection(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box"})

	for _, path := range []string{
		"/host/..", "/host/%2e%2e", "/host/%2E%2E", "/host/%252e%252e", "/host/..%2f..%2fetc",
		"/host/box%2f..%2f..", "/host/box%2F..", "/host/%2e%2e%2foutside", "/host/..%5c..%5c", "/host/box%5c..",
		"/host/evil", "/host/new%0aline", "/host/new%0Aline", "/host/%00",
		"/graph/box/..%2fload.load", "/graph/box/load.load%2f..%2f..%2foutside", "/graph/evil/load.load",
		"/graph/box/evilplugin.load", "/graph/box/load.out", "/graph/box/load.txt", "/graph/%2e%2e/load.load",
		"/graph/box/..%5cload.load", "/graph/box/bad%0Aplugin.load", "/graph/..%2f..%2foutside/load.load",
		"/host/box/..%2f..%2foutside", "/api/series?host=..&graph=load.load", "/api/series?host=box&graph=../load.load",
		"/api/series?host=evil&graph=load.load", "/api/series?host=box&graph=load.out", "/api/series?host=box&graph=load.txt",
		"/static/../web/server.go", "/static/%2e%2e/assets.go", "/static/..%2fassets.go", "/static/",
	} {
		r := get(t, s.URL, path)
		if r.Code == http.StatusOK || (r.Code != 404 && r.Code != 400) {
			t.Errorf("GET %s = %d, want 404 or 400: %.200s", path, r.Code, r.Body)
		}
		if bytes.Contains(r.Body, []byte(secret)) {
			t.Errorf("GET %s leaked the secret", path)
		}
	}

	// The real host and graph work, so the refusals above are refusals.
	if r := get(t, s.URL, "/graph/box/load.load?range=1h&w=400&h=200"); r.Code != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("box/load.load = %d %s", r.Code, r.Body)
	}

	// Hostile names in the index: escaped in HTML, intact in JSON, and
	// their graphs draw (a ':' or '\' unescaped would break the DEF).
	hosts := get(t, s.URL, "/hosts")
	for _, bad := range []string{"<script>alert(1)", `<img src=x`, `"uote`} {
		if bytes.Contains(hosts.Body, []byte(bad)) {
			t.Errorf("/hosts holds %q unescaped", bad)
		}
	}
	for _, esc := range []string{"&lt;script&gt;alert(1)", "q&#34;uote", "co:lon", `back\slash`, `href="/host/%3Cscript%3Ealert%281%29"`} {
		if !bytes.Contains(hosts.Body, []byte(esc)) {
			t.Errorf("/hosts lacks %q", esc)
		}
	}
	if bytes.Contains(hosts.Body, []byte("new\nline")) || bytes.Contains(hosts.Body, []byte(">evil<")) {
		t.Error("/hosts lists a refused entry")
	}
	for _, tc := range []struct{ host, graph string }{
		{"%3Cscript%3Ealert%281%29", "rtorrent-%3Cimg%20src=x%20onerror=alert%282%29%3E.items"},
		{"q%22uote", "rtorrent-a%22b.items"},
		{"co:lon", "rtorrent-a:b.traffic"},
		{"back%5Cslash", "rtorrent-c%5Cd.items"},
	} {
		page := get(t, s.URL, "/host/"+tc.host)
		if page.Code != 200 {
			t.Errorf("/host/%s = %d", tc.host, page.Code)
			continue
		}
		if bytes.Contains(page.Body, []byte("<script>alert")) || bytes.Contains(page.Body, []byte("<img src=x")) {
			t.Errorf("/host/%s holds markup from a name", tc.host)
		}
		for _, f := range []string{"png", "svg"} {
			r := get(t, s.URL, "/graph/"+tc.host+"/"+tc.graph+"?range=1h&fmt="+f)
			if r.Code != 200 {
				t.Errorf("graph %s/%s %s = %d %s", tc.host, tc.graph, f, r.Code, r.Body)
			}
			if f == "svg" && (bytes.Contains(r.Body, []byte("<script")) || bytes.Contains(r.Body, []byte("<img"))) {
				t.Errorf("SVG of %s holds markup", tc.host)
			}
		}
		gp := get(t, s.URL, "/host/"+tc.host+"/"+tc.graph)
		if gp.Code != 200 || bytes.Contains(gp.Body, []byte("<script>alert")) || bytes.Contains(gp.Body, []byte("<img src=x")) {
			t.Errorf("graph page %s/%s = %d or holds markup", tc.host, tc.graph, gp.Code)
		}
	}
	// JSON carries names as JSON strings: markup escaped as \u003c.
	s.Poller.Refresh(t.Context())
	live := get(t, s.URL, "/json/live")
	if bytes.Contains(live.Body, []byte("<script")) || !bytes.Contains(live.Body, []byte(`\u003cscript\u003ealert(1)`)) {
		t.Errorf("/json/live does not escape markup in names: %.300s", live.Body)
	}
	var parsed struct {
		Source string
		Hosts  []struct{ Name string }
	}
	if err := json.Unmarshal(live.Body, &parsed); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, h := range parsed.Hosts {
		names[h.Name] = true
	}
	if parsed.Source != "rrd" || !names["<script>alert(1)"] || !names[`q"uote`] || !names["co:lon"] || names["evil"] || names["new\nline"] {
		t.Errorf("/json/live from the files: source %q hosts %v", parsed.Source, names)
	}
	// Series columns name files inside the index only.
	ser := get(t, s.URL, "/api/series?host=co:lon&graph=rtorrent-a:b.traffic&range=1h")
	if ser.Code != 200 || !bytes.Contains(ser.Body, []byte(`"file":"rtorrent-a:b/rtorrent_rate-up"`)) {
		t.Errorf("series of co:lon = %d %.300s", ser.Code, ser.Body)
	}
}

// everyRoute lists a request for each route, and a few that fail.
var everyRoute = []string{
	"/", "/json/live", "/json/charts", "/json/engine", "/hosts", "/host/box", "/host/box/load.load",
	"/graph/box/load.load?range=1h", "/graph/box/load.load?fmt=svg", "/api/series?host=box&graph=load.load&range=1h",
	"/static/app.css", "/static/live.js", "/static/graph.js", "/static/favicon.svg",
	"/traffic", "/json/traffic", "/static/traffic.js",
	"/nope", "/host/nope", "/graph/box/load.load?w=1", // 404, 404, 400
}

func checkHeaders(t *testing.T, path string, r reply) {
	t.Helper()
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", path, k, got, v)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !(strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "default-src 'none'")) {
		t.Errorf("%s: CSP %q", path, csp)
	}
}

// TestHeadersOnEveryRoute: the security headers are on every reply,
// errors included; only GET and HEAD are served.
func TestHeadersOnEveryRoute(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", EventLifetime: 1})
	for _, p := range append(everyRoute, "/events") {
		r := get(t, s.URL, p)
		checkHeaders(t, p, r)
		if strings.HasPrefix(p, "/graph/") && strings.Contains(p, "svg") && r.Code == 200 &&
			!strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("%s: SVG without a sandboxing CSP", p)
		}
	}
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, "PROPFIND"} {
		r := do(t, m, s.URL, "/json/live")
		if r.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s /json/live = %d", m, r.Code)
		}
		checkHeaders(t, m, r)
	}
	if r := do(t, http.MethodHead, s.URL, "/graph/box/load.load?range=1h"); r.Code != 200 || len(r.Body) != 0 {
		t.Errorf("HEAD graph = %d with %d bytes", r.Code, len(r.Body))
	}
}

// TestAuth: with -htpasswd every route asks for credentials; wrong ones
// are refused, right ones served.
func TestAuth(t *testing.T) {
	dir, _ := hostileDataDir(t)
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw-right"), bcrypt.MinCost)
	ht := filepath.Join(t.TempDir(), "htpasswd")
	os.WriteFile(ht, []byte("alice:"+string(hash)+"\n"), 0o600)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", Htpasswd: ht, EventLifetime: 1})
	basic := func(u, p string) string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(u, p)
		return req.Header.Get("Authorization")
	}
	for _, p := range append(everyRoute, "/events") {
		for _, tc := range []struct {
			name, auth string
		}{{"none", ""}, {"wrong password", basic("alice", "pw-wrong")}, {"unknown user", basic("bob", "pw-right")}, {"garbage", "Basic !!!"}} {
			var r reply
			if tc.auth == "" {
				r = get(t, s.URL, p)
			} else {
				r = get(t, s.URL, p, "Authorization", tc.auth)
			}
			if r.Code != http.StatusUnauthorized || !strings.Contains(r.Header.Get("WWW-Authenticate"), `Basic realm="rtmon"`) {
				t.Errorf("%s with %s = %d, want 401 with a challenge", p, tc.name, r.Code)
			}
			checkHeaders(t, p, r)
		}
		r := get(t, s.URL, p, "Authorization", basic("alice", "pw-right"))
		wantOK := !strings.Contains(p, "nope") && !strings.Contains(p, "w=1")
		if wantOK && r.Code != 200 && !(p == "/json/engine" && r.Code == 503) {
			t.Errorf("%s with the right password = %d %.200s", p, r.Code, r.Body)
		}
		if !wantOK && r.Code == http.StatusUnauthorized {
			t.Errorf("%s with the right password = 401", p)
		}
	}
	// With auth, any Host is fine (rebinding cannot supply credentials).
	if r := get(t, s.URL, "/hosts", "Host", "viewer.example.org", "Authorization", basic("alice", "pw-right")); r.Code != 200 {
		t.Errorf("Host viewer.example.org with auth = %d", r.Code)
	}
}

// TestHostCheck: without auth, a loopback viewer answers only loopback
// names and -allow-host names, defeating DNS rebinding.
func TestHostCheck(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", AllowHosts: []string{"rtmon.lan"}})
	for host, want := range map[string]int{
		"localhost": 200, "LOCALHOST:8042": 200, "127.0.0.1": 200, "127.0.0.1:9": 200, "[::1]:8042": 200,
		"rtmon.lan": 200, "rtmon.lan:8042": 200,
		"attacker.example": 421, "attacker.example:8042": 421, "127.0.0.1.attacker.example": 421, "10.0.0.1": 421,
	} {
		r := get(t, s.URL, "/hosts", "Host", host)
		if r.Code != want {
			t.Errorf("Host %q = %d, want %d", host, r.Code, want)
		}
		checkHeaders(t, host, r)
	}
}

// TestParamsBounded: out-of-range or malformed numbers are refused
// before anything is drawn.
func TestParamsBounded(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box"})
	for _, q := range []string{"w=0", "w=100000", "h=-1", "h=99999999999999999999", "fmt=gif", "theme=%3Cscript%3E",
		"range=10y", "start=0&end=1", "start=1&end=9999999999", "w=800&w=900", "start=abc"} {
		for _, base := range []string{"/graph/box/load.load?", "/api/series?host=box&graph=load.load&", "/host/box/load.load?"} {
			r := get(t, s.URL, base+q)
			if r.Code != 400 {
				t.Errorf("%s%s = %d, want 400", base, q, r.Code)
			}
			if bytes.Contains(r.Body, []byte("<script>")) {
				t.Errorf("%s%s echoes markup", base, q)
			}
		}
	}
}
