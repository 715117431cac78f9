package rtorrent

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kolo/xmlrpc"
)

// DefaultMaxReply caps a reply when Config.MaxReplyBytes is zero: far below
// the ~100 MiB at which rTorrent 0.9.8 itself crashes, yet enough for a
// short-field scan of well over 100,000 items.
const DefaultMaxReply = 64 << 20

// DefaultTimeout bounds a call when neither Config.Timeout nor the context
// sets a deadline.
const DefaultTimeout = 5 * time.Second

// Config says how to reach one rTorrent.
type Config struct {
	Name               string        // instance name, used in messages
	URL                string        // scgi:///path, scgi://host:port, http(s)://host/RPC2
	Username, Password string        // HTTP basic auth
	CAFile             string        // PEM bundle to verify an https server with
	InsecureSkipVerify bool          // accept any https certificate (explicit opt-in)
	Timeout            time.Duration // per-call deadline when ctx has none
	MaxReplyBytes      int64         // reply cap; 0 means DefaultMaxReply
}

// Stats counts a client's traffic, for benchmarks and the load budget.
type Stats struct {
	Calls      int64         // round trips
	BytesSent  int64         // request bodies
	BytesRecv  int64         // reply bodies
	CallTime   time.Duration // wall time spent waiting on rTorrent
	LastCall   time.Duration // wall time of the latest round trip
	LastSent   int64
	LastRecv   int64
	Failures   int64
	SubFaults  int64 // faults inside system.multicall replies
	LastFailed time.Time
}

// Client is safe for concurrent use, but rTorrent serves one request at a
// time; callers that care about load (the sensor reader) keep one in flight.
type Client struct {
	cfg      Config
	ep       Endpoint
	tr       transport
	maxReply int64

	mu    sync.Mutex
	stats Stats

	methodsMu sync.Mutex
	methods   map[string]bool // nil until read; reset by Invalidate
	gen       atomic.Uint64   // bumped by Invalidate
}

// New checks cfg and returns a client; it does not connect.
func New(cfg Config) (*Client, error) {
	ep, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("rtorrent %q: %w", cfg.Name, err)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("rtorrent %q (%s): negative Timeout %v", cfg.Name, ep.Display, cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxReplyBytes < 0 {
		return nil, fmt.Errorf("rtorrent %q (%s): negative reply cap", cfg.Name, ep.Display)
	}
	maxReply := cfg.MaxReplyBytes
	if maxReply == 0 {
		maxReply = DefaultMaxReply
	}
	c := &Client{cfg: cfg, ep: ep, maxReply: maxReply}
	switch ep.Scheme {
	case "scgi":
		if cfg.Username != "" || cfg.Password != "" {
			return nil, fmt.Errorf("rtorrent %q (%s): Username/Password apply to http(s) URLs only; SCGI has no authentication", cfg.Name, ep.Display)
		}
		if cfg.CAFile != "" || cfg.InsecureSkipVerify {
			return nil, fmt.Errorf("rtorrent %q (%s): CAFile/InsecureSkipVerify apply to https URLs only; SCGI has no TLS", cfg.Name, ep.Display)
		}
		c.tr = &scgiTransport{network: ep.Network, address: ep.Address, maxReply: maxReply}
	default:
		ht, err := newHTTPTransport(cfg, maxReply)
		if err != nil {
			return nil, fmt.Errorf("rtorrent %q (%s): %w", cfg.Name, ep.Display, err)
		}
		c.tr = ht
	}
	return c, nil
}

// Name is the instance name given in Config.
func (c *Client) Name() string { return c.cfg.Name }

// Endpoint is the parsed URL.
func (c *Client) Endpoint() Endpoint { return c.ep }

// Local reports whether rTorrent runs on this machine as far as the URL can
// tell (a unix socket or a loopback address), so /proc/<pid> is its process.
func (c *Client) Local() bool { return c.ep.isLocal() }

// Stats returns a copy of the traffic counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

func (c *Client) wrap(op string, err error) error {
	return &Error{Instance: c.cfg.Name, URL: c.ep.Display, Op: op, Err: err}
}

// Call runs one method and returns its decoded value.
func (c *Client) Call(ctx context.Context, method string, args ...any) (any, error) {
	v, err := c.call(ctx, method, args)
	var f *Fault
	if errors.As(err, &f) && f.Method == "" {
		f.Method = method
	}
	return v, err
}

func (c *Client) call(ctx context.Context, method string, args []any) (any, error) {
	body, err := xmlrpc.EncodeMethodCall(method, args...)
	if err != nil {
		return nil, c.wrap("encode", fmt.Errorf("%s: %w", method, err))
	}
	return c.send(ctx, method, body)
}

// send makes one round trip with an encoded request body and decodes the
// reply.
func (c *Client) send(ctx context.Context, method string, body []byte) (any, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	start := time.Now()
	reply, err := c.tr.roundTrip(ctx, body)
	took := time.Since(start)
	c.mu.Lock()
	c.stats.Calls++
	c.stats.BytesSent += int64(len(body))
	c.stats.BytesRecv += int64(len(reply))
	c.stats.CallTime += took
	c.stats.LastCall, c.stats.LastSent, c.stats.LastRecv = took, int64(len(body)), int64(len(reply))
	if err != nil {
		c.stats.Failures++
		c.stats.LastFailed = time.Now()
	}
	c.mu.Unlock()
	if err != nil {
		var oe *opError
		if errors.As(err, &oe) {
			return nil, c.wrap(oe.op, oe.err)
		}
		return nil, c.wrap("", err)
	}
	v, err := decodeReply(reply)
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			return nil, c.wrap("", f)
		}
		return nil, c.wrap("decode", fmt.Errorf("%s: %w", method, err))
	}
	return v, nil
}
