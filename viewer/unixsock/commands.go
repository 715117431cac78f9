package unixsock

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// ListVal returns every value list collectd holds, with the time each was
// last received. collectd forgets a value list about two intervals after
// its last update, so a stopped source drops out of this list. Entries
// whose names could not be sent back to collectd (a control character,
// such as a newline a network peer put into a host name) are left out:
// one hostile name must not cost every other value.
func (c *Client) ListVal(ctx context.Context) ([]Entry, error) {
	cmd, err := buildCommand("LISTVAL")
	if err != nil {
		return nil, err
	}
	rep, err := c.do(ctx, cmd)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(rep.lines))
	for _, line := range rep.lines {
		e, err := parseListLine(line)
		if errors.Is(err, ErrInvalidIdentifier) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("unixsock: LISTVAL: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// GetVal returns the latest values of one value list, in the order of the
// type's data sources in types.db (load: shortterm, midterm, longterm).
// DERIVE, COUNTER and ABSOLUTE sources come back as rates per second;
// unknown values are NaN. An identifier collectd does not hold is a
// *ServerError ("No such value.").
func (c *Client) GetVal(ctx context.Context, id Identifier) ([]Value, error) {
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("unixsock: GETVAL %q: %w", id.String(), err)
	}
	cmd, err := buildCommand("GETVAL", quote(id.String()))
	if err != nil {
		return nil, fmt.Errorf("unixsock: %w", err)
	}
	rep, err := c.do(ctx, cmd)
	if err != nil {
		return nil, err
	}
	out := make([]Value, 0, len(rep.lines))
	for _, line := range rep.lines {
		v, err := parseValueLine(line)
		if err != nil {
			return nil, fmt.Errorf("unixsock: %s: %w", cmd, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Flush asks collectd to write cached values: only those older than
// timeout seconds if timeout > 0 (otherwise all), only through the named
// write plugins if any are given (e.g. "rrdtool"), and only the given
// identifiers if any. collectd answers once the flush is queued, before
// the data is on disk.
func (c *Client) Flush(ctx context.Context, timeout int, plugins []string, ids []Identifier) error {
	var args []string
	if timeout > 0 {
		args = append(args, "timeout="+strconv.Itoa(timeout))
	}
	for _, p := range plugins {
		if p == "" {
			return fmt.Errorf("unixsock: FLUSH: empty plugin name")
		}
		if err := checkChars(p); err != nil {
			return fmt.Errorf("unixsock: FLUSH plugin %q: %w", p, err)
		}
		args = append(args, option("plugin", p))
	}
	for _, id := range ids {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("unixsock: FLUSH identifier %q: %w", id.String(), err)
		}
		args = append(args, option("identifier", id.String()))
	}
	cmd, err := buildCommand("FLUSH", args...)
	if err != nil {
		return fmt.Errorf("unixsock: %w", err)
	}
	_, err = c.do(ctx, cmd)
	return err
}
