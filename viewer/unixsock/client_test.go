package unixsock

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRefusedBeforeSending checks that identifiers and commands collectd
// would misread never reach the socket.
func TestRefusedBeforeSending(t *testing.T) {
	srv := newFakeServer(t, func(string) (string, bool) { return goodLoad, false })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, srv.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	long := Identifier{Host: "h", Plugin: "p", Type: "t", TypeInstance: strings.Repeat("x", 2000)}
	tests := []struct {
		name    string
		call    func() error
		wantErr error
	}{
		{"newline in identifier", func() error {
			_, err := c.GetVal(ctx, Identifier{Host: "h", Plugin: "load", Type: "load", TypeInstance: "x\nLISTVAL"})
			return err
		}, ErrInvalidIdentifier},
		{"NUL in identifier", func() error {
			_, err := c.GetVal(ctx, Identifier{Host: "h\x00", Plugin: "load", Type: "load"})
			return err
		}, ErrInvalidIdentifier},
		{"2000-byte identifier", func() error { _, err := c.GetVal(ctx, long); return err }, ErrCommandTooLong},
		{"flush of a 2000-byte identifier", func() error { return c.Flush(ctx, 0, nil, []Identifier{long}) }, ErrCommandTooLong},
		{"flush of many identifiers", func() error {
			ids := make([]Identifier, 60)
			for i := range ids {
				ids[i] = Identifier{Host: "h", Plugin: "p", Type: "t", TypeInstance: fmt.Sprint(i)}
			}
			return c.Flush(ctx, 0, nil, ids)
		}, ErrCommandTooLong},
		{"flush plugin with newline", func() error { return c.Flush(ctx, 0, []string{"rrdtool\nLISTVAL"}, nil) }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || (tc.wantErr != nil && !errors.Is(err, tc.wantErr)) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
		})
	}
	select {
	case line := <-srv.received:
		t.Errorf("server received %q; nothing should have been sent", line)
	case <-time.After(100 * time.Millisecond):
	}
}

func TestDeadlineAndCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	var answer atomic.Bool
	srv := newFakeServer(t, func(string) (string, bool) {
		if answer.Load() {
			return goodLoad, false
		}
		return "", false // never answers
	})
	c, err := Dial(context.Background(), srv.path)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	startAt := time.Now()
	_, err = c.GetVal(ctx, loadID)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent server: error %v, want DeadlineExceeded", err)
	}
	if d := time.Since(startAt); d > 2*time.Second {
		t.Errorf("took %v to give up after a 200ms deadline", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = c.ListVal(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v, want Canceled", err)
	}

	// The connection with a half-read reply was dropped; a new one works.
	answer.Store(true)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.GetVal(ctx, loadID); err != nil {
		t.Errorf("after deadline and cancel: %v", err)
	}
	c.Close()
	srv.stop()
	checkNoGoroutineLeak(t, before)
}

// TestWaitingForTurnHonoursContext: a command queued behind a hung one
// gives up when its own context ends.
func TestWaitingForTurnHonoursContext(t *testing.T) {
	release := make(chan struct{})
	srv := newFakeServer(t, func(string) (string, bool) {
		<-release
		return goodLoad, false
	})
	defer close(release)
	c, err := Dial(context.Background(), srv.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	go c.GetVal(context.Background(), loadID) // holds the connection
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.GetVal(ctx, loadID)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "waiting for the connection") {
		t.Errorf("queued command: %v, want DeadlineExceeded while waiting", err)
	}
}

func TestClose(t *testing.T) {
	block := make(chan struct{})
	srv := newFakeServer(t, func(string) (string, bool) {
		<-block
		return goodLoad, false
	})
	defer close(block)
	c, err := Dial(context.Background(), srv.path)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.GetVal(context.Background(), loadID); done <- err }()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("command in flight at Close: %v, want ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not interrupt the command in flight")
	}
	if _, err := c.ListVal(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("command after Close: %v, want ErrClosed", err)
	}
}

func TestDialFailure(t *testing.T) {
	_, err := Dial(context.Background(), t.TempDir()+"/no-such-socket")
	if err == nil || !strings.Contains(err.Error(), "no-such-socket") {
		t.Errorf("Dial of a missing socket: %v, want an error naming the path", err)
	}
}

// TestConcurrentCommands: replies must go to the caller that sent the
// command. The fake answers each GETVAL with a number taken from the
// identifier; run with -race.
func TestConcurrentCommands(t *testing.T) {
	srv := newFakeServer(t, func(line string) (string, bool) {
		// "GETVAL h/p/t-<n>"
		_, n, _ := strings.Cut(line, "/t-")
		return "1 Value found\nvalue=" + n + "\n", false
	})
	c, err := Dial(context.Background(), srv.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8*50)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				n := g*1000 + i
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				vals, err := c.GetVal(ctx, Identifier{Host: "h", Plugin: "p", Type: "t", TypeInstance: fmt.Sprint(n)})
				cancel()
				if err != nil || len(vals) != 1 || vals[0].Value != float64(n) {
					errs <- fmt.Errorf("goroutine %d: got %v, %v; want %d", g, vals, err, n)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.accepted.Load(); n != 1 {
		t.Errorf("%d connections, want 1 shared connection", n)
	}
}

// TestCommandsOnTheWire pins down the exact lines the client sends.
func TestCommandsOnTheWire(t *testing.T) {
	srv := newFakeServer(t, func(line string) (string, bool) {
		switch {
		case strings.HasPrefix(line, "FLUSH"):
			return "0 Done: 1 successful, 0 errors\n", false
		case line == "LISTVAL":
			return "2 Values found\n1795738607.406 h/cpu-0/cpu-idle\n1795738654 h/my plugin-x y/gauge-a b\n", false
		default:
			return goodLoad, false
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, srv.path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	spacey := Identifier{Host: "h", Plugin: "my plugin", PluginInstance: `x "y"`, Type: "gauge", TypeInstance: `a\b`}
	tests := []struct {
		call func() error
		want string
	}{
		{func() error { _, err := c.GetVal(ctx, loadID); return err }, "GETVAL h/load/load"},
		{func() error { _, err := c.GetVal(ctx, spacey); return err }, `GETVAL "h/my plugin-x \"y\"/gauge-a\\b"`},
		{func() error { return c.Flush(ctx, 0, nil, nil) }, "FLUSH"},
		{func() error { return c.Flush(ctx, 5, []string{"rrdtool"}, []Identifier{loadID, spacey}) },
			`FLUSH timeout=5 plugin=rrdtool identifier=h/load/load identifier="h/my plugin-x \"y\"/gauge-a\\b"`},
		{func() error {
			entries, err := c.ListVal(ctx)
			if err == nil && (len(entries) != 2 || entries[1].ID != Identifier{"h", "my plugin", "x y", "gauge", "a b"} || entries[1].Time.Unix() != 1795738654) {
				return fmt.Errorf("entries %+v", entries)
			}
			return err
		}, "LISTVAL"},
	}
	for _, tc := range tests {
		if err := tc.call(); err != nil {
			t.Errorf("%s: %v", tc.want, err)
		}
		select {
		case got := <-srv.received:
			if got != tc.want {
				t.Errorf("sent %s\nwant %s", got, tc.want)
			}
		case <-time.After(time.Second):
			t.Errorf("nothing sent for %s", tc.want)
		}
	}
}
