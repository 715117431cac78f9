package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestFaultsUnderCollectd runs the real collectd (-f, Interval 1, the
// shipped snippets) with rtorrent.so reading one real rTorrent, and puts
// rTorrent through a kill and restart, then a freeze (SIGSTOP, which
// catches collectd's reads in flight) and SIGCONT. For each fault:
// collectd keeps running and keeps writing its other values, the plugin
// logs one ERROR for the whole outage and one NOTICE at its end, and the
// RRD file gets a value read within one interval of rTorrent answering
// again. The ground truth is the rrdtool command and collectd's log.
func TestFaultsUnderCollectd(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(3, "http://127.0.0.1:1/announce", "e2efault")), false)
	rt.WaitItems(t, 3, 20*time.Second)
	c := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", rt.URL))))
	c.startForeground(t)
	const items = "rtorrent-main/count-items_total"
	c.waitUpdate(t, items, time.Now(), 20*time.Second)
	if n := len(c.logLines("error", "rtorrent plugin")); n != 0 {
		t.Fatalf("%d plugin errors before any fault:\n%s", n, c.logText())
	}

	faults := []struct {
		name     string
		begin    func()
		end      func()
		errWords string // what the ERROR must say
	}{
		{"killed and restarted", rt.Kill, func() { rt.Restart(t) }, "connection refused"},
		{"frozen (SIGSTOP) and resumed", rt.Pause, rt.Resume, "did not answer in time"},
	}
	for i, f := range faults {
		began := time.Now()
		f.begin()
		// Five intervals down: collectd runs on and the host's values
		// keep reaching their files.
		time.Sleep(5 * interval)
		if !c.running() {
			t.Fatalf("%s: collectd exited", f.name)
		}
		c.waitUpdate(t, "load/load", began.Add(2*interval), 5*time.Second)
		errs := c.logLines("error", `rtorrent plugin: instance "main"`)
		if len(errs) != i+1 {
			t.Fatalf("%s: %d plugin errors after 5 failed intervals, want %d (one per outage):\n%s", f.name, len(errs), i+1, strings.Join(errs, "\n"))
		}
		if last := errs[i]; !strings.Contains(last, rt.URL) || !strings.Contains(last, f.errWords) || !strings.Contains(last, "logged once") {
			t.Errorf("%s: the error does not name the rTorrent and the cause (%q): %s", f.name, f.errWords, last)
		}
		t.Logf("%s: %s", f.name, errs[i])

		f.end()
		back := time.Now()
		// No read succeeds during the fault, so the first update stamped
		// after its start is the first after its end. The file's times
		// are whole seconds: allow one second for the rounding and
		// collectd's scheduling on top of one interval.
		u := c.waitUpdate(t, items, began, 10*time.Second)
		if lag := u.Time.Sub(back); lag > interval+time.Second {
			t.Errorf("%s: values resumed %v after rTorrent answered again, want within one interval (%v)", f.name, lag, interval)
		} else {
			t.Logf("%s: first value stamped %v after the fault ended", f.name, lag.Round(time.Millisecond))
		}
		if u.Values["value"] != 3 {
			t.Errorf("%s: items after the fault %v, want 3", f.name, u.Values)
		}
		c.waitLog(t, 5*time.Second, "notice", `instance "main"`, "answers again")
		// Two more intervals: nothing more is logged for this outage.
		time.Sleep(2 * interval)
		if n := len(c.logLines("error", `instance "main"`)); n != i+1 {
			t.Errorf("%s: %d errors in all, want %d", f.name, n, i+1)
		}
		if n := len(c.logLines("notice", `instance "main"`, "answers again")); n != i+1 {
			t.Errorf("%s: %d notices of return in all, want %d", f.name, n, i+1)
		}
	}
	// Nothing else went wrong in collectd.
	for _, l := range c.logLines("error") {
		if strings.Contains(l, `set_thread_name("unixsock conn")`) { // collectd 5.12's harmless unixsock quirk
			continue
		}
		if !strings.Contains(l, `instance "main": cannot read rTorrent`) {
			t.Errorf("unexpected error: %s", l)
		}
	}
	if took := c.stop(t); took > 5*time.Second {
		t.Errorf("collectd took %v to stop after the faults", took)
	}
}
