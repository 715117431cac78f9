package unixsock

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer stands in for collectd where collectd can't be made to
// misbehave: it answers each command line with what reply returns, and
// hangs up after writing when reply says so.
type fakeServer struct {
	path     string
	ln       net.Listener
	accepted atomic.Int32
	received chan string

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newFakeServer(t *testing.T, reply func(line string) (out string, hangUp bool)) *fakeServer {
	t.Helper()
	dir, err := os.MkdirTemp("", "rtmon-fake")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &fakeServer{path: filepath.Join(dir, "sock"), received: make(chan string, 100)}
	s.ln, err = net.Listen("unix", s.path)
	if err != nil {
		t.Fatal(err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			s.mu.Lock()
			s.conns = append(s.conns, conn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer conn.Close()
				r := bufio.NewReader(conn)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					select {
					case s.received <- strings.TrimSuffix(line, "\n"):
					default:
					}
					out, hangUp := reply(strings.TrimSuffix(line, "\n"))
					if _, err := conn.Write([]byte(out)); err != nil || hangUp {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(s.stop)
	return s
}

func (s *fakeServer) stop() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// checkNoGoroutineLeak fails if, once everything is closed, more
// goroutines run than before the test.
func checkNoGoroutineLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines after the test, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var loadID = Identifier{Host: "h", Plugin: "load", Type: "load"}

const goodLoad = "3 Values found\nshortterm=1\nmidterm=2\nlongterm=3\n"

// TestFakeServerFaults answers the first command with a broken reply and
// every later one with a good reply: the broken one must give a clear
// error, and the client must recover on the next command — on the same
// connection after a server error, on a new one after anything else.
func TestFakeServerFaults(t *testing.T) {
	tests := []struct {
		name      string
		reply     string
		hangUp    bool
		wantErr   error // errors.Is, if set
		wantInErr string
		wantConns int32 // connections used for both commands
	}{
		{"malformed status", "Values found\n", false, ErrProtocol, "malformed status line", 2},
		{"negative status", "-1 No such value.\n", false, nil, "-1 No such value.", 1},
		{"negative status and stray blank line", "-1 Type `x' is unknown.\n\n", false, nil, "unknown", 1},
		{"truncated reply", "3 Values found\nshortterm=1\n", true, io.EOF, "truncated after 1 of 3", 2},
		{"line cut by hang-up", "3 Values found\nshortterm=1\nmidt", true, io.ErrUnexpectedEOF, "truncated after 1 of 3", 2},
		{"huge line count", "123456789 Values found\n", false, ErrProtocol, "more than the cap", 2},
		{"malformed value line", "1 Value found\nshortterm\n", false, ErrProtocol, "malformed value line", 1},
		{"bad number", "1 Value found\nshortterm=1,5\n", false, ErrProtocol, "value line", 1},
		{"closed without reply", "", true, io.EOF, "reading status line", 2},
		{"binary garbage", "\x89PNG\r\n\x1a\n\x00\x00", false, ErrProtocol, "malformed status", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			var calls atomic.Int32
			srv := newFakeServer(t, func(string) (string, bool) {
				if calls.Add(1) == 1 {
					return tc.reply, tc.hangUp
				}
				return goodLoad, false
			})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, err := Dial(ctx, srv.path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetVal(ctx, loadID)
			if err == nil {
				t.Fatal("broken reply: no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want errors.Is %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantInErr) {
				t.Errorf("error %q, want it to contain %q", err, tc.wantInErr)
			}
			vals, err := c.GetVal(ctx, loadID)
			if err != nil || len(vals) != 3 || vals[2] != (Value{"longterm", 3}) {
				t.Errorf("next command: %v, %v; want the good reply", vals, err)
			}
			if n := srv.accepted.Load(); n != tc.wantConns {
				t.Errorf("%d connections, want %d", n, tc.wantConns)
			}
			c.Close()
			srv.stop()
			checkNoGoroutineLeak(t, before)
		})
	}
}
