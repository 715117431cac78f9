package sensors

import (
	"context"

	"github.com/rtmon/rtmon/plugin/rtorrent"
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
				continue // the item left or its peers went away meanwhile
			}
			rows, _ := res.Value.([]any)
			for _, row := range rows {
				f, _ := row.([]any)
				if len(f) != len(peerFlags) {
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
