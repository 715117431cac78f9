// Command fleet measures the central node of docs/fleet.md: for each
// host count it starts rrdcached, the central collectd (shipped snippets)
// and rtmon-viewer, sends N emulated seedboxes' values for -duration, and
// prints values/s ingested, values lost, CPU and memory of collectd,
// rrdcached and the viewer, disk bytes per host per hour, the cost of one
// fleet refresh to collectd (pipelined GETVAL batches against one GETVAL
// per round trip) and /json/fleet's latency.
//
//	go run ./bench/fleet -hosts 100,1000 -duration 3m
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rtmon/rtmon/bench/fleet/central"
	"github.com/rtmon/rtmon/bench/fleet/emulator"
	"github.com/rtmon/rtmon/internal/testenv"
)

func main() {
	hosts := flag.String("hosts", "100,1000", "host counts to run, joined by ','")
	duration := flag.Duration("duration", 3*time.Minute, "measured window per host count (after the files are created)")
	interval := flag.Duration("interval", 10*time.Second, "collectd Interval of the seedboxes and the central node")
	build := flag.String("build", "build", "directory holding rtmon-viewer")
	snippets := flag.String("snippets", "collectd.conf.d", "the repository's collectd.conf.d")
	writeTimeout := flag.Int("rrdcached-w", 300, "rrdcached -w (seconds between writes of one file)")
	trackers := flag.Int("trackers", 2, "tracker groups per emulated instance")
	labels := flag.Int("labels", 2, "label groups per emulated instance")
	requests := flag.Int("requests", 2000, "/json/fleet requests for the latency figure")
	flag.Parse()
	for _, s := range strings.Split(*hosts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > emulator.MaxHosts {
			fmt.Fprintf(os.Stderr, "fleet: -hosts %q: want counts 1..%d\n", s, emulator.MaxHosts)
			os.Exit(2)
		}
		r := testenv.NewRunner(os.Stderr, "fleet: ")
		ok := func() (ok bool) {
			defer func() {
				if v := recover(); v != nil {
					if !testenv.IsFatal(v) {
						panic(v)
					}
					ok = false
				}
			}()
			res := run(r, config{hosts: n, duration: *duration, interval: *interval, build: *build, snippets: *snippets,
				writeTimeout: *writeTimeout, trackers: *trackers, labels: *labels, requests: *requests})
			res.print(os.Stdout)
			return true
		}()
		r.Stop()
		if !ok {
			os.Exit(1)
		}
	}
}

type config struct {
	hosts                          int
	duration, interval             time.Duration
	build, snippets                string
	writeTimeout, trackers, labels int
	requests                       int
}

func run(r *testenv.Runner, cfg config) *result {
	build, _ := filepath.Abs(cfg.build)
	snippets, _ := filepath.Abs(cfg.snippets)
	c := central.Start(r, central.Options{Snippets: snippets, Build: build, Interval: cfg.interval,
		WriteTimeout: cfg.writeTimeout, Users: map[string]string{"fleet": "fleet-secret"}})
	e, err := emulator.New(emulator.Config{Addr: c.Addr, Username: "fleet", Password: "fleet-secret", Hosts: cfg.hosts,
		Interval: cfg.interval, Trackers: cfg.trackers, Labels: cfg.labels, Seed: 1})
	if err != nil {
		r.Fatalf("%v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Run(ctx) }()
	defer func() { cancel(); <-done }()

	res := &result{hosts: cfg.hosts, interval: cfg.interval, duration: cfg.duration, writeTimeout: cfg.writeTimeout}
	// Warm-up: the first rounds create every file (rrd_create in
	// collectd's write threads); measure after that.
	warm := time.Now()
	waitFiles(r, c, e, 10*time.Minute)
	time.Sleep(2 * cfg.interval)
	res.warmup = time.Since(warm)
	res.filesBytes = duBytes(c.DataDir)

	procs := map[string]int{"collectd": c.Collectd.PID(), "rrdcached": c.RRDCached.PID(), "viewer": c.Viewer.PID()}
	before := sample(procs)
	sent0 := e.Counts()
	upd0 := rrdStats(r, c)["UpdatesReceived"]
	udp0 := udpErrors()
	t0 := time.Now()
	time.Sleep(cfg.duration)
	after := sample(procs)
	sent1 := e.Counts()
	upd1 := rrdStats(r, c)["UpdatesReceived"]
	res.udpDrops = udpErrors() - udp0
	wall := time.Since(t0)
	res.window(before, after, wall, sent1.Lists-sent0.Lists, sent1.Values-sent0.Values, upd1-upd0, ownLists(r, c, cfg.interval, wall))
	res.rounds = sent1.Rounds
	res.sendErrors = sent1.Errors

	res.refresh = refreshCost(r, c, procs["collectd"], 10)
	vb := sample(map[string]int{"viewer": procs["viewer"], "collectd": procs["collectd"]})
	res.latency = latency(r, c.ViewerURL, cfg.requests)
	va := sample(map[string]int{"viewer": procs["viewer"], "collectd": procs["collectd"]})
	res.viewerBusy = va["viewer"].cpu - vb["viewer"].cpu
	res.viewerRSS = va["viewer"].rss
	res.latencyWall = va["viewer"].at.Sub(vb["viewer"].at)
	return res
}
