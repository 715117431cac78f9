package rtorrent

import "testing"

// BenchmarkDepthCheck measures what the depth bound costs on a realistic
// reply: the item scan's d.multicall2 over 10,000 items (twelve fields,
// a 40-character message), as xmlrpc-c writes it. "fast" is the fast
// decoder with its inline count; "checkShape" is the pre-scan alone, paid
// only by replies that go to kolo/xmlrpc; "kolo" is that whole path.
// Compare "fast" with BenchmarkDecodeScan/fast on a tree without the
// bound; docs/PERFORMANCE.md has the figures:
//
//	go test -run XXX -bench DepthCheck -benchmem -count 5 ./internal/rtorrent/
func BenchmarkDepthCheck(b *testing.B) {
	body := []byte(hugeScanBody(10000, 40))
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := fastDecode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("checkShape", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if err := checkShape(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kolo", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			if _, err := slowDecode(body); err != nil {
				b.Fatal(err)
			}
		}
	})
}
