package testenv

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Nginx is a running nginx that serves an rTorrent SCGI socket as HTTP
// /RPC2 behind basic auth, the way ruTorrent setups expose rTorrent.
type Nginx struct {
	URL            string // http://127.0.0.1:port/RPC2
	User, Password string
	PID            int
	Dir            string
	Log            string // nginx's error log (and our stdout/stderr capture)
	AccessLog      string

	proc *proc
}

// StartNginx starts nginx on a free 127.0.0.1 port with location /RPC2
// passing to scgiSocket (a unix socket path), guarded by basic auth for
// user/password. t.Cleanup stops it.
//
// It runs with `master_process off`: one process that serves requests
// itself. With a master, the workers would be forked by nginx (not by us),
// so they would not inherit our Pdeathsig and would outlive a killed test
// binary; and as root they would switch to user nobody, who cannot connect
// to rTorrent's root-owned socket. Every path (pid, logs, temp dirs) is
// private, so it needs neither root nor /var/lib/nginx.
func StartNginx(t TB, scgiSocket, user, password string) *Nginx {
	t.Helper()
	path := bin(t, "nginx")
	if !filepath.IsAbs(scgiSocket) {
		t.Fatalf("testenv: StartNginx: socket %q must be an absolute path", scgiSocket)
	}
	if strings.ContainsAny(user, ":\n") || strings.Contains(password, "\n") {
		t.Fatalf("testenv: StartNginx: user %q or password contains ':' or a newline", user)
	}
	dir := shortTempDir(t, "ngx")
	n := &Nginx{
		User:      user,
		Password:  password,
		Dir:       dir,
		Log:       filepath.Join(dir, "error.log"),
		AccessLog: filepath.Join(dir, "access.log"),
	}
	t.Cleanup(func() {
		if n.proc != nil {
			n.proc.kill()
		}
		if t.Failed() {
			t.Logf("testenv: nginx error log %s (tail):\n%s", n.Log, Tail(n.Log, 2000))
		}
		_ = os.RemoveAll(dir)
	})

	// {SHA} is one of the password schemes nginx's auth_basic_user_file
	// accepts besides crypt(3): base64 of the raw SHA-1 of the password.
	sum := sha1.Sum([]byte(password))
	htpasswd := user + ":{SHA}" + base64.StdEncoding.EncodeToString(sum[:]) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(htpasswd), 0o644); err != nil {
		t.Fatalf("testenv: StartNginx: %v", err)
	}
	confPath := filepath.Join(dir, "nginx.conf")
	// A port FreePort found free may be taken before nginx binds it: nginx
	// then exits with "Address already in use" and we try another.
	for attempt := 1; ; attempt++ {
		port := pickPort(t, "127.0.0.1")
		n.URL = fmt.Sprintf("http://127.0.0.1:%d/RPC2", port)
		if err := os.WriteFile(confPath, []byte(nginxConf(dir, port, scgiSocket)), 0o644); err != nil {
			t.Fatalf("testenv: StartNginx: %v", err)
		}
		// -e sends the log to our file before the config is read, instead
		// of the compiled-in path; -p makes relative paths resolve under dir.
		p, err := startProc("nginx", path, []string{"-p", dir + "/", "-c", confPath, "-e", n.Log},
			baseEnv(dir), dir, n.Log, nil)
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		n.proc = p
		n.PID = p.pid()
		// Ready when /RPC2 asks for credentials and our nginx still runs
		// (an answer could come from whoever holds the port).
		err = p.waitUntil(10*time.Second, func() error {
			_, code, err := postXMLRPC(time.Second, n.URL, "", "", "system.pid")
			if code != http.StatusUnauthorized {
				return fmt.Errorf("unauthenticated request: HTTP %d, %v", code, err)
			}
			if p.exited() {
				return fmt.Errorf("nginx exited")
			}
			return nil
		})
		if err == nil {
			return n
		}
		p.kill()
		if attempt < 3 && strings.Contains(Tail(n.Log, 2000), "Address already in use") {
			continue
		}
		t.Fatalf("testenv: start nginx: %v\nlog:\n%s", err, Tail(n.Log, 2000))
	}
}

func nginxConf(dir string, port int, socket string) string {
	return fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
lock_file %[1]s/nginx.lock;
error_log %[1]s/error.log info;
events { worker_connections 256; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[2]d;
        location /RPC2 {
            auth_basic "rtorrent";
            auth_basic_user_file %[1]s/htpasswd;
            client_max_body_size 16m;
            include %[4]s;
            scgi_pass unix:%[3]s;
        }
    }
}
`, dir, port, socket, scgiParams)
}

// scgiParams is Debian's file of SCGI parameters; nginx needs at least
// CONTENT_LENGTH from it, which rTorrent requires.
const scgiParams = "/etc/nginx/scgi_params"

// Call posts an XML-RPC call to URL with the Nginx credentials.
func (n *Nginx) Call(method string, args ...any) (any, error) {
	v, _, err := PostXMLRPC(n.URL, n.User, n.Password, method, args...)
	return v, err
}

// PostXMLRPC makes one XML-RPC call over HTTP with basic auth (when user is
// not empty) and returns the decoded value and the HTTP status. A non-200
// status is an error.
func PostXMLRPC(url, user, password, method string, args ...any) (any, int, error) {
	return postXMLRPC(time.Minute, url, user, password, method, args...)
}

func postXMLRPC(timeout time.Duration, url, user, password, method string, args ...any) (any, int, error) {
	body, err := encodeCall(method, args)
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "text/xml")
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s via %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("%s via %s: read: %w", method, url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode, fmt.Errorf("%s via %s: HTTP %s", method, url, resp.Status)
	}
	v, err := decodeResponse(raw)
	return v, resp.StatusCode, err
}
