package collectdenv

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// Daemon is one collectd process: the one StartCollectd began, or one a
// fault test started again itself after stopping it (same socket, DataDir
// and log). It is the testenv.Daemon testenv.StartCollectd returns: its own process group, output
// appended to the directory's stdout.log, stopped at cleanup.
type Daemon struct{ *testenv.Daemon }

// Start runs collectd -f with the configuration file conf (c.Conf, or a
// variant of it) and returns without waiting for values: a variant may
// have no unixsock to wait on. t.Cleanup stops it.
func (c *Collectd) Start(t testing.TB, conf string) *Daemon {
	t.Helper()
	return &Daemon{testenv.StartCollectd(t, conf, testenv.CollectdOptions{Dir: c.Dir, Log: filepath.Join(c.Dir, "stdout.log")})}
}

// Restart starts collectd again from c's own configuration, as an init
// system would after a crash or an upgrade, and waits until its unixsock
// holds a load value. c.WaitValues would see the first collectd's exit,
// hence the wait of its own.
func (c *Collectd) Restart(t testing.TB) *Daemon {
	t.Helper()
	d := c.Start(t, c.Conf)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if lv, err := c.ListVal(); err == nil {
			if _, ok := lv[c.Host+"/load/load"]; ok {
				return d
			}
		}
		if d.Exited() {
			t.Fatalf("collectd exited at once:\n%s", testenv.Tail(filepath.Join(c.Dir, "collectd.log"), 3000))
		}
		if time.Now().After(deadline) {
			t.Fatalf("restarted collectd has no load value after 20 s:\n%s", testenv.Tail(filepath.Join(c.Dir, "collectd.log"), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
