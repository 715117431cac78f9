package rtorrent

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

// fuzzReplyCap is the body cap FuzzSCGIReply reads with: small, so the
// fuzzer reaches it.
const fuzzReplyCap = 4096

// FuzzSCGIReply feeds raw bytes, as an SCGI server could send them, to the
// reply reader: headers, status, Content-Length, body and cap. It must
// never panic; an accepted reply is the bytes after the blank line ending
// the headers, within the cap, as long as Content-Length says if given;
// every error is one line.
func FuzzSCGIReply(f *testing.F) {
	f.Add([]byte("Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 26\r\n\r\n<methodResponse>x</methodR"))
	f.Add([]byte("Content-Type: text/xml\r\n\r\n<methodResponse/>"))
	f.Add([]byte("Status: 500 Internal\r\n\r\n"))
	f.Add([]byte("Status: 200 OK\nContent-Length: 99999999999\n\nabc"))
	f.Add([]byte("HTTP/1.0 200 OK\r\n\r\n"))
	f.Add([]byte("Status: 200 OK\r\nContent-Length: -1\r\n\r\n"))
	f.Add([]byte("Status: 200 OK\r\nContent-Length: 3\r\n\r\nabcdef"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		body, err := readSCGIReply(bytes.NewReader(raw), fuzzReplyCap)
		if err != nil {
			if body != nil {
				t.Fatalf("body %q together with error %v", body, err)
			}
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || len(msg) > 300 {
				t.Fatalf("error not one short line: %q", msg)
			}
			return
		}
		if len(body) > fuzzReplyCap {
			t.Fatalf("body of %d bytes passed a cap of %d", len(body), fuzzReplyCap)
		}
		if !bytes.HasSuffix(raw, body) {
			t.Fatalf("body %q is not the end of the reply %q", body, raw)
		}
		head := raw[:len(raw)-len(body)]
		if !bytes.HasSuffix(head, []byte("\n")) {
			t.Fatalf("body %q does not follow a header line end in %q", body, raw)
		}
		if n, ok := headerLength(head); ok && int64(len(body)) < n {
			t.Fatalf("body of %d bytes accepted for Content-Length %d", len(body), n)
		}
	})
}

// headerLength finds a Content-Length header the simple way, as an
// oracle independent of readSCGIHeader.
func headerLength(head []byte) (int64, bool) {
	for _, line := range strings.Split(string(head), "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "content-length") {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
