package central_test

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/bench/fleet/central"
	"github.com/rtmon/rtmon/bench/fleet/emulator"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// TestFleetPageBrowser loads /fleet in headless Chromium against the
// central node with emulated hosts: the page fills the table from
// /json/fleet and keeps updating it; a sort (?sort=&dir=, the state the
// header clicks write into the URL) orders the rows by that column; a
// filter (?q=) keeps only matching rows; no script error or CSP
// violation shows on the console.
func TestFleetPageBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts rrdcached, collectd, the viewer and Chromium")
	}
	testenv.Need(t, central.RRDCachedBin, collectdenv.CollectdBin, "chromium")
	c := central.Start(t, central.Options{Snippets: repoSnippets(), Build: build(t), Interval: interval,
		Users: map[string]string{"fleet": "fleet-secret"}, ViewerInterval: 500 * time.Millisecond})
	emu := startEmulator(t, c, emulator.Config{Hosts: 6, Interval: interval, Prefix: "web", Items: 50})
	waitFleet(t, c.ViewerURL, 30*time.Second, "six hosts with items", func(ft *fleetTable) bool {
		n := 0
		for _, r := range ft.Rows {
			if strings.HasPrefix(r.Host, "web") && r.Items != nil {
				n++
			}
		}
		return n == 6
	})
	_ = emu

	// Sorted by items, descending: the rows' item column never rises.
	dom := chromium(t, c.ViewerURL+"/fleet?sort=items&dir=desc")
	rows := tableRows(dom)
	if len(rows) < 6 {
		t.Fatalf("%d rows in the page, want every host:\n%.3000s", len(rows), dom)
	}
	var last = 1e18
	for _, r := range rows {
		if r.items > last {
			t.Errorf("rows not sorted by items descending: %v", rows)
			break
		}
		last = r.items
	}
	if !strings.Contains(dom, `aria-sort="descending"`) {
		t.Errorf("the sorted column is not marked")
	}
	m := regexp.MustCompile(`data-updates="(\d+)"`).FindStringSubmatch(dom)
	if updates, _ := strconv.Atoi(append(m, "", "")[1]); updates < 2 {
		t.Errorf("the page did not update itself at least twice (status %v)", m)
	}
	t.Logf("sorted page: %d rows, %v updates: %v", len(rows), m, rows)

	// Filtered to one host.
	dom = chromium(t, c.ViewerURL+"/fleet?q=web0003")
	rows = tableRows(dom)
	if len(rows) != 1 || rows[0].host != "web0003" {
		t.Errorf("filter web0003 left rows %v", rows)
	}
	if !strings.Contains(dom, `href="/host/web0003"`) {
		t.Errorf("the row does not link to the host's page")
	}
}

type pageRow struct {
	host  string
	items float64
}

var rowRE = regexp.MustCompile(`<tr data-host="([^"]*)"[^>]*><td><a [^>]*>[^<]*</a></td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>`)

func tableRows(dom string) []pageRow {
	var out []pageRow
	for _, m := range rowRE.FindAllStringSubmatch(dom, -1) {
		var n float64
		for _, ch := range m[2] {
			if ch >= '0' && ch <= '9' {
				n = n*10 + float64(ch-'0')
			}
		}
		out = append(out, pageRow{host: m[1], items: n})
	}
	return out
}

// chromium dumps the page's DOM after its scripts ran for a few seconds
// of virtual time (several refreshes).
func chromium(t *testing.T, u string) string {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
		"--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
		"--user-data-dir=" + t.TempDir(), "--virtual-time-budget=6000", "--dump-dom", u}
	cmd := exec.Command("chromium", args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium: %v\n%s", err, errb.String())
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("chromium hung\n%s", errb.String())
	}
	if s := errb.String(); strings.Contains(s, "Uncaught") || strings.Contains(s, "Content Security Policy") {
		t.Errorf("console:\n%s", s)
	}
	return out.String()
}
