package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// stack is what the demo started and where to find it.
type stack struct {
	dir, hostname, viewerURL string
	problems, problemsNote   string // notify.go
	collectd, viewer         *testenv.Daemon
	swarm                    *testenv.Swarm
	watched                  map[string]string // instance name → URL
}

func (o *options) start(tb *testenv.Runner) *stack {
	s := &stack{dir: o.dir, watched: map[string]string{}}
	if s.dir == "" {
		d, err := os.MkdirTemp("", "rtmon-demo-")
		if err != nil {
			tb.Fatalf("private directory: %v", err)
		}
		s.dir = d
	} else if err := os.MkdirAll(s.dir, 0o755); err != nil {
		tb.Fatalf("private directory: %v", err)
	}
	for _, f := range []string{"rtorrent.so", "rtmon-viewer"} {
		if _, err := os.Stat(filepath.Join(o.build, f)); err != nil {
			tb.Fatalf("%s not found in %s: run `make build` (or `make demo`, which builds first)", f, o.build)
		}
	}
	s.hostname, _ = os.Hostname()
	if s.hostname == "" {
		s.hostname = "localhost"
	}

	if o.rtorrentURL != "" {
		s.watched["main"] = o.rtorrentURL
	} else {
		testenv.Need(tb, "rtorrent", "opentracker")
		// Three torrents, the seeder throttled, so data keeps moving for
		// minutes; keepMoving starts each one over when it completes.
		s.swarm = testenv.StartSwarm(tb, testenv.SwarmOptions{Torrents: 3, Size: 16 << 20, UploadKiB: 256})
		s.watched["seeder"] = s.swarm.Seeder.URL
		s.watched["leecher"] = s.swarm.Leecher.URL
	}

	notify, problems, note := notifyConf(o.build, s.dir)
	s.problems, s.problemsNote = problems, note
	conf, err := writeCollectdConf(s.dir, o.snippets, o.build, s.hostname, o.interval, s.watched, notify)
	if err != nil {
		tb.Fatalf("collectd config: %v", err)
	}
	s.collectd = testenv.StartCollectd(tb, conf.Conf, testenv.CollectdOptions{Dir: s.dir, Log: filepath.Join(s.dir, "collectd.log")})
	waitFor(tb, 20*time.Second, "collectd's unixsock "+conf.Socket, func() bool {
		_, err := os.Stat(conf.Socket)
		return err == nil
	})

	s.viewerURL = "http://" + o.listen + "/"
	viewerArgs := append([]string{"-listen", o.listen, "-datadir", conf.DataDir, "-socket", conf.Socket,
		"-hostname", s.hostname, "-disk-usage-path", s.dir, "-interval", o.interval.String(), "-problems-dir", s.problems}, o.viewerFlags...)
	s.viewer = testenv.StartDaemon(tb, "rtmon-viewer", filepath.Join(o.build, "rtmon-viewer"), viewerArgs, s.dir, filepath.Join(s.dir, "rtmon-viewer.log"))
	waitFor(tb, 20*time.Second, "the viewer on "+s.viewerURL, func() bool {
		resp, err := http.Get(s.viewerURL + "json/live")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return s
}

func (s *stack) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rtmon-demo: everything runs in %s\n", s.dir)
	if s.swarm != nil {
		fmt.Fprintf(&b, "  opentracker   %s (pid %d)\n", s.swarm.Tracker.Announce, s.swarm.Tracker.PID)
		fmt.Fprintf(&b, "  rTorrent      seeder  %s (pid %d, log %s)\n", s.swarm.Seeder.URL, s.swarm.Seeder.PID, s.swarm.Seeder.Log)
		fmt.Fprintf(&b, "  rTorrent      leecher %s (pid %d, log %s)\n", s.swarm.Leecher.URL, s.swarm.Leecher.PID, s.swarm.Leecher.Log)
	} else {
		fmt.Fprintf(&b, "  rTorrent      main %s (yours; RTORRENT_URL)\n", s.watched["main"])
	}
	fmt.Fprintf(&b, "  collectd      pid %d, log %s, RRD files in %s\n", s.collectd.PID(), filepath.Join(s.dir, "collectd.log"), filepath.Join(s.dir, "rrd"))
	fmt.Fprintf(&b, "  rtmon-viewer  %s (pid %d, log %s)\n", s.viewerURL, s.viewer.PID(), s.viewer.Log())
	if s.problemsNote != "" {
		fmt.Fprintf(&b, "  problems      %s\n", s.problemsNote)
	} else if s.swarm != nil {
		fmt.Fprintf(&b, "  problems      %s: stop the leecher (kill %d) and its FAILURE shows at the top of the live page\n", s.problems, s.swarm.Leecher.PID)
	}
	b.WriteString("Open the viewer in a browser; Ctrl-C stops everything.\n")
	return b.String()
}

// keepMoving waits for ctx, starting each torrent over on the leecher when
// it completes, so rates stay above zero and the graphs fill.
func (s *stack) keepMoving(ctx context.Context, tb *testenv.Runner) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if s.swarm == nil {
			continue
		}
		for _, tor := range s.swarm.Torrents {
			if err := s.swarm.RestartIfComplete(tor); err != nil {
				tb.Logf("keeping data moving: %v", err)
			}
		}
	}
}

func waitFor(tb *testenv.Runner, timeout time.Duration, what string, ok func() bool) {
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
