package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// Names a hostile collectd peer sends. Each payload would change
// document.title (or add an element) if it ever became markup.
const (
	xssHost   = `<img src=x onerror="document.title='xss-host'">`
	xssInst   = `<svg onload=document.title='xss-inst'>`
	xssAttr   = `x" onmouseover="document.title='xss-attr'" y="`
	xssJSHost = `javascript:document.title='xss-js'`
	xssLabel  = `<svg onload=document.title='xss-label'>`
	xssTrack  = `"'><script>document.title='xss-tracker'<`
)

// rrdNames are type instances of a plugin the viewer does not know, so
// each gets a graph of its own file; they carry rrdtool graph syntax.
// The values tell the files apart.
var rrdNames = []struct {
	host, pinst, tinst string
	value              float64
}{
	{"peer", "", "a:b", 201},
	{"peer", "", "x:COMMENT:injected", 202},
	{"peer", "", "DEF:y=z:value:AVERAGE", 203},
	{"peer", "", `c\`, 204},
	{"peer", "", `d\:e`, 205},
	{"peer", "", "%s%n%x", 206},
	{"peer", "", `\g\n\l`, 207},
	{"peer", "p:q", "v", 208},
	{"h:o:s:t", "", "v", 209},
	{"peer", "", `q"uote 'and' space`, 210},
}

// ctlNames hold control bytes; the viewer must leave them out (they
// cannot be sent back to collectd) without losing anything else.
var ctlNames = []peerValue{
	{"nl\nPUTVAL injected/rtorrent-main/count-items_total N:999", "rtorrent", "main", "count", "items_total", []float64{301}},
	{"peer", "rtorrent", "nl\nFLUSH", "count", "items_total", []float64{302}},
	{"cr\rx", "rtorrent", "main", "count", "items_total", []float64{303}},
	{"peer", "probe", "", "gauge", "esc\x1b[31m", []float64{304}},
	{"peer", "probe", "", "gauge", "del\x7f", []float64{305}},
	{"\xc3\xbf\nzz/last", "probe", "", "gauge", "v", []float64{306}},
}

func hostileValues() []peerValue {
	group := func(inst, ti string, v float64) peerValue {
		vals := make([]float64, 11)
		for i := range vals {
			vals[i] = v
		}
		return peerValue{"peer", "rtorrent", inst, "rtorrent_group", ti, vals}
	}
	vals := []peerValue{
		{xssHost, "rtorrent", "main", "count", "items_total", []float64{101}},
		{"peer", "rtorrent", xssInst, "count", "items_total", []float64{102}},
		{"peer", "rtorrent", xssAttr, "count", "items_total", []float64{103}},
		{xssJSHost, "rtorrent", "main", "count", "items_total", []float64{104}},
		group("groups", "label_"+catalogue.Escape(xssLabel), 105),
		group("groups", "tracker_"+catalogue.Escape(xssTrack), 106),
	}
	for _, n := range rrdNames {
		vals = append(vals, peerValue{n.host, "probe", n.pinst, "gauge", n.tinst, []float64{n.value}})
	}
	return append(vals, ctlNames...)
}

// TestHostilePeer: a collectd peer sends names full of markup, rrdtool
// graph syntax and control bytes over collectd's network plugin (signed)
// to the central collectd the viewer reads. The central collectd keeps
// values in its cache, so a graph shows them only after a FLUSH naming
// the hostile identifier exactly.
//
//   - live data still comes from collectd (a name with a newline must not
//     break LISTVAL for everyone), and names with control bytes are left
//     out, never sent back, never injected into collectd;
//   - every graph of a hostile name draws that file's value and no other
//     (a ':' or a quote misread would name another file or fail);
//   - in headless Chromium no payload runs or becomes an element on any
//     page, and the names are shown as text.
func TestHostilePeer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two collectd daemons and Chromium")
	}
	p := startHostilePeer(t, hostileValues(), 3600)
	waitListed(t, p, 30*time.Second, xssHost+"/rtorrent-main/count-items_total", "peer/probe/gauge-a:b", "h:o:s:t/probe/gauge-v",
		"peer/rtorrent-groups/rtorrent_group-label_"+catalogue.Escape(xssLabel), "peer/rtorrent-"+xssAttr+"/count-items_total")
	sv := startServer(t, serverOptions{DataDir: p.Central.DataDir, Socket: p.Central.Sock, Hostname: "central",
		IndexMaxAge: time.Millisecond, EventLifetime: 1})

	t.Run("live", func(t *testing.T) { hostileLive(t, p, sv) })
	t.Run("graphs", func(t *testing.T) { hostileGraphs(t, sv) })
	t.Run("browser", func(t *testing.T) { hostileBrowser(t, sv) })
	t.Run("nothing injected", func(t *testing.T) {
		// Request text never reaches the unixsock either: every
		// parameter with a command after a newline (or CR, NUL) is
		// answered without collectd acting on it.
		for _, inj := range []string{"%0aPUTVAL%20injected%2Fprobe%2Fgauge%20N:1", "%0d%0aPUTVAL%20injected%2Fprobe%2Fgauge%20N:1",
			"%00%0aPUTVAL%20injected%2Fprobe%2Fgauge%20N:1", "%22%0aPUTVAL%20%22injected%2Fprobe%2Fgauge%22%20N:1"} {
			for _, path := range []string{"/host/peer" + inj, "/host/peer/probe.gauge-a:b" + inj, "/graph/peer" + inj + "/probe.gauge-a:b",
				"/graph/peer/probe.gauge-a:b" + inj, "/api/series?range=1h&graph=probe.gauge-a:b&host=peer" + inj,
				"/api/series?range=1h&host=peer&graph=probe.gauge-a:b" + inj, "/json/engine?host=peer" + inj,
				"/json/charts?host=peer&instance=main" + inj} {
				if r := get(t, sv.URL, path); r.Code < 400 {
					t.Errorf("GET %s = %d", path, r.Code)
				}
			}
		}
		lines, err := p.Central.Command("LISTVAL")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			// Lines that do not start with a time continue a name with a
			// newline; an injected PUTVAL would list as an entry.
			if ts, id, _ := strings.Cut(l, " "); isTime(ts) && strings.HasPrefix(id, "injected/") {
				t.Errorf("collectd holds an injected value list: %q", l)
			}
		}
	})
}

func isTime(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// waitListed waits until the central collectd lists every id.
func waitListed(t *testing.T, p *hostilePeer, d time.Duration, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		lines, err := p.Central.Command("LISTVAL")
		missing := ""
		for _, id := range ids {
			found := false
			for _, l := range lines {
				if strings.HasSuffix(l, " "+id) {
					found = true
				}
			}
			if !found {
				missing = id
				break
			}
		}
		if err == nil && missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the central collectd never listed %q (err %v)", missing, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func hostileLive(t *testing.T, p *hostilePeer, sv *testServer) {
	snap := sv.Poller.Refresh(t.Context())
	if snap.Source != "collectd" {
		t.Fatalf("live source %q (%s), want collectd: one peer's names must not cost everyone the live data", snap.Source, snap.Note)
	}
	items := map[string]float64{} // host/instance -> items total
	for _, h := range snap.Hosts {
		for _, c := range h.Name {
			if c < 0x20 || c == 0x7f {
				t.Errorf("live data holds host %q with a control byte", h.Name)
			}
		}
		for _, in := range h.RTorrent {
			if v := in.Items["total"]; v != nil {
				items[h.Name+"/"+in.Name] = *v
			}
		}
	}
	for key, want := range map[string]float64{xssHost + "/main": 101, "peer/" + xssInst: 102, "peer/" + xssAttr: 103, xssJSHost + "/main": 104} {
		if items[key] != want {
			t.Errorf("live items of %q = %v, want %v (all: %v)", key, items[key], want, items)
		}
	}
	for key := range items {
		if strings.ContainsAny(key, "\n\r") || strings.Contains(key, "injected") {
			t.Errorf("live data lists %q", key)
		}
	}
	// The central collectd's own values are still read after the
	// hostile entries (the connection stayed in step).
	var central bool
	for _, h := range snap.Hosts {
		central = central || (h.Name == "central" && h.Load != nil)
	}
	if !central {
		t.Errorf("the central host lost its values: %s", mustJSON(snap.Hosts))
	}
	// Names with control bytes are left out of the index too: no page
	// lists them and no graph of theirs can be asked for (so none is
	// FLUSHed).
	for _, path := range []string{"/hosts", "/host/peer", "/json/live"} {
		r := get(t, sv.URL, path)
		for _, c := range []string{"\r", "\x1b", "\x7f", "\\r", "\\u001b", "\\u007f", "PUTVAL", "FLUSH"} {
			if strings.Contains(string(r.Body), c) {
				t.Errorf("%s shows %q from a name with a control byte", path, c)
			}
		}
	}
	for i := 0; i < 3; i++ { // and it stays so, poll after poll
		if s := sv.Poller.Refresh(t.Context()); s.Source != "collectd" {
			t.Fatalf("poll %d: source %q (%s)", i, s.Source, s.Note)
		}
	}
}

// seriesValue returns the last known value of a graph's first column.
func seriesValue(t *testing.T, sv *testServer, host, graph string) (float64, string) {
	t.Helper()
	q := url.Values{"host": {host}, "graph": {graph}, "range": {"1h"}}
	r := get(t, sv.URL, "/api/series?"+q.Encode())
	if r.Code != 200 {
		return 0, fmt.Sprintf("status %d: %s", r.Code, r.Body)
	}
	var s struct {
		Columns []struct{ File string } `json:"columns"`
		Rows    [][]*float64            `json:"rows"`
	}
	if err := json.Unmarshal(r.Body, &s); err != nil {
		return 0, err.Error()
	}
	last := 0.0
	for _, row := range s.Rows {
		if len(row) > 1 && row[1] != nil {
			last = *row[1]
		}
	}
	return last, string(r.Body)
}

func hostileGraphs(t *testing.T, sv *testServer) {
	for _, n := range rrdNames {
		pdir := "probe"
		if n.pinst != "" {
			pdir += "-" + n.pinst
		}
		graph := pdir + ".gauge-" + n.tinst
		// The first render FLUSHes the identifier; the file then holds
		// the value (collectd answers FLUSH before writing, so poll).
		var got float64
		var detail string
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if got, detail = seriesValue(t, sv, n.host, graph); got == n.value {
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
		if got != n.value {
			t.Errorf("%s/%s: series shows %v, want %v: %.300s", n.host, graph, got, n.value, detail)
			continue
		}
		path := "/graph/" + url.PathEscape(n.host) + "/" + url.PathEscape(graph) + "?range=1h&fmt=svg"
		r := getUntil200(t, sv.URL, path)
		if r.Code != 200 {
			t.Errorf("%s: %d %s", path, r.Code, r.Body)
			continue
		}
		// rrdtool draws SVG text as glyph paths, so the legend cannot be
		// read back: the series above (xport, the same escaped DEF) is
		// what shows which file was read; here the graph must draw.
		if !bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("<?xml")) {
			t.Errorf("%s: not an SVG: %.100s", path, r.Body)
		}
	}
	if _, flushes := sv.Renderer.Stats(); flushes == 0 {
		t.Error("no FLUSH was sent: the graphs did not exercise the hostile identifiers on the unixsock")
	}
	// The label and tracker graphs draw too, with the names as titles.
	for _, id := range []string{"rtorrent-groups.rtorrent_group-label_" + catalogue.Escape(xssLabel) + ".items",
		"rtorrent-groups.rtorrent_group-tracker_" + catalogue.Escape(xssTrack) + ".traffic"} {
		r := getUntil200(t, sv.URL, "/graph/peer/"+url.PathEscape(id)+"?range=1h&fmt=svg")
		if r.Code != 200 || bytes.Contains(r.Body, []byte("<script")) || bytes.Contains(r.Body, []byte("<svg onload")) {
			t.Errorf("graph %s = %d or holds markup: %.300s", id, r.Code, r.Body)
		}
	}
}

// ranRE is what a payload sets document.title to.
var ranRE = regexp.MustCompile(`^xss-[a-z]+$`)

// getUntil200 retries a GET for a while. The viewer itself waits out a
// file collectd is writing (rrd.retryLocked, about 0.3 s, tested in
// viewer/rrd); this covers a loaded machine where collectd holds the lock
// longer right after the FLUSH, and the render queue's 503. The page's
// content is checked by the caller either way.
func getUntil200(t *testing.T, base, path string) reply {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		if r := get(t, base, path); r.Code == 200 || time.Now().After(deadline) {
			return r
		}
	}
}

// injected returns the first element of the rendered DOM a payload
// made: an img or svg it names, an event handler attribute, an inline
// script, or a javascript: link. Text that merely shows a payload is
// fine.
func injected(dom string) string {
	doc, err := html.Parse(strings.NewReader(dom))
	if err != nil {
		return "unparsable DOM: " + err.Error()
	}
	var found string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					found = fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val)
				case (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(v, "javascript:"):
					found = fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val)
				case n.Data == "img" && a.Key == "src" && a.Val == "x":
					found = "<img src=x>"
				}
			}
			if n.Data == "script" && n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != "" {
				found = "inline <script>" + n.FirstChild.Data
			}
		}
		for c := n.FirstChild; c != nil && found == ""; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

func hostileBrowser(t *testing.T, sv *testServer) {
	testenv.Need(t, "chromium")
	sv.Poller.Refresh(t.Context())
	label := "rtorrent-groups.rtorrent_group-label_" + catalogue.Escape(xssLabel)
	track := "rtorrent-groups.rtorrent_group-tracker_" + catalogue.Escape(xssTrack)
	pages := []struct {
		path string
		want []string // text that must show, as the DOM serializes it
	}{
		{"/?transport=poll", []string{"&lt;img src=x onerror=\"document.title='xss-host'\"&gt;", "&lt;svg onload=document.title='xss-inst'&gt;", xssJSHost}},
		{"/", []string{"&lt;img src=x onerror="}},
		{"/hosts", []string{"&lt;img src=x onerror=", xssJSHost, "h:o:s:t"}},
		{"/host/" + url.PathEscape(xssHost), []string{"&lt;img src=x onerror="}},
		{"/host/peer", []string{"&lt;svg onload=document.title='xss-inst'&gt;", "&lt;svg onload=document.title='xss-label'&gt;", "\"'&gt;&lt;script&gt;document.title='xss-tracker'&lt;"}},
		{"/host/" + url.PathEscape(xssJSHost), nil},
		{"/host/peer/" + url.PathEscape(label+".items"), []string{"xss-label"}},
		{"/host/peer/" + url.PathEscape(track+".traffic"), []string{"xss-tracker"}},
		{"/host/peer/" + url.PathEscape("rtorrent-"+xssAttr+".items"), []string{"onmouseover=\"document.title='xss-attr'\""}},
		{"/json/live", []string{"xss-host", "xss-inst"}},
		{"/api/series?" + url.Values{"host": {"peer"}, "graph": {label + ".items"}, "range": {"1h"}}.Encode(), nil},
		{"/graph/peer/" + url.PathEscape(label+".items") + "?range=1h&fmt=svg", nil},
	}
	for _, pg := range pages {
		dom := chromium(t, "--virtual-time-budget=5000", "--dump-dom", sv.URL+pg.path)
		title := regexp.MustCompile(`(?s)<title>(.*?)</title>`).FindStringSubmatch(dom)
		if title != nil && ranRE.MatchString(strings.TrimSpace(title[1])) {
			t.Errorf("%s: a payload ran: title %q", pg.path, title[1])
		}
		if m := injected(dom); m != "" {
			t.Errorf("%s: payload markup became part of the page: %q", pg.path, m)
		}
		for _, bad := range []string{"data-js-errors", "data-csp-violations"} {
			if strings.Contains(dom, bad) {
				t.Errorf("%s: %s in the page", pg.path, bad)
			}
		}
		for _, w := range pg.want {
			if !strings.Contains(dom, w) {
				i := strings.Index(dom, "<main")
				t.Errorf("%s: the page does not show %q as text: %.2000s", pg.path, w, dom[max(i, 0):])
			}
		}
	}
}
