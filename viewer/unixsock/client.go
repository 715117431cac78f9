package unixsock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// DefaultTimeout bounds a command whose context has no deadline, so that a
// hung collectd cannot hold the client (and every caller queued behind it)
// forever.
const DefaultTimeout = 10 * time.Second

// Client talks to one collectd unixsock socket. It is safe for concurrent
// use: commands run one at a time on a single connection. The connection is
// opened again on the next command after an I/O or protocol error, so a
// collectd restart costs one failed command.
type Client struct {
	path string

	// turn is a one-slot semaphore held for a whole command, so there is
	// one command on the wire at a time; unlike a mutex, waiting for it
	// gives up when the caller's context ends.
	turn chan struct{}

	connMu sync.Mutex // guards the fields below; never held while waiting on I/O
	conn   net.Conn
	r      *bufio.Reader
	closed bool
}

// Dial connects to collectd's unixsock socket at path, so that a wrong path
// or a stopped collectd shows at once.
func Dial(ctx context.Context, path string) (*Client, error) {
	c := &Client{path: path, turn: make(chan struct{}, 1)}
	if _, _, err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Close closes the connection. A command in flight fails; later commands
// return ErrClosed.
func (c *Client) Close() error {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	c.closed = true
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn, c.r = nil, nil
	return err
}

// connect returns the open connection, dialling if there is none.
func (c *Client) connect(ctx context.Context) (net.Conn, *bufio.Reader, error) {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if c.closed {
		return nil, nil, ErrClosed
	}
	if c.conn != nil {
		return c.conn, c.r, nil
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		return nil, nil, fmt.Errorf("unixsock: connect to collectd at %s: %w", c.path, err)
	}
	c.conn, c.r = conn, bufio.NewReader(conn)
	return c.conn, c.r, nil
}

// drop closes conn if it is still the current connection, so that the
// next command starts on a fresh one.
func (c *Client) drop(conn net.Conn) {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if c.conn == conn {
		c.conn.Close()
		c.conn, c.r = nil, nil
	}
}

// do sends one command line and reads its reply. cmd has been checked by
// buildCommand.
func (c *Client) do(ctx context.Context, cmd string) (*reply, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return nil, fmt.Errorf("unixsock: %s: waiting for the connection: %w", cmd, ctx.Err())
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("unixsock: %s: %w", cmd, err)
	}

	conn, r, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		c.drop(conn)
		return nil, fmt.Errorf("unixsock: %s: %w", cmd, err)
	}
	// A cancelled context interrupts the read or write at once. If that
	// has started, wait for it: it must not land on the next command.
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	rep, err := c.exchange(conn, r, cmd)
	if !stop() {
		<-fired
	}
	if err == nil {
		if rep.resync {
			c.drop(conn)
		}
		return rep, nil
	}
	var se *ServerError
	if errors.As(err, &se) {
		return nil, err // collectd answered; the connection is in step
	}
	c.drop(conn)
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, fmt.Errorf("unixsock: %s: %w (%v)", cmd, ctxErr, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection's deadline is the context's; the socket can
		// notice it a moment before the context's own timer does.
		return nil, fmt.Errorf("unixsock: %s: %w (%v)", cmd, context.DeadlineExceeded, err)
	}
	c.connMu.Lock()
	closed := c.closed
	c.connMu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	return nil, fmt.Errorf("unixsock: %s: %w", cmd, err)
}

func (c *Client) exchange(conn net.Conn, r *bufio.Reader, cmd string) (*reply, error) {
	if _, err := conn.Write([]byte(cmd + "\n")); err != nil {
		return nil, fmt.Errorf("sending: %w", err)
	}
	if cmd == "LISTVAL" {
		return readListReply(r, cmd)
	}
	return readReply(r, cmd)
}
