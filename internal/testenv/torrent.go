package testenv

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Torrent is a metainfo file made by the test environment.
type Torrent struct {
	Name     string
	Data     []byte // file content for MakeTorrent; nil for fake torrents
	Path     string // where MakeTorrent wrote Data; "" for fake torrents
	Meta     []byte // the bencoded .torrent
	InfoHash string // 40 upper-case hex digits, as rTorrent's d.hash
	Size     int64  // total length of all files, as rTorrent's d.size_bytes
	Files    int    // number of files, as rTorrent's d.size_files
}

// libtorrent (rakshasa) rejects a piece length of 1 KiB or less and above
// 128 MiB; powers of two from 16 KiB keep every client happy.
const (
	minPieceLen = 16 << 10
	maxPieceLen = 4 << 20
)

// pieceLenFor picks a power-of-two piece length giving at most ~128 pieces.
func pieceLenFor(size int) int {
	pl := minPieceLen
	for pl < maxPieceLen && size/pl > 128 {
		pl *= 2
	}
	return pl
}

// MakeTorrent writes size bytes of random data to dir/name and returns a
// single-file torrent for it with real SHA-1 piece hashes, so a client
// holding the file in its download directory finds it complete after
// hashing, and a client without it downloads real bytes.
func MakeTorrent(t TB, dir, name string, size int, announce string) Torrent {
	t.Helper()
	if size <= 0 {
		t.Fatalf("testenv: MakeTorrent %q: size %d must be positive", name, size)
	}
	data := make([]byte, size)
	rng := rand.NewChaCha8(seedFrom(name + "|" + announce))
	_, _ = rng.Read(data)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("testenv: MakeTorrent: write data: %v", err)
	}
	pl := pieceLenFor(size)
	pieces := make([]byte, 0, (size+pl-1)/pl*sha1.Size)
	for off := 0; off < size; off += pl {
		sum := sha1.Sum(data[off:min(off+pl, size)])
		pieces = append(pieces, sum[:]...)
	}
	info := map[string]any{
		"name":         name,
		"length":       size,
		"piece length": pl,
		"pieces":       pieces,
	}
	tor := finishTorrent(info, announce)
	tor.Data = data
	tor.Path = path
	tor.Size = int64(size)
	tor.Files = 1
	return tor
}

// finishTorrent wraps an info dictionary into a metainfo file and computes
// the info hash over exactly the bytes written.
func finishTorrent(info map[string]any, announce string) Torrent {
	infoBytes := mustBencode(info)
	sum := sha1.Sum(infoBytes)
	// Assemble the outer dictionary by hand so the info bytes are reused
	// verbatim (keys in order: announce, info).
	meta := make([]byte, 0, len(infoBytes)+len(announce)+32)
	meta = append(meta, 'd')
	if announce != "" {
		meta, _ = bencode(meta, "announce")
		meta, _ = bencode(meta, announce)
	}
	meta, _ = bencode(meta, "info")
	meta = append(meta, infoBytes...)
	meta = append(meta, 'e')
	return Torrent{
		Name:     info["name"].(string),
		Meta:     meta,
		InfoHash: strings.ToUpper(hex.EncodeToString(sum[:])),
	}
}

// FakeTorrents returns n distinct torrents whose data exists nowhere: one
// piece each with a random piece hash. Loaded stopped, they give rTorrent
// realistic items (names, sizes, file counts, a tracker) at almost no cost.
// Sizes vary from a few bytes to about 1 MiB and every third torrent has
// 2–4 files, so sums over items are non-trivial. The same seed gives the
// same torrents; different seeds give different info hashes. An empty
// announce leaves the URL out, and rTorrent 0.9.8 silently drops torrents
// without one (LoadRaw refuses them): use a closed port such as
// http://127.0.0.1:1/announce for items that should never reach a tracker.
func FakeTorrents(n int, announce string, seed string) []Torrent {
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seedSlice(seed)), 0x7274_6d6f_6e))
	out := make([]Torrent, n)
	for i := range out {
		name := fmt.Sprintf("%s-%06d", seed, i)
		nfiles := 1
		if i%3 == 2 {
			nfiles = 2 + rng.IntN(3)
		}
		lengths := make([]int, nfiles)
		total := 0
		for k := range lengths {
			lengths[k] = 1 + rng.IntN(256<<10)
			total += lengths[k]
		}
		pl := minPieceLen
		for pl < total {
			pl *= 2
		}
		var buf [24]byte // three words of randomness, cut to one SHA-1
		for k := 0; k < len(buf); k += 8 {
			binary.LittleEndian.PutUint64(buf[k:], rng.Uint64())
		}
		piece := buf[:sha1.Size]
		info := map[string]any{
			"name":         name,
			"piece length": pl,
			"pieces":       piece,
		}
		if nfiles == 1 {
			info["length"] = total
		} else {
			files := make([]any, nfiles)
			for k, l := range lengths {
				files[k] = map[string]any{
					"length": l,
					"path":   []any{fmt.Sprintf("part-%d.bin", k)},
				}
			}
			info["files"] = files
		}
		tor := finishTorrent(info, announce)
		tor.Size = int64(total)
		tor.Files = nfiles
		out[i] = tor
	}
	return out
}

// seedFrom turns a string into a ChaCha8 seed.
func seedFrom(s string) [32]byte {
	var seed [32]byte
	copy(seed[:], seedSlice(s))
	return seed
}

func seedSlice(s string) []byte {
	h := fnv.New128a()
	h.Write([]byte(s))
	sum := h.Sum(nil)
	return append(sum, sum...) // 32 bytes
}
