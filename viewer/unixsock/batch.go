package unixsock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// MaxBatch bounds the identifiers of one GetValBatch: the replies of a
// batch are read only after all its commands are written, so a batch must
// fit in the socket buffers (about 100 bytes a command, 40 a reply line).
const MaxBatch = 512

// GetValBatch is GetVal for many identifiers in one round trip: it writes
// every GETVAL, then reads every reply, on the shared connection.
// collectd's unixsock reads commands one line at a time and answers each
// in order, so pipelining changes nothing for collectd but the number of
// wake-ups: a thousand GETVALs cost it one read of the socket per buffer
// instead of one per value (docs/fleet.md has the measurement).
//
// vals[i] holds the values of ids[i], or nil when collectd answered with
// an error for it (errs[i], a *ServerError: dropped out of the cache). The
// returned error is for the batch as a whole (I/O, protocol, context); the
// connection is dropped after one, as after a failed GetVal.
func (c *Client) GetValBatch(ctx context.Context, ids []Identifier) (vals [][]Value, errs []error, err error) {
	if len(ids) > MaxBatch {
		return nil, nil, fmt.Errorf("unixsock: GETVAL batch of %d identifiers: at most %d", len(ids), MaxBatch)
	}
	var cmds strings.Builder
	for _, id := range ids {
		if err := id.Validate(); err != nil {
			return nil, nil, fmt.Errorf("unixsock: GETVAL %q: %w", id.String(), err)
		}
		cmd, err := buildCommand("GETVAL", quote(id.String()))
		if err != nil {
			return nil, nil, fmt.Errorf("unixsock: %w", err)
		}
		cmds.WriteString(cmd)
		cmds.WriteByte('\n')
	}
	if len(ids) == 0 {
		return nil, nil, nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	select {
	case c.turn <- struct{}{}:
		defer func() { <-c.turn }()
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("unixsock: GETVAL batch: waiting for the connection: %w", ctx.Err())
	}
	conn, r, err := c.connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		c.drop(conn)
		return nil, nil, fmt.Errorf("unixsock: GETVAL batch: %w", err)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	vals, errs, err = c.exchangeBatch(conn, r, cmds.String(), ids)
	if !stop() {
		<-fired
	}
	if err != nil {
		c.drop(conn)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, nil, fmt.Errorf("unixsock: GETVAL batch: %w (%v)", ctxErr, err)
		}
		return nil, nil, fmt.Errorf("unixsock: GETVAL batch: %w", err)
	}
	return vals, errs, nil
}

func (c *Client) exchangeBatch(conn net.Conn, r *bufio.Reader, cmds string, ids []Identifier) ([][]Value, []error, error) {
	if _, err := conn.Write([]byte(cmds)); err != nil {
		return nil, nil, fmt.Errorf("sending: %w", err)
	}
	vals := make([][]Value, len(ids))
	errs := make([]error, len(ids))
	for i, id := range ids {
		cmd := "GETVAL " + quote(id.String())
		rep, err := readReply(r, cmd)
		var se *ServerError
		if errors.As(err, &se) {
			errs[i] = err
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		out := make([]Value, 0, len(rep.lines))
		for _, line := range rep.lines {
			v, err := parseValueLine(line)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", cmd, err)
			}
			out = append(out, v)
		}
		vals[i] = out
	}
	return vals, errs, nil
}
