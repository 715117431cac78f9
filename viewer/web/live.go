package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rtmon/rtmon/viewer/live"
)

// snapshot returns the poller's latest snapshot, waiting a little for the
// first one after startup.
func (a *app) snapshot(c echo.Context) (*live.Snapshot, error) {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 5*time.Second)
	defer cancel()
	s, err := a.Poller.Current(ctx)
	if err != nil {
		return nil, echo.NewHTTPError(http.StatusServiceUnavailable, "no live data yet").SetInternal(err)
	}
	return s, nil
}

// jsonLive is GET /json/live: the shared snapshot with ages as of now.
func (a *app) jsonLive(c echo.Context) error {
	s, err := a.snapshot(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if _, pretty := c.QueryParams()["pretty"]; pretty {
		return c.JSON(http.StatusOK, s.At(time.Now())) // echo indents it
	}
	// The snapshot's shared encoding: the same bytes as c.JSON writes.
	b, err := s.JSON(time.Now())
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, b)
}

// SSE timing: a keepalive comment when nothing changed for a while (so
// proxies keep the stream open) and a write deadline per event (the
// server's WriteTimeout would otherwise cut the stream). Deps.EventLifetime
// ends a stream after a while; the browser reconnects by itself, so a
// stuck connection cannot hold a stream slot forever.
const (
	sseKeepalive = 15 * time.Second
	sseWrite     = 10 * time.Second
)

// events is GET /events: the same snapshot as /json/live, pushed as
// server-sent events ("event: snapshot") each time the poller publishes.
func (a *app) events(c echo.Context) error {
	select {
	case a.sse <- struct{}{}:
		defer func() { <-a.sse }()
	default:
		return echo.NewHTTPError(http.StatusServiceUnavailable, "too many event streams; poll /json/live")
	}
	s, err := a.snapshot(c)
	if err != nil {
		return err
	}
	w := c.Response()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	ctx := c.Request().Context()
	end := time.After(a.EventLifetime)
	write := func(b []byte) error {
		if err := rc.SetWriteDeadline(time.Now().Add(sseWrite)); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := write([]byte("retry: 3000\n\n")); err != nil {
		return nil
	}
	var sent float64
	for {
		changed := a.Poller.Changed()
		if cur, err := a.Poller.Current(ctx); err == nil {
			s = cur
		}
		if s.Time != sent {
			b, err := s.JSON(time.Now())
			if err != nil {
				return err
			}
			if err := write([]byte(fmt.Sprintf("event: snapshot\nid: %.3f\ndata: %s\n\n", s.Time, bytes.TrimSuffix(b, []byte("\n"))))); err != nil {
				return nil // the client went away
			}
			sent = s.Time
		}
		select {
		case <-changed:
		case <-time.After(sseKeepalive):
			if err := write([]byte(": keepalive\n\n")); err != nil {
				return nil
			}
		case <-end:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}
