package rtorrent

import (
	"context"
	"fmt"
)

// Methods returns the set of commands this rTorrent knows, read once with
// system.listMethods and cached until Invalidate. Sensors whose command is
// absent are switched off instead of failing the whole read.
func (c *Client) Methods(ctx context.Context) (map[string]bool, error) {
	c.methodsMu.Lock()
	defer c.methodsMu.Unlock()
	if c.methods != nil {
		return c.methods, nil
	}
	v, err := c.Call(ctx, "system.listMethods")
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, c.wrap("decode", fmt.Errorf("system.listMethods: want an array, got %s", describe(v)))
	}
	m := make(map[string]bool, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			m[s] = true
		}
	}
	c.methods = m
	c.gen.Add(1)
	return m, nil
}

// Invalidate forgets the cached method list, so the next Methods call reads
// it again: after rTorrent restarted (its pid changed) or the connection
// broke, it may be another build with other commands.
func (c *Client) Invalidate() {
	c.methodsMu.Lock()
	c.methods = nil
	c.methodsMu.Unlock()
}

// Generation changes each time the method list is read anew; callers use
// it to know their own per-connection caches are stale.
func (c *Client) Generation() uint64 { return c.gen.Load() }
