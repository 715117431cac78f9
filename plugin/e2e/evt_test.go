package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
)

// TestEventsActiveVersionsUnderCollectd runs the built plugin in collectd
// against a seeder without rtmon-events.rc and an rTorrent that imports it
// (issue 13, items 3, 4 and 5):
//   - each instance's start message says where its events come from, and
//     only the one with the snippet writes the exact-only event files;
//   - both dispatch their versions as rtorrent_version-client_<version>
//     and library_<version>, value 1, found with LISTVAL;
//   - the seeder's item, idle, starts moving: collectd's cache shows it
//     active, with its tracker group, within one interval of rTorrent
//     showing it, long before the next scan.
func TestEventsActiveVersionsUnderCollectd(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent", "opentracker")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Torrents: 1, Size: 2 << 20, UploadKiB: 2048})
	rc, err := filepath.Abs("../../dist/rtorrent/rtmon-events.rc")
	if err != nil {
		t.Fatal(err)
	}
	exact := testenv.StartRTorrent(t, testenv.RTorrentOptions{BindAddress: "127.0.0.5", ExtraRC: []string{"import = " + rc}})
	tor := sw.Torrents[0]
	waitUntil(t, 60*time.Second, "the leecher to finish", func() bool {
		return sw.Leecher.MustInt(t, "d.complete", tor.InfoHash) == 1
	})
	waitUntil(t, 150*time.Second, "the seeder's item to be idle (its rate decays over about a minute)", func() bool {
		return sw.Seeder.MustInt(t, "d.up.rate", tor.InfoHash) == 0
	})
	sw.Seeder.MustCall(t, "throttle.global_up.max_rate.set_kb", "", "64") // the second transfer outlasts the checks

	c := newCollectdDir(t, pluginBlock(
		// No scan after the first within the test: the fast tier alone
		// must show the item moving.
		instance("seeder", fmt.Sprintf("URL %q", sw.Seeder.URL), "Timeout 5", "MinScanInterval 600", "MaxScanInterval 600"),
		instance("exact", fmt.Sprintf("URL %q", exact.URL), "Timeout 5"),
	))
	c.startForeground(t)

	t.Run("events source", func(t *testing.T) {
		c.waitLog(t, 20*time.Second, "info", `instance "seeder"`, "events: derived from scans, approximate")
		c.waitLog(t, 20*time.Second, "info", `instance "exact"`, "events: counted inside rTorrent by rtmon-events.rc")
		exact.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(2, "http://127.0.0.1:1/announce", "e2e-exact")), false)
		c.waitUpdate(t, "rtorrent-exact/operations-events_inserted", time.Now(), 15*time.Second)
		for _, m := range catalogue.ExactEvents {
			if _, err := os.Stat(c.File("rtorrent-exact/" + m.ID())); err != nil {
				t.Errorf("with the snippet: %v", err)
			}
			if _, err := os.Stat(c.File("rtorrent-seeder/" + m.ID())); err == nil {
				t.Errorf("without the snippet %s was written: a false zero", m.ID())
			}
		}
	})

	t.Run("versions", func(t *testing.T) {
		for _, inst := range []string{"seeder", "exact"} {
			for kind, method := range map[string]string{"client": "system.client_version", "library": "system.library_version"} {
				v := sw.Seeder.MustCall(t, method).(string)
				id := host + "/rtorrent-" + inst + "/rtorrent_version-" + catalogue.GroupInstance(kind, v)
				waitUntil(t, 15*time.Second, id+" in LISTVAL", func() bool {
					return strings.Contains(unixsockCmd(t, c.Sock, "LISTVAL"), " "+id+"\n")
				})
				if got := getval(t, c.Sock, id); got != 1 {
					t.Errorf("GETVAL %s = %v, want 1", id, got)
				}
			}
		}
	})

	t.Run("active within one interval", func(t *testing.T) {
		active := host + "/rtorrent-seeder/count-items_active"
		group := host + "/rtorrent-seeder/rtorrent_group-" + catalogue.GroupInstance("tracker", "127.0.0.1")
		age := host + "/rtorrent-seeder/duration-scan_age"
		if got := getval(t, c.Sock, active); got != 0 {
			t.Fatalf("idle seeder: items_active %v, want 0", got)
		}
		ageBefore, before := getvalDS(t, c.Sock, age, "seconds"), time.Now()
		up := sw.Seeder.MustInt(t, "d.up.total", tor.InfoHash)
		if err := sw.RestartIfComplete(tor); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 60*time.Second, "rTorrent to show the seeder's item moving", func() bool {
			return sw.Seeder.MustInt(t, "d.up.total", tor.InfoHash) > up && sw.Seeder.MustInt(t, "d.up.rate", tor.InfoHash) > 0
		})
		// One interval (1 s) for the next read, one more for a read in
		// flight when rTorrent began to show it, and slack for this
		// shared machine.
		seen := time.Now()
		waitUntil(t, 2*interval+2*time.Second, "items_active 1 and the tracker group's active 1 in collectd's cache", func() bool {
			return getval(t, c.Sock, active) == 1 && getvalDS(t, c.Sock, group, "active") == 1
		})
		took := time.Since(seen)
		// The scan did not do it: its age went on growing (within the
		// two intervals a cached value may lag).
		if a, grown := getvalDS(t, c.Sock, age, "seconds"), ageBefore+time.Since(before).Seconds(); ageBefore < 0 || a < grown-2*interval.Seconds() {
			t.Errorf("scan age %v s, was %v s %v ago: a scan ran, the test wants the fast tier to show the item", a, ageBefore, time.Since(before).Round(time.Millisecond))
		}
		t.Logf("active in collectd's cache %v after rTorrent showed the item moving", took.Round(time.Millisecond))
	})
}

// waitUntil polls cond until it holds or the timeout passes.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// getval reads an identifier's "value" data source from collectd's cache
// (-1 when it is not there yet).
func getval(t *testing.T, sock, id string) float64 { return getvalDS(t, sock, id, "value") }

func getvalDS(t *testing.T, sock, id, ds string) float64 {
	t.Helper()
	reply := unixsockCmd(t, sock, "GETVAL "+id)
	for _, line := range strings.Split(reply, "\n")[1:] {
		name, v, ok := strings.Cut(line, "=")
		if ok && name == ds {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("GETVAL %s: %q", id, line)
			}
			return f
		}
	}
	return -1
}

// unixsockCmd sends one command to collectd's unixsock and returns the
// status line and the lines it announces.
func unixsockCmd(t *testing.T, sock, cmd string) string {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s\n", cmd)
	br := bufio.NewReader(c)
	out, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("unixsock %s: %v", cmd, err)
	}
	n, _ := strconv.Atoi(strings.Fields(out + " 0")[0])
	for i := 0; i < n && i < 1<<16; i++ {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("unixsock %s: %v", cmd, err)
		}
		out += l
	}
	return out
}
