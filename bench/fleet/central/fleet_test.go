package central_test

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/bench/fleet/central"
	"github.com/rtmon/rtmon/bench/fleet/emulator"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

const (
	emuHosts = 4
	interval = 2 * time.Second // the emulator's and the central's, kept short for make test
)

// TestFleet is issue 15's central node on loopback: two real seedboxes
// (rTorrent + collectd with the plugin, network client) and emulated
// seedboxes send signed values to one central collectd writing through a
// real rrdcached; rtmon-viewer reads through rrdcached.
//
//   - /json/fleet lists every host, the real ones with their rTorrents'
//     own item counts (read from rTorrent here);
//   - a host that stops sending turns stale within two intervals;
//   - rrdcached killed and restarted mid-run: collectd keeps going, the
//     viewer reports the failed flushes and does not crash, and every
//     value acknowledged before the kill is in the archives (journal);
//   - no value the emulator sent outside the outage is missing from the
//     archives (each checked by rrdtool fetch, row by row).
func TestFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts rrdcached, three collectd daemons, two rTorrents and the viewer")
	}
	testenv.Need(t, central.RRDCachedBin, collectdenv.CollectdBin, "rrdtool", "rtorrent")
	c := central.Start(t, central.Options{Snippets: repoSnippets(), Build: build(t), Interval: interval, StepSize: int(interval.Seconds()),
		Users: map[string]string{"fleet": "fleet-secret", "seedbox": "s3cret"}, ViewerInterval: 500 * time.Millisecond})

	// Two real seedboxes.
	send := fmt.Sprintf("LoadPlugin network\n<Plugin network>\n  <Server %q %q>\n    SecurityLevel Sign\n    Username \"seedbox\"\n    Password \"s3cret\"\n  </Server>\n</Plugin>\n",
		strings.Split(c.Addr, ":")[0], strings.Split(c.Addr, ":")[1])
	real := map[string]*testenv.RTorrent{}
	for i, n := range []int{3, 6} {
		rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
		rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(n, "http://127.0.0.1:9/announce", fmt.Sprintf("fleet%d", i))), false)
		rt.WaitItems(t, n, 20*time.Second)
		name := fmt.Sprintf("realbox%d", i+1)
		collectdenv.StartCollectd(t, collectdenv.Options{Host: name, PluginDir: collectdenv.PluginDir(t),
			RTorrent: []collectdenv.Instance{{Name: "main", URL: rt.URL}}, Extra: send})
		real[name] = rt
	}

	emu := startEmulator(t, c, emulator.Config{Hosts: emuHosts, Interval: interval, Prefix: "emu", Record: true, Trackers: 2, Labels: 2})
	windowStart := time.Now()

	// Every host listed, the real ones with their rTorrents' counts.
	want := map[string]float64{}
	for name, rt := range real {
		want[name] = float64(rt.MustInt(t, "view.size", "", "main"))
	}
	ft := waitFleet(t, c.ViewerURL, 60*time.Second, "every host in /json/fleet with its rTorrent's item count", func(ft *fleetTable) bool {
		rows := rowsByHost(ft)
		for i := 0; i < emuHosts; i++ {
			r := rows[emu.HostName(i)]
			if len(r) != 1 || r[0].Instance != "main" || r[0].Items == nil || r[0].Stale {
				return false
			}
		}
		for name, n := range want {
			r := rows[name]
			if len(r) != 1 || r[0].Items == nil || *r[0].Items != n || r[0].Stale {
				return false
			}
		}
		return true
	})
	// The fleet-wide series (aggregation.conf) are archived as a host of
	// their own, and the page shows them.
	for _, ti := range []string{"rtorrent_rate-up", "rtorrent_rate-down", "count-items_total", "count-items_active"} {
		id := "rtmon-fleet/rtorrent-fleet/" + ti
		out, err := collectdCommand(c, "GETVAL \""+id+"\"")
		if err != nil || len(out) != 1 || strings.HasSuffix(out[0], "=nan") {
			lv, _ := collectdCommand(c, "LISTVAL")
			var fl []string
			for _, l := range lv {
				if strings.Contains(l, "fleet") {
					fl = append(fl, l)
				}
			}
			t.Errorf("GETVAL %s = %v, %v: want the fleet-wide sum; collectd holds %v", id, out, err, fl)
		}
	}
	ft = waitFleet(t, c.ViewerURL, 30*time.Second, "fleet graphs", func(ft *fleetTable) bool { return ft.FleetGraphs })
	if rowsByHost(ft)["rtmon-fleet"] != nil {
		t.Errorf("the aggregation's host rtmon-fleet is listed as a seedbox")
	}
	if ft.Source != "collectd" || ft.RRDCached == nil {
		t.Errorf("/json/fleet source %q, rrdcached %v: want collectd and the rrdcached status", ft.Source, ft.RRDCached)
	}

	// A host that stops sending turns stale within two intervals (plus
	// one viewer refresh and the time the request takes).
	// Stale is due two intervals after the last value sent; the slack is
	// the viewer's refresh (0.5 s), the LISTVAL it reuses (at most half an
	// interval old) and scheduling on a loaded machine.
	victim := emu.HostName(emuHosts - 1)
	emu.Silence(victim, true)
	stopped := time.Now()
	last := emu.LastSent(victim)
	due := last.Add(2*interval + 3*time.Second)
	waitFleet(t, c.ViewerURL, time.Until(due), victim+" stale within two intervals of its last value", func(ft *fleetTable) bool {
		r := rowsByHost(ft)[victim]
		return len(r) == 1 && r[0].Stale
	})
	t.Logf("%s stale %.1fs after its last value (interval %v)", victim, time.Since(last).Seconds(), interval)
	ft = getFleet(t, c.ViewerURL)
	if ft.Totals.HostsStale != 1 {
		t.Errorf("hosts_stale = %d, want 1 (only %s)", ft.Totals.HostsStale, victim)
	}

	// rrdcached killed: collectd keeps going, the viewer reports it.
	time.Sleep(3 * interval)
	ackedBy := time.Now().Add(-interval) // everything sent before is in collectd and handed to rrdcached
	waitListed(t, c, emu, ackedBy)
	c.KillRRDCached()
	outageStart := time.Now()
	graph := fmt.Sprintf("%s/graph/%s/rtorrent-main.traffic?range=1h", c.ViewerURL, emu.HostName(0))
	for i := 0; i < 3; i++ {
		httpGet(t, graph) // each read flushes first: the flush fails, the page does not
		time.Sleep(interval)
	}
	ft = waitFleet(t, c.ViewerURL, 10*time.Second, "rrdcached reported down", func(ft *fleetTable) bool {
		return ft.RRDCached != nil && !ft.RRDCached.OK && ft.RRDCached.LastError != ""
	})
	if c.Collectd.Exited() || c.Viewer.Exited() {
		t.Fatalf("collectd exited: %v, viewer exited: %v, with rrdcached down", c.Collectd.Exited(), c.Viewer.Exited())
	}
	c.StartRRDCached()
	outageEnd := time.Now() // collectd reconnects at its next update of each file
	time.Sleep(4 * interval)
	httpGet(t, graph)
	waitFleet(t, c.ViewerURL, 10*time.Second, "rrdcached reported back", func(ft *fleetTable) bool {
		return ft.RRDCached != nil && ft.RRDCached.OK
	})
	waitListed(t, c, emu, time.Now().Add(-interval))
	windowEnd := time.Now().Add(-interval)

	// Every value the emulator sent in the window, outside the outage, is
	// in the archives.
	flushAll(t, c)
	checkArchives(t, c, emu, windowStart, windowEnd, outageStart, outageEnd, victim, stopped)
	if c.Collectd.Exited() {
		t.Errorf("central collectd exited")
	}
}

// waitListed waits until collectd holds a value of every emulated host
// stamped after ts.
func waitListed(t *testing.T, c *central.Central, emu *emulator.Emulator, ts time.Time) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := collectdCommand(c, "LISTVAL")
		if err == nil && strings.Contains(strings.Join(out, "\n"), emu.HostName(0)) {
			newest := time.Time{}
			for _, l := range out {
				f := strings.Fields(l)
				if len(f) == 2 && strings.HasPrefix(f[1], emu.HostName(0)+"/") {
					var sec float64
					fmt.Sscanf(f[0], "%f", &sec)
					if tt := time.Unix(int64(sec), 0); tt.After(newest) {
						newest = tt
					}
				}
			}
			if newest.After(ts) {
				time.Sleep(500 * time.Millisecond) // the rrdcached plugin's write thread
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("collectd never held values of %s after %v", emu.HostName(0), ts)
}

func checkArchives(t *testing.T, c *central.Central, emu *emulator.Emulator, from, to, outFrom, outTo time.Time, victim string, stopped time.Time) {
	t.Helper()
	step := int(interval.Seconds())
	daemon := "unix:" + c.RRDSock
	f := newFetcher(t)
	sent := emu.Sent()
	ids := make([]string, 0, len(sent))
	for id := range sent {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var checked, missing, wrong, gap int
	var examples []string
	var lateResume []string
	for _, id := range ids {
		samples := sent[id]
		rows, err := f.fetch(rrdPath(c.DataDir, id), daemon, step, from.Unix()-int64(step), to.Unix()+int64(step))
		if err != nil {
			t.Errorf("fetch %s: %v", id, err)
			continue
		}
		// The outage, for this file: from a step before the kill to the
		// second value stored after the restart (the first one closes a
		// gap longer than the heartbeat, so its row is unknown). Values
		// in it were never acknowledged; the file must resume within
		// 10 s of the restart, and everything after must be there.
		resumed := time.Time{}
		for _, s := range samples {
			if s.Time.After(outTo) {
				if row, ok := rows[s.Time.Unix()]; ok && len(row) > 0 && !math.IsNaN(row[0]) {
					resumed = s.Time
					break
				}
			}
		}
		if strings.HasPrefix(id, victim+"/") {
			resumed = outTo // silenced before the outage: nothing after it
		} else if resumed.IsZero() || resumed.After(outTo.Add(10*time.Second)) {
			lateResume = append(lateResume, fmt.Sprintf("%s (resumed %v)", id, resumed))
		}
		for i, s := range samples {
			if i == 0 || s.Time.Before(from) || s.Time.After(to) {
				continue // the first value only starts a file (its row is unknown)
			}
			if strings.HasPrefix(id, victim+"/") && s.Time.After(stopped) {
				continue
			}
			if !s.Time.Before(outFrom.Add(-interval)) && s.Time.Before(resumed) {
				gap++
				continue // sent while rrdcached was down: not acknowledged
			}
			checked++
			row, ok := rows[s.Time.Unix()]
			if !ok || len(row) < len(s.Values) {
				missing++
				if len(examples) < 12 {
					examples = append(examples, fmt.Sprintf("%s @%d: no row", id, s.Time.Unix()))
				}
				continue
			}
			for j, v := range s.Values {
				if math.IsNaN(row[j]) {
					missing++
					if len(examples) < 12 {
						examples = append(examples, fmt.Sprintf("%s @%d ds %d: unknown", id, s.Time.Unix(), j))
					}
					break
				}
				if isGauge(id) && math.Abs(row[j]-v) > 1e-6*math.Max(1, math.Abs(v)) {
					wrong++
					if len(examples) < 12 {
						examples = append(examples, fmt.Sprintf("%s @%d ds %d: stored %v, sent %v", id, s.Time.Unix(), j, row[j], v))
					}
					break
				}
			}
		}
	}
	t.Logf("archives: %d values of %d identifiers checked, %d missing, %d differing (window %d..%d; %d values of the outage from %d, restart %d, left out)",
		checked, len(ids), missing, wrong, from.Unix(), to.Unix(), gap, outFrom.Add(-interval).Unix(), outTo.Unix())
	if len(lateResume) > 0 {
		t.Errorf("%d files did not resume within 10 s of rrdcached's restart, e.g. %v", len(lateResume), lateResume[:min(3, len(lateResume))])
	}
	if checked < len(ids) {
		t.Errorf("only %d values checked for %d identifiers: the window is too short", checked, len(ids))
	}
	if missing > 0 || wrong > 0 {
		t.Errorf("%d values missing, %d differing from what was sent; e.g.\n%s", missing, wrong, strings.Join(examples, "\n"))
	}
}

// isGauge: the identifier's values are stored as sent (not as a rate).
func isGauge(id string) bool {
	for _, d := range []string{"/if_octets", "/operations-", "/ps_cputime", "/ps_disk_octets", "/disk_", "/if_", "/swap_io-", "/rtorrent_events", "/rtorrent_volume-"} {
		if strings.Contains(id, d) {
			return false
		}
	}
	return true
}
