package reader

import (
	"context"
	"fmt"
	"strings"

	"github.com/rtmon/rtmon/internal/rtorrent"
)

// peerFlags are read per peer with p.multicall, only for items that have
// peers connected: idle items, the vast majority on a seedbox, cost nothing.
var peerFlags = []string{
	"p.is_incoming=", "p.is_encrypted=", "p.is_obfuscated=",
	"p.is_snubbed=", "p.is_preferred=", "p.is_unwanted=",
}

const peerBatch = 400 // items per system.multicall

// readPeerFlags adds the per-peer flag counts to p.
func (r *Reader) readPeerFlags(ctx context.Context, items []item, p *Peers) error {
	var bad peerProblems
	defer func() {
		if err := bad.err(); err != nil {
			r.noteSubError(err)
		}
	}()
	var hashes []string
	for i := range items {
		if items[i].peers > 0 {
			hashes = append(hashes, items[i].hash)
		}
	}
	for start := 0; start < len(hashes); start += peerBatch {
		end := min(start+peerBatch, len(hashes))
		calls := make([]rtorrent.Method, 0, end-start)
		for _, h := range hashes[start:end] {
			args := []any{h, ""}
			for _, f := range peerFlags {
				args = append(args, f)
			}
			calls = append(calls, rtorrent.Method{Name: "p.multicall", Args: args})
		}
		results, err := r.client.Multicall(ctx, calls)
		if err != nil {
			return err
		}
		for _, res := range results {
			if res.Err != nil {
				if !isItemGone(res.Err) {
					bad.fault(res.Err)
				}
				continue // its peers are not counted this scan
			}
			rows, ok := res.Value.([]any)
			if !ok {
				bad.malformed(fmt.Sprintf("reply %s, want an array of peers", describeValue(res.Value)))
				continue
			}
			for _, row := range rows {
				f, _ := row.([]any)
				if len(f) != len(peerFlags) {
					bad.malformed(fmt.Sprintf("peer row %s, want %d fields", describeValue(row), len(peerFlags)))
					continue
				}
				flag := func(i int) int64 {
					if v, _ := asInt(f[i]); v != 0 {
						return 1
					}
					return 0
				}
				p.Incoming += flag(0)
				p.Encrypted += flag(1)
				p.Obfuscated += flag(2)
				p.Snubbed += flag(3)
				p.Preferred += flag(4)
				p.Unwanted += flag(5)
			}
		}
	}
	return nil
}

// peerProblems sums up what went wrong in one scan's p.multicall calls, so
// a broken reply is one warning naming the method and the first problem,
// not silence (the counts would be low without a word) and not a line
// per item.
type peerProblems struct {
	faults, rows int
	first        string
}

func (b *peerProblems) fault(err error) {
	b.faults++
	if b.first == "" {
		b.first = err.Error()
	}
}

func (b *peerProblems) malformed(what string) {
	b.rows++
	if b.first == "" {
		b.first = what
	}
}

func (b *peerProblems) err() error {
	if b.faults == 0 && b.rows == 0 {
		return nil
	}
	return fmt.Errorf("peer flags: p.multicall: %d failed calls and %d malformed replies or rows (first: %s); those peers are not counted this scan",
		b.faults, b.rows, b.first)
}

// isItemGone reports a fault rTorrent gives when an item left between the
// scan and the p.multicall: a normal race, not a problem worth a warning.
func isItemGone(err error) bool {
	return strings.Contains(err.Error(), "Could not find info-hash")
}
