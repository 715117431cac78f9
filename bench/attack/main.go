// Command attack fires the worst graph requests rtmon knows at a running
// viewer for a while and samples the viewer's resident memory: the
// issue-11 reproduction of "one graph request can take gigabytes".
//
// It builds a DataDir (in -dir, made if missing) with two hosts: "many"
// has -files memory-xN files holding only a day of 1-minute rows (what a
// network peer can make collectd create), "heavy" has 32 files whose
// 1-minute archives hold -heavy-rows rows each (just under the viewer's
// values-per-request bound by default). It starts -viewer on loopback
// with that DataDir, and -clients goroutines ask, for -duration, for the
// stacked memory graph of both hosts over ten years at 4000x2000 in PNG
// and SVG and as a series, each with a different start so that the
// render cache never answers. Every -sample it reads VmRSS and VmHWM of
// the viewer from /proc; above -kill-at it kills the viewer and reports
// that. Loopback only; the requests stop at -duration.
//
//	go run ./bench/attack -viewer build/rtmon-viewer -duration 60s -clients 8
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

func main() {
	viewer := flag.String("viewer", "build/rtmon-viewer", "viewer binary")
	dir := flag.String("dir", "", "DataDir to build and serve (default: a new temporary directory)")
	files := flag.Int("files", 1500, "memory-xN files of host \"many\"")
	heavyRows := flag.Int("heavy-rows", 4_000_000/32-12, "1-minute rows of each of host \"heavy\"'s 32 files (one more row is read per minute that passes: the default stays under the 4,000,000 bound for 10 minutes)")
	clients := flag.Int("clients", 8, "concurrent clients")
	duration := flag.Duration("duration", time.Minute, "how long to fire")
	sample := flag.Duration("sample", 50*time.Millisecond, "how often to read the viewer's memory")
	killAt := flag.Int64("kill-at", 4<<30, "kill the viewer when its resident memory passes this many bytes")
	flag.Parse()
	if err := run(*viewer, *dir, *files, *heavyRows, *clients, *duration, *sample, *killAt); err != nil {
		fmt.Fprintln(os.Stderr, "attack:", err)
		os.Exit(1)
	}
}

func run(viewer, dir string, files, heavyRows, clients int, duration, sample time.Duration, killAt int64) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "rtmon-attack-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	t0 := time.Now()
	if err := minuteFiles(filepath.Join(dir, "many", "memory"), files, 1440); err != nil {
		return err
	}
	if err := minuteFiles(filepath.Join(dir, "heavy", "memory"), 32, heavyRows); err != nil {
		return err
	}
	fmt.Printf("DataDir %s: %d + 32 files in %v\n", dir, files, time.Since(t0).Round(time.Millisecond))

	addr, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(viewer, "-listen", addr, "-datadir", dir, "-socket", filepath.Join(dir, "no-collectd"), "-hostname", "none")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", viewer, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	base := "http://" + addr
	if err := waitUp(base, exited); err != nil {
		return err
	}
	idle := testenv.ProcStatus(cmd.Process.Pid, "VmRSS")
	fmt.Printf("viewer %s pid %d on %s, idle RSS %d MiB\n", viewer, cmd.Process.Pid, addr, idle>>20)

	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	var peakRSS, peakHWM atomic.Int64
	var killed atomic.Bool
	var dead atomic.Value
	go func() {
		tick := time.NewTicker(sample)
		defer tick.Stop()
		every := time.NewTicker(10 * time.Second)
		defer every.Stop()
		begun := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case err := <-exited:
				dead.Store(fmt.Sprint(err))
				cancel()
				return
			case <-every.C:
				fmt.Printf("  at %2.0f s: RSS %d MiB, VmHWM %d MiB\n", time.Since(begun).Seconds(),
					testenv.ProcStatus(cmd.Process.Pid, "VmRSS")>>20, testenv.ProcStatus(cmd.Process.Pid, "VmHWM")>>20)
			case <-tick.C:
				rss, hwm := testenv.ProcStatus(cmd.Process.Pid, "VmRSS"), testenv.ProcStatus(cmd.Process.Pid, "VmHWM")
				peakRSS.Store(max(peakRSS.Load(), rss))
				peakHWM.Store(max(peakHWM.Load(), hwm))
				if rss > killAt && !killed.Swap(true) {
					cmd.Process.Kill()
				}
			}
		}
	}()

	var mu sync.Mutex
	codes := map[string]map[int]int{}
	var lat []time.Duration
	var wg sync.WaitGroup
	var n atomic.Int64
	hc := &http.Client{Timeout: 30 * time.Second}
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				k := n.Add(1)
				kind, path := request(k)
				t := time.Now()
				code := get(ctx, hc, base+path)
				if code == 0 && ctx.Err() != nil {
					return
				}
				mu.Lock()
				if codes[kind] == nil {
					codes[kind] = map[int]int{}
				}
				codes[kind][code]++
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		}(c)
	}
	wg.Wait()
	hwm := max(peakHWM.Load(), testenv.ProcStatus(cmd.Process.Pid, "VmHWM"))

	fmt.Printf("%d clients for %v: %d requests\n", clients, duration, len(lat))
	kinds := make([]string, 0, len(codes))
	for k := range codes {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Printf("  %-40s %v\n", k, codes[k])
	}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fmt.Printf("latency p50 %v p99 %v max %v\n", lat[len(lat)/2].Round(time.Millisecond),
			lat[len(lat)*99/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	}
	switch {
	case killed.Load():
		fmt.Printf("RESULT viewer killed: resident memory passed %d MiB (sampled peak RSS %d MiB)\n", killAt>>20, peakRSS.Load()>>20)
	case dead.Load() != nil:
		fmt.Printf("RESULT viewer died (%v); sampled peak RSS %d MiB\n", dead.Load(), peakRSS.Load()>>20)
	default:
		fmt.Printf("RESULT viewer peak RSS (VmHWM) %d MiB, sampled peak RSS %d MiB, idle %d MiB\n", hwm>>20, peakRSS.Load()>>20, idle>>20)
	}
	return nil
}

// request is the k-th request: the two hosts' stacked memory graph over
// ten years at the largest size, in turn as PNG, SVG and a series. The
// start moves by a second each time, so no two requests share a cache
// entry or an in-flight render.
func request(k int64) (kind, path string) {
	now := time.Now().Unix()
	start := now - 10*366*86400 + 3600 + k%3000
	host := []string{"many", "heavy"}[k%2]
	q := fmt.Sprintf("start=%d&end=%d&w=4000&h=2000", start, now)
	switch (k / 2) % 3 {
	case 0:
		return host + " png", "/graph/" + host + "/memory.memory?" + q
	case 1:
		return host + " svg", "/graph/" + host + "/memory.memory?fmt=svg&" + q
	default:
		return host + " series", "/api/series?host=" + host + "&graph=memory.memory&" + q
	}
}

func get(ctx context.Context, hc *http.Client, url string) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// minuteFiles writes n memory-xN files into dir, each holding one
// 1-minute AVERAGE archive of rows rows: one made by rrdtool, copied.
func minuteFiles(dir string, n, rows int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	now := time.Now().Unix()
	last := now - now%60
	tmpl := filepath.Join(dir, ".template")
	args := []string{"create", tmpl, "--start", strconv.FormatInt(last-600, 10), "--step", "60",
		"DS:value:GAUGE:120:0:U", fmt.Sprintf("RRA:AVERAGE:0.5:1:%d", rows)}
	if out, err := exec.Command("rrdtool", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("rrdtool create: %v: %s", err, out)
	}
	up := []string{"update", tmpl}
	for ts := last - 540; ts <= last; ts += 60 {
		up = append(up, fmt.Sprintf("%d:%d", ts, 1<<20))
	}
	if out, err := exec.Command("rrdtool", up...).CombinedOutput(); err != nil {
		return fmt.Errorf("rrdtool update: %v: %s", err, out)
	}
	b, err := os.ReadFile(tmpl)
	if err != nil {
		return err
	}
	defer os.Remove(tmpl)
	for i := 1; i <= n; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("memory-x%d.rrd", i)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitUp(base string, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("viewer exited at start: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("viewer did not answer within 10 s")
}
