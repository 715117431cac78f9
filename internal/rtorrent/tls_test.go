package rtorrent

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// testCA is a CA the test makes, and the certificate and key it signed
// for 127.0.0.1, all as PEM files in a temporary directory.
type testCA struct {
	CAFile, CertFile, KeyFile string
}

// newTestCA makes a CA and, when serverIP is not nil, a server
// certificate for that address (and no host name) signed by it.
func newTestCA(t *testing.T, name string, serverIP net.IP) testCA {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca := testCA{CAFile: filepath.Join(dir, "ca.pem")}
	writePEM(t, ca.CAFile, "CERTIFICATE", caDER)
	if serverIP == nil {
		return ca
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: serverIP.String()},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{serverIP},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ca.CertFile, ca.KeyFile = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key")
	writePEM(t, ca.CertFile, "CERTIFICATE", der)
	writePEM(t, ca.KeyFile, "EC PRIVATE KEY", keyDER)
	return ca
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startTLSNginx runs Debian's nginx with TLS (the certificate and key of
// ca) on a free 127.0.0.1 port, passing /RPC2 behind basic auth to
// rTorrent's SCGI socket, as testenv.StartNginx does over plain http; it
// returns the https URL. t.Cleanup stops it.
func startTLSNginx(t *testing.T, ca testCA, socket, user, password string) string {
	t.Helper()
	path, err := exec.LookPath("nginx")
	if err != nil {
		t.Fatalf("nginx: %v", err)
	}
	dir, err := os.MkdirTemp("", "ngxtls")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sum := sha1.Sum([]byte(password))
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(user+":{SHA}"+base64.StdEncoding.EncodeToString(sum[:])+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "error.log")
	for attempt := 1; ; attempt++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
lock_file %[1]s/nginx.lock;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[2]d ssl;
        ssl_certificate %[3]s;
        ssl_certificate_key %[4]s;
        location /RPC2 {
            auth_basic "rtorrent";
            auth_basic_user_file %[1]s/htpasswd;
            include /etc/nginx/scgi_params;
            scgi_pass unix:%[5]s;
        }
    }
}
`, dir, port, ca.CertFile, ca.KeyFile, socket)), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(path, "-p", dir+"/", "-c", conf, "-e", logPath)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		stop := func() {
			cmd.Process.Kill()
			<-done
		}
		url := fmt.Sprintf("https://127.0.0.1:%d/RPC2", port)
		// Ready when our nginx answers /RPC2 over TLS with a request for
		// credentials (the check here trusts any certificate: it only
		// waits for the port).
		probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // readiness only
		}}
		deadline := time.Now().Add(15 * time.Second)
		for {
			select {
			case <-done:
				b, _ := os.ReadFile(logPath)
				if attempt < 3 && strings.Contains(string(b), "Address already in use") {
					goto retry
				}
				t.Fatalf("nginx with TLS exited:\n%s", b)
			default:
			}
			if resp, err := probe.Post(url, "text/xml", nil); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusUnauthorized {
					t.Cleanup(stop)
					return url
				}
			}
			if time.Now().After(deadline) {
				stop()
				b, _ := os.ReadFile(logPath)
				t.Fatalf("nginx with TLS did not answer on %s:\n%s", url, b)
			}
			time.Sleep(50 * time.Millisecond)
		}
	retry:
	}
}

// TestHTTPSThroughNginx: rTorrent behind Debian's nginx with TLS and a
// certificate from a CA the test made. With that CA in CAFile the client
// reads rTorrent's own PID; with the system's CAs or another CA it is
// refused with one line naming the instance, the URL and what to set;
// a URL naming a host the certificate lacks is refused too; with
// InsecureSkipVerify it reads (and SkipVerifyWarning warns).
func TestHTTPSThroughNginx(t *testing.T) {
	testenv.Need(t, "rtorrent", "nginx")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	ca := newTestCA(t, "rtmon test CA", net.IPv4(127, 0, 0, 1))
	other := newTestCA(t, "another CA", nil)
	const user, password = "rt", "tls-s3cret"
	url := startTLSNginx(t, ca, rt.Socket, user, password)
	byName := strings.Replace(url, "://127.0.0.1:", "://localhost:", 1)

	for _, tc := range []struct {
		name   string
		cfg    Config
		errHas []string // empty: the call must return rTorrent's PID
	}{
		{"CAFile of the signing CA", Config{URL: url, CAFile: ca.CAFile}, nil},
		{"InsecureSkipVerify", Config{URL: url, InsecureSkipVerify: true}, nil},
		{"system CAs", Config{URL: url}, []string{url, "signed by none of the system's CAs", "set CAFile"}},
		{"another CA", Config{URL: url, CAFile: other.CAFile}, []string{url, "signed by none of the CAs in CAFile " + quote(other.CAFile), "unknown authority"}},
		{"host not in the certificate", Config{URL: byName, CAFile: ca.CAFile}, []string{byName, "does not name this URL's host", "localhost"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Name = "tls"
			tc.cfg.Username, tc.cfg.Password = user, password
			tc.cfg.Timeout = 10 * time.Second
			c, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := c.Call(context.Background(), "system.pid")
			if len(tc.errHas) == 0 {
				if err != nil || v != int64(rt.PID) {
					t.Fatalf("system.pid over https: %v, %v; want %d", v, err, rt.PID)
				}
				return
			}
			if err == nil {
				t.Fatalf("system.pid over https answered %v; want a refused certificate", v)
			}
			msg := err.Error()
			t.Logf("refused: %s", msg)
			for _, want := range append(tc.errHas, `rtorrent "tls"`) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not say %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, password) {
				t.Errorf("error is not one line without the password: %q", msg)
			}
		})
	}

	// The warning: for https with the check off only, naming the URL.
	for _, tc := range []struct {
		cfg  Config
		want bool
	}{
		{Config{Name: "tls", URL: url, InsecureSkipVerify: true}, true},
		{Config{Name: "tls", URL: url, CAFile: ca.CAFile}, false},
		{Config{Name: "tls", URL: url}, false},
		{Config{Name: "tls", URL: "http://127.0.0.1:1/RPC2", InsecureSkipVerify: true}, false},
	} {
		w := SkipVerifyWarning(tc.cfg)
		if (w != "") != tc.want || (tc.want && (!strings.Contains(w, url) || !strings.Contains(w, "not checked"))) {
			t.Errorf("SkipVerifyWarning(%+v) = %q, want a warning: %v", tc.cfg, w, tc.want)
		}
	}
}
