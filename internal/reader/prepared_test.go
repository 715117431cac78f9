package reader_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
)

// TestFastTierDropsCommandAtRuntime: a command listed by
// system.listMethods that faults "method not defined" inside the fast
// tier's multicall is dropped, and the next read sends the batch without
// it (the batch is encoded once and kept, so it must be encoded again) with
// every other value in its place.
func TestFastTierDropsCommandAtRuntime(t *testing.T) {
	testenv.Need(t, "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{DownloadKiB: 700, UploadKiB: 300})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(3, "http://127.0.0.1:1/announce", "prepared")), false)
	rt.WaitItems(t, 3, 20*time.Second)
	proxy := testenv.StartTamperProxy(t, rt)
	const gone = "throttle.global_down.max_rate"
	var mu sync.Mutex
	asked := 0
	proxy.Set(func(m string, args []any, v any, f *testenv.Fault) (any, *testenv.Fault) {
		if m != gone {
			return v, f
		}
		mu.Lock()
		asked++
		mu.Unlock()
		return nil, &testenv.Fault{Code: rtorrent.FaultMethodNotDefined, String: "Method '" + gone + "' not defined"}
	})
	c, err := rtorrent.New(rtorrent.Config{Name: "main", URL: proxy.URL, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := reader.NewReader(c, reader.DefaultOptions())
	for i := 1; i <= 3; i++ {
		s, err := r.ReadFast(context.Background())
		if err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if s.Traffic.UpLimit != rt.MustInt(t, "throttle.global_up.max_rate") || s.Items.Total != 3 || s.Items.Stopped != 3 {
			t.Errorf("read %d: up limit %d, items %+v; rTorrent has up limit %d and 3 stopped items",
				i, s.Traffic.UpLimit, s.Items, rt.MustInt(t, "throttle.global_up.max_rate"))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if asked != 1 {
		t.Errorf("%s asked %d times in 3 reads, want once (dropped after its fault)", gone, asked)
	}
}
