package e2e

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

// thresholdConf writes a collectd.conf for the threshold tests: the
// shipped rtorrent.conf (with block), unixsock.conf and thresholds.conf,
// df watching only mountPoint, and the notification rig. Not WriteMain's:
// host.conf leaves tmpfs out, and the test's small file system is one.
func thresholdConf(t *testing.T, c *Collectd, block, mountPoint, rig string) {
	t.Helper()
	l := collectdconf.NewLayout(c.Dir)
	df := ""
	if mountPoint != "" {
		df = fmt.Sprintf(`LoadPlugin df
<Plugin df>
  MountPoint %q
  ReportByDevice false
  ValuesAbsolute false
  ValuesPercentage true
</Plugin>
`, mountPoint)
	}
	conf := fmt.Sprintf(`Hostname %q
FQDNLookup false
BaseDir %q
PIDFile %q
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel info
  File %q
  Timestamp true
  PrintSeverity true
</Plugin>
PluginDir %q
Include %q
PluginDir "/usr/lib/collectd"
Include %q
%s%s
Include %q
%s`, host, l.Dir, l.PIDFile, l.Log, testenv.PluginDir(t), filepath.Join(l.ConfD, "rtorrent.conf"),
		filepath.Join(l.ConfD, "unixsock.conf"), df, rig, filepath.Join(l.ConfD, "thresholds.conf"), block)
	if err := os.WriteFile(c.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// putval sends PUTVAL lines to collectd's unixsock: values of another
// host, as a central collectd receives them over the network plugin.
func putval(t *testing.T, sock, line string) error {
	c, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		return err
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(reply, "0 ") {
		return fmt.Errorf("PUTVAL %s: %s", line, strings.TrimSpace(reply))
	}
	return nil
}

// TestThresholdsFire: each threshold of the shipped thresholds.conf
// fires against values the test drives and is quiet otherwise.
//   - df: a 8 MiB tmpfs mounted by the test (the download directory's
//     file system), filled to 92 % (WARNING), 98 % (FAILURE), emptied
//     (OKAY). Skipped when mounting is refused.
//   - swap and rTorrent memory: values of another host put through
//     unixsock (as a central collectd receives them): 100 MiB of swap
//     used fires, 0 is quiet; an rss of 5 GB fires, 100 MB is quiet.
//   - no upload while seeding: the seeder of a real swarm, uploading at
//     its throttle (quiet), then its only peer killed: the WARNING after
//     the shipped Hits (30 intervals).
func TestThresholdsFire(t *testing.T) {
	testenv.Need(t, "collectd", "rtorrent", "opentracker", "mktorrent")
	sw := testenv.StartSwarm(t, testenv.SwarmOptions{Size: 48 << 20, UploadKiB: 256})
	c := newCollectdDir(t, "")
	rig := newNotifyRig(t, c.Dir)

	mnt := filepath.Join(c.Dir, "dl")
	os.MkdirAll(mnt, 0o755)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Logf("mounting a tmpfs refused (%v: %s): the df threshold is not checked", err, strings.TrimSpace(string(out)))
		mnt = ""
	} else {
		t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	}
	thresholdConf(t, c, pluginBlock(instance("seed", fmt.Sprintf("URL %q", sw.Seeder.URL))), mnt, rig.conf)
	c.startForeground(t)
	sw.WaitTransferring(t, 60*time.Second)

	var swap, rss atomic.Int64
	rss.Store(100e6)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				putval(t, c.Sock, fmt.Sprintf(`PUTVAL "otherbox/swap/swap-used" interval=1 N:%d`, swap.Load()))
				putval(t, c.Sock, fmt.Sprintf(`PUTVAL "otherbox/rtorrent-main/ps_rss" interval=1 N:%d`, rss.Load()))
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })

	type want struct{ sev, plugin, inst, typ, ti, host string }
	count := func(w want) int {
		n := 0
		for _, r := range rig.All(t) {
			if r.Severity == w.sev && r.Plugin == w.plugin && r.PluginInstance == w.inst && r.Type == w.typ && r.TypeInstance == w.ti && r.Host == w.host {
				n++
			}
		}
		return n
	}
	dfInst := ""
	if mnt != "" {
		dfInst = strings.ReplaceAll(strings.TrimPrefix(mnt, "/"), "/", "-")
	}
	swapWarn := want{"WARNING", "swap", "", "swap", "used", "otherbox"}
	rssWarn := want{"WARNING", "rtorrent", "main", "ps_rss", "", "otherbox"}
	upWarn := want{"WARNING", "rtorrent", "seed", "rtorrent_rate", "up", host}
	dfWarn := want{"WARNING", "df", dfInst, "percent_bytes", "used", host}

	// Quiet while all is within range (seeding and uploading, no swap,
	// small rss, an empty file system), for 8 intervals.
	time.Sleep(8 * interval)
	for _, w := range []want{swapWarn, rssWarn, upWarn, dfWarn, {"FAILURE", "df", dfInst, "percent_bytes", "used", host}} {
		if n := count(w); n != 0 {
			t.Errorf("%+v: %d notifications while within range, want 0", w, n)
		}
	}

	swap.Store(100 << 20)
	rss.Store(5e9)
	waitFor(t, 20*time.Second, "swap WARNING", func() bool { return count(swapWarn) == 1 })
	waitFor(t, 20*time.Second, "rss WARNING", func() bool { return count(rssWarn) == 1 })
	swap.Store(0)
	rss.Store(100e6)
	waitFor(t, 20*time.Second, "swap OKAY", func() bool { return count(want{"OKAY", "swap", "", "swap", "used", "otherbox"}) >= 1 })
	waitFor(t, 20*time.Second, "rss OKAY", func() bool { return count(want{"OKAY", "rtorrent", "main", "ps_rss", "", "otherbox"}) >= 1 })

	if mnt != "" {
		fill := func(pct int) {
			f := filepath.Join(mnt, "fill.bin")
			if err := os.WriteFile(f, make([]byte, 8<<20*pct/100), 0o644); err != nil {
				t.Fatalf("filling the file system to %d%%: %v", pct, err)
			}
		}
		fill(92)
		waitFor(t, 20*time.Second, "df WARNING at 92%", func() bool { return count(dfWarn) == 1 })
		fill(98)
		waitFor(t, 20*time.Second, "df FAILURE at 98%", func() bool {
			return count(want{"FAILURE", "df", dfInst, "percent_bytes", "used", host}) == 1
		})
		os.Remove(filepath.Join(mnt, "fill.bin"))
		waitFor(t, 20*time.Second, "df OKAY", func() bool {
			return count(want{"OKAY", "df", dfInst, "percent_bytes", "used", host}) >= 2 // start and now
		})
	}

	// The seeder has been uploading all along: no WARNING yet. Its only
	// peer goes away; the upload rate falls to 0 and, Hits intervals
	// later, the threshold fires.
	if n := count(upWarn); n != 0 {
		t.Fatalf("no-upload WARNING while uploading (%d)", n)
	}
	if r := sw.Seeder.MustInt(t, "throttle.global_up.rate"); r <= 0 {
		t.Fatalf("seeder upload rate %d before the peer stops: the swarm is not transferring", r)
	}
	sw.Leecher.Kill()
	stopped := time.Now()
	waitFor(t, 120*time.Second, "no-upload WARNING", func() bool { return count(upWarn) == 1 })
	t.Logf("no-upload WARNING %v after the only peer stopped (shipped Hits 30 at a 1 s interval)", time.Since(stopped).Round(time.Second))
	if seeding := sw.Seeder.MustInt(t, "view.size", "", "seeding"); seeding < 1 {
		t.Errorf("seeder seeds %d items, want >= 1", seeding)
	}
	time.Sleep(3 * interval)
	for _, w := range []want{swapWarn, rssWarn, upWarn} {
		if n := count(w); n != 1 {
			t.Errorf("%+v: %d notifications, want exactly 1", w, n)
		}
	}
}

// TestAlertConfigErrors: a bad threshold stops collectd at start with
// one line naming the option; a bad notification option of the plugin
// costs its instance with one error line naming the option.
func TestAlertConfigErrors(t *testing.T) {
	testenv.Need(t, "collectd")
	shipped, err := os.ReadFile(filepath.Join(snippetDir, "thresholds.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"not a number", "WarningMax 90", "WarningMax ninety", "The `WarningMax' option requires exactly one numeric argument"},
		{"unknown option", "Hits 30", "Hitz 30", "Hitz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bad := strings.Replace(string(shipped), tc.from, tc.to, 1)
			os.WriteFile(filepath.Join(dir, "thresholds.conf"), []byte(bad), 0o644)
			conf := filepath.Join(dir, "collectd.conf")
			os.WriteFile(conf, []byte(fmt.Sprintf("LoadPlugin logfile\n<Plugin logfile>\n  File stderr\n</Plugin>\nTypesDB \"/usr/share/collectd/types.db\" %q\nInclude %q\n",
				filepath.Join(snippetDir, "rtorrent.types.db"), filepath.Join(dir, "thresholds.conf"))), 0o644)
			out, err := testenv.RunCollectd(t, nil, "-T", "-C", conf)
			var lines []string
			for _, l := range strings.Split(string(out), "\n") {
				if strings.Contains(l, tc.want) {
					lines = append(lines, l)
				}
			}
			if err == nil || len(lines) != 1 {
				t.Errorf("collectd -T with %q: err %v, want an exit and one line holding %q:\n%s", tc.to, err, tc.want, out)
			}
		})
	}

	// The plugin's own notification option, in a running collectd.
	c := newCollectdDir(t, pluginBlock(instance("bad", `URL "scgi:///nonexistent.sock"`, "NotifyFailedReads 0")))
	c.startForeground(t)
	line := c.waitLog(t, 20*time.Second, "error", `instance "bad" skipped`)
	if !strings.Contains(line, "option NotifyFailedReads") || !strings.Contains(line, "1 to 86400") {
		t.Errorf("error line %q: want the option and its range", line)
	}
}
