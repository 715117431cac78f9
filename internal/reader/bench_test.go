package reader

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// BenchmarkRead measures one read of each tier against a real rTorrent
// holding N items: wall time per read, and bytes received per read.
//
//	go test -run '^$' -bench BenchmarkRead -benchtime 20x ./internal/reader/
func BenchmarkRead(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		rt := testenv.StartRTorrent(b, testenv.RTorrentOptions{})
		rt.LoadRaw(b, testenv.Metas(testenv.FakeTorrents(n, "http://tracker.example.org/announce", fmt.Sprint("bench", n))), false)
		rt.WaitItems(b, n, 2*time.Minute)
		for _, tier := range []string{"fast", "scan"} {
			b.Run(fmt.Sprintf("%s/items=%d", tier, n), func(b *testing.B) {
				r := newReaderB(b, rt.URL)
				ctx := context.Background()
				if _, err := r.Read(ctx, true); err != nil { // fill the static cache
					b.Fatal(err)
				}
				before := r.Client().Stats()
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					var err error
					if tier == "fast" {
						_, err = r.ReadFast(ctx)
					} else {
						_, err = r.Read(ctx, true)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				after := r.Client().Stats()
				b.ReportMetric(float64(after.BytesRecv-before.BytesRecv)/float64(b.N), "reply-B/op")
				b.ReportMetric(float64(after.Calls-before.Calls)/float64(b.N), "calls/op")
			})
		}
	}
}
