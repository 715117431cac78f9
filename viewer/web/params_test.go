package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// paramValues are hostile values for every query parameter of docs/api.md:
// out of range, wrong type, huge, NUL, newlines, unicode.
var paramValues = []string{
	"-1", "0", "1e3", "0x10", "99999999999999999999", strings.Repeat("9", 5000), "\x00", "800\x00",
	"\n", "800\n", "\r\n", "√", "８００", "\u202e008", "<script>alert(1)</script>", `"'`, "..%2f..", "%zz",
	strings.Repeat("x", 6000),
}

// TestParamsHostile: every parameter of every endpoint in docs/api.md,
// given each hostile value, and given twice: the viewer answers 400 (a
// parameter it parses) or 404/503 (a name it looks up, with no such host
// or no data), with a one-line message in the endpoint's format, and
// keeps serving.
func TestParamsHostile(t *testing.T) {
	dir := t.TempDir()
	one := func(i, j int) float64 { return float64(i) }
	collectdenv.RRD(t, dir, "box/load/load.rrd", []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}, 20, one)
	collectdenv.RRD(t, dir, "box/rtorrent-main/count-items_total.rrd", []string{"value:GAUGE"}, 20, one)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box"})
	s.Poller.Refresh(t.Context())

	type endpoint struct {
		path   string
		base   url.Values // the other parameters, valid
		params []string   // the parameters it reads
		names  bool       // its parameters are names looked up (404), not parsed (400)
	}
	graphParams := []string{"range", "start", "end", "w", "h", "fmt", "theme"}
	endpoints := []endpoint{
		{path: "/graph/box/load.load", params: graphParams},
		{path: "/host/box/load.load", params: graphParams},
		{path: "/host/box", params: graphParams},
		{path: "/api/series", base: url.Values{"host": {"box"}, "graph": {"load.load"}}, params: []string{"range", "start", "end", "w"}},
		{path: "/api/series", base: url.Values{"graph": {"load.load"}}, params: []string{"host"}, names: true},
		{path: "/api/series", base: url.Values{"host": {"box"}}, params: []string{"graph"}, names: true},
		{path: "/json/engine", params: []string{"host", "instance"}, names: true},
		{path: "/json/charts", params: []string{"host", "instance"}, names: true},
		{path: "/json/traffic", params: []string{"from", "to", "tz"}},
		{path: "/json/traffic", params: []string{"host", "instance"}, names: true},
		{path: "/traffic", params: []string{"from", "to", "tz"}},
		{path: "/traffic", params: []string{"host", "instance"}, names: true},
	}
	for _, ep := range endpoints {
		for _, p := range ep.params {
			values := append([]string(nil), paramValues...)
			for _, v := range values {
				q := cloneValues(ep.base)
				q.Set(p, v)
				check(t, s.URL, ep.path+"?"+q.Encode(), ep.names)
			}
			// Repeated: the same value twice, and a valid one with junk.
			valid := map[string]string{"range": "1h", "start": "", "end": "", "w": "800", "h": "300", "fmt": "png",
				"theme": "dark", "host": "box", "graph": "load.load", "instance": "main", "tz": "UTC"}[p]
			q := cloneValues(ep.base)
			q[p] = []string{valid, valid}
			if valid == "" {
				valid = "1799990000"
				q[p] = []string{valid, valid}
			}
			if r := get(t, s.URL, ep.path+"?"+q.Encode()); r.Code != http.StatusBadRequest {
				t.Errorf("GET %s?%s = %d, want 400 for a repeated %s: %.200s", ep.path, q.Encode(), r.Code, p, r.Body)
			}
		}
	}
	// Still serving.
	if r := get(t, s.URL, "/graph/box/load.load?range=1h"); r.Code != http.StatusOK {
		t.Fatalf("after the hostile requests: %d %s", r.Code, r.Body)
	}
}

// check GETs path and checks the error reply: 400, or 404/503 where names
// may be looked up; one line; JSON under /json/ and /api/. It returns the
// reply.
func check(t *testing.T, base, path string, names bool) reply {
	t.Helper()
	r := get(t, base, path)
	switch {
	case r.Code == http.StatusBadRequest:
	case names && (r.Code == http.StatusNotFound || r.Code == http.StatusServiceUnavailable):
	case r.Code == http.StatusOK && names:
		return r // a lookup that found something: fine
	default:
		t.Errorf("GET %.120q = %d, want 400%s: %.200s", path, r.Code, map[bool]string{true: " or 404/503"}[names], r.Body)
		return r
	}
	msg := string(r.Body)
	if strings.HasPrefix(path, "/json/") || strings.HasPrefix(path, "/api/") {
		var e struct{ Error string }
		if err := json.Unmarshal(r.Body, &e); err != nil || e.Error == "" {
			t.Errorf("GET %.120q: %d body %.200q is not {\"error\": …}", path, r.Code, r.Body)
		}
		msg = e.Error
	} else {
		msg = strings.TrimSuffix(msg, "\n")
	}
	if strings.ContainsAny(msg, "\n\r\x00") || len(msg) > 300 {
		t.Errorf("GET %.120q: message not one short line: %.300q", path, msg)
	}
	return r
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}
