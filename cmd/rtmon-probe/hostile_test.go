package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
)

// TestProbeDeepReply: an endpoint answering with a reply nested 3,000,000
// levels deep (60 MB, under the reply cap) made rtmon-probe die of a
// stack overflow. It now exits 1 with one line naming the instance, the
// URL and the bound. The stack limit is lowered from Go's 1 GB so that a
// decoder without the bound dies here in a second rather than after
// taking a gigabyte; a bounded decoder needs a few kilobytes.
func TestProbeDeepReply(t *testing.T) {
	old := debug.SetMaxStack(64 << 20)
	defer debug.SetMaxStack(old)
	fake := testenv.StartFakeSCGI(t, testenv.DeepReply(3_000_000))
	var out, errOut bytes.Buffer
	code := run([]string{"-fast", fake.URL}, &out, &errOut)
	msg := errOut.String()
	if code != 1 || out.Len() != 0 || strings.Count(msg, "\n") != 1 {
		t.Fatalf("exit %d, stdout %d bytes, stderr %q; want exit 1 and one line", code, out.Len(), msg)
	}
	for _, w := range []string{`rtmon-probe: rtorrent "probe" (` + fake.URL + `)`, "deeper than 32 levels"} {
		if !strings.Contains(msg, w) {
			t.Errorf("stderr %q lacks %q", msg, w)
		}
	}
	if fake.Requests() == 0 {
		t.Error("the probe never asked the endpoint")
	}
}

// TestProbeSecrets: the probe prints no password, whether it came in the
// URL, with -password or from $RTMON_PASSWORD, and warns once about basic
// auth over plain http to a host that is not loopback.
func TestProbeSecrets(t *testing.T) {
	const secret = "s3cr3tPW"
	t.Setenv("RTMON_PASSWORD", secret)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad escape in URL password", []string{"http://admin:s3cr3t%zzPW@127.0.0.1/RPC2"}, 1, `URL "http://admin:xxxxx@127.0.0.1/RPC2": invalid URL escape`},
		{"URL password read as port", []string{"http://admin:s3cr3tPW/x@127.0.0.1/RPC2"}, 1, "admin:xxxxx@"},
		{"usage shows no env default", []string{}, 2, "default $RTMON_PASSWORD"},
		{"-h shows no env default", []string{"-h"}, 2, "-password"},
		{"scgi with password", []string{"scgi://admin:" + secret + "@127.0.0.1:5000"}, 1, "no authentication"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tt.args, &out, &errOut)
			all := out.String() + errOut.String()
			if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut.String(), tt.code, tt.want)
			}
			for _, s := range []string{secret, "s3cr3t", "zzPW"} {
				if strings.Contains(all, s) {
					t.Errorf("output shows the password (%q): %s", s, all)
				}
			}
		})
	}
}

// TestProbeCleartextWarning: one warning line for a password sent over
// plain http to a host that is not loopback (0.0.0.0, which Linux
// delivers over loopback, so this reaches the real rTorrent behind nginx
// and nothing leaves the machine); none on loopback.
func TestProbeCleartextWarning(t *testing.T) {
	testenv.Need(t, "rtorrent", "nginx")
	const secret = "hunter2-s3cr3t"
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	web := testenv.StartNginx(t, rt.Socket, "rt", secret)
	for _, tc := range []struct {
		url   string
		warns int
	}{
		{strings.Replace(web.URL, "://127.0.0.1:", "://rt:"+secret+"@0.0.0.0:", 1), 1},
		{strings.Replace(web.URL, "://", "://rt:"+secret+"@", 1), 0},
	} {
		var out, errOut bytes.Buffer
		if code := run([]string{"-fast", tc.url}, &out, &errOut); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		if n := strings.Count(errOut.String(), "warning: rtorrent \"probe\""); n != tc.warns || strings.Count(errOut.String(), "clear text") != tc.warns {
			t.Errorf("%d warnings, want %d: %q", n, tc.warns, errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), secret) {
			t.Errorf("output shows the password: %s", errOut.String())
		}
	}
}
