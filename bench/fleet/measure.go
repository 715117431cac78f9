package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rtmon/rtmon/bench/fleet/central"
	"github.com/rtmon/rtmon/bench/fleet/emulator"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/fleet"
)

// procSample is one process's counters at one moment.
type procSample struct {
	at         time.Time
	cpu        float64 // user + system seconds
	rss        int64   // bytes
	writeBytes int64   // /proc/<pid>/io write_bytes
}

func sample(pids map[string]int) map[string]procSample {
	out := map[string]procSample{}
	for name, pid := range pids {
		s := procSample{at: time.Now(), rss: testenv.ProcStatus(pid, "VmRSS")}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if i := strings.LastIndexByte(string(b), ')'); i > 0 {
				f := strings.Fields(string(b)[i+2:])
				if len(f) > 12 {
					u, _ := strconv.ParseFloat(f[11], 64)
					st, _ := strconv.ParseFloat(f[12], 64)
					s.cpu = (u + st) / 100 // USER_HZ
				}
			}
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid)); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "write_bytes: "); ok {
					s.writeBytes, _ = strconv.ParseInt(v, 10, 64)
				}
			}
		}
		out[name] = s
	}
	return out
}

// waitFiles waits until every emulated host has its files (the first
// rounds create them).
func waitFiles(r *testenv.Runner, c *central.Central, e *emulator.Emulator, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	last := e.HostName(e.Hosts() - 1)
	for {
		if fi, err := os.Stat(filepath.Join(c.DataDir, last, "rtorrent-main", "count-items_total.rrd")); err == nil && fi.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			r.Fatalf("files of %s not created within %v", last, timeout)
		}
		time.Sleep(time.Second)
	}
}

func duBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// rrdStats is rrdcached's STATS.
func rrdStats(r *testenv.Runner, c *central.Central) map[string]int64 {
	conn, err := net.DialTimeout("unix", c.RRDSock, 5*time.Second)
	if err != nil {
		r.Fatalf("rrdcached: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "STATS\n")
	br := bufio.NewReader(conn)
	line, _ := br.ReadString('\n')
	n, _ := strconv.Atoi(strings.Fields(line + " 0")[0])
	out := map[string]int64{}
	for i := 0; i < n; i++ {
		l, err := br.ReadString('\n')
		if err != nil {
			break
		}
		k, v, _ := strings.Cut(strings.TrimSpace(l), ": ")
		out[k], _ = strconv.ParseInt(v, 10, 64)
	}
	return out
}

// ownLists is how many value lists the central node made itself in wall
// (its network and rrdcached statistics, the fleet sums).
func ownLists(r *testenv.Runner, c *central.Central, interval, wall time.Duration) int64 {
	cl, err := unixsockLines(c.Sock, "LISTVAL")
	if err != nil {
		r.Fatalf("LISTVAL: %v", err)
	}
	var n int64
	for _, l := range cl {
		f := strings.Fields(l)
		if len(f) == 2 && (strings.HasPrefix(f[1], "central/") || strings.HasPrefix(f[1], fleet.FleetHost+"/")) {
			n++
		}
	}
	return n * int64(wall/interval)
}

func unixsockLines(sock, cmd string) ([]string, error) {
	conn, err := net.DialTimeout("unix", sock, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(conn, "%s\n", cmd)
	br := bufio.NewReaderSize(conn, 1<<20)
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.Fields(line)[0])
	if err != nil || n < 0 {
		return nil, fmt.Errorf("%s: %s", cmd, line)
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		l, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out, nil
}

// refreshStat is what one fleet refresh costs collectd.
type refreshStat struct {
	mode        string
	collectdCPU float64 // seconds per refresh, ingest subtracted
	wall        float64 // seconds per refresh
	trips, read int
	rows        int
}

// refreshCost runs n refreshes of a private fleet poller in each mode
// (LISTVAL and batched GETVALs; batched GETVALs alone, the LISTVAL
// reused; LISTVAL and one GETVAL per round trip, as the live page polls)
// and charges collectd's CPU beyond its ingest rate (measured just
// after, as long) to them.
func refreshCost(r *testenv.Runner, c *central.Central, pid, n int) []refreshStat {
	var out []refreshStat
	for _, m := range []struct {
		name      string
		perValue  bool
		listEvery time.Duration
	}{
		{"LISTVAL + batched GETVAL", false, time.Nanosecond},
		{"batched GETVAL only", false, time.Hour},
		{"LISTVAL + GETVAL per value", true, time.Nanosecond},
	} {
		p := fleet.New(fleet.Config{Socket: c.Sock, Store: datadir.NewStore(c.DataDir, time.Hour), PerValue: m.perValue,
			ListEvery: m.listEvery, Interval: 30 * time.Second})
		ctx := context.Background()
		t := p.Refresh(ctx) // connect, index DataDir, first LISTVAL
		b0 := sample(map[string]int{"c": pid})["c"]
		start := time.Now()
		for i := 0; i < n; i++ {
			t = p.Refresh(ctx)
		}
		wall := time.Since(start)
		b1 := sample(map[string]int{"c": pid})["c"]
		time.Sleep(wall) // the same time without refreshes: collectd's ingest
		b2 := sample(map[string]int{"c": pid})["c"]
		base := (b2.cpu - b1.cpu) / b2.at.Sub(b1.at).Seconds() * b1.at.Sub(b0.at).Seconds()
		if t.Error != "" {
			r.Logf("refresh (%s): %s", m.name, t.Error)
		}
		out = append(out, refreshStat{mode: m.name, collectdCPU: max(0, (b1.cpu-b0.cpu)-base) / float64(n), wall: wall.Seconds() / float64(n),
			trips: t.Refresh.RoundTrips, read: t.Refresh.Read, rows: len(t.Rows)})
	}
	return out
}

type latencyStat struct {
	p50, p99, max time.Duration
	bytes         int
	errors        int
}

// latency sends n requests to /json/fleet from 8 clients at once.
func latency(r *testenv.Runner, base string, n int) latencyStat {
	var mu sync.Mutex
	var ds []time.Duration
	var st latencyStat
	jobs := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				t0 := time.Now()
				resp, err := client.Get(base + "/json/fleet")
				var nb int64
				if err == nil {
					nb, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t0)
				mu.Lock()
				if err != nil || resp.StatusCode != 200 {
					st.errors++
				} else {
					ds = append(ds, d)
					st.bytes = int(nb)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(ds) == 0 {
		r.Fatalf("/json/fleet: no successful request")
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	st.p50, st.p99, st.max = ds[len(ds)/2], ds[len(ds)*99/100], ds[len(ds)-1]
	return st
}

// udpErrors is the kernel's count of UDP datagrams dropped for a full
// receive buffer (RcvbufErrors in /proc/net/snmp): values lost before
// collectd read them.
func udpErrors() int64 {
	b, err := os.ReadFile("/proc/net/snmp")
	if err != nil {
		return 0
	}
	var names []string
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != "Udp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == "RcvbufErrors" && i < len(f) {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				return v
			}
		}
	}
	return 0
}
