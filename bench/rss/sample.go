package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

// sample is one row of samples.csv.
type sample struct {
	at                   time.Duration // since the first sample
	withRSS, baseRSS     int64         // KiB
	withThreads, baseThr int
	withAnon, withFile   int64 // KiB: RssAnon, and RssFile+RssShmem (the mapped rtorrent.so among them)
	baseAnon, baseFile   int64
	downRate, upRate     int64 // the leecher's download and the seeder's upload rate, B/s
}

var csvHeader = []string{"elapsed_s", "with_rss_kib", "with_threads", "base_rss_kib", "base_threads", "added_kib", "leecher_down_Bps", "seeder_up_Bps",
	"with_anon_kib", "with_file_kib", "base_anon_kib", "base_file_kib"}

func (s sample) row() []string {
	return []string{
		strconv.FormatFloat(s.at.Seconds(), 'f', 1, 64),
		strconv.FormatInt(s.withRSS, 10), strconv.Itoa(s.withThreads),
		strconv.FormatInt(s.baseRSS, 10), strconv.Itoa(s.baseThr),
		strconv.FormatInt(s.withRSS-s.baseRSS, 10),
		strconv.FormatInt(s.downRate, 10), strconv.FormatInt(s.upRate, 10),
		strconv.FormatInt(s.withAnon, 10), strconv.FormatInt(s.withFile, 10),
		strconv.FormatInt(s.baseAnon, 10), strconv.FormatInt(s.baseFile, 10),
	}
}

// sample reads both collectds every o.every until o.duration has passed or
// ctx ends, writing each row to samples.csv as it goes, and keeps the swarm
// moving in between.
func (s *stack) sample(ctx context.Context, tb *testenv.Runner, o *options) []sample {
	f, err := os.Create(filepath.Join(o.out, "samples.csv"))
	if err != nil {
		tb.Fatalf("samples: %v", err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	_ = w.Write(csvHeader)
	var out []sample
	start := time.Now()
	tick := time.NewTicker(o.every)
	defer tick.Stop()
	for {
		if s.with.Exited() || s.base.Exited() {
			tb.Fatalf("a collectd exited during the run; see %s and %s", s.with.Log(), s.base.Log())
		}
		var sm sample
		sm.at = time.Since(start)
		ws, err1 := procStatus(s.with.PID())
		bs, err2 := procStatus(s.base.PID())
		if err1 != nil || err2 != nil {
			tb.Fatalf("reading /proc: %v %v", err1, err2)
		}
		sm.withRSS, sm.withThreads, sm.withAnon, sm.withFile = ws.rss, ws.threads, ws.anon, ws.file
		sm.baseRSS, sm.baseThr, sm.baseAnon, sm.baseFile = bs.rss, bs.threads, bs.anon, bs.file
		if v, err := s.swarm.Leecher.Call("throttle.global_down.rate"); err == nil {
			sm.downRate, _ = v.(int64)
		}
		if v, err := s.swarm.Seeder.Call("throttle.global_up.rate"); err == nil {
			sm.upRate, _ = v.(int64)
		}
		out = append(out, sm)
		_ = w.Write(sm.row())
		w.Flush()
		for _, tor := range s.swarm.Torrents {
			if err := s.swarm.RestartIfComplete(tor); err != nil {
				tb.Logf("keeping data moving: %v", err)
			}
		}
		if sm.at >= o.duration {
			return out
		}
		select {
		case <-ctx.Done():
			tb.Logf("interrupted after %v; summarizing what was sampled", sm.at.Round(time.Second))
			return out
		case <-tick.C:
		}
	}
}

// status is what /proc/<pid>/status says about memory, in KiB.
type status struct {
	rss, anon, file int64
	threads         int
}

// procStatus reads VmRSS, RssAnon, RssFile+RssShmem and Threads from
// /proc/<pid>/status.
func procStatus(pid int) (status, error) {
	var st status
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	var haveRSS, haveThr bool
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			st.rss, haveRSS = n, true
		case "RssAnon":
			st.anon = n
		case "RssFile", "RssShmem":
			st.file += n
		case "Threads":
			st.threads, haveThr = int(n), true
		}
	}
	if !haveRSS || !haveThr {
		return st, fmt.Errorf("/proc/%d/status: no VmRSS or Threads line", pid)
	}
	return st, nil
}
