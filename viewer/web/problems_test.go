package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/viewer/problems"
)

// hostileProblem is a notification whose names and message are markup:
// what a hostile seedbox could send a central collectd over the network
// plugin (names up to collectd's 127 bytes, no control characters).
func hostileProblem(t *testing.T, dir, host, inst, msg string) {
	t.Helper()
	in := fmt.Sprintf("Severity: FAILURE\nTime: %d\nHost: %s\nPlugin: rtorrent\nPluginInstance: %s\nType: rtmon\nTypeInstance: reachable\n\n%s\n",
		time.Now().Unix()-90, host, inst, msg)
	n, err := problems.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := problems.Record(dir, n, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestProblemsShownEscaped: problems recorded by rtmon-notify appear in
// /json/live and at the top of the live page, names and messages as
// text: markup in them never becomes an element or runs.
func TestProblemsShownEscaped(t *testing.T) {
	dir := t.TempDir()
	hostileProblem(t, dir, `<img src=x onerror="document.body.dataset.pwned=1">`, `"><script>document.body.dataset.pwned=2</script>`,
		`<b>bold</b> & <svg onload="document.body.dataset.pwned=3">`)
	hostileProblem(t, dir, "seedbox2", "main", "rTorrent unreachable: connection refused")
	st := startServer(t, serverOptions{ProblemsDir: dir})
	st.Poller.Refresh(t.Context())

	r := get(t, st.URL, "/json/live")
	var s struct {
		Problems []problems.Problem `json:"problems"`
	}
	if err := json.Unmarshal(r.Body, &s); err != nil || len(s.Problems) != 2 {
		t.Fatalf("/json/live problems: %v, %s", err, r.Body)
	}

	testenv.Need(t, "chromium")
	dom := chromium(t, "--virtual-time-budget=5000", "--dump-dom", st.URL+"/?transport=poll")
	box := dom[strings.Index(dom, `<section id="problems"`):]
	box = box[:strings.Index(box, "</section>")]
	if strings.Contains(dom, "data-pwned") {
		t.Errorf("markup from a problem ran in the page")
	}
	for _, bad := range []string{"<img", "<script", "<svg", "<b>"} {
		if strings.Contains(box, bad) {
			t.Errorf("problems box holds the element %s: %s", bad, box)
		}
	}
	for _, want := range []string{"&lt;img src=x", "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;svg", "seedbox2", "connection refused", `data-problems="2"`, "since "} {
		if !strings.Contains(dom, want) {
			t.Errorf("live page lacks %q: %s", want, box)
		}
	}
	if strings.Contains(box, " hidden") {
		t.Errorf("problems box hidden with two problems: %s", box)
	}
}
