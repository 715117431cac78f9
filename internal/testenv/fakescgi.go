package testenv

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
)

// FakeSCGI is an SCGI endpoint on a unix socket that answers every request
// with the same body: for replies no real rTorrent sends (a reply nested
// millions of levels deep). Everything a real rTorrent can be made to do
// belongs to StartRTorrent and TamperProxy instead.
type FakeSCGI struct {
	URL      string // scgi:///<dir>/fake.socket
	Socket   string
	requests atomic.Int64
}

// StartFakeSCGI serves body (with a CGI "Status: 200 OK" header, as
// rTorrent writes) to every request; t.Cleanup stops it.
func StartFakeSCGI(t TB, body []byte) *FakeSCGI {
	t.Helper()
	dir := shortTempDir(t, "fake")
	f := &FakeSCGI{Socket: filepath.Join(dir, "fake.socket")}
	f.URL = "scgi://" + f.Socket
	ln, err := net.Listen("unix", f.Socket)
	if err != nil {
		t.Fatalf("testenv: fake SCGI: %v", err)
	}
	head := []byte("Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if skipSCGIRequest(bufio.NewReader(c)) != nil {
					return
				}
				f.requests.Add(1)
				c.Write(head)
				c.Write(body)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait(); os.RemoveAll(dir) })
	return f
}

// Requests is how many requests were answered so far.
func (f *FakeSCGI) Requests() int64 { return f.requests.Load() }

// skipSCGIRequest reads one request: the netstring of headers, whose
// CONTENT_LENGTH says how long the body after it is.
func skipSCGIRequest(r *bufio.Reader) error {
	n, err := r.ReadString(':')
	if err != nil {
		return err
	}
	size, err := strconv.Atoi(n[:len(n)-1])
	if err != nil || size < 0 || size > 1<<20 {
		return io.ErrUnexpectedEOF
	}
	hdr := make([]byte, size+1)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return err
	}
	fields := bytes.Split(hdr[:size], []byte{0})
	length := 0
	for i := 0; i+1 < len(fields); i += 2 {
		if string(fields[i]) == "CONTENT_LENGTH" {
			length, _ = strconv.Atoi(string(fields[i+1]))
		}
	}
	_, err = io.CopyN(io.Discard, r, int64(length))
	return err
}

// DeepReply is the reply issue 11 found killing collectd: a methodResponse
// whose value opens levels arrays inside each other and never closes
// them. 3,000,000 levels are 60 MB, under the plugin's 64 MiB reply cap.
func DeepReply(levels int) []byte {
	const open = "<value><array><data>"
	var b bytes.Buffer
	b.Grow(len(open)*levels + 64)
	b.WriteString("<?xml version=\"1.0\"?>\n<methodResponse><params><param>")
	for range levels {
		b.WriteString(open)
	}
	return b.Bytes()
}
