package testenv

import (
	"testing"
	"time"
)

// TestRestartIfComplete: a torrent the leecher finished is erased and
// loaded again, so the demo's and the benchmarks' data keeps moving.
func TestRestartIfComplete(t *testing.T) {
	Need(t, "rtorrent", "opentracker")
	sw := StartSwarm(t, SwarmOptions{Torrents: 1, Size: 1 << 20, UploadKiB: 256})
	tor := sw.Torrents[0]
	deadline := time.Now().Add(time.Minute)
	for sw.Leecher.MustInt(t, "d.complete", tor.InfoHash) != 1 {
		if err := sw.RestartIfComplete(tor); err != nil { // incomplete: must do nothing
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("leecher did not complete within a minute")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := sw.RestartIfComplete(tor); err != nil {
		t.Fatal(err)
	}
	sw.Leecher.WaitItems(t, 1, 10*time.Second)
	deadline = time.Now().Add(10 * time.Second)
	for {
		v, err := sw.Leecher.Call("d.bytes_done", tor.InfoHash)
		if err == nil && v.(int64) < tor.Size {
			break // loaded again, with its data gone
		}
		if time.Now().After(deadline) {
			t.Fatalf("after RestartIfComplete: d.bytes_done = %v, %v; want the item back and below %d", v, err, tor.Size)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
