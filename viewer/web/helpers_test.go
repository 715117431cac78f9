package web

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/viewer/auth"
	"github.com/rtmon/rtmon/viewer/config"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/live"
)

// testServer is the whole viewer (poller, renderer, echo, http.Server
// with its timeouts) on a loopback port.
type testServer struct {
	URL      string
	Poller   *live.Poller
	Renderer *graphs.Renderer
	Store    *datadir.Store
	Users    *auth.Users // nil without Htpasswd
}

type serverOptions struct {
	DataDir, Socket, Hostname string
	Htpasswd                  string
	Interval                  time.Duration // default 1h: tests call Refresh
	EventLifetime             time.Duration
	AllowHosts                []string
	IndexMaxAge               time.Duration // default 1 s
	Timeouts                  *Timeouts     // default DefaultTimeouts
	MaxStreams                int           // default 256
	// Listen is the -listen the viewer is told (it still serves on a
	// loopback port): how tests put it on an address it cannot bind here.
	Listen     string
	AuthLimits *auth.Limits // default auth.DefaultLimits without the per-address throttle or hold
	// ProblemsDir is -problems-dir (problems_test.go); empty shows none.
	ProblemsDir string
}

func startServer(t *testing.T, o serverOptions) *testServer {
	t.Helper()
	if o.Socket == "" {
		o.Socket = filepath.Join(t.TempDir(), "no-collectd")
	}
	if o.Interval == 0 {
		o.Interval = time.Hour
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	insecure := o.Listen != ""
	if o.Listen == "" {
		o.Listen = ln.Addr().String()
	}
	cfg := &config.Config{Listen: o.Listen, InsecureListen: insecure, DataDir: o.DataDir, Socket: o.Socket, Interval: o.Interval,
		Hostname: o.Hostname, DiskUsagePaths: []string{"/"}, MaxRenders: 2, Htpasswd: o.Htpasswd, AllowHosts: o.AllowHosts,
		MaxStreams: o.MaxStreams}
	var users *auth.Users
	if o.Htpasswd != "" {
		// Tests of refusals send hundreds of wrong passwords from
		// 127.0.0.1: the per-address throttle and the hold of 429s are
		// off unless asked for.
		limits := auth.DefaultLimits
		limits.Failures, limits.Hold = 1<<30, -1
		if o.AuthLimits != nil {
			limits = *o.AuthLimits
		}
		if users, err = auth.LoadLimits(o.Htpasswd, limits); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.Default()
	}
	if o.IndexMaxAge == 0 {
		o.IndexMaxAge = time.Second
	}
	store := datadir.NewStore(o.DataDir, o.IndexMaxAge)
	p := live.New(live.Config{Socket: o.Socket, Store: store, Interval: o.Interval, Hostname: o.Hostname, DiskPaths: []string{"/"}, Log: log, ProblemsDir: o.ProblemsDir})
	ctx, cancel := context.WithCancel(context.Background())
	polled := make(chan struct{})
	go func() { p.Run(ctx); close(polled) }()
	r := graphs.NewRenderer(p, cfg.MaxRenders, 16<<20, log)
	e, err := New(Deps{Config: cfg, Users: users, Store: store, Poller: p, Renderer: r, Log: log, EventLifetime: o.EventLifetime})
	if err != nil {
		t.Fatal(err)
	}
	srv := Server(e, log)
	if o.Timeouts != nil {
		srv = ServerWith(e, log, *o.Timeouts)
	}
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, srv, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil && err != http.ErrServerClosed {
			t.Errorf("Serve: %v", err)
		}
		<-polled
	})
	return &testServer{URL: "http://" + ln.Addr().String(), Poller: p, Renderer: r, Store: store, Users: users}
}

type reply struct {
	Code   int
	Header http.Header
	Body   []byte
}

var client = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get sends a GET with optional header pairs ("Host", "x", ...). The path
// is sent as written (no client-side cleaning of ".." or escapes).
func get(t *testing.T, base, path string, hdr ...string) reply {
	t.Helper()
	return do(t, http.MethodGet, base, path, hdr...)
}

func do(t *testing.T, method, base, path string, hdr ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, base+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Opaque keeps the path byte for byte as the test wrote it.
	p, q, _ := strings.Cut(path, "?")
	req.URL.Opaque = p
	req.URL.RawQuery = q
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}
