package rtorrent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeSCGI is an SCGI server for the faults a real rTorrent can't be made
// to produce (and for benchmarks). handle gets the connection after the
// request has been read.
func fakeSCGI(t testing.TB, handle func(c net.Conn, body string)) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "rpc.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				body, err := readSCGIRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				handle(c, body)
			}()
		}
	}()
	return "scgi://" + sock
}

func readSCGIRequest(br *bufio.Reader) (string, error) {
	lenStr, err := br.ReadString(':')
	if err != nil {
		return "", err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(lenStr, ":"))
	if err != nil {
		return "", err
	}
	hdr := make([]byte, n+1)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return "", err
	}
	fields := strings.Split(string(hdr[:n]), "\x00")
	size := 0
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "CONTENT_LENGTH" {
			size, _ = strconv.Atoi(fields[i+1])
		}
	}
	body := make([]byte, size)
	_, err = io.ReadFull(br, body)
	return string(body), err
}

func reply(c net.Conn, body string) {
	fmt.Fprintf(c, "Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

const okReply = `<?xml version="1.0"?><methodResponse><params><param><value><i8>42</i8></value></param></params></methodResponse>`

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		handle func(c net.Conn, body string)
		cfg    Config
		want   string
	}{
		{"reset mid-reply", func(c net.Conn, _ string) {
			fmt.Fprintf(c, "Status: 200 OK\r\nContent-Length: 5000\r\n\r\n<?xml version=")
		}, Config{}, "reply cut short"},
		{"garbage", func(c net.Conn, _ string) {
			fmt.Fprintf(c, "Status: 200 OK\r\n\r\n\x00\x01garbage")
		}, Config{}, "decode: system.pid: not an XML-RPC reply"},
		{"garbage header", func(c net.Conn, _ string) {
			fmt.Fprintf(c, "HTTP/1.0 what\r\n\r\n")
		}, Config{}, "read: malformed reply header"},
		{"truncated xml", func(c net.Conn, _ string) {
			reply(c, okReply[:len(okReply)-30])
		}, Config{}, "malformed XML-RPC reply"},
		{"over the cap", func(c net.Conn, _ string) {
			fmt.Fprintf(c, "Status: 200 OK\r\n\r\n")
			chunk := strings.Repeat("x", 64<<10)
			for i := 0; i < 40; i++ { // 2.5 MiB, no Content-Length
				if _, err := io.WriteString(c, chunk); err != nil {
					return
				}
			}
		}, Config{MaxReplyBytes: 1 << 20}, "reply larger than 1 MiB"},
		{"over the cap by Content-Length", func(c net.Conn, _ string) {
			fmt.Fprintf(c, "Status: 200 OK\r\nContent-Length: 104857600\r\n\r\n")
		}, Config{MaxReplyBytes: 1 << 20}, "reply larger than 1 MiB"},
		{"never answers", func(c net.Conn, _ string) {
			// Holds the connection open without a word until the client
			// gives up and closes it, so no handler outlives the call.
			_, _ = io.Copy(io.Discard, c)
		}, Config{Timeout: 200 * time.Millisecond}, "deadline exceeded"},
		{"SCGI error status", func(c net.Conn, _ string) {
			fmt.Fprintf(c, "Status: 500 Internal\r\n\r\n")
		}, Config{}, "SCGI status 500"},
		{"fault", func(c net.Conn, _ string) {
			reply(c, `<methodResponse><fault><value><struct><member><name>faultCode</name><value><i4>-501</i4></value></member><member><name>faultString</name><value><string>Unsupported target type found.</string></value></member></struct></value></fault></methodResponse>`)
		}, Config{}, "fault -501 Unsupported target type found.: system.pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			cfg := tt.cfg
			cfg.Name = "main"
			cfg.URL = fakeSCGI(t, tt.handle)
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Call(context.Background(), "system.pid")
			if err == nil {
				t.Fatalf("got %#v, want an error containing %q", v, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, `rtorrent "main" (scgi:///`) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line starting with the instance and URL and containing %q", msg, tt.want)
			}
			if s := c.Stats(); s.Calls != 1 || s.Failures == 0 && !strings.Contains(tt.want, "fault") && !strings.Contains(tt.want, "decode") && !strings.Contains(tt.want, "malformed XML") {
				t.Errorf("stats %+v after one failed call", s)
			}
			waitGoroutines(t, before)
		})
	}
}

// waitGoroutines fails if goroutines started by the call outlive it.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second) // generous: -race on a loaded machine
	for runtime.NumGoroutine() > before+2 {      // +2: the fake server's accept loop and its handler
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDialRefused(t *testing.T) {
	c, err := New(Config{Name: "main", URL: "scgi://" + filepath.Join(t.TempDir(), "gone.sock")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(context.Background(), "system.pid")
	if err == nil || !strings.Contains(err.Error(), ": dial: no such file or directory") || !IsTransport(err) {
		t.Fatalf("err = %v, want a transport error saying dial: no such file or directory", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ = New(Config{Name: "main", URL: "scgi://" + addr})
	if _, err = c.Call(context.Background(), "system.pid"); err == nil || !strings.HasSuffix(err.Error(), "dial: connection refused") {
		t.Fatalf("err = %v, want ...dial: connection refused", err)
	}
}

func TestContextCancelUnblocks(t *testing.T) {
	url := fakeSCGI(t, func(c net.Conn, _ string) { time.Sleep(3 * time.Second) })
	c, _ := New(Config{Name: "main", URL: url, Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Call(ctx, "system.pid")
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("cancel took %v to unblock the call", took)
	}
}

func TestMulticallFaultIsolated(t *testing.T) {
	url := fakeSCGI(t, func(c net.Conn, body string) {
		if !strings.Contains(body, "system.multicall") {
			reply(c, "<bad/>")
			return
		}
		reply(c, `<?xml version="1.0"?><methodResponse><params><param><value><array><data>
<value><array><data><value><i8>7</i8></value></data></array></value>
<value><struct><member><name>faultCode</name><value><i4>-506</i4></value></member><member><name>faultString</name><value><string>Method 'network.open_files' not defined</string></value></member></struct></value>
<value><array><data><value><string>0.9.8</string></value></data></array></value>
</data></array></value></param></params></methodResponse>`)
	})
	c, _ := New(Config{Name: "main", URL: url})
	res, err := c.Multicall(context.Background(), []Method{{Name: "system.pid"}, {Name: "network.open_files"}, {Name: "system.client_version"}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Value != int64(7) || res[0].Err != nil || res[2].Value != "0.9.8" {
		t.Errorf("good sub-calls: %+v", res)
	}
	if !IsMethodMissing(res[1].Err) || !strings.HasSuffix(res[1].Err.Error(), "fault -506 method not defined: network.open_files") {
		t.Errorf("faulting sub-call: %v", res[1].Err)
	}
	if s := c.Stats(); s.SubFaults != 1 {
		t.Errorf("SubFaults = %d, want 1", s.SubFaults)
	}
	// A reply of the wrong shape is an error for the whole batch.
	if _, err := c.Multicall(context.Background(), []Method{{Name: "a"}, {Name: "b"}}); err == nil || !strings.Contains(err.Error(), "malformed system.multicall reply") {
		t.Errorf("wrong-length reply: err = %v", err)
	}
}
