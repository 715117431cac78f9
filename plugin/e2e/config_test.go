package e2e

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

// TestBadConfig: broken <Instance> blocks each cost themselves only, with
// one clear error naming the instance and the option; the good instance is
// read, collectd's own plugins run.
func TestBadConfig(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rrdtool", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	url := fmt.Sprintf("URL %q", rt.URL)
	c := newCollectdDir(t, pluginBlock(
		instance("unknownkey", url, "Frobnicate true"),
		instance("good", url, "Timeout 0.5"),
		instance("badscheme", `URL "ftp://127.0.0.1/RPC2"`),
		instance("badtimeout", url, `Timeout "abc"`),
		instance("bad-name", url),
	))
	c.startForeground(t)
	u := c.waitUpdate(t, "rtorrent-good/count-items_total", time.Now(), 15*time.Second)
	if u.Values["value"] != float64(rt.MustInt(t, "view.size", "", "main")) {
		t.Errorf("good instance items_total %v", u.Values)
	}
	c.waitUpdate(t, "load/load", time.Now(), 10*time.Second)
	for _, tc := range []struct {
		inst string
		want []string
	}{
		{"unknownkey", []string{`unknown option "Frobnicate"`}},
		{"badscheme", []string{"option URL", `unknown scheme "ftp"`}},
		{"badtimeout", []string{"option Timeout", `got "abc"`}},
		{"bad-name", []string{"only letters, digits"}},
	} {
		lines := c.logLines("error", fmt.Sprintf(`rtorrent plugin: instance %q skipped`, tc.inst))
		if len(lines) != 1 {
			t.Errorf("instance %s: %d errors, want exactly one:\n%s", tc.inst, len(lines), c.logText())
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(lines[0], w) {
				t.Errorf("instance %s: error lacks %q: %s", tc.inst, w, lines[0])
			}
		}
		t.Logf("%s", lines[0])
		if _, err := os.Stat(filepath.Join(c.DataDir, host, "rtorrent-"+tc.inst)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("rtorrent-%s has files although it was skipped", tc.inst)
		}
	}
	// The good instance's clamp is silent (0.5 s is below 80% of 1 s),
	// and nothing else of ours complains.
	if l := c.logLines("error", `instance "good"`); len(l) > 0 {
		t.Errorf("errors for the good instance: %v", l)
	}
	if l := c.logLines("error", "rtorrent plugin"); len(l) != 4 {
		t.Errorf("%d plugin errors, want 4 (one per bad instance):\n%s", len(l), strings.Join(l, "\n"))
	}
}

// TestSnippetsPassConfigTest: the shipped snippets pass collectd's own
// checks, each on its own and all together.
//
// collectd 5.12's `-t` is run because the Debian unit runs it
// (ExecStartPre), but it proves nothing: this build exits 0 before reading
// the file at all (even for a file that does not exist). `-T` does the
// real work: it reads the config, loads and configures every plugin (a
// misspelt option fails it), runs each read callback once, and exits.
func TestSnippetsPassConfigTest(t *testing.T) {
	t.Parallel()
	testenv.Need(t, "collectd", "rtorrent")
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	c := newCollectdDir(t, pluginBlock(instance("main", fmt.Sprintf("URL %q", rt.URL))))
	confd := collectdconf.NewLayout(c.Dir).ConfD
	type conf struct{ name, body string }
	confs := []conf{{"all together", ""}}
	for _, s := range []string{"rtorrent.conf", "rrdtool.conf", "host.conf", "unixsock.conf"} {
		body := fmt.Sprintf("BaseDir %q\n", c.Dir)
		if s == "rtorrent.conf" {
			body += fmt.Sprintf("PluginDir %q\n", testenv.PluginDir(t))
		}
		body += fmt.Sprintf("Include %q\n", filepath.Join(confd, s))
		confs = append(confs, conf{s, body})
	}
	for _, cf := range confs {
		t.Run(cf.name, func(t *testing.T) {
			path := c.Conf
			if cf.body != "" {
				path = filepath.Join(c.Dir, "t-"+cf.name)
				if err := os.WriteFile(path, []byte(cf.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := testenv.RunCollectd(t, nil, "-t", "-C", path); err != nil {
				t.Fatalf("collectd -t -C %s: %v\n%s", path, err, out)
			}
			out, err := testenv.RunCollectd(t, nil, "-T", "-C", path)
			if err != nil {
				t.Fatalf("collectd -T -C %s: %v\n%s", path, err, out)
			}
			bad := []string{"parse error", "did not register", "failed to handle", "isn't loaded", "no such group", "failed to open types"}
			if cf.body == "" {
				// Together, nothing may fail at all: our plugin read rTorrent
				// once, every value had a type and a writer.
				bad = append(bad, "error", "failed", "warning", "not found")
			}
			text := string(out)
			if cf.body == "" {
				text += c.logText() // the full config logs to a file
			}
			for _, l := range strings.Split(strings.ToLower(text), "\n") {
				if strings.Contains(l, "value lists were left after shutting down") {
					continue // -T exits right after its one read: expected
				}
				for _, b := range bad {
					if strings.Contains(l, b) {
						t.Errorf("collectd -T: %s", l)
					}
				}
			}
			if cf.body == "" && !strings.Contains(text, `instance "main": reading rTorrent`) {
				t.Errorf("collectd -T did not run the plugin's read:\n%s", text)
			}
		})
	}
	// -T does fail on what a broken snippet looks like, so passing it means
	// something; -t passes them all.
	for name, body := range map[string]string{
		"unterminated block": "<Plugin rrdtool>\n  StepSize 60\n",
		"misspelt option":    "LoadPlugin cpu\n<Plugin cpu>\n  ValuesPercentag true\n</Plugin>\n",
		"missing types db":   "TypesDB \"/nonexistent/types.db\"\nLoadPlugin load\n",
	} {
		path := filepath.Join(c.Dir, "broken.conf")
		os.WriteFile(path, []byte(fmt.Sprintf("BaseDir %q\n%s", c.Dir, body)), 0o644)
		out, err := testenv.RunCollectd(t, nil, "-T", "-C", path)
		if err == nil && !strings.Contains(strings.ToLower(string(out)), "failed") {
			t.Errorf("collectd -T passed a config with a %s:\n%s", name, out)
		}
		if _, err := testenv.RunCollectd(t, nil, "-t", "-C", path); err != nil {
			t.Logf("collectd -t now rejects a %s (it did not in 5.12.0): %v", name, err)
		}
	}
}
