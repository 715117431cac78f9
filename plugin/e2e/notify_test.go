package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// received is one notification as collectd's exec plugin handed it to
// the NotificationExec script.
type received struct {
	Severity, Host, Plugin, PluginInstance, Type, TypeInstance, Message string
	Time                                                                float64
	Arrived                                                             time.Time
}

// notifyRig is the delivery side of a collectd under test: a
// NotificationExec script recording each notification in its own file,
// rtmon-notify recording problems for the viewer, and notify_email
// against an SMTP sink on loopback.
type notifyRig struct {
	Records, Problems string
	Mail              *smtpSink
	conf              string
}

// newNotifyRig writes the script, copies rtmon-notify and returns the
// collectd lines that load exec and notify_email. collectd's exec
// plugin refuses to run programs as root, so they run as nobody: the
// directories it writes are world-writable, inside a directory nobody
// can enter.
func newNotifyRig(t *testing.T, dir string) *notifyRig {
	t.Helper()
	r := &notifyRig{Records: filepath.Join(dir, "records"), Problems: filepath.Join(dir, "problems"), Mail: startSMTPSink(t)}
	for _, d := range []string{r.Records, r.Problems} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			t.Fatal(err)
		}
		os.Chmod(d, 0o777)
	}
	os.Chmod(dir, 0o755)
	script := filepath.Join(dir, "record.sh")
	if err := os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\nf=$(mktemp %q/n.XXXXXXXX) && cat > \"$f\"\n", r.Records)), 0o755); err != nil {
		t.Fatal(err)
	}
	notify := filepath.Join(dir, "rtmon-notify")
	copyFile(t, builtBinary(t, "rtmon-notify", "./cmd/rtmon-notify"), notify, 0o755)
	_, port, _ := strings.Cut(r.Mail.Addr, ":")
	r.conf = fmt.Sprintf(`LoadPlugin exec
<Plugin exec>
  NotificationExec "nobody" %q
  NotificationExec "nobody" %q "-dir" %q
</Plugin>
LoadPlugin notify_email
<Plugin notify_email>
  SMTPServer "127.0.0.1"
  SMTPPort %s
  From "collectd@rtmon-e2e"
  Recipient "ops@rtmon-e2e"
  Subject "[collectd] %%s on %%s"
</Plugin>
`, script, notify, r.Problems, port)
	return r
}

// All returns the notifications recorded so far, oldest first.
func (r *notifyRig) All(t *testing.T) []received {
	t.Helper()
	ents, _ := os.ReadDir(r.Records)
	var out []received
	for _, e := range ents {
		path := filepath.Join(r.Records, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		fi, _ := e.Info()
		head, msg, ok := strings.Cut(string(b), "\n\n")
		if !ok {
			continue // still being written
		}
		n := received{Message: strings.TrimSpace(msg), Arrived: fi.ModTime()}
		for _, l := range strings.Split(head, "\n") {
			k, v, _ := strings.Cut(l, ": ")
			switch k {
			case "Severity":
				n.Severity = v
			case "Time":
				fmt.Sscan(v, &n.Time)
			case "Host":
				n.Host = v
			case "Plugin":
				n.Plugin = v
			case "PluginInstance":
				n.PluginInstance = v
			case "Type":
				n.Type = v
			case "TypeInstance":
				n.TypeInstance = v
			}
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out
}

// Matching returns the recorded notifications of a severity whose plugin,
// plugin instance and type instance match.
func (r *notifyRig) Matching(t *testing.T, sev, plugin, inst, ti string) []received {
	var out []received
	for _, n := range r.All(t) {
		if n.Severity == sev && n.Plugin == plugin && n.PluginInstance == inst && n.TypeInstance == ti {
			out = append(out, n)
		}
	}
	return out
}

// Mails returns the mails whose text holds every substring.
func (r *notifyRig) Mails(subs ...string) []string {
	var out []string
	for _, m := range r.Mail.Messages() {
		if testenv.ContainsAll(m, subs...) {
			out = append(out, m)
		}
	}
	return out
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Now()
}

// builtBinary is $RTMON_BUILD/name when make built it, else a fresh go
// build of pkg (relative to the repository root) into a temp directory.
func builtBinary(t *testing.T, name, pkg string) string {
	t.Helper()
	if b := os.Getenv("RTMON_BUILD"); b != "" {
		if _, err := os.Stat(filepath.Join(b, name)); err == nil {
			return filepath.Join(b, name)
		}
	}
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = "../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(to, mode)
}

// TestNotificationsDelivered: rTorrent killed under a running collectd
// with the plugin, the shipped thresholds, exec and notify_email. Exactly
// one FAILURE reaches NotificationExec and the mail sink within two
// intervals of the kill; after the restart exactly one OKAY (and the
// restart's WARNING). The viewer, reading the problems rtmon-notify
// records, shows the problem in /json/live and on the live page in
// headless Chromium, and drops it after the OKAY. The ground truth for
// "killed" and "back" is the test's own handling of the rTorrent process.
func TestNotificationsDelivered(t *testing.T) {
	testenv.Need(t, "collectd", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	// A 2 s interval: "within two intervals" then leaves a loaded
	// machine 4 s for the read, exec's fork and the SMTP conversation.
	const every = 2 * time.Second
	c := newCollectdDirEvery(t, every, "")
	rig := newNotifyRig(t, c.Dir)
	block := pluginBlock(instance("main", fmt.Sprintf("URL %q", rt.URL)))
	extra := block + rig.conf + fmt.Sprintf("Include %q\n", filepath.Join(c.Dir, "collectd.conf.d", "thresholds.conf"))
	appendConf(t, c.Conf, extra)
	c.startForeground(t)
	c.waitUpdate(t, "rtorrent-main/count-items_total", time.Now(), 20*time.Second)
	viewer := startViewer(t, c, rig.Problems)

	// Quiet while all is well: no notification of the plugin's.
	time.Sleep(3 * every)
	if got := rig.All(t); len(filterType(got, "rtmon")) != 0 {
		t.Fatalf("notifications before any fault: %+v", got)
	}

	killed := time.Now()
	rt.Kill()
	execAt := waitFor(t, 15*time.Second, "FAILURE at NotificationExec", func() bool {
		return len(rig.Matching(t, "FAILURE", "rtorrent", "main", "reachable")) > 0
	})
	mailAt := waitFor(t, 15*time.Second, "FAILURE mail", func() bool {
		return len(rig.Mails("FAILURE", "rtorrent", "reachable")) > 0
	})
	f := rig.Matching(t, "FAILURE", "rtorrent", "main", "reachable")[0]
	at := time.Unix(0, int64(f.Time*1e9))
	t.Logf("FAILURE dispatched %v after the kill, seen at NotificationExec after %v, its mail received after %v; message %q",
		at.Sub(killed).Round(time.Millisecond), execAt.Sub(killed).Round(time.Millisecond), mailAt.Sub(killed).Round(time.Millisecond), f.Message)
	for what, d := range map[string]time.Duration{"dispatched": at.Sub(killed), "at NotificationExec": execAt.Sub(killed), "in the mail sink": mailAt.Sub(killed)} {
		if d > 2*every {
			t.Errorf("FAILURE %s %v after the kill, want within two intervals (%v)", what, d, 2*every)
		}
	}
	if !strings.Contains(f.Message, "unreachable") || !strings.Contains(f.Message, "connection refused") || f.Host != host {
		t.Errorf("FAILURE %+v: want host %q and the one-line cause", f, host)
	}
	viewer.waitProblem(t, "reachable", true)
	viewer.browserShows(t, "reachable", true)

	// Down for five more intervals: still exactly one.
	time.Sleep(5 * every)
	if n := len(rig.Matching(t, "FAILURE", "rtorrent", "main", "reachable")); n != 1 {
		t.Errorf("%d FAILUREs at NotificationExec over the outage, want exactly 1", n)
	}
	if n := len(rig.Mails("FAILURE", "reachable")); n != 1 {
		t.Errorf("%d FAILURE mails over the outage, want exactly 1", n)
	}

	rt.Restart(t)
	back := time.Now()
	waitFor(t, 15*time.Second, "OKAY at NotificationExec", func() bool {
		return len(rig.Matching(t, "OKAY", "rtorrent", "main", "reachable")) > 0
	})
	waitFor(t, 15*time.Second, "OKAY mail", func() bool { return len(rig.Mails("OKAY", "reachable")) > 0 })
	o := rig.Matching(t, "OKAY", "rtorrent", "main", "reachable")[0]
	t.Logf("OKAY dispatched %v after rTorrent answered again: %q", time.Unix(0, int64(o.Time*1e9)).Sub(back).Round(time.Millisecond), o.Message)
	viewer.waitProblem(t, "reachable", false)
	viewer.browserShows(t, "reachable", false)
	time.Sleep(3 * every)
	for _, want := range []struct{ sev, ti string }{{"FAILURE", "reachable"}, {"OKAY", "reachable"}, {"WARNING", "restart"}} {
		if n := len(rig.Matching(t, want.sev, "rtorrent", "main", want.ti)); n != 1 {
			t.Errorf("%d %s %s notifications at NotificationExec, want exactly 1", n, want.sev, want.ti)
		}
		if n := len(rig.Mails(want.sev, want.ti)); n != 1 {
			t.Errorf("%d %s %s mails, want exactly 1", n, want.sev, want.ti)
		}
	}
	if t.Failed() {
		for _, n := range rig.All(t) {
			t.Logf("recorded: %+v", n)
		}
	}
}

// filterType keeps the plugin's own notifications (type "rtmon"): the
// threshold plugin says OKAY for each watched value once at start.
func filterType(ns []received, typ string) []received {
	var out []received
	for _, n := range ns {
		if n.Plugin == "rtorrent" && n.Type == typ {
			out = append(out, n)
		}
	}
	return out
}

func appendConf(t *testing.T, conf, extra string) {
	t.Helper()
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(extra); err != nil {
		t.Fatal(err)
	}
}

// viewerProc is a running rtmon-viewer.
type viewerProc struct{ URL string }

func startViewer(t *testing.T, c *Collectd, problemsDir string) *viewerProc {
	t.Helper()
	port := testenv.FreePort(t, "127.0.0.1")
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	bin := builtBinary(t, "rtmon-viewer", "./viewer")
	testenv.StartDaemon(t, "rtmon-viewer", bin, []string{"-listen", addr, "-socket", c.Sock, "-datadir", c.DataDir,
		"-problems-dir", problemsDir, "-hostname", host, "-interval", "500ms", "-disk-usage-path", c.Dir}, c.Dir, filepath.Join(c.Dir, "viewer.log"))
	v := &viewerProc{URL: "http://" + addr}
	waitFor(t, 20*time.Second, "viewer answering", func() bool {
		resp, err := http.Get(v.URL + "/json/live")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return v
}

// problems returns the type instances of the rtorrent problems in
// /json/live.
func (v *viewerProc) problems(t *testing.T) map[string]bool {
	resp, err := http.Get(v.URL + "/json/live")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// field names as docs/api.md gives them
	var raw struct {
		Problems []map[string]any `json:"problems"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("/json/live: %v", err)
	}
	out := map[string]bool{}
	for _, p := range raw.Problems {
		if p["plugin"] == "rtorrent" && p["host"] == host {
			if since, _ := p["since"].(float64); since <= 0 {
				t.Errorf("problem %v without since", p)
			}
			out[fmt.Sprint(p["type_instance"])] = true
		}
	}
	return out
}

func (v *viewerProc) waitProblem(t *testing.T, ti string, present bool) {
	t.Helper()
	waitFor(t, 15*time.Second, fmt.Sprintf("/json/live problem %s present=%v", ti, present), func() bool {
		return v.problems(t)[ti] == present
	})
}

var problemRE = regexp.MustCompile(`<li class="problem [a-z]+" data-host="([^"]*)" data-instance="([^"]*)" data-kind="([^"]*)"`)

// browserShows loads the live page in headless Chromium and checks the
// problems box at the top lists (or no longer lists) the problem.
func (v *viewerProc) browserShows(t *testing.T, ti string, present bool) {
	t.Helper()
	testenv.Need(t, "chromium")
	cmd := exec.Command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
		"--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", v.URL+"/?transport=poll")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	found := false
	for _, m := range problemRE.FindAllStringSubmatch(dom, -1) {
		if m[1] == host && m[2] == "main" && m[3] == ti {
			found = true
		}
	}
	if found != present {
		i := strings.Index(dom, `<section id="problems"`)
		t.Errorf("live page: problem %s shown = %v, want %v: %.1200s", ti, found, present, dom[max(i, 0):])
	}
	if present {
		ps := strings.Index(dom, `id="problems"`)
		hs := strings.Index(dom, `id="hosts"`)
		if ps < 0 || hs < 0 || ps > hs {
			t.Errorf("live page: the problems box is not above the hosts")
		}
	}
}
