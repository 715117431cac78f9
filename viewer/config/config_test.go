package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	c, err := Parse(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	if c.Listen != "127.0.0.1:8042" || c.DataDir != "/var/lib/collectd/rrd" || c.Socket != "/var/run/collectd-unixsock" ||
		c.Htpasswd != "" || c.InsecureListen || c.Interval != 2*time.Second ||
		len(c.DiskUsagePaths) != 1 || c.DiskUsagePaths[0] != home {
		t.Errorf("defaults: %+v", c)
	}
}

func TestListenRule(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-listen", "127.0.0.1:9000"}, ""},
		{[]string{"-listen", "[::1]:9000"}, ""},
		{[]string{"-listen", "localhost:9000"}, ""},
		{[]string{"-listen", "127.3.2.1:9000"}, ""},
		{[]string{"-listen", "0.0.0.0:8042"}, "refusing to listen on 0.0.0.0:8042 without auth"},
		{[]string{"-listen", ":8042"}, "without auth"},
		{[]string{"-listen", "[::]:8042"}, "without auth"},
		{[]string{"-listen", "192.168.1.5:8042"}, "without auth"},
		{[]string{"-listen", "seedbox.example:8042"}, "without auth"},
		{[]string{"-listen", "0.0.0.0:8042", "-htpasswd", "/etc/rtmon.htpasswd"}, ""},
		{[]string{"-listen", "0.0.0.0:8042", "-insecure-listen"}, ""},
		{[]string{"-listen", "8042"}, "bad -listen address"},
		{[]string{"-interval", "1ms"}, "-interval"},
		{[]string{"-max-renders", "0"}, "-max-renders"},
		{[]string{"-max-streams", "0"}, "-max-streams"},
		{[]string{"-max-streams", "10001"}, "-max-streams"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"-allow-host", "seedbox,seedbox.lan:8042,[2001:db8::5],192.0.2.10"}, ""},
		{[]string{"-allow-host", "http://seedbox"}, `-allow-host "http://seedbox": want a name`},
		{[]string{"-allow-host", "*.lan"}, "not a URL or pattern"},
		{[]string{"-allow-host", "user@seedbox"}, "not a URL or pattern"},
		{[]string{"-allow-host", strings.Repeat("a,", 64)}, ""},
		{[]string{"-allow-host", strings.Repeat("a,", 65)}, "-allow-host: 65 names, at most 64"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.args, io.Discard)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.wantErr)
		}
	}
	// The refusal says why and what to do.
	_, err := Parse([]string{"-listen", "0.0.0.0:8042"}, io.Discard)
	for _, s := range []string{"reachable from other machines", "-htpasswd", "-insecure-listen"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("refusal %v does not mention %q", err, s)
		}
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "viewer.conf")
	os.WriteFile(path, []byte("# rtmon viewer\nlisten = 127.0.0.1:9999\ndatadir = /srv/rrd\ndisk-usage-path = /:/home\ninsecure-listen = true\n"), 0o644)
	c, err := Parse([]string{"-config", path, "-datadir", "/cmdline"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9999" || c.DataDir != "/cmdline" || !c.InsecureListen ||
		strings.Join(c.DiskUsagePaths, ",") != "/,/home" {
		t.Errorf("config file: %+v", c)
	}
	for _, bad := range []string{"nonsense\n", "colour = blue\n", "interval = soon\n", "config = /etc/x\n"} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := Parse([]string{"-config", path}, io.Discard); err == nil || !strings.Contains(err.Error(), "viewer.conf:1") {
			t.Errorf("config %q: error %v, want one naming the line", bad, err)
		}
	}
	if _, err := Parse([]string{"-config", filepath.Join(dir, "missing")}, io.Discard); err == nil {
		t.Error("missing config file accepted")
	}
	if _, err := Parse([]string{"-h"}, io.Discard); !errors.Is(err, ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
