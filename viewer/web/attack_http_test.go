package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestTraversalVariants: every spelling of "somewhere else" (dot
// segments raw, encoded, double-encoded, overlong UTF-8, backslashes,
// absolute paths, NUL, doubled slashes) on every route that takes a name
// or a path is refused, and nothing from outside DataDir or from the
// viewer's own source comes back. TestTraversalAndInjection has the
// basic cases; these are the encodings.
func TestTraversalVariants(t *testing.T) {
	dir, outside := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box"})

	// Names that must never resolve to anything.
	names := []string{
		"..", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252e", "%25252e%25252e",
		"..%2f..%2f..%2fetc%2fpasswd", "..%252f..%252fetc", "%2e%2e%2f%2e%2e%2f",
		"..%5c..%5c", "%2e%2e%5c", "..%255c", "box%5c..%5c..",
		"%c0%ae%c0%ae", "%c0%ae%c0%ae%c0%af", "%e0%80%ae%e0%80%ae", "%c1%9c", "%ef%bc%8e%ef%bc%8e",
		"%2fetc%2fpasswd", "%2f" + strings.ReplaceAll(strings.TrimPrefix(outside, "/"), "/", "%2f"),
		"box%00", "%00", "box%00..", "%0d%0aSet-Cookie:x=1",
		"evil", "evil%2fload", "box%2fevilplugin", ".", "%2e", "~", "~root",
	}
	var paths []string
	for _, n := range names {
		paths = append(paths,
			"/host/"+n, "/host/"+n+"/load.load", "/host/box/"+n, "/graph/"+n+"/load.load", "/graph/box/"+n,
			"/graph/box/load."+n, "/api/series?host="+n+"&graph=load.load", "/api/series?host=box&graph="+n,
			"/json/charts?host="+n, "/json/engine?host="+n, "/json/engine?host=box&instance="+n,
			"/static/"+n, "/static/"+n+"%2fweb%2fserver.go", "/static/"+n+"/"+n+"/viewer/web/server.go")
	}
	paths = append(paths,
		"/host//etc/passwd", "/host/box//..//..",
		"/static//etc/passwd", "/static/%2f%2fetc%2fpasswd", "/static/app.css%00.js", "/static/app.css/..",
		"/static/./../assets.go", "/static/.%2e/assets.go", "/static/%2e%2e%2fassets.go", "/static/..\\assets.go",
		"/graph/box/load.load/../../../etc/passwd", "/host/box/load.load%2f..%2f..%2f..",
		"/"+strings.TrimPrefix(outside, "/")+"/secret.txt", "/static"+outside+"/secret.txt")
	for _, p := range paths {
		r := get(t, s.URL, p)
		if r.Code != 400 && r.Code != 404 && !(r.Code == 503 && strings.HasPrefix(p, "/json/engine")) {
			t.Errorf("GET %s = %d, want 400 or 404: %.200s", p, r.Code, r.Body)
		}
		for _, leak := range []string{secret, "package web", "package assets", "root:x:0:0"} {
			if bytes.Contains(r.Body, []byte(leak)) {
				t.Errorf("GET %s leaked %q", p, leak)
			}
		}
		if r.Header.Get("Set-Cookie") != "" {
			t.Errorf("GET %s set a cookie: header injection", p)
		}
	}
	// Paths starting with "//" go raw: Go's client would send them in
	// absolute form ("http://etc/passwd"), which the Host check answers.
	addr := strings.TrimPrefix(s.URL, "http://")
	for _, p := range []string{"//host/box/../../etc/passwd", "///etc/passwd", "//etc/passwd", "//static/app.css/../../../etc/passwd",
		"/static/../../../../etc/passwd", "/host/../../../../etc/passwd", "/static/..\\..\\..\\etc\\passwd"} {
		code, _, body, err := rawRequest(addr, "GET "+p+" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
		if err != nil {
			t.Fatal(err)
		}
		if code != 400 && code != 404 {
			t.Errorf("raw GET %s = %d, want 400 or 404: %.200s", p, code, body)
		}
		if bytes.Contains(body, []byte("root:x:0:0")) || bytes.Contains(body, []byte(secret)) {
			t.Errorf("raw GET %s leaked a file", p)
		}
	}
	// The names the variants aim at do exist: the refusals are not
	// a broken server.
	for _, p := range []string{"/host/box", "/host/box/load.load", "/graph/box/load.load?range=1h", "/static/app.css",
		"/api/series?host=box&graph=load.load&range=1h", "/json/charts?host=box"} {
		if r := get(t, s.URL, p); r.Code != 200 {
			t.Errorf("GET %s = %d, want 200", p, r.Code)
		}
	}
}

// TestSymlinkEscape: symlinks in DataDir leading out of it, to a file
// and to a directory, as a host, a plugin and a file, are left out of the
// index, and none of their data is served; a symlink that stays inside
// DataDir is followed.
func TestSymlinkEscape(t *testing.T) {
	dir, outside := hostileDataDir(t)
	// hostileDataDir links evil -> outside/host (a host dir),
	// box/evilplugin -> outside/host/load (a plugin dir),
	// box/load/out.rrd -> outside/host/load/load.rrd (a file) and
	// box/load/txt.rrd -> outside/secret.txt. Add links that stay inside.
	mustSymlink(t, dir+"/box", dir+"/alias")
	mustSymlink(t, dir+"/box/load/load.rrd", dir+"/box/load/inside.rrd")
	mustSymlink(t, outside, dir+"/box/load2")
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box"})

	for _, p := range []string{"/host/evil", "/host/evil/load.load", "/graph/evil/load.load?range=1h",
		"/graph/box/evilplugin.load?range=1h", "/graph/box/load.out?range=1h", "/graph/box/load.txt?range=1h",
		"/graph/box/load2.load?range=1h", "/api/series?host=evil&graph=load.load&range=1h",
		"/api/series?host=box&graph=load.out&range=1h", "/api/series?host=box&graph=load.txt&range=1h"} {
		r := get(t, s.URL, p)
		if r.Code != 404 {
			t.Errorf("GET %s = %d, want 404", p, r.Code)
		}
		if bytes.Contains(r.Body, []byte(secret)) {
			t.Errorf("GET %s leaked the secret", p)
		}
	}
	hosts := get(t, s.URL, "/hosts")
	if bytes.Contains(hosts.Body, []byte(">evil<")) || !bytes.Contains(hosts.Body, []byte(">alias<")) {
		t.Errorf("/hosts: want alias (inside) listed and evil (outside) not")
	}
	for _, p := range []string{"/graph/alias/load.load?range=1h", "/graph/box/load.inside?range=1h"} {
		if r := get(t, s.URL, p); r.Code != 200 {
			t.Errorf("GET %s (a symlink inside DataDir) = %d, want 200: %s", p, r.Code, r.Body)
		}
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestOversizedRequests: a very long URL, huge headers and many headers
// are refused by the server before any handler runs, a body on a route
// that takes none is refused without being read to the end, and the
// server keeps serving.
func TestOversizedRequests(t *testing.T) {
	dir, _ := hostileDataDir(t)
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box"})
	addr := strings.TrimPrefix(s.URL, "http://")
	huge := strings.Repeat("a", 64<<10)
	for _, tc := range []struct {
		name string
		req  string
		want []int
	}{
		{"64 KiB path", "GET /host/" + huge + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", []int{414, 431}},
		{"64 KiB query", "GET /json/live?x=" + huge + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", []int{414, 431}},
		{"64 KiB header", "GET /json/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + huge + "\r\n\r\n", []int{431}},
		{"4000 headers", "GET /json/live HTTP/1.1\r\nHost: 127.0.0.1\r\n" + strings.Repeat("X-A: b\r\n", 4000) + "\r\n", []int{431}},
		{"64 KiB cookie", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: a=" + huge + "\r\n\r\n", []int{431}},
		{"header without colon", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nnocolon\r\n\r\n", []int{400}},
		{"NUL in the path", "GET /host/\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", []int{400}},
		{"bad method", "G\x01T / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", []int{400}},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n", []int{400}},
		{"10 MB body announced", "POST /json/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n" + huge, []int{405}},
		{"chunked body", "POST /api/series HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n" + huge + "\r\n0\r\n\r\n", []int{405}},
		{"body on GET", "GET /json/live HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n\r\n" + huge, []int{200, 400, 413}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, _, err := rawRequest(addr, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			ok := false
			for _, w := range tc.want {
				ok = ok || code == w
			}
			if !ok {
				t.Errorf("status %d, want one of %v", code, tc.want)
			}
			if r := get(t, s.URL, "/json/live"); r.Code != 200 {
				t.Errorf("after it, /json/live = %d", r.Code)
			}
		})
	}
	// The limit is the viewer's, not Go's default of 1 MiB: a 20 KiB
	// header is refused too.
	if code, _, _, _ := rawRequest(addr, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "+strings.Repeat("b", 20<<10)+"\r\n\r\n"); code != 431 {
		t.Errorf("20 KiB header: %d, want 431 (MaxHeaderBytes %d)", code, MaxHeaderBytes)
	}
}

// rawRequest writes req on a fresh connection and returns the status
// code, headers and (up to 1 MiB of) body of the reply.
func rawRequest(addr, req string) (int, http.Header, []byte, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, nil, nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	// The server may answer and close before reading everything: write
	// in the background, and read the reply.
	go io.Copy(conn, strings.NewReader(req))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading the reply: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, body, nil
}

// TestSlowClients: with short timeouts, a client sending its headers a
// byte at a time (slowloris) is cut off by ReadHeaderTimeout, and an idle
// kept-alive connection is closed by IdleTimeout; the test fails if
// either timeout is not applied (the connection would stay open). The
// viewer's own defaults are checked to be set.
func TestSlowClients(t *testing.T) {
	dir, _ := hostileDataDir(t)
	// Read is long on purpose: without IdleTimeout, Go falls back to
	// ReadTimeout for idle connections, which must not mask its absence.
	to := Timeouts{ReadHeader: 300 * time.Millisecond, Read: time.Minute, Write: time.Minute, Idle: 500 * time.Millisecond}
	s := startServer(t, serverOptions{DataDir: dir, Hostname: "box", Timeouts: &to})
	addr := strings.TrimPrefix(s.URL, "http://")

	t.Run("slowloris", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		closed := make(chan struct{})
		go func() { io.Copy(io.Discard, conn); close(closed) }()
		req := "GET /json/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + strings.Repeat("z", 1000)
		start := time.Now()
		for i := 0; ; i = (i + 1) % len(req) {
			select {
			case <-closed:
				t.Logf("cut off after %v", time.Since(start).Round(time.Millisecond))
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{req[i]}); err != nil {
				t.Logf("cut off after %v (write: %v)", time.Since(start).Round(time.Millisecond), err)
				return
			}
			if time.Since(start) > 15*time.Second {
				t.Fatal("a client trickling its headers is still connected after 15 s: no ReadHeaderTimeout")
			}
		}
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write([]byte("GET /static/app.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close {
			t.Fatal("the server closed a keep-alive connection at once; nothing to test")
		}
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		start := time.Now()
		if _, err := br.ReadByte(); err == nil {
			t.Fatal("the server sent bytes on an idle connection")
		} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("an idle keep-alive connection is still open after 15 s: no IdleTimeout")
		}
		t.Logf("idle connection closed after %v", time.Since(start).Round(time.Millisecond))
	})
	t.Run("defaults", func(t *testing.T) {
		srv := Server(http.NotFoundHandler(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if srv.ReadHeaderTimeout <= 0 || srv.ReadHeaderTimeout > 10*time.Second || srv.ReadTimeout <= 0 ||
			srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.IdleTimeout > 5*time.Minute ||
			srv.MaxHeaderBytes <= 0 || srv.MaxHeaderBytes > 64<<10 {
			t.Errorf("default server limits: header %v read %v write %v idle %v max header %d",
				srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, srv.MaxHeaderBytes)
		}
	})
}
