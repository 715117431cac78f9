package e2e

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// prSetChildSubreaper is prctl's PR_SET_CHILD_SUBREAPER: orphans below us
// (collectd's daemonized child) are re-parented to this test process, so
// the test can reap it, read its exit status and be sure nothing is left.
const prSetChildSubreaper = 36

func setSubreaper(t *testing.T) {
	t.Helper()
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		t.Fatalf("prctl(PR_SET_CHILD_SUBREAPER): %v", e)
	}
	t.Cleanup(func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// TestWithoutForeground starts collectd as a daemon, the way that breaks a
// Go plugin: without -f, without a notify socket or with one nobody
// listens on. The fork guard must log how to run collectd, register no
// read callback, leave the other plugins running, and let SIGTERM end the
// daemon within seconds. (Without the guard, collectd 5.12 here never
// writes a value for the instance and ignores SIGTERM.)
func TestWithoutForeground(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	setSubreaper(t)
	for _, tc := range []struct {
		name, env, reason string
	}{
		{"no -f", "", "without -f and without a systemd notify socket"},
		{"notify socket nobody listens on", "NOTIFY_SOCKET=%s/nobody-listens", "nobody answers on NOTIFY_SOCKET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", rt.URL))))
			var env []string
			if tc.env != "" {
				env = []string{fmt.Sprintf(tc.env, c.Dir)}
			}
			pid := c.startDaemon(t, env)
			line := c.waitLog(t, 10*time.Second, "error", "rtorrent plugin: NOT STARTED")
			for _, want := range []string{tc.reason, "collectd -f", "systemd unit", "collectdmon", "docs/install.md"} {
				if !strings.Contains(line, want) {
					t.Errorf("guard message lacks %q: %s", want, line)
				}
			}
			// The other plugins run: the host's values reach their RRDs.
			c.waitUpdate(t, "load/load", time.Now(), 10*time.Second)
			time.Sleep(2 * interval)
			if _, err := os.Stat(filepath.Join(c.DataDir, host, "rtorrent-main")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("rtorrent-main exists although the plugin should be idle: %v", err)
			}
			if l := c.logLines("warning", "rtorrent"); len(l) > 0 {
				t.Errorf("collectd complained about the plugin's config block: %v", l)
			}
			start := time.Now()
			if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			status, ok := reap(pid, 5*time.Second)
			took := time.Since(start)
			if !ok {
				t.Fatalf("collectd (pid %d) still running %v after SIGTERM", pid, took)
			}
			t.Logf("SIGTERM ended the daemon in %v, %v", took.Round(time.Millisecond), status)
			if !status.Exited() || status.ExitStatus() != 0 {
				t.Errorf("collectd ended with %v, want exit status 0", status)
			}
			if left := processesWith(c.Conf); len(left) > 0 {
				t.Errorf("processes left behind: %v", left)
			}
		})
	}
}

// TestSystemdNotify: collectd without -f but under a notify socket that
// answers, as the packaged systemd unit (Type=notify) runs it. collectd
// stays in the foreground, says READY=1, and the plugin reads.
func TestSystemdNotify(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	c := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", rt.URL))))
	notify := filepath.Join(c.Dir, "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notify, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c.start(t, testenv.CollectdOptions{NoForeground: true, Env: []string{"NOTIFY_SOCKET=" + notify}})
	l.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 256)
	n, err := l.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "READY=1") {
		t.Fatalf("no READY=1 on the notify socket: %q %v", buf[:n], err)
	}
	if !c.running() {
		t.Fatalf("collectd exited (forked?) under a notify socket that answers")
	}
	c.waitLog(t, 5*time.Second, "info", "rtorrent plugin: collectd is supervised by systemd")
	u := c.waitUpdate(t, "rtorrent-main/count-items_total", time.Now(), 10*time.Second)
	if u.Values["value"] != float64(rt.MustInt(t, "view.size", "", "main")) {
		t.Errorf("items_total %v", u.Values)
	}
	if took := c.stop(t); took > 5*time.Second {
		t.Errorf("SIGTERM took %v", took)
	}
}

// startDaemon runs collectd without -f. Its parent exits at once; the
// daemonized child writes PIDFile. Cleanup kills the child by its pid if
// it is still there. env is added to the inherited environment.
func (c *Collectd) startDaemon(t *testing.T, env []string) int {
	t.Helper()
	out, err := testenv.RunCollectd(t, env, "-C", c.Conf)
	if err != nil {
		t.Fatalf("collectd (daemonizing) failed: %v: %s", err, out)
	}
	var pid int
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(c.PIDFile)
		if err == nil {
			if pid, err = strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no PIDFile %s after 10 s: %v", c.PIDFile, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		if _, ok := reap(pid, 0); !ok {
			syscall.Kill(pid, syscall.SIGKILL)
			reap(pid, 5*time.Second)
		}
	})
	if ppid := parentOf(pid); ppid != os.Getpid() {
		t.Logf("daemon pid %d has parent %d, not this test (%d)", pid, ppid, os.Getpid())
	}
	return pid
}

// reap waits up to timeout for pid (our child, thanks to the subreaper
// setting) to end, and collects it.
func reap(pid int, timeout time.Duration) (syscall.WaitStatus, bool) {
	deadline := time.Now().Add(timeout)
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
		if got == pid {
			return ws, true
		}
		if err == syscall.ECHILD && !testenv.Alive(pid) {
			return ws, true // not our child, but gone
		}
		if time.Now().After(deadline) {
			return ws, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// processesWith lists live processes whose command line mentions s (our
// temporary config path, unique to this test).
func processesWith(s string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !testenv.Alive(pid) {
			continue
		}
		b, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(b), s) {
			out = append(out, fmt.Sprintf("%d %s", pid, strings.ReplaceAll(string(b), "\x00", " ")))
		}
	}
	return out
}
