package rtorrent

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// scgiTransport speaks SCGI (the protocol rTorrent's network.scgi.open_local
// and network.scgi.open_port listen with): one request per connection, a
// netstring of headers, the body, then a CGI-style reply read to EOF.
type scgiTransport struct {
	network, address string
	maxReply         int64
	dialer           net.Dialer
}

func (t *scgiTransport) roundTrip(ctx context.Context, body []byte) ([]byte, error) {
	conn, err := t.dialer.DialContext(ctx, t.network, t.address)
	if err != nil {
		return nil, &opError{"dial", cause(err)}
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	// A cancelled context must unblock a read from an rTorrent that never
	// answers (SIGSTOP, a wedged client), not only a deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	if _, err := conn.Write(scgiRequest(body)); err != nil {
		return nil, &opError{"write", ctxCause(ctx, err)}
	}
	reply, err := readSCGIReply(conn, t.maxReply)
	if err != nil {
		return nil, &opError{"read", ctxCause(ctx, err)}
	}
	return reply, nil
}

// readSCGIReply reads what rTorrent sends back: CGI-style headers, a blank
// line, then the body up to EOF. The body is capped at maxReply bytes and
// the header lines at scgiMaxHeaderLine each, so no reply, however
// malformed, costs more memory than that.
func readSCGIReply(r io.Reader, maxReply int64) ([]byte, error) {
	br := bufio.NewReaderSize(r, scgiMaxHeaderLine)
	status, length, err := readSCGIHeader(br)
	if err != nil {
		return nil, err
	}
	if status != 0 && status != 200 {
		return nil, fmt.Errorf("SCGI status %d", status)
	}
	reply, err := readCapped(br, maxReply, length)
	if err != nil {
		return nil, err
	}
	if length >= 0 && int64(len(reply)) < length {
		return nil, fmt.Errorf("reply cut short: %d of %d bytes", len(reply), length)
	}
	return reply, nil
}

// scgiMaxHeaderLine bounds one header line (and sizes the read buffer):
// rTorrent's are a few dozen bytes.
const scgiMaxHeaderLine = 32 << 10

// ctxCause prefers the context's reason when the connection failed because
// the context ended (we closed it), which reads better than "use of closed
// network connection".
func ctxCause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("deadline exceeded (rTorrent did not answer in time): %w", ctx.Err())
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return fmt.Errorf("connection closed before the reply was complete")
	}
	return cause(err)
}

// scgiRequest frames body as an SCGI request.
func scgiRequest(body []byte) []byte {
	var h bytes.Buffer
	header := func(k, v string) { h.WriteString(k); h.WriteByte(0); h.WriteString(v); h.WriteByte(0) }
	header("CONTENT_LENGTH", strconv.Itoa(len(body)))
	header("SCGI", "1")
	header("REQUEST_METHOD", "POST")
	header("CONTENT_TYPE", "text/xml")
	out := make([]byte, 0, h.Len()+len(body)+16)
	out = strconv.AppendInt(out, int64(h.Len()), 10)
	out = append(out, ':')
	out = append(out, h.Bytes()...)
	out = append(out, ',')
	return append(out, body...)
}

// readSCGIHeader reads the CGI-style header block ("Status: 200 OK",
// "Content-Length: N", blank line). It returns the status (0 when absent)
// and the length (-1 when absent).
func readSCGIHeader(br *bufio.Reader) (status int, length int64, err error) {
	length = -1
	for n := 0; ; n++ {
		if n > 64 {
			return 0, 0, fmt.Errorf("malformed reply: more than 64 header lines")
		}
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, 0, fmt.Errorf("malformed reply: a header line longer than %d bytes", scgiMaxHeaderLine)
		}
		if err != nil {
			return 0, 0, err
		}
		line := strings.TrimRight(string(raw), "\r\n")
		if line == "" {
			return status, length, nil
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return 0, 0, fmt.Errorf("malformed reply header %q", truncate(line, 60))
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "status":
			code, _, _ := strings.Cut(v, " ")
			if status, err = strconv.Atoi(code); err != nil {
				return 0, 0, fmt.Errorf("malformed reply status %q", truncate(v, 60))
			}
		case "content-length":
			if length, err = strconv.ParseInt(v, 10, 64); err != nil || length < 0 {
				return 0, 0, fmt.Errorf("malformed reply Content-Length %q", truncate(v, 60))
			}
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
