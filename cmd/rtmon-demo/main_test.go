package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// buildDir returns a directory holding rtorrent.so and rtmon-viewer: the
// one `make test` built ($RTMON_BUILD), or testenv's rtorrent.so beside a
// fresh build of the viewer.
func buildDir(t *testing.T) string {
	t.Helper()
	so := testenv.PluginDir(t)
	if os.Getenv("RTMON_BUILD") != "" {
		if _, err := os.Stat(filepath.Join(so, "rtmon-notify")); err == nil {
			return so
		}
	}
	d := t.TempDir()
	// A copy: collectd refuses to load a symbolic link ("is not a regular file").
	b, err := os.ReadFile(filepath.Join(so, "rtorrent.so"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "rtorrent.so"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bin := range []struct{ name, pkg string }{{"rtmon-viewer", "../../viewer"}, {"rtmon-notify", "../rtmon-notify"}} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(d, bin.name), bin.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", bin.name, err, out)
		}
	}
	// collectd's exec runs rtmon-notify as nobody (when the test runs as
	// root): it must reach the binary.
	os.Chmod(d, 0o755)
	os.Chmod(filepath.Dir(d), 0o755)
	return d
}

type live struct {
	Problems []struct {
		Host           string  `json:"host"`
		PluginInstance string  `json:"plugin_instance"`
		TypeInstance   string  `json:"type_instance"`
		Severity       string  `json:"severity"`
		Since          float64 `json:"since"`
	} `json:"problems"`
	Hosts []struct {
		RTorrent []struct {
			Name  string                 `json:"name"`
			Up    struct{ Rate float64 } `json:"up"`
			Down  struct{ Rate float64 } `json:"down"`
			Items map[string]float64     `json:"items"`
		} `json:"rtorrent"`
	} `json:"hosts"`
}

// TestDemo runs the demo for a bounded time: within a minute the viewer
// shows both rTorrent instances with the swarm's item counts and data
// moving; after it stops, no process it started is left.
func TestDemo(t *testing.T) {
	testenv.Need(t, "rtorrent", "opentracker", "collectd")
	build := buildDir(t)
	listen := "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t, "127.0.0.1"))
	var (
		mu sync.Mutex
		st *stack
	)
	ready := make(chan struct{})
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // and the problems directory in dir
	o := &options{dir: dir, snippets: "../../collectd.conf.d", build: build, listen: listen,
		interval: time.Second, duration: 4 * time.Minute,
		ready: func(s *stack) { mu.Lock(); st = s; mu.Unlock(); close(ready) }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	code := make(chan int, 1)
	go func() { code <- o.run(ctx, &out, &errOut) }()
	select {
	case <-ready:
	case c := <-code:
		t.Fatalf("demo exited %d before it was ready:\n%s%s", c, out.String(), errOut.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("demo not ready after 2 minutes")
	}
	mu.Lock()
	s := st
	mu.Unlock()
	if !strings.Contains(out.String(), "http://"+listen+"/") || !strings.Contains(out.String(), "collectd.log") {
		t.Errorf("summary does not say where the viewer and the logs are:\n%s", out.String())
	}

	deadline := time.Now().Add(time.Minute)
	var last live
	for {
		last = readLive(t, "http://"+listen+"/json/live")
		if demoLooksRight(t, s, last) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a minute the viewer still shows %+v", last)
		}
		time.Sleep(time.Second)
	}

	t.Logf("viewer showed %+v", last)
	if len(last.Problems) != 0 {
		t.Errorf("problems while all runs: %+v", last.Problems)
	}

	// Stopping the leecher's rTorrent shows a problem on the page.
	s.swarm.Leecher.Kill()
	deadline = time.Now().Add(30 * time.Second)
	for {
		last = readLive(t, "http://"+listen+"/json/live")
		found := false
		for _, p := range last.Problems {
			found = found || p.Host == s.hostname && p.PluginInstance == "leecher" && p.TypeInstance == "reachable" && p.Severity == "FAILURE" && p.Since > 0
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the leecher's rTorrent stopped the viewer shows no problem for it: %+v", last.Problems)
		}
		time.Sleep(500 * time.Millisecond)
	}
	pids := []int{s.swarm.Seeder.PID, s.swarm.Leecher.PID, s.swarm.Tracker.PID, s.collectd.PID(), s.viewer.PID()}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("demo exit %d after Ctrl-C:\n%s", c, errOut.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("demo did not stop within a minute of its context ending")
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("process %d still there after the demo stopped (kill 0: %v)", pid, err)
		}
	}
}

// demoLooksRight: both instances shown, counts equal rTorrent's own, the
// seeder uploading and the leecher downloading, as the viewer shows them.
func demoLooksRight(t *testing.T, s *stack, l live) bool {
	t.Helper()
	seen := map[string]bool{}
	for _, h := range l.Hosts {
		for _, r := range h.RTorrent {
			rt := s.swarm.Seeder
			if r.Name == "leecher" {
				rt = s.swarm.Leecher
			}
			total, err := rt.Call("view.size", "", "main")
			if err != nil {
				t.Fatal(err)
			}
			if r.Items["total"] != float64(total.(int64)) || r.Items["total"] != 3 {
				return false
			}
			switch r.Name {
			// Handshakes alone give rates of a few dozen bytes/s: ask for
			// pieces moving (an active item, and over 10 KB/s).
			case "seeder":
				seen[r.Name] = r.Up.Rate > 10000 && r.Items["active"] >= 1 && r.Items["seeding"] == 3
			case "leecher":
				seen[r.Name] = r.Down.Rate > 10000 && r.Items["active"] >= 1 && r.Items["leeching"] >= 1
			}
		}
	}
	return seen["seeder"] && seen["leecher"]
}

func readLive(t *testing.T, url string) live {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l live
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return l
}

func TestDemoWithoutBuild(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-build", t.TempDir(), "-dir", t.TempDir()}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "rtorrent.so not found") || !strings.Contains(errOut.String(), "make build") {
		t.Errorf("exit %d, stderr %q; want 1 and a message naming rtorrent.so and make build", code, errOut.String())
	}
}
