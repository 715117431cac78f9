package web

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/viewer/assets"
)

// chromium runs Debian's chromium headless with the flags that keep it
// quiet and local, and returns stdout.
func chromium(t *testing.T, args ...string) string {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
		"--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.Command("chromium", append(base, args...)...)
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
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
		}
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("chromium %v hung for 60 s\n%s", args, errb.String())
	}
	if strings.Contains(errb.String(), "Uncaught") {
		t.Errorf("script error on the console:\n%s", errb.String())
	}
	return out.String()
}

var fieldRE = regexp.MustCompile(`data-field="([^"]+)" data-value="([^"]*)"`)

// browser loads the live page in headless Chromium, once over
// server-sent events and once polling, and checks that it shows the
// figures of /json/live, has no script errors or CSP violations, and
// (with RTMON_SCREENSHOTS=1) saves screenshots at phone and desktop
// widths to docs/screenshots/.
func (st *stack) browser(t *testing.T) {
	testenv.Need(t, "chromium")
	snap := st.sv.Poller.Refresh(t.Context())
	in := snap.Hosts[0].RTorrent[1] // "main", the seeder
	for _, tc := range []struct{ path, transport string }{{"/", "live"}, {"/?transport=poll", "polling"}} {
		dom := chromium(t, "--virtual-time-budget=5000", "--dump-dom", st.sv.URL+tc.path)
		// The test server ends each event stream after one event, so the
		// page may be between two streams ("reconnecting"); what matters
		// is that snapshots came as events.
		sse := regexp.MustCompile(`data-sse-events="([0-9]+)"`).FindStringSubmatch(dom)
		if tc.transport == "live" && (sse == nil || sse[1] == "0" || !regexp.MustCompile(`data-transport="(live|reconnecting)"`).MatchString(dom)) {
			t.Errorf("/: no snapshot arrived as a server-sent event (sse %v)", sse)
		} else if tc.transport == "polling" && (sse != nil || !strings.Contains(dom, `data-transport="polling"`)) {
			i := strings.Index(dom, "<body")
			t.Errorf("%s: page transport is not %q: %.1500s", tc.path, tc.transport, dom[max(i, 0):])
		}
		for _, bad := range []string{"data-js-errors", "data-csp-violations"} {
			if strings.Contains(dom, bad) {
				t.Errorf("%s: %s in the page: %s", tc.path, bad, dom[strings.Index(dom, "<ul id=\"diagnostics\""):])
			}
		}
		fields := map[string]string{}
		for _, m := range fieldRE.FindAllStringSubmatch(dom, -1) {
			fields[m[1]] = m[2]
		}
		pre := "rt:" + stackHost + ":main:"
		for _, k := range []string{"total", "started", "stopped", "complete", "incomplete", "seeding", "leeching", "active", "messages"} {
			want := ""
			if v := in.Items[k]; v != nil {
				want = strconv.FormatFloat(*v, 'f', -1, 64)
			}
			if got, ok := fields[pre+"items."+k]; !ok || got != want {
				t.Errorf("%s: page shows items.%s = %q (present %v), /json/live has %q", tc.path, k, got, ok, want)
			}
		}
		for _, g := range []string{"♯", "⚡", "↯", "✔", "◑", "▲", "▼", "☀", "■"} {
			if !strings.Contains(dom, g) {
				t.Errorf("%s: glyph %s missing", tc.path, g)
			}
		}
		// Host figures: present and numbers (they move between polls, so
		// only rTorrent's item counts are compared exactly).
		for _, f := range []string{"host:stack:cpu", "host:stack:memory", "host:stack:load", "host:stack:uptime", "host:stack:disk:/"} {
			v, err := strconv.ParseFloat(fields[f], 64)
			if err != nil || v < 0 {
				t.Errorf("%s: %s = %q", tc.path, f, fields[f])
			}
		}
		if up, _ := strconv.ParseFloat(fields["host:stack:uptime"], 64); up <= 0 {
			t.Errorf("%s: uptime %v", tc.path, up)
		}
		// Real data moves in the swarm: the page shows it.
		for _, f := range []string{"rt:stack:main:up", "rt:stack:leech:down"} {
			if v, err := strconv.ParseFloat(fields[f], 64); err != nil || v <= 0 {
				t.Errorf("%s: %s = %q, want a rate above zero", tc.path, f, fields[f])
			}
		}
	}
	if os.Getenv("RTMON_SCREENSHOTS") == "1" {
		dir := filepath.Join("..", "..", "docs", "screenshots")
		os.MkdirAll(dir, 0o755)
		for _, w := range []int{375, 1440} {
			file, _ := filepath.Abs(filepath.Join(dir, "live-"+strconv.Itoa(w)+".png"))
			chromium(t, "--virtual-time-budget=8000", "--hide-scrollbars", "--window-size="+strconv.Itoa(w)+",1100", "--screenshot="+file, st.sv.URL+"/?transport=poll")
			if fi, err := os.Stat(file); err != nil || fi.Size() < 10000 {
				t.Errorf("screenshot %s: %v", file, err)
			}
		}
		// Let collectd gather a minute of values for the graphs.
		time.Sleep(time.Until(st.started.Add(70 * time.Second)))
		end := time.Now().Unix()
		for name, path := range map[string]string{
			"graph-1440.png": fmt.Sprintf("/host/stack/cpu-0.cpu?start=%d&end=%d", end-90, end),
		} {
			file, _ := filepath.Abs(filepath.Join(dir, name))
			chromium(t, "--virtual-time-budget=5000", "--hide-scrollbars", "--window-size=1440,900", "--screenshot="+file, st.sv.URL+path)
		}
	}
}

// TestAssetsAreLocal: the page's own files name no other host; the CSP
// would block it, and the viewer must work without internet.
func TestAssetsAreLocal(t *testing.T) {
	fs := assets.Static()
	for _, name := range []string{"live.js", "graph.js", "traffic.js", "app.css", "favicon.svg"} {
		b, err := readFS(fs, name)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(b), "http://www.w3.org/2000/svg", "") // the SVG namespace, not a request
		if m := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]`).FindString(s); m != "" {
			t.Errorf("%s refers to %q", name, m)
		}
		if strings.Contains(s, "innerHTML") || strings.Contains(s, "document.write") {
			t.Errorf("%s builds markup from strings", name)
		}
	}
}
