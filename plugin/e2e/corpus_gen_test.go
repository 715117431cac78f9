//go:build corpusgen

package e2e

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestGenerateCorpus is not a test: it writes the fuzz seed corpora from a
// real run, so the seeds are what rTorrent 0.9.8 and collectd 5.12 send.
// collectd with the plugin reads a real rTorrent through a recording SCGI
// proxy; the raw replies become seeds of FuzzSCGIReply (whole) and of
// FuzzDecodeReply and FuzzFastDecode (the XML body); replies of collectd's
// unixsock become seeds of FuzzReadReply, and the identifiers it lists
// seeds of FuzzParseIdentifier. Run it by hand:
//
//	go test -tags corpusgen -run TestGenerateCorpus ./plugin/e2e/
func TestGenerateCorpus(t *testing.T) {
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	tor := testenv.FakeTorrents(3, "http://tracker.example.org:6969/announce", "corpus")
	rt.LoadRaw(t, testenv.Metas(tor[:1]), true)
	rt.LoadRaw(t, testenv.Metas(tor[1:]), false)
	rt.WaitItems(t, 3, 20*time.Second)
	rt.MustCall(t, "d.custom1.set", rt.Hashes(t)[0], "tv%20shows")

	rec := startRecorder(t, rt.Socket)
	c := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", rec.url), "MinScanInterval 1", "MaxScanInterval 2")))
	c.startForeground(t)
	c.waitUpdate(t, "rtorrent-main/count-items_total", time.Now(), 20*time.Second)
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(1, "udp://announce.example.net:80", "corpus-new")), false)
	c.waitUpdate(t, "rtorrent-main/count-scan_new_hashes", time.Now().Add(2*time.Second), 20*time.Second)
	// A fault, and the calls a read makes only with peers, by hand.
	for _, body := range []string{
		`<?xml version="1.0"?><methodCall><methodName>no.such.method</methodName><params></params></methodCall>`,
		`<?xml version="1.0"?><methodCall><methodName>p.multicall</methodName><params><param><value><string>` + rt.Hashes(t)[0] +
			`</string></value></param><param><value><string></string></value></param><param><value><string>p.is_incoming=</string></value></param></params></methodCall>`,
		`<?xml version="1.0"?><methodCall><methodName>d.multicall2</methodName><params><param><value><string></string></value></param><param><value><string>main</string></value></param><param><value><string>d.hash=</string></value></param><param><value><string>d.message=</string></value></param><param><value><string>t.multicall=,t.url=</string></value></param></params></methodCall>`,
	} {
		rec.call(t, body)
	}

	rtDir := filepath.Join("..", "rtorrent", "testdata", "fuzz")
	for _, r := range rec.replies() {
		if len(r.raw) > 24<<10 {
			continue // system.listMethods: too big to mutate quickly
		}
		i := bytes.Index(r.raw, []byte("\r\n\r\n"))
		if i < 0 {
			t.Fatalf("reply of %s without header end: %.100q", r.method, r.raw)
		}
		name := "real-" + r.method
		writeSeed(t, filepath.Join(rtDir, "FuzzSCGIReply"), name, r.raw)
		writeSeed(t, filepath.Join(rtDir, "FuzzDecodeReply"), name, r.raw[i+4:])
		writeSeed(t, filepath.Join(rtDir, "FuzzFastDecode"), name, r.raw[i+4:])
	}

	usDir := filepath.Join("..", "..", "viewer", "unixsock", "testdata", "fuzz")
	list := unixsockRaw(t, c.Sock, "LISTVAL")
	writeSeed(t, filepath.Join(usDir, "FuzzReadReply"), "real-listval-rtorrent", clipLines(list, 12))
	for _, line := range strings.Split(list, "\n")[1:] {
		_, id, ok := strings.Cut(line, " ")
		if ok && strings.Contains(id, "rtorrent") {
			writeSeedString(t, filepath.Join(usDir, "FuzzParseIdentifier"), "real-"+id, id)
		}
	}
	for _, cmd := range []string{
		`GETVAL "rtmon-e2e/rtorrent-main/if_octets"`, `GETVAL "rtmon-e2e/rtorrent-main/count-items_total"`,
		`GETVAL "rtmon-e2e/rtorrent-main/rtorrent_group-tracker_example.org"`, `GETVAL "rtmon-e2e/rtorrent-main/nope"`,
		`FLUSH timeout=0 plugin=rrdtool identifier="rtmon-e2e/rtorrent-main/count-items_total"`, `GETVAL rtmon-e2e`,
	} {
		writeSeed(t, filepath.Join(usDir, "FuzzReadReply"), "real-"+cmd, []byte(unixsockRaw(t, c.Sock, cmd)))
	}
}

type recorded struct {
	method string
	raw    []byte
}

type recorder struct {
	url, upstream string
	mu            sync.Mutex
	got           []recorded
}

// startRecorder is an SCGI proxy that keeps every raw reply.
func startRecorder(t *testing.T, upstream string) *recorder {
	dir, err := os.MkdirTemp("", "rec")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "rec.socket")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); os.RemoveAll(dir) })
	r := &recorder{url: "scgi://" + sock, upstream: upstream}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return r
}

func (r *recorder) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	lenStr, err := br.ReadString(':')
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(lenStr, ":"))
	hdr := make([]byte, n+1)
	if _, err := io.ReadFull(br, hdr); err != nil {
		return
	}
	fields := strings.Split(string(hdr[:n]), "\x00")
	size := 0
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i] == "CONTENT_LENGTH" {
			size, _ = strconv.Atoi(fields[i+1])
		}
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(br, body); err != nil {
		return
	}
	raw, err := r.forward(append([]byte(lenStr), append(hdr, body...)...))
	if err != nil {
		return
	}
	c.Write(raw)
	r.mu.Lock()
	r.got = append(r.got, recorded{methodOf(body), raw})
	r.mu.Unlock()
}

func (r *recorder) forward(req []byte) ([]byte, error) {
	up, err := net.DialTimeout("unix", r.upstream, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer up.Close()
	up.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := up.Write(req); err != nil {
		return nil, err
	}
	return io.ReadAll(up)
}

// call sends one request body through the recorder.
func (r *recorder) call(t *testing.T, body string) {
	c, err := net.Dial("unix", strings.TrimPrefix(r.url, "scgi://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := fmt.Sprintf("CONTENT_LENGTH\x00%d\x00SCGI\x001\x00", len(body))
	fmt.Fprintf(c, "%d:%s,%s", len(h), h, body)
	io.ReadAll(c)
}

func (r *recorder) replies() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.got...)
}

// methodOf names a call for the seed file: the method, and for
// system.multicall its first sub-call.
func methodOf(body []byte) string {
	s := string(body)
	name := between(s, "<methodName>", "</methodName>")
	if name == "system.multicall" {
		name += "-" + between(s, "<name>methodName</name><value><string>", "</string>")
	}
	return name
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}

func unixsockRaw(t *testing.T, sock, cmd string) string {
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	br := bufio.NewReader(c)
	first, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	out := first
	n, _ := strconv.Atoi(strings.Fields(first)[0])
	for i := 0; i < n; i++ {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		out += l
	}
	return out
}

// clipLines keeps the status line (rewritten to n) and n value lines.
func clipLines(reply string, n int) []byte {
	lines := strings.SplitAfter(reply, "\n")
	if len(lines)-2 < n {
		return []byte(reply)
	}
	return []byte(fmt.Sprintf("%d Values found\n", n) + strings.Join(lines[1:n+1], ""))
}

func writeSeed(t *testing.T, dir, name string, b []byte) {
	write(t, dir, name, fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b), b)
}

func writeSeedString(t *testing.T, dir, name, s string) {
	write(t, dir, name, fmt.Sprintf("go test fuzz v1\nstring(%q)\n", s), []byte(s))
}

// write names a seed by its kind and a hash of its content, so runs add
// only what is new.
func write(t *testing.T, dir, name, content string, b []byte) {
	sum := sha256.Sum256(b)
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_' {
			return r
		}
		return '_'
	}, name)
	if len(clean) > 60 {
		clean = clean[:60]
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%x", clean, sum[:4]))
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
