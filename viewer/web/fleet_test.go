package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/config"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/fleet"
	"github.com/rtmon/rtmon/viewer/live"
)

// fleetServer serves the viewer's routes over a DataDir of the given
// hosts, collectd unreachable; withFleet wires the fleet poller.
func fleetServer(t *testing.T, hosts []string, withFleet bool) string {
	t.Helper()
	dir := t.TempDir()
	for _, h := range hosts {
		d := filepath.Join(dir, h, "load")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "load.rrd"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "no-collectd")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := datadir.NewStore(dir, time.Second)
	cfg := &config.Config{Listen: "127.0.0.1:8042", DataDir: dir, Socket: sock, Interval: time.Hour, MaxRenders: 1, MaxStreams: 1}
	p := live.New(live.Config{Socket: sock, Store: store, Interval: time.Hour, Log: log})
	d := Deps{Config: cfg, Store: store, Poller: p, Log: log}
	if withFleet {
		d.Fleet = fleet.New(fleet.Config{Socket: sock, Store: store, Interval: time.Hour, Log: log})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Fleet.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	e, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

func fetch(t *testing.T, method, u string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	req.Host = "127.0.0.1:8042"
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, r.Header, string(b)
}

// TestFleetRoutes: /fleet and /json/fleet answer GET and HEAD; a name
// with markup stays escaped in the JSON; the page loads its script from
// /static (the CSP allows nothing inline); without a fleet poller both are
// 404.
func TestFleetRoutes(t *testing.T) {
	base := fleetServer(t, []string{"box1", "<img src=x onerror=alert(1)>"}, true)
	code, h, body := fetch(t, "GET", base+"/json/fleet")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || !strings.Contains(body, `"host":"box1"`) {
		t.Errorf("GET /json/fleet = %d %q\n%.500s", code, h.Get("Content-Type"), body)
	}
	if strings.Contains(body, "<img") || !strings.Contains(body, `\u003cimg`) {
		t.Errorf("the markup host name is not escaped in /json/fleet:\n%.500s", body)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
	}
	code, _, page := fetch(t, "GET", base+"/fleet")
	if code != 200 || !strings.Contains(page, `<script src="/static/fleet.js" defer></script>`) || !strings.Contains(page, `id="fleet-table"`) {
		t.Errorf("GET /fleet = %d\n%.800s", code, page)
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("the fleet page has an inline script (the CSP blocks it)")
	}
	if code, _, _ := fetch(t, "HEAD", base+"/json/fleet"); code != 200 {
		t.Errorf("HEAD /json/fleet = %d", code)
	}
	if code, _, _ := fetch(t, "GET", base+"/static/fleet.js"); code != 200 {
		t.Errorf("GET /static/fleet.js = %d", code)
	}
	if code, _, _ := fetch(t, "POST", base+"/json/fleet"); code != 405 {
		t.Errorf("POST /json/fleet = %d, want 405", code)
	}

	off := fleetServer(t, []string{"box1"}, false)
	for _, p := range []string{"/fleet", "/json/fleet"} {
		if code, _, _ := fetch(t, "GET", off+p); code != 404 {
			t.Errorf("GET %s without a fleet poller = %d, want 404", p, code)
		}
	}
}
