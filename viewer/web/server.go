package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/assets"
	"github.com/rtmon/rtmon/viewer/auth"
	"github.com/rtmon/rtmon/viewer/config"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/fleet"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/live"
)

// Deps are the parts the handlers use.
type Deps struct {
	Config   *config.Config
	Users    *auth.Users // nil: no auth
	Store    *datadir.Store
	Poller   *live.Poller
	Renderer *graphs.Renderer
	// Fleet is the fleet page's shared poller; nil leaves /fleet and
	// /json/fleet out (404).
	Fleet *fleet.Poller
	Log   *slog.Logger
	// EventLifetime ends each /events stream after this long (the browser
	// reconnects by itself); default 15 minutes.
	EventLifetime time.Duration
}

// app holds the handlers' state.
type app struct {
	Deps
	pages map[string]*template.Template
	sse   chan struct{} // one token per open /events stream
	hosts *hostPolicy
}

// New returns the echo instance with every route and middleware.
func New(d Deps) (*echo.Echo, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.EventLifetime <= 0 {
		d.EventLifetime = 15 * time.Minute
	}
	pages, err := assets.Templates(template.FuncMap{"pathEscape": url.PathEscape})
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	hosts, err := newHostPolicy(d.Config, d.Users != nil)
	if err != nil {
		return nil, err
	}
	a := &app{Deps: d, pages: pages, sse: make(chan struct{}, maxStreams(d.Config)), hosts: hosts}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.errorHandler
	e.Pre(a.securityHeaders, rawPath, a.checkHost, onlyGET)
	if d.Users != nil {
		e.Use(a.basicAuth)
	}
	e.Use(a.recoverPanics)

	// echo routes HEAD only where it is registered: GET routes alone
	// answer HEAD with 405.
	getHead := []string{http.MethodGet, http.MethodHead}
	for path, h := range map[string]echo.HandlerFunc{
		"/":                   a.livePage,
		"/json/live":          a.jsonLive,
		"/events":             a.events,
		"/json/engine":        a.jsonEngine,
		"/json/charts":        a.jsonCharts,
		"/traffic":            a.trafficPage,
		"/json/traffic":       a.jsonTraffic,
		"/hosts":              a.hostsPage,
		"/fleet":              a.fleetPage,
		"/json/fleet":         a.jsonFleet,
		"/host/:host":         a.hostPage,
		"/host/:host/:graph":  a.graphPage,
		"/graph/:host/:graph": a.graphImage,
		"/api/series":         a.series,
		"/static/*":           a.static(),
	} {
		e.Match(getHead, path, h)
	}
	return e, nil
}

// Timeouts bound what a slow or idle client can hold: ReadHeader is how
// long the request line and headers may take (slowloris), Read the whole
// request, Write a reply (a graph render; /events extends its own
// deadline per event), Idle a kept-alive connection between requests.
type Timeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTimeouts are the viewer's: generous for a browser on a slow
// link, short enough that a few thousand stalled connections cost little.
var DefaultTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 30 * time.Second, Idle: 120 * time.Second}

// MaxHeaderBytes caps the request line and headers; beyond it the server
// answers 431 without calling a handler.
const MaxHeaderBytes = 16 << 10

// Server wraps h with DefaultTimeouts and MaxHeaderBytes, what a server
// facing browsers (and whatever else reaches the port) needs.
func Server(h http.Handler, log *slog.Logger) *http.Server {
	return ServerWith(h, log, DefaultTimeouts)
}

// ServerWith is Server with other timeouts (tests use short ones).
func ServerWith(h http.Handler, log *slog.Logger, t Timeouts) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// maxStreams is how many /events streams may be open at once: the
// config's -max-streams, 256 when a caller left it unset.
func maxStreams(c *config.Config) int {
	if c.MaxStreams > 0 {
		return c.MaxStreams
	}
	return 256
}
