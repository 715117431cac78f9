package emulator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"collectd.org/api"
	"collectd.org/network"
)

// Config says what to emulate and where to send it.
type Config struct {
	// Addr is the central collectd's network Listen address (host:port).
	Addr string
	// Username and Password sign every packet (SecurityLevel Sign); the
	// central collectd's AuthFile must hold the pair.
	Username, Password string
	// Hosts is how many seedboxes; their names are Prefix + a number.
	Hosts  int
	Prefix string
	// Interval between two sends of a host (collectd's Interval); 10s
	// when zero.
	Interval time.Duration
	// Per seedbox: rTorrent instances (1 when zero), items per instance
	// (about; 100 when zero), tracker and label groups per instance.
	Instances, Items, Trackers, Labels int
	// Seed makes a run repeatable.
	Seed uint64
	// Record keeps every value sent (Sent), for tests with few hosts.
	Record bool
}

// MaxHosts bounds Config.Hosts: beyond it a run measures the emulator
// more than the central node.
const MaxHosts = 20000

// Sample is one value list as sent.
type Sample struct {
	Time   time.Time
	Values []float64
}

// Counts is what the emulator has sent so far.
type Counts struct {
	Lists  int64 // value lists
	Values int64 // single values (one per data source)
	Errors int64 // failed sends
	Rounds int64 // intervals sent
}

// Emulator sends the traffic of Config.Hosts seedboxes.
type Emulator struct {
	cfg       Config
	hosts     []*host
	client    *network.Client
	closeOnce sync.Once
	closeErr  error

	mu     sync.Mutex
	counts Counts
	sent   map[string][]Sample // identifier -> samples (Record only)
}

// New checks cfg and connects to the central collectd (UDP: nothing is
// exchanged yet).
func New(cfg Config) (*Emulator, error) {
	if cfg.Hosts < 1 || cfg.Hosts > MaxHosts {
		return nil, fmt.Errorf("emulator: %d hosts: want 1..%d", cfg.Hosts, MaxHosts)
	}
	if cfg.Interval == 0 {
		cfg.Interval = 10 * time.Second
	}
	if cfg.Interval < time.Second || cfg.Interval%time.Second != 0 {
		return nil, fmt.Errorf("emulator: interval %v: want whole seconds, at least 1s", cfg.Interval)
	}
	if cfg.Instances == 0 {
		cfg.Instances = 1
	}
	if cfg.Items == 0 {
		cfg.Items = 100
	}
	if cfg.Instances > 16 || cfg.Trackers > 64 || cfg.Labels > 64 || cfg.Items > 1e6 {
		return nil, errors.New("emulator: at most 16 instances, 64 trackers, 64 labels and 1e6 items per host")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "seedbox"
	}
	c, err := network.Dial(cfg.Addr, network.ClientOptions{SecurityLevel: network.Sign, Username: cfg.Username, Password: cfg.Password})
	if err != nil {
		return nil, fmt.Errorf("emulator: dial %s: %w", cfg.Addr, err)
	}
	e := &Emulator{cfg: cfg, client: c}
	if cfg.Record {
		e.sent = map[string][]Sample{}
	}
	for i := 0; i < cfg.Hosts; i++ {
		e.hosts = append(e.hosts, newHost(e.HostName(i), cfg, cfg.Seed+uint64(i)*7919))
	}
	return e, nil
}

// HostName is the name of host i.
func (e *Emulator) HostName(i int) string { return fmt.Sprintf("%s%04d", e.cfg.Prefix, i) }

// Interval is the send interval.
func (e *Emulator) Interval() time.Duration { return e.cfg.Interval }

// Silence stops (or with false resumes) sending for the named host: a
// seedbox going down.
func (e *Emulator) Silence(name string, silent bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, h := range e.hosts {
		if h.name == name {
			h.silent = silent
			return true
		}
	}
	return false
}

// Run sends one round per interval until ctx ends, each round spread
// evenly over the interval the way independent seedboxes' sends are.
// Every value of a round carries the round's time, a multiple of the
// interval.
func (e *Emulator) Run(ctx context.Context) error {
	iv := e.cfg.Interval
	next := time.Now().Truncate(iv).Add(iv)
	for {
		select {
		case <-ctx.Done():
			return e.Close()
		case <-time.After(time.Until(next)):
		}
		if err := e.round(ctx, next, true); err != nil {
			return err
		}
		next = next.Add(iv)
		if late := time.Since(next); late > 0 {
			// rounds took longer than the interval: skip, and count it
			skip := late/iv + 1
			next = next.Add(skip * iv)
		}
	}
}

// Tick sends one round stamped t at once (tests).
func (e *Emulator) Tick(ctx context.Context, t time.Time) error {
	return e.round(ctx, t.Truncate(e.cfg.Interval), false)
}

func (e *Emulator) round(ctx context.Context, t time.Time, spread bool) error {
	start := time.Now()
	span := e.cfg.Interval * 8 / 10
	for i, h := range e.hosts {
		if spread {
			due := start.Add(span * time.Duration(i) / time.Duration(len(e.hosts)))
			if d := time.Until(due); d > 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(d):
				}
			}
		}
		e.mu.Lock()
		silent := h.silent
		e.mu.Unlock()
		if silent {
			continue
		}
		e.sendHost(ctx, h, t)
	}
	e.mu.Lock()
	e.counts.Rounds++
	e.mu.Unlock()
	return nil
}

// sendHost sends one host's lists and flushes, so each host's packets
// leave together as a real seedbox's do.
func (e *Emulator) sendHost(ctx context.Context, h *host, t time.Time) {
	vls := h.valueLists(t, e.cfg.Interval)
	var lists, values, errs int64
	for _, vl := range vls {
		if err := e.client.Write(ctx, vl); err != nil {
			errs++
			continue
		}
		lists++
		values += int64(len(vl.Values))
	}
	if err := e.client.Flush(); err != nil {
		errs++
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts.Lists += lists
	e.counts.Values += values
	e.counts.Errors += errs
	h.lastSent = t
	if e.sent != nil {
		for _, vl := range vls {
			vals := make([]float64, len(vl.Values))
			for i, v := range vl.Values {
				switch x := v.(type) {
				case api.Gauge:
					vals[i] = float64(x)
				case api.Derive:
					vals[i] = float64(x)
				case api.Counter:
					vals[i] = float64(x)
				}
			}
			id := vl.Identifier.String()
			e.sent[id] = append(e.sent[id], Sample{Time: vl.Time, Values: vals})
		}
	}
}

// Counts returns what was sent so far.
func (e *Emulator) Counts() Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts
}

// Sent returns a copy of every value sent, by identifier
// (host/plugin[-inst]/type[-inst]); nil unless Config.Record.
func (e *Emulator) Sent() map[string][]Sample {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sent == nil {
		return nil
	}
	out := make(map[string][]Sample, len(e.sent))
	for k, v := range e.sent {
		out[k] = append([]Sample(nil), v...)
	}
	return out
}

// Close flushes and closes the connection.
// It may be called more than once.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.closeErr = e.client.Close()
	})
	return e.closeErr
}

// Hosts is how many hosts the emulator sends for.
func (e *Emulator) Hosts() int { return len(e.hosts) }

// LastSent is the time stamp of the latest values sent for the named
// host (zero if none).
func (e *Emulator) LastSent(name string) time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, h := range e.hosts {
		if h.name == name {
			return h.lastSent
		}
	}
	return time.Time{}
}
