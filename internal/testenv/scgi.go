package testenv

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// scgiCall sends one XML-RPC request over SCGI (network "unix" or "tcp")
// and returns the decoded reply. rTorrent closes the connection after each
// reply, so there is one connection per call.
func scgiCall(network, addr string, timeout time.Duration, method string, args []any) (any, error) {
	body, err := encodeCall(method, args)
	if err != nil {
		return nil, err
	}
	raw, err := scgiRoundTrip(network, addr, timeout, body)
	if err != nil {
		return nil, fmt.Errorf("%s via scgi %s: %w", method, addr, err)
	}
	v, err := decodeResponse(raw)
	if err != nil {
		if _, ok := err.(*Fault); ok {
			return nil, err
		}
		return nil, fmt.Errorf("%s: decode reply: %w", method, err)
	}
	return v, nil
}

// scgiRoundTrip frames body as an SCGI request (netstring of headers,
// CONTENT_LENGTH first as the spec demands) and returns the response body
// after the CGI-style headers.
func scgiRoundTrip(network, addr string, timeout time.Duration, body []byte) ([]byte, error) {
	conn, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return nil, err
	}
	var hdr bytes.Buffer
	for _, kv := range [][2]string{
		{"CONTENT_LENGTH", strconv.Itoa(len(body))},
		{"SCGI", "1"},
		{"REQUEST_METHOD", "POST"},
		{"REQUEST_URI", "/RPC2"},
	} {
		hdr.WriteString(kv[0])
		hdr.WriteByte(0)
		hdr.WriteString(kv[1])
		hdr.WriteByte(0)
	}
	req := make([]byte, 0, hdr.Len()+len(body)+16)
	req = strconv.AppendInt(req, int64(hdr.Len()), 10)
	req = append(req, ':')
	req = append(req, hdr.Bytes()...)
	req = append(req, ',')
	req = append(req, body...)
	if _, err := conn.Write(req); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	resp, err := io.ReadAll(conn)
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return splitCGIResponse(resp)
}

// splitCGIResponse strips "Status: 200 OK\r\nContent-Type: ...\r\n\r\n".
func splitCGIResponse(resp []byte) ([]byte, error) {
	if len(resp) == 0 {
		return nil, fmt.Errorf("empty reply (connection closed)")
	}
	sep := []byte("\r\n\r\n")
	i := bytes.Index(resp, sep)
	if i < 0 {
		sep = []byte("\n\n")
		i = bytes.Index(resp, sep)
	}
	if i < 0 {
		return nil, fmt.Errorf("reply without header end: %.80q", resp)
	}
	head := string(resp[:i])
	for _, line := range strings.Split(head, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Status:"); ok {
			if v = strings.TrimSpace(v); !strings.HasPrefix(v, "200") {
				return nil, fmt.Errorf("status %q", v)
			}
		}
	}
	return resp[i+len(sep):], nil
}
