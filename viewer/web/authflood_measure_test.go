package web

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// TestMeasureWrongPasswordFlood is a measurement, not a check: it runs
// only with RTMON_AUTHFLOOD_VIEWER=<rtmon-viewer binary> (docs/PERFORMANCE.md,
// "Wrong-password flood"). It starts that viewer with an htpasswd entry at
// bcrypt cost 10, logs a user in, then for RTMON_AUTHFLOOD_SECONDS (10)
// keeps 64 keep-alive connections sending a wrong password, from one
// loopback address and then from 64, while the logged-in user fetches a
// graph (a fresh render each time) every 200 ms. It logs the viewer's CPU
// seconds over the flood (from /proc), the graph latencies and the
// replies the flood got.
func TestMeasureWrongPasswordFlood(t *testing.T) {
	bin := os.Getenv("RTMON_AUTHFLOOD_VIEWER")
	if bin == "" {
		t.Skip("a measurement: set RTMON_AUTHFLOOD_VIEWER to an rtmon-viewer binary")
	}
	secs := 10
	if s, err := strconv.Atoi(os.Getenv("RTMON_AUTHFLOOD_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	dir := t.TempDir()
	collectdenv.RRD(t, filepath.Join(dir, "rrd"), "box/load/load.rrd", []string{"shortterm:GAUGE", "midterm:GAUGE", "longterm:GAUGE"}, 360,
		func(i, j int) float64 { return float64(i%60) / 10 })
	hash, _ := bcrypt.GenerateFromPassword([]byte("pw-right"), 10)
	ht := filepath.Join(dir, "htpasswd")
	os.WriteFile(ht, []byte("alice:"+string(hash)+"\n"), 0o600)
	for _, sources := range []int{1, 64} {
		t.Run(fmt.Sprintf("%d-addresses", sources), func(t *testing.T) {
			measureFlood(t, bin, dir, ht, sources, time.Duration(secs)*time.Second)
		})
	}
}

func measureFlood(t *testing.T, bin, dir, ht string, sources int, d time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-listen", addr, "-datadir", filepath.Join(dir, "rrd"), "-socket", filepath.Join(dir, "no-collectd"),
		"-htpasswd", ht, "-hostname", "box", "-disk-usage-path", "/")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + addr
	good := "Basic " + b64("alice:pw-right")
	user := fromAddr("127.0.0.200")
	user.Transport.(*http.Transport).DisableKeepAlives = false
	for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest(http.MethodGet, base+"/json/live", nil)
		req.Header.Set("Authorization", good)
		if resp, err := user.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			t.Fatal("viewer did not answer the right password")
		}
	}
	graph := func(i int) time.Duration {
		end := time.Now().Unix() - int64(i)
		t0 := time.Now()
		if r := getAs(t, user, fmt.Sprintf("%s/graph/box/load.load?start=%d&end=%d", base, end-3600, end), good); r.Code != 200 {
			t.Errorf("graph = %d %.100s", r.Code, r.Body)
		}
		return time.Since(t0)
	}
	var quiet []time.Duration
	for i := range 10 {
		quiet = append(quiet, graph(i))
	}

	cpu0 := procCPU(t, cmd.Process.Pid)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	var codes [600]atomic.Int64
	for i := range 64 {
		src := "127.0.0.1"
		if sources > 1 {
			src = "127.0.2." + strconv.Itoa(1+i%sources)
		}
		c := fromAddr(src)
		c.Transport.(*http.Transport).DisableKeepAlives = false
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/json/live", nil)
				req.Header.Set("Authorization", "Basic "+b64("alice:pw-wrong"))
				resp, err := c.Do(req)
				if err != nil {
					continue
				}
				resp.Body.Close()
				codes[resp.StatusCode%600].Add(1)
			}
		})
	}
	var busy []time.Duration
	for i := 100; ctx.Err() == nil; i++ {
		busy = append(busy, graph(i))
		time.Sleep(200 * time.Millisecond)
	}
	wg.Wait()
	cpu := procCPU(t, cmd.Process.Pid) - cpu0
	t.Logf("viewer %s, %d source address(es), 64 connections, %v", bin, sources, d)
	t.Logf("viewer CPU over the flood: %.2f s (%.0f%% of one core)", cpu, 100*cpu/d.Seconds())
	t.Logf("flood replies: 401 %d, 429 %d, other %d", codes[401].Load(), codes[429].Load(), total(&codes)-codes[401].Load()-codes[429].Load())
	t.Logf("graph latency quiet: %s; during the flood: %s", quantiles(quiet), quantiles(busy))
}

func total(c *[600]atomic.Int64) int64 {
	var n int64
	for i := range c {
		n += c[i].Load()
	}
	return n
}

func quantiles(d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	q := func(p float64) time.Duration { return s[int(p*float64(len(s)-1))].Round(100 * time.Microsecond) }
	return fmt.Sprintf("median %v, p90 %v, max %v (n=%d)", q(0.5), q(0.9), s[len(s)-1].Round(100*time.Microsecond), len(s))
}

// procCPU is the process's user+system CPU seconds from /proc.
func procCPU(t *testing.T, pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}
