package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEventStreamCap: -max-streams bounds the open /events streams (each
// holds a connection and a goroutine): one more is a 503 telling the page
// to poll, and a closed stream frees its place.
func TestEventStreamCap(t *testing.T) {
	srv := startServer(t, serverOptions{DataDir: t.TempDir(), Interval: time.Second, MaxStreams: 2})
	open := func() (*http.Response, context.CancelFunc) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		return resp, func() { cancel(); resp.Body.Close() }
	}
	var closers []context.CancelFunc
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	for i := 0; i < 2; i++ {
		resp, done := open()
		closers = append(closers, done)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream %d: %d %s, want an event stream", i+1, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	resp, done := open()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	done()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "poll /json/live") {
		t.Fatalf("third stream with -max-streams 2: %d %q, want 503 saying to poll /json/live", resp.StatusCode, body)
	}
	closers[0]()
	closers = closers[1:]
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, done := open()
		closers = append(closers, done)
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's place was not freed: still %d", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
