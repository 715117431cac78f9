package e2e

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestDeepReplyUnderCollectd: an rTorrent endpoint answering with a reply
// nested 3,000,000 levels deep (60 MB, under the reply cap) killed
// `collectd -f` with rtorrent.so loaded on its first read ("goroutine
// stack exceeds 1000000000-byte limit"). collectd now stays up, logs one
// error line naming the instance, the URL and the bound, and goes on
// dispatching the other instance (a real rTorrent) and the host's values.
// The interval is 5 s: with the other tests' 1 s, a read may take 0.8 s,
// which 60 MB over a socket on a loaded test machine sometimes exceeded,
// and the read then failed on its deadline before the decoder saw a byte.
func TestDeepReplyUnderCollectd(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	fake := testenv.StartFakeSCGI(t, testenv.DeepReply(3_000_000))
	const every = 5 * time.Second
	c := newCollectdDirEvery(t, every, pluginBlock(
		instance("deep", fmt.Sprintf("URL %q", fake.URL)),
		instance("real", fmt.Sprintf("URL %q", rt.URL)),
	))
	c.startForeground(t)
	var line string
	for deadline := time.Now().Add(30 * time.Second); line == ""; time.Sleep(100 * time.Millisecond) {
		if l := c.logLines("error", `rtorrent plugin: instance "deep"`); len(l) > 0 {
			line = l[0]
		} else if !c.running() {
			t.Fatalf("collectd died reading the deep reply:\n%s", testenv.Tail(filepath.Join(c.Dir, "stdout.log"), 600))
		} else if time.Now().After(deadline) {
			t.Fatalf("no error for the deep instance after 30 s")
		}
	}
	for _, w := range []string{fake.URL, "deeper than 32 levels", "cannot read rTorrent"} {
		if !strings.Contains(line, w) {
			t.Errorf("the error lacks %q: %s", w, line)
		}
	}
	t.Logf("%s", line)
	// Several more deep replies read while the rest goes on.
	seen := fake.Requests()
	start := time.Now()
	c.waitUpdate(t, "rtorrent-real/count-items_total", start, 3*every)
	c.waitUpdate(t, "load/load", start, 3*every)
	time.Sleep(every)
	if !c.running() {
		t.Fatalf("collectd exited")
	}
	if fake.Requests() <= seen {
		t.Errorf("the deep instance was not read again (%d requests)", fake.Requests())
	}
	c.waitUpdate(t, "rtorrent-real/count-items_total", time.Now(), 3*every)
	if n := len(c.logLines("error", `instance "deep"`)); n != 1 {
		t.Errorf("%d errors for the deep instance, want 1 (logged once per outage)", n)
	}
	if l := c.logLines("error", `instance "real"`); len(l) > 0 {
		t.Errorf("errors for the real instance: %v", l)
	}
	if took := c.stop(t); took > 5*time.Second {
		t.Errorf("collectd took %v to stop", took)
	}
}

// TestSecretsNotInCollectdLog: no password reaches collectd's log, from
// any place the plugin writes one: a URL that does not parse, an unquoted
// numeric Password, the start-up line of an instance whose URL holds a
// password, and the read error when that URL refuses connections. The
// instance that is not loopback gets exactly one warning about basic auth
// in clear text, however many reads fail.
func TestSecretsNotInCollectdLog(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // refused from now on
	c := newCollectdDir(t, pluginBlock(
		instance("badescape", `URL "http://admin:s3cr3tA%zzPW@127.0.0.1/RPC2"`),
		instance("numeric", `URL "http://127.0.0.1/RPC2"`, `Username "rt"`, "Password 12345678"),
		instance("refused", fmt.Sprintf(`URL "http://admin:s3cr3tB@127.0.0.1:%d/RPC2"`, port)),
		instance("remote", fmt.Sprintf(`URL "http://admin:s3cr3tC@0.0.0.0:%d/RPC2"`, port)),
	))
	c.startForeground(t)
	c.waitLog(t, 20*time.Second, "error", `instance "refused"`, "connection refused")
	c.waitLog(t, 20*time.Second, "error", `instance "remote"`, "connection refused")
	time.Sleep(3 * interval)
	log := c.logText()
	for _, s := range []string{"s3cr3t", "zzPW", "12345678"} {
		if strings.Contains(log, s) {
			t.Errorf("collectd's log shows a password (%q):\n%s", s, log)
		}
	}
	for _, tc := range []struct{ severity, inst, want string }{
		{"error", "badescape", "admin:xxxxx@127.0.0.1"},
		{"error", "numeric", "option Password: want a quoted string, got a number"},
		{"info", "refused", "admin:xxxxx@127.0.0.1"},
		{"error", "refused", "admin:xxxxx@127.0.0.1"},
		{"warning", "remote", "clear text"},
	} {
		if l := c.logLines(tc.severity, fmt.Sprintf("instance %q", tc.inst), tc.want); len(l) == 0 {
			t.Errorf("no [%s] line for instance %s with %q", tc.severity, tc.inst, tc.want)
		}
	}
	if n := len(c.logLines("warning", "clear text")); n != 1 {
		t.Errorf("%d clear-text warnings after several reads, want 1", n)
	}
}
