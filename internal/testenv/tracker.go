package testenv

import (
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Tracker is a running opentracker on 127.0.0.1.
type Tracker struct {
	Addr     string // 127.0.0.1:port, TCP and UDP
	Announce string // http://127.0.0.1:port/announce
	PID      int
	Dir      string
	Log      string

	proc *proc
}

// StartTracker starts opentracker on a free 127.0.0.1 port with a
// whitelist of info hashes (40 hex digits). Debian builds opentracker in
// whitelist mode: any hash not listed is refused ("Requested download is
// not authorized"). It returns once the tracker accepts announces for the
// first hash. t.Cleanup stops it.
//
// Debian's opentracker refuses to run as root ("Still running with root
// privileges?!") and, started as root, chroots to tracker.rootdir and
// drops to nobody by itself; that credential change would clear our
// Pdeathsig. So as root we start it as nobody ourselves, and the whitelist
// is named relative to tracker.rootdir, which works with and without the
// chroot.
func StartTracker(t TB, infoHashes []string) *Tracker {
	t.Helper()
	return startTracker(t, FreePort(t, "127.0.0.1"), infoHashes)
}

func startTracker(t TB, port int, infoHashes []string) *Tracker {
	t.Helper()
	path := bin(t, "opentracker")
	dir := shortTempDir(t, "ot")
	tr := &Tracker{
		Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		Dir:  dir,
		Log:  filepath.Join(dir, "opentracker.log"),
	}
	tr.Announce = "http://" + tr.Addr + "/announce"
	t.Cleanup(func() {
		if tr.proc != nil {
			tr.proc.kill()
		}
		if t.Failed() {
			t.Logf("testenv: opentracker log %s (tail):\n%s", tr.Log, Tail(tr.Log, 2000))
		}
		_ = os.RemoveAll(dir)
	})

	var wl strings.Builder
	for _, h := range infoHashes {
		if b, err := hex.DecodeString(h); err != nil || len(b) != 20 {
			t.Fatalf("testenv: StartTracker: %q is not a 40-hex info hash", h)
		}
		wl.WriteString(strings.ToLower(h) + "\n")
	}
	conf := strings.Join([]string{
		"listen.tcp " + tr.Addr,
		"listen.udp " + tr.Addr,
		"access.whitelist whitelist",
		"tracker.rootdir " + dir,
	}, "\n") + "\n"
	// The tracker may run as nobody: the dir must be searchable, files readable.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	for name, content := range map[string]string{"whitelist": wl.String(), "opentracker.conf": conf} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatalf("testenv: StartTracker: %v", err)
		}
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		c, err := nobody()
		if err != nil {
			t.Fatalf("testenv: StartTracker: %v", err)
		}
		cred = c
	}
	ready := dialReady(tr.Addr)
	if len(infoHashes) > 0 {
		// The whitelist is read by a thread after the port opens: wait until
		// an announce for a listed hash is accepted.
		ready = func() error { return tr.probe(infoHashes[0]) }
	}
	p, err := startProc("opentracker", path, []string{"-f", filepath.Join(dir, "opentracker.conf")},
		baseEnv(dir), dir, tr.Log, cred)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	tr.proc = p
	tr.PID = p.pid()
	if err := p.waitUntil(10*time.Second, ready); err != nil {
		t.Fatalf("testenv: start opentracker: %v\nlog:\n%s\n%s", err, Tail(tr.Log, 2000), listeners(port))
	}
	return tr
}

// nobody returns the credentials of user nobody for dropping root.
func nobody() (*syscall.Credential, error) {
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("look up user nobody: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("user nobody has uid %q gid %q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}, nil
}

// probe fails unless the tracker accepts an announce for hash. opentracker
// checks its whitelist only for plain announces (event=stopped passes for
// any hash), so the probe announces a peer 127.0.0.1:1 and withdraws it at
// once with event=stopped: the swarm is empty again afterwards.
func (tr *Tracker) probe(hash string) error {
	raw, err := hex.DecodeString(hash)
	if err != nil {
		return fmt.Errorf("bad info hash %q: %w", hash, err)
	}
	q := tr.Announce + "?info_hash=" + escapeBytes(raw) +
		"&peer_id=-TB0001-testbedprobe&port=1&uploaded=0&downloaded=0&left=0&compact=1&numwant=0"
	if err := announceOK(q); err != nil {
		return err
	}
	return announceOK(q + "&event=stopped")
}

// announceOK GETs an announce URL and fails on a "failure reason" reply.
func announceOK(u string) error {
	body, err := httpGet(u)
	if err != nil {
		return err
	}
	v, err := bdecode(body)
	if err != nil {
		return fmt.Errorf("announce reply %.100q: %w", body, err)
	}
	if m, ok := v.(map[string]any); ok {
		if reason, ok := m["failure reason"]; ok {
			return fmt.Errorf("tracker refused: %v", reason)
		}
	}
	return nil
}

// Scrape returns the tracker's seeder (complete) and leecher (incomplete)
// counts for an info hash: the tracker's view of the swarm.
func (tr *Tracker) Scrape(t TB, hash string) (complete, incomplete int) {
	t.Helper()
	raw, err := hex.DecodeString(hash)
	if err != nil || len(raw) != 20 {
		t.Fatalf("testenv: Scrape: bad info hash %q", hash)
	}
	body, err := httpGet("http://" + tr.Addr + "/scrape?info_hash=" + escapeBytes(raw))
	if err != nil {
		t.Fatalf("testenv: scrape: %v", err)
	}
	v, err := bdecode(body)
	if err != nil {
		t.Fatalf("testenv: scrape reply %.100q: %v", body, err)
	}
	files, _ := v.(map[string]any)["files"].(map[string]any)
	entry, ok := files[string(raw)].(map[string]any)
	if !ok {
		return 0, 0
	}
	c, _ := entry["complete"].(int64)
	i, _ := entry["incomplete"].(int64)
	return int(c), int(i)
}

func httpGet(u string) ([]byte, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.100q", u, resp.Status, body)
	}
	return body, nil
}

// listeners describes who holds a TCP port, for failure messages: a
// refusal from "our" tracker may come from another process on that port.
func listeners(port int) string {
	out, err := exec.Command("ss", "-Htlnp", fmt.Sprintf("sport = :%d", port)).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("(ss: %v)", err)
	}
	return "listening on port " + strconv.Itoa(port) + ":\n" + string(out)
}

// escapeBytes percent-encodes every byte. url.QueryEscape would turn a
// 0x20 byte into '+', which opentracker does not decode: one info hash in
// about thirteen has such a byte and would be "not authorized".
func escapeBytes(b []byte) string {
	const hexDigits = "0123456789ABCDEF"
	out := make([]byte, 0, 3*len(b))
	for _, c := range b {
		out = append(out, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return string(out)
}
