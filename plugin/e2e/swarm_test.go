package e2e

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// TestSwarm runs collectd with the shipped snippets and two <Instance>
// blocks, a seeder and a leecher moving real data over loopback, and checks
// the RRD files against what the two rTorrents say.
func TestSwarm(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent", "opentracker")
	began := time.Now()
	const torrents, size, upKiB = 2, 24 << 20, 300 // ~160 s of transfer: it outlasts the test
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: torrents, Size: size, UploadKiB: upKiB})
	c := newCollectdDir(t, pluginBlock(
		instance("seeder", fmt.Sprintf("URL %q", sw.Seeder.URL), "Timeout 5"),
		// Frequent scans, so the scan tier sees the transfer within the test.
		instance("leecher", fmt.Sprintf("URL %q", sw.Leecher.URL), "Timeout 5", "MinScanInterval 2"),
	))
	c.startForeground(t)
	started := time.Now()
	sw.WaitTransferring(t, time.Minute)
	t.Logf("swarm and collectd up, data flowing, after %v", time.Since(began).Round(time.Millisecond))

	seeder, leecher := sw.Seeder, sw.Leecher
	id := func(inst, ti string) string { return "rtorrent-" + inst + "/" + ti }
	gauge := func(rt *testenv.RTorrent, method string, args ...any) func() float64 {
		return func() float64 { return float64(rt.MustInt(t, method, args...)) }
	}

	t.Run("files", func(t *testing.T) {
		// Every identifier of the catalogue, at the documented path, for
		// both instances; the scan tier's breakdowns by tracker and label.
		want := map[string][]string{}
		for _, inst := range []string{"seeder", "leecher"} {
			for _, m := range catalogue.All() {
				// Versions are named by their value (below); these
				// rTorrents do not import rtmon-events.rc.
				if m.Group == "" && !slices.Contains(catalogue.Versions, m) && !slices.Contains(catalogue.ExactEvents, m) {
					want[inst] = append(want[inst], m.ID())
				}
			}
			want[inst] = append(want[inst], "rtorrent_group-"+catalogue.GroupInstance("tracker", "127.0.0.1"),
				"rtorrent_group-"+catalogue.GroupInstance("label", "none"),
				"rtorrent_version-"+catalogue.GroupInstance("client", seeder.MustCall(t, "system.client_version").(string)),
				"rtorrent_version-"+catalogue.GroupInstance("library", seeder.MustCall(t, "system.library_version").(string)))
		}
		deadline := time.Now().Add(15 * time.Second)
		for inst, ids := range want {
			for _, ti := range ids {
				for {
					_, err := os.Stat(c.File(id(inst, ti)))
					if err == nil {
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("%s missing: %v", c.File(id(inst, ti)), err)
						break
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
		}
		// The host's own metrics sit beside them.
		for _, hid := range []string{"cpu/percent-idle", "load/load", "memory/memory-used", "uptime/uptime", "processes-rtorrent/ps_count"} {
			c.waitUpdate(t, hid, started, 15*time.Second)
		}
		// One-minute step, as shipped, although collectd reads every second.
		for _, f := range []string{id("seeder", "count-items_total"), id("leecher", "if_octets"), "load/load"} {
			if s := step(t, c.File(f)); s != 60 {
				t.Errorf("%s: step %d, want 60", f, s)
			}
		}
	})

	t.Run("counts match rTorrent", func(t *testing.T) {
		c.expectExact(t, []exact{
			{"seeder", "count-items_total", gauge(seeder, "view.size", "", "main")},
			{"seeder", "count-items_seeding", gauge(seeder, "view.size", "", "seeding")},
			{"seeder", "count-items_complete", gauge(seeder, "view.size", "", "complete")},
			{"seeder", "count-items_leeching", gauge(seeder, "view.size", "", "leeching")},
			{"seeder", "count-items_stopped", gauge(seeder, "view.size", "", "stopped")},
			{"seeder", "count-items_resumed", gauge(seeder, "view.size", "", "active")},
			{"seeder", "rtorrent_rate-up_limit", gauge(seeder, "throttle.global_up.max_rate")},
			{"seeder", "count-max_open_sockets", gauge(seeder, "network.max_open_sockets")},
			{"seeder", "bytes-size_total", func() float64 { return sum(t, seeder, "d.size_bytes=") }},
			{"seeder", "count-files", func() float64 { return sum(t, seeder, "d.size_files=") }},
			{"leecher", "count-items_total", gauge(leecher, "view.size", "", "main")},
			{"leecher", "count-items_started", gauge(leecher, "view.size", "", "started")},
			{"leecher", "count-items_leeching", gauge(leecher, "view.size", "", "leeching")},
			{"leecher", "count-items_incomplete", gauge(leecher, "view.size", "", "incomplete")},
			{"leecher", "rtorrent_rate-down_limit", gauge(leecher, "throttle.global_down.max_rate")},
			{"leecher", "bytes-size_total", func() float64 { return sum(t, leecher, "d.size_bytes=") }},
		})
		// The ground truth itself is what the swarm set up.
		if n := seeder.MustInt(t, "view.size", "", "seeding"); n != torrents {
			t.Errorf("seeder seeds %d items, want %d", n, torrents)
		}
		if n := seeder.MustInt(t, "throttle.global_up.max_rate"); n != upKiB*1024 {
			t.Errorf("seeder up limit %d", n)
		}
		// Per tracker and per label: all items share one tracker, no label.
		u := c.waitUpdate(t, id("leecher", "rtorrent_group-tracker_127.0.0.1"), time.Now(), 10*time.Second)
		if u.Values["items"] != torrents || u.Values["size_bytes"] != torrents*size {
			t.Errorf("leecher tracker group %v, want %d items of %d bytes", u.Values, torrents, size)
		}
		u = c.waitUpdate(t, id("seeder", "rtorrent_group-label_none"), time.Now(), 10*time.Second)
		if u.Values["items"] != torrents || u.Values["seeding"] != torrents {
			t.Errorf("seeder label group %v, want %d items seeding", u.Values, torrents)
		}
	})

	t.Run("rates during the transfer", func(t *testing.T) {
		up := c.waitUpdate(t, id("seeder", "rtorrent_rate-up"), time.Now(), 10*time.Second).Values["value"]
		down := c.waitUpdate(t, id("leecher", "rtorrent_rate-down"), time.Now(), 10*time.Second).Values["value"]
		if up <= 0 || down <= 0 || up > 2*upKiB*1024 {
			t.Errorf("seeder up %v B/s, leecher down %v B/s: want both above zero and the up rate within the %d KiB/s limit", up, down, upKiB)
		}
		if r := leecher.MustInt(t, "throttle.global_down.rate"); r <= 0 {
			t.Fatalf("the transfer ended early: leecher down rate %d", r)
		}
		// Scan tier: the leecher's items move, so they are active; its
		// tracker group downloads.
		deadline := time.Now().Add(10 * time.Second)
		for {
			act := c.waitUpdate(t, id("leecher", "count-items_active"), time.Now(), 10*time.Second).Values["value"]
			grp := c.waitUpdate(t, id("leecher", "rtorrent_group-tracker_127.0.0.1"), time.Now(), 10*time.Second).Values
			if act >= 1 && grp["down_rate"] > 0 && grp["leeching"] == torrents {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("leecher active items %v, tracker group %v: want active >= 1, down_rate > 0, leeching %d", act, grp, torrents)
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
	})

	t.Run("totals rising", func(t *testing.T) {
		for _, tc := range []struct {
			inst, ds, method string
			rt               *testenv.RTorrent
		}{
			{"seeder", "tx", "throttle.global_up.total", seeder},
			{"leecher", "rx", "throttle.global_down.total", leecher},
		} {
			file := id(tc.inst, "if_octets")
			var prev float64
			for round := 0; round < 2; round++ {
				before := float64(tc.rt.MustInt(t, tc.method))
				u := c.waitUpdate(t, file, time.Now(), 10*time.Second)
				after := float64(tc.rt.MustInt(t, tc.method))
				got := u.Values[tc.ds]
				// Read between the two ground-truth reads, no restart yet:
				// the raw total, bracketed.
				if got < before || got > after {
					t.Errorf("%s %s = %v, rTorrent said %v before and %v after", file, tc.ds, got, before, after)
				}
				if round > 0 && got <= prev {
					t.Errorf("%s %s did not rise: %v then %v", file, tc.ds, prev, got)
				}
				prev = got
				time.Sleep(1500 * time.Millisecond)
			}
		}
	})

	t.Run("process", func(t *testing.T) {
		u := c.waitUpdate(t, id("seeder", "ps_count"), time.Now(), 10*time.Second)
		if u.Values["processes"] != 1 || u.Values["threads"] < 1 {
			t.Errorf("seeder ps_count %v", u.Values)
		}
		rss := c.waitUpdate(t, id("seeder", "ps_rss"), time.Now(), 10*time.Second).Values["value"]
		if rss < 1<<20 {
			t.Errorf("seeder rss %v bytes", rss)
		}
		up := c.waitUpdate(t, id("leecher", "uptime"), time.Now(), 10*time.Second).Values["value"]
		if up < 0 || up > time.Since(began).Seconds()+2 {
			t.Errorf("leecher uptime %v s; it started under %v ago", up, time.Since(began))
		}
	})

	if t.Failed() {
		return
	}
	t.Run("rTorrent killed and back", func(t *testing.T) {
		before := c.waitUpdate(t, id("leecher", "if_octets"), time.Now(), 10*time.Second)
		if n := len(c.logLines("error", "rtorrent plugin")); n != 0 {
			t.Fatalf("%d rtorrent plugin errors before the kill:\n%s", n, c.logText())
		}
		leecher.Kill()
		killed := time.Now()
		time.Sleep(4 * interval)
		// collectd runs on, writing the host's and the seeder's values.
		if !c.running() {
			t.Fatalf("collectd exited when rTorrent died")
		}
		c.waitUpdate(t, "load/load", killed.Add(2*interval), 5*time.Second)
		c.waitUpdate(t, id("seeder", "count-items_total"), killed.Add(2*interval), 5*time.Second)
		errs := c.logLines("error", `rtorrent plugin: instance "leecher"`)
		if len(errs) != 1 {
			t.Fatalf("%d errors for the dead leecher over 4 intervals, want exactly 1:\n%s", len(errs), strings.Join(errs, "\n"))
		}
		if !strings.Contains(errs[0], sw.Leecher.URL) {
			t.Errorf("error does not say which rTorrent: %s", errs[0])
		}
		t.Logf("logged once: %s", errs[0])

		leecher.Restart(t)
		back := time.Now()
		// No read succeeds while rTorrent is dead, so the first update
		// read after the kill is the first after its return. The file's
		// times are rounded to whole seconds: allow half a second for
		// that, and half a second for collectd's scheduling.
		u := c.waitUpdate(t, id("leecher", "count-items_total"), killed, 10*time.Second)
		lag := u.Time.Sub(back)
		t.Logf("first value stamped %v after rTorrent answered again (interval %v)", lag.Round(time.Millisecond), interval)
		if lag > interval+time.Second {
			t.Errorf("values resumed %v after the restart, want within one interval (%v)", lag, interval)
		}
		if u.Values["value"] != torrents {
			t.Errorf("items after restart %v, want %d", u.Values["value"], torrents)
		}
		notice := c.waitLog(t, 5*time.Second, "notice", `instance "leecher"`, "answers again")
		t.Logf("notice: %s", notice)
		after := c.waitUpdate(t, id("leecher", "if_octets"), back, 10*time.Second)
		if after.Values["rx"] < before.Values["rx"] || after.Values["tx"] < before.Values["tx"] {
			t.Errorf("if_octets fell across the restart: %v -> %v", before.Values, after.Values)
		}
		time.Sleep(2 * interval)
		if n := len(c.logLines("error", `instance "leecher"`)); n != 1 {
			t.Errorf("%d errors for the leecher in all, want 1", n)
		}
		if n := len(c.logLines("notice", `instance "leecher"`, "answers again")); n != 1 {
			t.Errorf("%d notices for the leecher's return, want 1", n)
		}
	})

	t.Run("no other errors", func(t *testing.T) {
		// Nothing else went wrong: no value list rejected (types.db), no
		// RRD update refused, no other plugin error.
		for _, l := range c.logLines("error") {
			// collectd 5.12's unixsock logs this for some connections
			// (pthread_setname_np's return value read as errno): harmless.
			if strings.Contains(l, `set_thread_name("unixsock conn")`) {
				continue
			}
			if !strings.Contains(l, `instance "leecher": cannot read rTorrent`) {
				t.Errorf("unexpected: %s", l)
			}
		}
		for _, l := range c.logLines("warning") {
			if !strings.Contains(l, "Timeout 5s is not below") && !sameSecondUpdate(l) {
				t.Errorf("unexpected: %s", l)
			}
		}
	})

	t.Run("fetch consolidated rows", func(t *testing.T) {
		// rrdtool fetch shows 60 s rows once a full step is archived: up
		// to two minutes after collectd's first value.
		deadline := started.Add(150 * time.Second)
		ids := []string{id("seeder", "count-items_total"), id("seeder", "rtorrent_rate-up"), id("seeder", "if_octets")}
		for {
			c.flush(t, ids...)
			time.Sleep(500 * time.Millisecond)
			_, items := fetch(t, c.File(ids[0]), 5*time.Minute)
			_, rate := fetch(t, c.File(ids[1]), 5*time.Minute)
			names, oct := fetch(t, c.File(ids[2]), 5*time.Minute)
			known, rateSeen, txSeen := 0, false, false
			for _, r := range items {
				if v := r.Values[0]; !math.IsNaN(v) {
					known++
					if v != torrents {
						t.Fatalf("%s: row %v averages %v items, want exactly %d", ids[0], r.Time, v, torrents)
					}
				}
			}
			for _, r := range rate {
				rateSeen = rateSeen || r.Values[0] > 0
			}
			tx := indexOf(names, "tx")
			for _, r := range oct {
				txSeen = txSeen || r.Values[tx] > 0
			}
			if known > 0 && rateSeen && txSeen {
				t.Logf("consolidated rows after %v", time.Since(started).Round(time.Second))
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("after %v: %d known item rows, up rate row above 0: %v, tx rate row above 0: %v", time.Since(started), known, rateSeen, txSeen)
			}
			time.Sleep(2 * time.Second)
		}
	})
}

// exact is an archived value and rTorrent's own reading of it.
type exact struct {
	inst, ti string
	truth    func() float64
}

// expectExact checks that the values collectd archived equal rTorrent's
// own, read just before and just after the archived read; a value whose
// two ground-truth reads disagree is tried again.
func (c *Collectd) expectExact(t *testing.T, checks []exact) {
	t.Helper()
	for attempt := 0; attempt < 5 && len(checks) > 0; attempt++ {
		before := make([]float64, len(checks))
		for i, x := range checks {
			before[i] = x.truth()
		}
		since := time.Now()
		got := make([]float64, len(checks))
		for i, x := range checks {
			got[i] = c.waitUpdate(t, "rtorrent-"+x.inst+"/"+x.ti, since, 10*time.Second).Values["value"]
		}
		var again []exact
		for i, x := range checks {
			if after := x.truth(); after != before[i] {
				again = append(again, x)
				continue
			}
			if got[i] != before[i] {
				t.Errorf("rtorrent-%s/%s = %v, rTorrent says %v", x.inst, x.ti, got[i], before[i])
			}
		}
		checks = again
	}
	for _, x := range checks {
		t.Errorf("rtorrent-%s/%s: rTorrent's value kept changing", x.inst, x.ti)
	}
}

// sum adds one d.multicall2 field over all items, read directly.
func sum(t *testing.T, rt *testenv.RTorrent, field string) float64 {
	t.Helper()
	rows, _ := rt.MustCall(t, "d.multicall2", "", "main", field).([]any)
	var s float64
	for _, r := range rows {
		f, _ := r.([]any)
		if len(f) != 1 {
			t.Fatalf("d.multicall2 row %v", r)
		}
		n, _ := f[0].(int64)
		s += float64(n)
	}
	return s
}

func indexOf(names []string, n string) int {
	for i, x := range names {
		if x == n {
			return i
		}
	}
	return -1
}

// sameSecondRE is the rrdtool plugin refusing a second value for the same
// whole second.
var sameSecondRE = regexp.MustCompile(`illegal attempt to update using time (\d+) when last update time is (\d+) \(minimum one second step\)`)

// sameSecondUpdate reports the one RRD refusal a loaded machine causes by
// itself: when collectd's read threads stall for more than an interval,
// collectd runs the late read at once, and at Interval 1 two reads of the
// same plugin can fall into one second. The rrdtool plugin writes whole
// seconds, so librrd refuses the second value. It happens to collectd's
// own plugins (swap, load, uptime) alike and costs one duplicate value;
// any other refusal (an older time, a bad value) still fails the test.
func sameSecondUpdate(line string) bool {
	m := sameSecondRE.FindStringSubmatch(line)
	return m != nil && m[1] == m[2]
}
