package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// TestNotificationsOverNetwork: the set-up docs/alerts.md gives for many
// seedboxes. A seedbox collectd with the plugin sends (signed) to a
// central collectd over the network plugin; the central one's exec
// receives the seedbox's FAILURE, with the seedbox's host name, when its
// rTorrent is killed, and the OKAY when it is back. The central
// collectd reads no rTorrent itself.
func TestNotificationsOverNetwork(t *testing.T) {
	testenv.Need(t, "collectd", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	centralNet, seedboxNet := collectdenv.SignedNetwork(t)

	central := newCollectdDir(t, "")
	rig := newNotifyRig(t, central.Dir)
	conf := fmt.Sprintf(`Hostname "central"
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
TypesDB "/usr/share/collectd/types.db" %q
%s%s`, central.Dir, central.PIDFile, central.Log, filepath.Join(central.Dir, "collectd.conf.d", "rtorrent.types.db"), centralNet, rig.conf)
	if err := os.WriteFile(central.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	central.startForeground(t)

	seedbox := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", rt.URL)))+seedboxNet)
	seedbox.startForeground(t)
	seedbox.waitUpdate(t, "rtorrent-main/count-items_total", time.Now(), 20*time.Second)

	rt.Kill()
	waitFor(t, 20*time.Second, "the seedbox's FAILURE at the central collectd's exec", func() bool {
		return len(rig.Matching(t, "FAILURE", "rtorrent", "main", "reachable")) > 0
	})
	f := rig.Matching(t, "FAILURE", "rtorrent", "main", "reachable")[0]
	if f.Host != host {
		t.Errorf("FAILURE from host %q, want the seedbox's %q", f.Host, host)
	}
	rt.Restart(t)
	waitFor(t, 20*time.Second, "the seedbox's OKAY at the central collectd's exec", func() bool {
		return len(rig.Matching(t, "OKAY", "rtorrent", "main", "reachable")) > 0
	})
	time.Sleep(3 * interval)
	for _, sev := range []string{"FAILURE", "OKAY"} {
		if n := len(rig.Matching(t, sev, "rtorrent", "main", "reachable")); n != 1 {
			t.Errorf("%d %s reachable at the central collectd, want exactly 1", n, sev)
		}
	}
	// The problems the central viewer would show: recorded by host.
	ents, _ := os.ReadDir(rig.Problems)
	if len(ents) == 0 {
		t.Errorf("rtmon-notify on the central collectd recorded nothing")
	}
}
