// Command sse holds many live-page clients on a running rtmon-viewer and
// reports, for each client count, how often the viewer read collectd over
// unixsock per interval (the snapshots' unixsock_polls), how many clients
// got a stream and how many were refused (503 beyond the viewer's cap)
// and fell back to polling /json/live as the live page does, and how late
// snapshots reached the streaming clients. bench/viewer/run.sh runs it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8042", "the viewer")
	levels := flag.String("clients", "0,1,100,1000", "client counts to measure, in order")
	intervals := flag.Int("intervals", 10, "intervals to hold each client count for")
	pid := flag.Int("pid", 0, "the viewer's pid, to report its RSS and threads (0: not reported)")
	flag.Parse()
	var ns []int
	for _, f := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "sse: -clients: %q is not a count\n", f)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	b := &bench{url: strings.TrimSuffix(*url, "/"), pid: *pid,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2000, MaxConnsPerHost: 0}}}
	fmt.Println("clients\tstreams\trefused_polling\tunixsock_polls_per_interval\tevents_per_stream_per_interval\tlag_p50_ms\tlag_p99_ms\tfallback_polls_per_interval\tviewer_rss_mib\tviewer_threads")
	for _, n := range ns {
		r, err := b.level(n, *intervals)
		if err != nil {
			fmt.Fprintf(os.Stderr, "sse: %d clients: %v\n", n, err)
			os.Exit(1)
		}
		fmt.Println(r)
	}
}

type bench struct {
	url  string
	pid  int
	http *http.Client
}

type snap struct {
	Time     float64 `json:"time"`
	Interval float64 `json:"interval_seconds"`
	Polls    *int64  `json:"unixsock_polls"`
}

func (b *bench) live(ctx context.Context) (snap, error) {
	var s snap
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.url+"/json/live", nil)
	resp, err := b.http.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("/json/live: status %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("/json/live: %w", err)
	}
	if s.Polls == nil || s.Interval <= 0 {
		return s, fmt.Errorf("/json/live has no unixsock_polls or interval_seconds: an older viewer?")
	}
	return s, nil
}

// result is one client count's figures.
type result struct {
	clients, streams, refused int
	pollsPerInterval          float64
	eventsPerStream           float64
	lagP50, lagP99            float64 // ms
	fallbackPerInterval       float64
	rssMiB                    float64
	threads                   int
}

func (r result) String() string {
	return fmt.Sprintf("%d\t%d\t%d\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%d", r.clients, r.streams, r.refused, r.pollsPerInterval,
		r.eventsPerStream, r.lagP50, r.lagP99, r.fallbackPerInterval, r.rssMiB, r.threads)
}

// level holds n clients for the given intervals.
func (b *bench) level(n, intervals int) (result, error) {
	res := result{clients: n}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s0, err := b.live(ctx)
	if err != nil {
		return res, err
	}
	interval := time.Duration(s0.Interval * float64(time.Second))

	var (
		ready, streams, refused atomic.Int64
		events, fallback        atomic.Int64
		measuring               atomic.Bool
		mu                      sync.Mutex
		lags                    []float64
		wg                      sync.WaitGroup
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.url+"/events", nil)
			resp, err := b.http.Do(req)
			if err != nil {
				ready.Add(1)
				return
			}
			if resp.StatusCode != http.StatusOK {
				// As the live page: poll /json/live every interval.
				resp.Body.Close()
				refused.Add(1)
				ready.Add(1)
				t := time.NewTicker(interval)
				defer t.Stop()
				for {
					if _, err := b.live(ctx); err == nil && measuring.Load() {
						fallback.Add(1)
					}
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
				}
			}
			defer resp.Body.Close()
			streams.Add(1)
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 1<<20), 4<<20)
			first := true
			for sc.Scan() {
				id, ok := strings.CutPrefix(sc.Text(), "id: ")
				if !ok {
					continue
				}
				if first {
					ready.Add(1)
					first = false
				}
				if !measuring.Load() {
					continue
				}
				at, _ := strconv.ParseFloat(id, 64)
				lag := float64(time.Now().UnixMicro())/1e3 - at*1e3
				events.Add(1)
				mu.Lock()
				lags = append(lags, lag)
				mu.Unlock()
			}
			if first {
				ready.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for ready.Load() < int64(n) {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("only %d of %d clients connected within 2 minutes", ready.Load(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	measuring.Store(true)
	p0, err := b.live(ctx)
	if err != nil {
		return res, err
	}
	time.Sleep(time.Duration(intervals) * interval)
	p1, err := b.live(ctx)
	if err != nil {
		return res, err
	}
	measuring.Store(false)
	if b.pid > 0 {
		res.rssMiB, res.threads = procStatus(b.pid) // with the clients still held
	}
	cancel()
	wg.Wait()
	elapsed := (p1.Time - p0.Time) / s0.Interval // in intervals
	if elapsed <= 0 {
		return res, fmt.Errorf("the snapshot did not move on in %d intervals", intervals)
	}
	res.streams, res.refused = int(streams.Load()), int(refused.Load())
	res.pollsPerInterval = float64(*p1.Polls-*p0.Polls) / elapsed
	if res.streams > 0 {
		res.eventsPerStream = float64(events.Load()) / float64(res.streams) / float64(intervals)
	}
	res.fallbackPerInterval = float64(fallback.Load()) / float64(intervals)
	slices.Sort(lags)
	res.lagP50, res.lagP99 = quantile(lags, 0.5), quantile(lags, 0.99)
	return res, nil
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// procStatus reads VmRSS (as MiB) and Threads of pid.
func procStatus(pid int) (float64, int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	var rss float64
	var thr int
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		f := strings.Fields(v)
		switch {
		case k == "VmRSS" && len(f) > 0:
			kib, _ := strconv.ParseFloat(f[0], 64)
			rss = kib / 1024
		case k == "Threads" && len(f) > 0:
			thr, _ = strconv.Atoi(f[0])
		}
	}
	return rss, thr
}
