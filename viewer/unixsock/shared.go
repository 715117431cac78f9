package unixsock

import (
	"context"
	"sync"
)

// Shared is one client to collectd's socket, dialled on first use and
// kept: the viewer's pollers (live page, fleet page) each hold one. The
// client reconnects by itself after errors; only the first connection
// (collectd not up yet when the viewer started) is retried here, at the
// next Get.
type Shared struct {
	Socket string

	mu     sync.Mutex
	client *Client
}

// Get returns the client, connecting when there is none.
func (s *Shared) Get(ctx context.Context) (*Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	c, err := Dial(ctx, s.Socket)
	if err != nil {
		return nil, err
	}
	s.client = c
	return c, nil
}

// Close closes the client, if any; a later Get dials again.
func (s *Shared) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
}
