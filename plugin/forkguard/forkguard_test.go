package forkguard

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestDecide(t *testing.T) {
	yes := func(string) bool { return true }
	no := func(string) bool { return false }
	for _, tc := range []struct {
		name    string
		argv    []string
		getenv  func(string) string
		answers func(string) bool
		forks   bool
		reason  string
	}{
		{"plain", []string{"/usr/sbin/collectd"}, env(), no, true, "without -f"},
		{"with config", []string{"collectd", "-C", "/etc/collectd/collectd.conf"}, env(), no, true, "without -f"},
		{"-f", []string{"collectd", "-f"}, env(), no, false, "-f"},
		{"-f after -C", []string{"collectd", "-C", "/x.conf", "-f"}, env(), no, false, "-f"},
		{"-f bundled", []string{"collectd", "-fC", "/x.conf"}, env(), no, false, "-f"},
		{"-f bundled after B", []string{"collectd", "-Bf"}, env(), no, false, "-f"},
		{"f inside -C value", []string{"collectd", "-C/tmp/f.conf"}, env(), no, true, "without -f"},
		{"-f as -C value", []string{"collectd", "-C", "-f"}, env(), no, true, "without -f"},
		{"-f as -P value", []string{"collectd", "-P", "-f"}, env(), no, true, "without -f"},
		{"-f after --", []string{"collectd", "--", "-f"}, env(), no, true, "without -f"},
		{"-f after a non-option (getopt permutes)", []string{"collectd", "extra", "-f"}, env(), no, false, "-f"},
		{"-T", []string{"collectd", "-T", "-C", "x"}, env(), no, false, "-T"},
		{"-t", []string{"collectd", "-t", "-C", "x"}, env(), no, false, "-t"},
		{"-h", []string{"collectd", "-h"}, env(), no, false, "-h"},
		{"collectdmon adds -f", []string{"collectd", "-f", "-C", "/etc/collectd/collectd.conf", "-P", "/run/collectd.pid"}, env(), no, false, "-f"},
		{"systemd answers", []string{"collectd"}, env("NOTIFY_SOCKET", "/run/systemd/notify"), yes, false, "systemd"},
		{"systemd abstract answers", []string{"collectd"}, env("NOTIFY_SOCKET", "@/org/freedesktop/systemd1/notify"), yes, false, "systemd"},
		{"notify socket silent", []string{"collectd"}, env("NOTIFY_SOCKET", "/run/systemd/notify"), no, true, "nobody answers"},
		{"notify socket relative", []string{"collectd"}, env("NOTIFY_SOCKET", "notify"), yes, true, "neither an absolute path"},
		{"notify socket too short", []string{"collectd"}, env("NOTIFY_SOCKET", "/"), yes, true, "neither an absolute path"},
		{"upstart", []string{"collectd"}, env("UPSTART_JOB", "collectd"), no, false, "upstart"},
		{"upstart other job", []string{"collectd"}, env("UPSTART_JOB", "nginx"), no, true, "without -f"},
		{"no argv", nil, env(), no, true, "without -f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := ""
			answers := func(a string) bool { asked = a; return tc.answers(a) }
			d := Decide(tc.argv, tc.getenv, answers)
			if d.Forks != tc.forks || !strings.Contains(d.Reason, tc.reason) {
				t.Fatalf("Decide(%q) = %+v, want forks=%v and a reason with %q", tc.argv, d, tc.forks, tc.reason)
			}
			if s := tc.getenv("NOTIFY_SOCKET"); asked != "" && asked != s {
				t.Fatalf("asked socket %q, want %q", asked, s)
			}
		})
	}
}

// TestSocketAnswers connects for real: a bound datagram socket answers
// (path and abstract), a missing one and a path without a listener do not.
func TestSocketAnswers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notify")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	if !SocketAnswers(path) {
		t.Errorf("bound socket %s does not answer", path)
	}
	abstract := fmt.Sprintf("@rtmon-forkguard-test-%d", len(dir))
	la, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: abstract, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	if !SocketAnswers(abstract) {
		t.Errorf("abstract socket %s does not answer", abstract)
	}
	la.Close()
	if SocketAnswers(abstract) {
		t.Errorf("closed abstract socket %s answers", abstract)
	}
	if SocketAnswers(filepath.Join(dir, "missing")) {
		t.Errorf("missing socket answers")
	}
	// A socket file whose listener is gone: what systemd leaves behind
	// when NOTIFY_SOCKET outlives it.
	l.Close()
	if SocketAnswers(path) {
		t.Errorf("socket without a listener answers")
	}
}

func TestArgvFromCmdline(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"/usr/sbin/collectd\x00-f\x00-C\x00/etc/c.conf\x00", []string{"/usr/sbin/collectd", "-f", "-C", "/etc/c.conf"}},
		{"collectd\x00", []string{"collectd"}},
		{"collectd\x00-C\x00\x00", []string{"collectd", "-C", ""}},
		{"", nil},
	} {
		got := argvFromCmdline([]byte(tc.in))
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
			t.Errorf("argvFromCmdline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
