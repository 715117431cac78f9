package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// CollectdBin is Debian's collectd, the one every test, benchmark and the
// demo run. This file is the only place that executes it.
const CollectdBin = "/usr/sbin/collectd"

// CollectdOptions shape how StartCollectd runs collectd; the zero value
// (with Dir set) is the normal case.
type CollectdOptions struct {
	// Dir is collectd's working directory (the test's collectd directory).
	Dir string
	// Log receives collectd's stdout and stderr (its own log goes where
	// the configuration's logfile plugin says); default Dir/stdout.log.
	Log string
	// Env is added to the inherited environment, e.g. a NOTIFY_SOCKET.
	Env []string
	// NoForeground leaves out -f. Only the plugin's fork-guard tests want
	// it, to run collectd as a supervisor without -f would (collectd
	// stays in the foreground when a systemd notify socket answers). A
	// collectd that forks away is RunCollectd's case, not this one.
	NoForeground bool
}

// StartCollectd starts collectd -f -C conf as a Daemon: Need's check
// (skipped under -short, a failure naming it when missing), its own
// process group, output in o.Log, a failure with the log's end when it
// exits at once, and at cleanup SIGCONT, SIGTERM, 10 s, then SIGKILL to
// the group. Every collectd the tests, bench/rss and the demo keep
// running starts here.
func StartCollectd(t TB, conf string, o CollectdOptions) *Daemon {
	t.Helper()
	if o.Log == "" {
		o.Log = filepath.Join(o.Dir, "stdout.log")
	}
	args := []string{"-f", "-C", conf}
	if o.NoForeground {
		args = args[1:]
	}
	var env []string // nil: inherit, as exec does
	if len(o.Env) > 0 {
		env = append(os.Environ(), o.Env...)
	}
	return startDaemon(t, "collectd", CollectdBin, args, env, o.Dir, o.Log)
}

// RunCollectd runs collectd with args until it exits and returns its
// combined output: a configuration check (-t, -T) or a collectd that
// daemonizes (no -f), whose parent exits at once. env, when not empty, is
// added to the inherited environment. It goes through Need like
// StartCollectd.
func RunCollectd(t TB, env []string, args ...string) ([]byte, error) {
	t.Helper()
	Need(t, CollectdBin)
	cmd := exec.Command(CollectdBin, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	return cmd.CombinedOutput()
}

// StopWithin is Stop with the grace period given, saying how long
// collectd took and whether it ended before the grace ran out (the
// plugin's tests bound how long SIGTERM takes).
func (d *Daemon) StopWithin(grace time.Duration) (took time.Duration, graceful bool) {
	start := time.Now()
	graceful = d.p.stop(sigterm, grace)
	return time.Since(start), graceful
}
