package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rtmon/rtmon/internal/collectdconf"
	"github.com/rtmon/rtmon/internal/testenv"
)

// stack is what the program started.
type stack struct {
	swarm      *testenv.Swarm
	with, base *testenv.Daemon
	withConf   collectdconf.Layout
}

func (o *options) start(tb *testenv.Runner) *stack {
	testenv.Need(tb, "rtorrent", "opentracker", "collectd")
	// The plugin is copied (a rebuild during the run changes nothing) to
	// a disk-backed directory, as installed: pages of a file on tmpfs
	// (/dev/shm) count as RssShmem rather than RssFile.
	soDir, err := os.MkdirTemp("", "rtmon-rss-so-")
	if err != nil {
		tb.Fatalf("plugin directory: %v", err)
	}
	tb.Cleanup(func() { os.RemoveAll(soDir) })
	if err := copyFile(filepath.Join(o.build, "rtorrent.so"), filepath.Join(soDir, "rtorrent.so")); err != nil {
		tb.Fatalf("%v: run `make build` first", err)
	}
	s := &stack{}
	s.swarm = testenv.StartSwarm(tb, testenv.SwarmOptions{Torrents: o.torrents, Size: o.sizeMiB << 20, UploadKiB: o.upKiB})
	s.swarm.WaitTransferring(tb, 60*time.Second)
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}

	// With the plugin: the shipped snippets, both rTorrents watched.
	s.withConf = collectdconf.NewLayout(filepath.Join(o.out, "with"))
	if err := collectdconf.Stage(s.withConf, o.snippets); err != nil {
		tb.Fatalf("collectd config: %v", err)
	}
	block := collectdconf.PluginBlock(
		collectdconf.Instance("leecher", fmt.Sprintf("URL %q", s.swarm.Leecher.URL), "Timeout 1"),
		collectdconf.Instance("seeder", fmt.Sprintf("URL %q", s.swarm.Seeder.URL), "Timeout 1"))
	if err := collectdconf.WriteMain(s.withConf, host, o.interval, soDir, block); err != nil {
		tb.Fatalf("collectd config: %v", err)
	}

	// Baseline: the same files with only the LoadPlugin rtorrent line gone
	// (rtorrent.types.db stays loaded, as it would on a host).
	base := collectdconf.NewLayout(filepath.Join(o.out, "base"))
	if err := collectdconf.Stage(base, o.snippets); err != nil {
		tb.Fatalf("collectd config: %v", err)
	}
	rc := filepath.Join(base.ConfD, "rtorrent.conf")
	b, err := os.ReadFile(rc)
	if err != nil || !strings.Contains(string(b), "\nLoadPlugin rtorrent\n") {
		tb.Fatalf("baseline config: %s has no LoadPlugin rtorrent line to drop (%v)", rc, err)
	}
	if err := os.WriteFile(rc, []byte(strings.Replace(string(b), "\nLoadPlugin rtorrent\n", "\n", 1)), 0o644); err != nil {
		tb.Fatalf("baseline config: %v", err)
	}
	if err := collectdconf.WriteMain(base, host, o.interval, soDir, ""); err != nil {
		tb.Fatalf("collectd config: %v", err)
	}

	s.with = testenv.StartCollectd(tb, s.withConf.Conf, testenv.CollectdOptions{Dir: s.withConf.Dir, Log: filepath.Join(s.withConf.Dir, "collectd.out")})
	s.base = testenv.StartCollectd(tb, base.Conf, testenv.CollectdOptions{Dir: base.Dir, Log: filepath.Join(base.Dir, "collectd.out")})
	// Ready when the plugin has dispatched values for both instances.
	deadline := time.Now().Add(60 * time.Second)
	for {
		ids, err := listval(s.withConf.Socket)
		if n := countPrefix(ids, "rtorrent-"); err == nil && n > 0 && countPrefix(ids, "rtorrent-seeder/") > 0 {
			break
		}
		if s.with.Exited() || s.base.Exited() || time.Now().After(deadline) {
			tb.Fatalf("collectd with the plugin not reading rTorrent within 60 s (%v); see %s", err, s.withConf.Log)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return s
}

// listval asks collectd's unixsock for the identifiers it holds, without
// the host part, sorted.
func listval(socket string) ([]string, error) {
	c, err := net.DialTimeout("unix", socket, 2*time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "LISTVAL\n"); err != nil {
		return nil, err
	}
	r := bufio.NewReader(c)
	head, err := r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("LISTVAL: %w", err)
	}
	n, err := strconv.Atoi(strings.Fields(head + " x")[0])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("LISTVAL: unexpected reply %q", head)
	}
	ids := make([]string, 0, n)
	for range n {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("LISTVAL: %w", err)
		}
		// "<time> <host>/<plugin>/<type>"
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		if _, id, ok := strings.Cut(f[1], "/"); ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func countPrefix(ids []string, prefix string) int {
	n := 0
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			n++
		}
	}
	return n
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}
