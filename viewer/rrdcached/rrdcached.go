// Package rrdcached asks rrdcached to write a file's pending updates
// before the viewer reads it.
//
// A central collectd writing through rrdcached (collectd.conf.d/central)
// leaves each RRD file behind rrdcached's cache by up to its -w timeout.
// librrd can read through the daemon (its daemon address), but only for
// a file named as rrdcached knows it; the viewer hands librrd
// /proc/self/fd/N of a file it opened and checked itself (viewer/datadir),
// a name rrdcached has never heard of. So the viewer sends FLUSH <file>
// itself, over rrdcached's text protocol, with the name collectd's
// rrdcached plugin uses, and then reads the file from disk as always.
//
// Every exchange has a deadline and a bounded reply; a failed flush is
// reported (Status) and the file is read as it is on disk: a graph with a
// gap, never a hung or failed page.
package rrdcached

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

const (
	// Timeout bounds one FLUSH when the caller's context has none:
	// rrdcached answers once the file is written, which on a loaded disk
	// takes a while, and a page waits for it.
	Timeout = 2 * time.Second
	// maxLine bounds rrdcached's status line ("0 Successfully flushed
	// <file>."): a file name and a few words.
	maxLine = 8 << 10
	// maxPath bounds a file name sent (Linux's PATH_MAX); a longer one is
	// refused before anything is sent.
	maxPath = 4096
)

// Client sends FLUSH to one rrdcached. It is safe for concurrent use: one
// command at a time on one connection, opened again after an error.
type Client struct {
	network, addr string

	turn chan struct{}
	mu   sync.Mutex // guards conn, r and the status fields
	conn net.Conn
	r    *bufio.Reader

	flushes, failures int64
	lastErr           string
	lastErrAt         time.Time
	lastOK            time.Time
}

// New returns a client for addr in rrdcached's -l form: "unix:/path",
// "/path" (a unix socket) or "host:port" (TCP). Nothing is dialled yet.
func New(addr string) (*Client, error) {
	network, a, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	return &Client{network: network, addr: a, turn: make(chan struct{}, 1)}, nil
}

func parseAddr(addr string) (network, a string, err error) {
	switch {
	case addr == "":
		return "", "", errors.New("rrdcached: empty address")
	case len(addr) > maxPath:
		return "", "", fmt.Errorf("rrdcached: address of %d bytes, at most %d", len(addr), maxPath)
	case strings.HasPrefix(addr, "unix:"):
		return "unix", strings.TrimPrefix(addr, "unix:"), nil
	case strings.HasPrefix(addr, "/"):
		return "unix", addr, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return "", "", fmt.Errorf("rrdcached: address %q: want unix:/path, /path or host:port", addr)
	}
	return "tcp", addr, nil
}

// Addr is the address as given to New, for messages.
func (c *Client) Addr() string {
	if c.network == "unix" {
		return "unix:" + c.addr
	}
	return c.addr
}

// Flush asks rrdcached to write the pending updates of file (the name
// collectd's rrdcached plugin uses for it: its DataDir joined with
// host/plugin/type.rrd) and waits for the answer. A file with nothing
// pending is not an error.
func (c *Client) Flush(ctx context.Context, file string) error {
	err := c.flush(ctx, file)
	c.mu.Lock()
	c.flushes++
	if err != nil {
		c.failures++
		c.lastErr, c.lastErrAt = err.Error(), time.Now()
	} else {
		c.lastOK = time.Now()
	}
	c.mu.Unlock()
	return err
}

func (c *Client) flush(ctx context.Context, file string) error {
	if len(file) > maxPath || strings.ContainsAny(file, "\n\r\x00") || file == "" {
		return fmt.Errorf("rrdcached: FLUSH: refusing file name %.80q", file)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, Timeout)
		defer cancel()
	}
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return fmt.Errorf("rrdcached %s: FLUSH %s: waiting for the connection: %w", c.Addr(), file, ctx.Err())
	}
	conn, r, err := c.connect(ctx)
	if err != nil {
		return err
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	status, msg, err := exchange(conn, r, "FLUSH "+file+"\n")
	if err != nil {
		c.drop(conn)
		return fmt.Errorf("rrdcached %s: FLUSH %s: %w", c.Addr(), file, err)
	}
	if status < 0 {
		// "-1 No such file: <file>" (rrdcached 1.7): nothing is pending
		// for it, so the disk already holds everything.
		if strings.HasPrefix(msg, "No such file") {
			return nil
		}
		return fmt.Errorf("rrdcached %s: FLUSH %s: %d %s", c.Addr(), file, status, msg)
	}
	return nil
}

// exchange writes one command and reads its status line, then skips the
// lines a positive status announces (FLUSH announces none).
func exchange(conn net.Conn, r *bufio.Reader, cmd string) (int, string, error) {
	if _, err := conn.Write([]byte(cmd)); err != nil {
		return 0, "", fmt.Errorf("sending: %w", err)
	}
	line, err := readLine(r)
	if err != nil {
		return 0, "", err
	}
	num, msg, _ := strings.Cut(line, " ")
	status, err := strconv.Atoi(num)
	if err != nil {
		return 0, "", fmt.Errorf("status line %.80q: not a number", line)
	}
	if status > 64 {
		return 0, "", fmt.Errorf("status line %.80q: %d more lines, expected none", line, status)
	}
	for i := 0; i < status; i++ {
		if _, err := readLine(r); err != nil {
			return 0, "", err
		}
	}
	return status, msg, nil
}

func readLine(r *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > maxLine {
			return "", fmt.Errorf("reply line over %d bytes", maxLine)
		}
		if err == nil {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", fmt.Errorf("reading reply: %w", err)
		}
	}
}

func (c *Client) connect(ctx context.Context) (net.Conn, *bufio.Reader, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		return c.conn, c.r, nil
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, c.network, c.addr)
	if err != nil {
		return nil, nil, fmt.Errorf("rrdcached: connect to %s: %w", c.Addr(), err)
	}
	c.conn, c.r = conn, bufio.NewReaderSize(conn, 4096)
	return c.conn, c.r, nil
}

func (c *Client) drop(conn net.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == conn {
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}

// Close closes the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn, c.r = nil, nil
	return err
}

// Status is what the viewer reports about rrdcached (/json/fleet).
type Status struct {
	Address  string `json:"address"`
	Flushes  int64  `json:"flushes"`
	Failures int64  `json:"failures"`
	// OK is false while the latest flush failed: files are read as they
	// are on disk and graphs end where rrdcached last wrote.
	OK        bool    `json:"ok"`
	LastError string  `json:"last_error,omitempty"`
	ErrorAge  float64 `json:"last_error_age_seconds,omitempty"`
}

// Status returns the counters and the latest error.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Status{Address: c.Addr(), Flushes: c.flushes, Failures: c.failures, OK: c.lastErr == "" || c.lastOK.After(c.lastErrAt)}
	if c.lastErr != "" {
		s.LastError = c.lastErr
		s.ErrorAge = time.Since(c.lastErrAt).Seconds()
	}
	return s
}
