package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// TestVolumesIntoRRD runs the per-tracker and per-label byte volumes
// through collectd into RRD files: the rtorrent_volume files exist at the
// documented paths with the two DERIVE data sources of the shipped
// types.db, and once the transfer is over each holds, as its last raw
// value, exactly the bytes the items moved while the plugin watched, read
// from rTorrent's own d.up.total/d.down.total. The leecher's item is
// erased before collectd starts and loaded again after the plugin's first
// scan: an item new since the baseline, whose every byte counts.
func TestVolumesIntoRRD(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent", "opentracker")
	const size = 8 << 20
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: size, UploadKiB: 2048})
	tor := sw.Torrents[0]
	hash := tor.InfoHash
	seeder, leecher := sw.Seeder, sw.Leecher
	leecher.MustCall(t, "d.erase", hash)
	if err := os.RemoveAll(filepath.Join(leecher.DownloadDir, tor.Name)); err != nil {
		t.Fatal(err)
	}
	seeder.MustCall(t, "d.custom1.set", hash, "Linux ISOs")
	total := func(rt *testenv.RTorrent, field string) float64 {
		return float64(rt.MustCall(t, "d.multicall2", "", "main", field).([]any)[0].([]any)[0].(int64))
	}
	// Whatever moved before the erase has settled once the seeder's total
	// holds still for a second.
	var upBefore float64
	for deadline := time.Now().Add(30 * time.Second); ; {
		u := total(seeder, "d.up.total=")
		time.Sleep(time.Second)
		if u == total(seeder, "d.up.total=") {
			upBefore = u
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the seeder's total kept moving for 30 s after the leecher's item was erased")
		}
	}

	c := newCollectdDir(t, pluginBlock(
		instance("seeder", fmt.Sprintf("URL %q", seeder.URL), "Timeout 5", "MinScanInterval 1"),
		instance("leecher", fmt.Sprintf("URL %q", leecher.URL), "Timeout 5", "MinScanInterval 1"),
	))
	c.startForeground(t)
	tracker := "rtorrent_volume-" + catalogue.GroupInstance("tracker", "127.0.0.1")
	label := "rtorrent_volume-" + catalogue.GroupInstance("label", "Linux ISOs")
	ids := []string{}
	for _, inst := range []string{"seeder", "leecher"} {
		for _, ti := range []string{tracker, label} {
			ids = append(ids, "rtorrent-"+inst+"/"+ti)
		}
	}
	// The seeder's files appear with its first scan, the baseline; the
	// leecher, empty, dispatches its counts from its first scan on.
	for _, id := range ids[:2] {
		c.waitUpdate(t, id, time.Now().Add(-time.Minute), 30*time.Second)
	}
	c.waitUpdate(t, "rtorrent-leecher/count-scan_items", time.Now().Add(-time.Minute), 30*time.Second)
	// Labelled as it loads: a scan between loading and labelling would
	// cache no label for it until labels are read again (15 minutes).
	leecher.MustCall(t, "load.raw_start", "", tor.Meta, `d.directory.set="`+leecher.DownloadDir+`"`, `d.custom1.set="Linux ISOs"`)
	leecher.WaitItems(t, 1, 30*time.Second)
	for _, id := range ids[2:] {
		c.waitUpdate(t, id, time.Now().Add(-time.Minute), 30*time.Second)
	}
	t.Run("DERIVE data sources", func(t *testing.T) {
		for _, id := range ids {
			out, err := exec.Command("rrdtool", "info", c.File(id)).CombinedOutput()
			if err != nil {
				t.Fatalf("rrdtool info %s: %v: %s", id, err, out)
			}
			for _, ds := range []string{"up", "down"} {
				if want := fmt.Sprintf("ds[%s].type = \"DERIVE\"", ds); !strings.Contains(string(out), want) {
					t.Errorf("%s: no %s in rrdtool info", id, want)
				}
				if want := fmt.Sprintf("ds[%s].min = 0", ds); !strings.Contains(string(out), want) {
					t.Errorf("%s: no %s in rrdtool info", id, want)
				}
			}
		}
	})

	deadline := time.Now().Add(2 * time.Minute)
	for leecher.MustInt(t, "d.complete", hash) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("leecher incomplete after 2 minutes: %d bytes done", leecher.MustInt(t, "d.bytes_done", hash))
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Done: the totals stop, and a scan after that reads them. The file's
	// last raw value is then the bytes moved since the baseline.
	var got map[string]float64
	var wantUp, wantDown float64
	for deadline := time.Now().Add(45 * time.Second); ; {
		wantUp, wantDown = total(seeder, "d.up.total=")-upBefore, total(leecher, "d.down.total=")
		got = map[string]float64{}
		for _, inst := range []string{"seeder", "leecher"} {
			for _, ti := range []string{tracker, label} {
				u := c.waitUpdate(t, "rtorrent-"+inst+"/"+ti, time.Now(), 10*time.Second)
				got[inst+"/"+ti+"/up"], got[inst+"/"+ti+"/down"] = u.Values["up"], u.Values["down"]
			}
		}
		ok := true
		for _, ti := range []string{tracker, label} {
			ok = ok && got["seeder/"+ti+"/up"] == wantUp && got["leecher/"+ti+"/down"] == wantDown &&
				got["seeder/"+ti+"/down"] == 0 && got["leecher/"+ti+"/up"] == 0
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("volumes %v; want seeder up %v and leecher down %v (rTorrent's d.up.total since the baseline, d.down.total of the new item), the other directions 0",
				got, wantUp, wantDown)
		}
		time.Sleep(time.Second)
	}
	if wantDown < size || wantUp < size {
		t.Errorf("the swarm moved %v bytes down, %v up since the baseline; want at least the item's %d", wantDown, wantUp, size)
	}
	t.Logf("volumes %v match rTorrent's own totals", got)
}
