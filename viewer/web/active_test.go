package web

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/live"
)

// TestActiveWithinOneInterval: an item that starts moving is counted
// active in /json/live within one collectd interval (plus the read in
// flight and the viewer's poll), not at the next item scan. The plugin's
// scans are held off for the whole test (MinScanInterval 600), so only
// the fast tier's read of the items moving now can show it. Ground
// truth: the leecher rTorrent's own d.state and d.down.rate.
func TestActiveWithinOneInterval(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker", "rrdtool", collectdenv.CollectdBin)
	const interval = time.Second // collectdenv's Interval
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Size: 32 << 20, UploadKiB: 256})
	sw.WaitTransferring(t, 30*time.Second)
	h := sw.Torrents[0].InfoHash
	// Stopped, the item is out of the "started" view the movers are read
	// from, though rTorrent keeps its last rate for a while.
	sw.Leecher.MustCall(t, "d.stop", h)
	cd := collectdenv.StartCollectd(t, collectdenv.Options{
		Host: "active", PluginDir: collectdenv.PluginDir(t),
		RTorrent: []collectdenv.Instance{
			{Name: "leech", URL: sw.Leecher.URL, Extra: []string{"MinScanInterval 600", "MaxScanInterval 600"}},
		},
	})
	cd.WaitValues(t, 30*time.Second, "rtorrent-leech/count-items_active")
	// The viewer polls collectd every -interval (default 2 s, docs/
	// viewer.md); here every collectd interval.
	sv := startServer(t, serverOptions{DataDir: cd.DataDir, Socket: cd.Sock, Hostname: "active", Interval: interval})

	active := func() float64 {
		r := get(t, sv.URL, "/json/live")
		var s live.Snapshot
		if r.Code != 200 {
			t.Fatalf("/json/live = %d", r.Code)
		}
		if err := json.Unmarshal(r.Body, &s); err != nil {
			t.Fatal(err)
		}
		for _, host := range s.Hosts {
			for _, in := range host.RTorrent {
				if host.Name == "active" && in.Name == "leech" && in.Items["active"] != nil {
					return *in.Items["active"]
				}
			}
		}
		return -1
	}
	waitFor := func(timeout time.Duration, what string, cond func() bool) time.Duration {
		t.Helper()
		start := time.Now()
		for !cond() {
			if time.Since(start) > timeout {
				t.Fatalf("timed out after %v waiting for %s", timeout, what)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return time.Since(start)
	}
	waitFor(10*time.Second, "/json/live to show the stopped item not active", func() bool { return active() == 0 })

	sw.Leecher.MustCall(t, "d.start", h)

	waitFor(30*time.Second, "rTorrent to show the item started and moving", func() bool {
		return sw.Leecher.MustInt(t, "d.state", h) == 1 && sw.Leecher.MustInt(t, "d.down.rate", h) > 0
	})
	// One interval for the plugin's next read, one for a read in flight
	// when rTorrent began to show it, one for the viewer's poll, and
	// slack for this shared machine.
	bound := 3*interval + 2*time.Second
	took := waitFor(bound, fmt.Sprintf("items_active 1 in /json/live within %v", bound), func() bool { return active() == 1 })
	t.Logf("active in /json/live %v after rTorrent showed the item moving", took.Round(time.Millisecond))
}
