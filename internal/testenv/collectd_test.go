package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartCollectd: the one way tests start collectd runs it with -f
// (the Go plugin does not survive a fork), keeps it running, and stops it
// with SIGTERM in time; RunCollectd runs collectd's
// configuration check to its end.
func TestStartCollectd(t *testing.T) {
	Need(t, CollectdBin)
	dir := shortTempDir(t, "rtcd")
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "collectd.conf")
	body := fmt.Sprintf("Hostname \"t\"\nFQDNLookup false\nBaseDir %q\nPIDFile %q\nInterval 1\nLoadPlugin load\n",
		dir, filepath.Join(dir, "pid"))
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := RunCollectd(t, nil, "-t", "-C", conf); err != nil {
		t.Fatalf("collectd -t on a good configuration: %v\n%s", err, out)
	}

	d := StartCollectd(t, conf, CollectdOptions{Dir: dir})
	if d.Log() != filepath.Join(dir, "stdout.log") {
		t.Errorf("log %s, want stdout.log in the directory", d.Log())
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", d.PID()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00"), []string{CollectdBin, "-f", "-C", conf}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("collectd runs as %q, want %q", got, want)
	}
	time.Sleep(time.Second)
	if d.Exited() {
		t.Fatalf("collectd -f exited:\n%s", Tail(d.Log(), 2000))
	}
	took, graceful := d.StopWithin(10 * time.Second)
	if !graceful || took > 5*time.Second || !d.Exited() {
		t.Errorf("SIGTERM: graceful %v after %v, exited %v", graceful, took, d.Exited())
	}
}
