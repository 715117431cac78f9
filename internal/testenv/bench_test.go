package testenv

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkLoadRaw times loading n fake torrents into a fresh rTorrent
// until view.size main reports them all. rTorrent 0.9.8's cost per item
// grows with the items it already holds (a linear duplicate check), so
// 50,000 items take about 4 minutes (1,000: 0.16 s; 10,000: 4.5 s):
//
//	go test -run '^$' -bench 'LoadRaw/items=50000' -timeout 30m ./internal/testenv/
func BenchmarkLoadRaw(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			metas := Metas(FakeTorrents(n, "http://127.0.0.1:1/announce", fmt.Sprint("bench", n)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := StartRTorrent(b, RTorrentOptions{})
				b.StartTimer()
				r.LoadRaw(b, metas, false)
				r.WaitItems(b, n, 30*time.Minute)
				b.StopTimer()
				r.Kill()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkFakeTorrents times making 50,000 fake torrents.
func BenchmarkFakeTorrents(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if got := FakeTorrents(50000, "http://127.0.0.1:1/announce", "fb"); len(got) != 50000 {
			b.Fatalf("got %d torrents", len(got))
		}
	}
}
