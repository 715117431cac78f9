package unixsock

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestGetValBatchBounds: a batch past MaxBatch and an identifier that
// cannot be sent are refused before anything is sent (the client has no
// socket to send to).
func TestGetValBatchBounds(t *testing.T) {
	c := &Client{path: "/nonexistent/socket", turn: make(chan struct{}, 1)}
	ids := make([]Identifier, MaxBatch+1)
	for i := range ids {
		ids[i] = Identifier{Host: "h", Plugin: "load", Type: "load"}
	}
	if _, _, err := c.GetValBatch(context.Background(), ids); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("batch of %d: %v, want refused", len(ids), err)
	}
	bad := []Identifier{{Host: "h\nLISTVAL", Plugin: "load", Type: "load"}}
	if _, _, err := c.GetValBatch(context.Background(), bad); !errors.Is(err, ErrInvalidIdentifier) {
		t.Errorf("identifier with a newline: %v, want ErrInvalidIdentifier", err)
	}
	if v, e, err := c.GetValBatch(context.Background(), nil); v != nil || e != nil || err != nil {
		t.Errorf("empty batch: %v %v %v", v, e, err)
	}
}
