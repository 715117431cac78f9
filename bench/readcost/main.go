// Command readcost measures what reading rTorrent costs, at both ends of
// the wire, for the rtorrent plugin and for the query patterns other
// rTorrent exporters use, side by side against one real rTorrent 0.9.8
// holding N items:
//
//	go run ./bench/readcost -items 1000,10000,50000 -runs 5
//
// For each N it starts rTorrent through internal/testenv, loads N fake
// torrents with load.raw (1% of them started, so the started, leeching
// and active views are not empty) and, in each run, measures: the
// plugin's fast tier, full scan and delta scan (internal/reader.Reader);
// baseline (a), download_list per view plus per-item calls for the active
// items (mdlayher/rtorrent_exporter); baseline (b), one d.multicall2 of
// ten fields (go-rtorrent based exporters); and the naive pattern, one call
// per sensor and item. Each figure is per read, then per minute at the
// default settings (collectd's Interval 10 s, LoadBudget 1%, scans between
// 30 s and 15 min), the baselines scraped at the same interval. Ratios are
// taken within a run; tables show medians over the runs.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	items        []int
	runs         int
	interval     time.Duration
	startedShare float64
	fastReads    int
	naiveSample  int
	idle         time.Duration
	real         time.Duration
	budget       time.Duration
	budgetItems  int
	jsonOut      string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("readcost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	items := fs.String("items", "1000,10000,50000", "comma-separated item counts")
	fs.IntVar(&o.runs, "runs", 5, "runs per item count (medians are over runs)")
	fs.DurationVar(&o.interval, "interval", 10*time.Second, "collectd's Interval (the shipped snippets leave collectd's default, 10 s); baselines are scraped as often")
	fs.Float64Var(&o.startedShare, "started", 0.01, "share of items started (leeching without data), so started/leeching/active views are not empty")
	fs.IntVar(&o.fastReads, "fast-reads", 500, "fast-tier reads per run")
	fs.IntVar(&o.naiveSample, "naive-sample", 1000, "the naive pattern's per-item calls run for at most this many items, scaled to all")
	fs.DurationVar(&o.idle, "idle", 3*time.Second, "how long to sample rTorrent's own CPU use before each run")
	fs.DurationVar(&o.real, "real", 0, "also run the default Reader for real at -interval for this long per item count (0: off)")
	fs.DurationVar(&o.budget, "budget", 0, "load-budget run: full scans as often as the budget lets, for this long, at -budget-items (0: off)")
	fs.IntVar(&o.budgetItems, "budget-items", 50000, "item count for the -budget run")
	fs.StringVar(&o.jsonOut, "json", "", "also write every run's figures to this JSON file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*items, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "readcost: -items: %q is not a positive count\n", s)
			return nil, fmt.Errorf("flags")
		}
		o.items = append(o.items, n)
	}
	if o.runs < 1 || o.interval <= 0 || o.fastReads < 1 || o.naiveSample < 1 || o.startedShare < 0 || o.startedShare > 1 {
		fmt.Fprintln(stderr, "readcost: -runs, -interval, -fast-reads, -naive-sample must be positive, -started within [0,1]")
		return nil, fmt.Errorf("flags")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	tb := testenv.NewRunner(stderr, "readcost")
	defer func() {
		if r := recover(); r != nil {
			if !testenv.IsFatal(r) {
				panic(r)
			}
			code = 1
		}
		tb.Stop()
	}()
	var all []sizeResult
	for _, n := range o.items {
		if ctx.Err() != nil {
			return 1
		}
		res := benchSize(ctx, tb, o, n)
		all = append(all, res)
		tb.Stop() // stop this rTorrent before loading the next
		printSize(stdout, o, res)
	}
	printTargets(stdout, o, all)
	if o.jsonOut != "" {
		if err := writeJSON(o.jsonOut, all); err != nil {
			fmt.Fprintf(stderr, "readcost: %v\n", err)
			return 1
		}
	}
	return 0
}
