package collectdconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

const shipped = "../../collectd.conf.d"

func TestStageRewritesEveryPath(t *testing.T) {
	l := NewLayout(t.TempDir())
	if err := Stage(l, shipped); err != nil {
		t.Fatal(err)
	}
	for name, rw := range l.rewrites() {
		b, err := os.ReadFile(filepath.Join(l.ConfD, name))
		if err != nil {
			t.Fatal(err)
		}
		if rw[0] != "" && (strings.Contains(string(b), rw[0]) || !strings.Contains(string(b), rw[1])) {
			t.Errorf("%s: still names %s or lacks %s", name, rw[0], rw[1])
		}
		for _, system := range []string{"/var/lib/collectd", "/run/collectd", "/etc/collectd/collectd.conf.d/"} {
			for _, line := range strings.Split(string(b), "\n") {
				if strings.Contains(line, system) && !strings.HasPrefix(strings.TrimSpace(line), "#") {
					t.Errorf("%s still names a system path: %q", name, line)
				}
			}
		}
	}
}

func TestStageRefuses(t *testing.T) {
	unknown := t.TempDir()
	for _, f := range []string{"rtorrent.conf", "rrdtool.conf", "host.conf", "unixsock.conf", "rtorrent.types.db", "new.conf"} {
		os.WriteFile(filepath.Join(unknown, f), []byte(`"/var/lib/collectd/rrd" "/run/collectd-unixsock" "/etc/collectd/collectd.conf.d/rtorrent.types.db"`), 0o644)
	}
	if err := Stage(NewLayout(t.TempDir()), unknown); err == nil || !strings.Contains(err.Error(), "new.conf is new") {
		t.Errorf("a snippet collectdconf does not know: %v", err)
	}
	moved := t.TempDir()
	for _, f := range []string{"rtorrent.conf", "rrdtool.conf", "host.conf", "unixsock.conf", "rtorrent.types.db", "thresholds.conf", "alerts.conf.example"} {
		os.WriteFile(filepath.Join(moved, f), []byte("# nothing"), 0o644)
	}
	if err := Stage(NewLayout(t.TempDir()), moved); err == nil || !strings.Contains(err.Error(), "no longer names") {
		t.Errorf("a snippet that stopped naming its path: %v", err)
	}
}

// TestWriteMainPassesCollectd checks the whole configuration with
// collectd's own -T (parse, configure every plugin, read once); the
// plugin block is left out so no rtorrent.so is needed: rtorrent.conf's
// LoadPlugin is dropped from the staged copy for this check.
func TestWriteMainPassesCollectd(t *testing.T) {
	testenv.Need(t, testenv.CollectdBin)
	dir, err := os.MkdirTemp("", "cc")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l := NewLayout(dir)
	if err := Stage(l, shipped); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(l.ConfD, "rtorrent.conf")
	b, _ := os.ReadFile(rc)
	os.WriteFile(rc, []byte(strings.ReplaceAll(string(b), "\nLoadPlugin rtorrent\n", "\n")), 0o644)
	if err := WriteMain(l, "cc-test", 2*time.Second, dir, ""); err != nil {
		t.Fatal(err)
	}
	out, err := testenv.RunCollectd(t, nil, "-T", "-C", l.Conf)
	if err != nil {
		t.Fatalf("collectd -T: %v\n%s", err, out)
	}
	conf, _ := os.ReadFile(l.Conf)
	for _, want := range []string{`Hostname "cc-test"`, "Interval 2", "Include \"" + rc + "\""} {
		if !strings.Contains(string(conf), want) {
			t.Errorf("collectd.conf lacks %s:\n%s", want, conf)
		}
	}
}
