package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
)

// runResult is one run's figures for one item count. Per-read costs are
// per operation; per-minute costs at the default settings.
type runResult struct {
	Idle        struct{ Stat, Sched float64 } // rTorrent's own CPU share, subtracted
	Fast        cost                          // one fast-tier read
	Full        cost                          // one full scan (a read with a forced scan, less one fast read)
	FullStatic  cost                          // one full scan that also re-reads every label (once per MaxScanInterval)
	Delta       cost                          // one delta scan (a read with a delta scan, less one fast read)
	A, B, Naive cost                          // one scrape
	// The fast tier's movers sub-call alone (internal/reader/moving.go),
	// and the same filter over main, the alternative it was chosen over.
	Movers, MoversMain cost
	FullDur            time.Duration // the Reader's own measure of the full scan (ScanInfo.Duration)
	DeltaDur           time.Duration
	GapFull            time.Duration // cadence after a full scan at the default settings
	GapDelta           time.Duration // cadence after a delta scan
	OursMin            cost          // steady state, per minute, derived
	OursBefore         cost          // per minute had every scan been full (the plugin before the delta scan)
	AMin, BMin         cost
	NaiveMin           cost
	RatioCPU           float64 // OursMin rTorrent CPU / cheaper baseline's
	RatioBytes         float64 // OursMin reply bytes / smaller baseline's
	RatioCPUSt         float64 // the same from /proc stat ticks
}

type sizeResult struct {
	Items, Started int
	LoadTime       time.Duration
	NaiveNote      string
	Runs           []runResult
	Real           *realResult   `json:",omitempty"`
	Budget         *budgetResult `json:",omitempty"`
}

func benchSize(ctx context.Context, tb *testenv.Runner, o *options, n int) sizeResult {
	testenv.Need(tb, "rtorrent")
	rt := testenv.StartRTorrent(tb, testenv.RTorrentOptions{})
	rt.Timeout = 30 * time.Minute
	tors := testenv.FakeTorrents(n, "http://127.0.0.1:1/announce", fmt.Sprint("readcost", n))
	fmt.Fprintf(os.Stderr, "readcost: loading %d items into rTorrent (pid %d) ...\n", n, rt.PID)
	t0 := time.Now()
	rt.LoadRaw(tb, testenv.Metas(tors), false)
	rt.WaitItems(tb, n, 30*time.Minute)
	res := sizeResult{Items: n, LoadTime: time.Since(t0)}
	fmt.Fprintf(os.Stderr, "readcost: loaded %d items in %v\n", n, res.LoadTime.Round(time.Millisecond))
	res.Started = int(float64(n) * o.startedShare)
	var starts []any
	for _, tor := range tors[:res.Started] {
		starts = append(starts, map[string]any{"methodName": "d.start", "params": []any{tor.InfoHash}})
	}
	// In batches: rTorrent 0.9.8 refuses requests over 512 KiB (about
	// 4,000 d.start sub-calls).
	for len(starts) > 0 {
		n := min(len(starts), 2000)
		rt.MustCall(tb, "system.multicall", starts[:n])
		starts = starts[n:]
	}
	rt.WaitItems(tb, n, time.Minute)

	newClient := func() *rtorrent.Client {
		c, err := rtorrent.New(rtorrent.Config{Name: "bench", URL: rt.URL, Timeout: 10 * time.Minute})
		if err != nil {
			tb.Fatalf("%v", err)
		}
		return c
	}
	m := &meter{pid: rt.PID}
	// Readers live across runs, as the plugin's does across reads: their
	// static cache is warm after the first read.
	def := reader.DefaultOptions()
	ours := reader.NewReader(newClient(), def)
	deltaOpt := def
	deltaOpt.LoadBudget, deltaOpt.MinScanInterval, deltaOpt.MaxScanInterval = 1, time.Nanosecond, time.Hour
	deltaReader := reader.NewReader(newClient(), deltaOpt)
	// staticReader's every scan is full and re-reads every label:
	// what the default Reader does once per MaxScanInterval.
	staticOpt := def
	staticOpt.LoadBudget, staticOpt.MinScanInterval, staticOpt.MaxScanInterval = 1, time.Nanosecond, time.Nanosecond
	staticReader := reader.NewReader(newClient(), staticOpt)
	for _, r := range []*reader.Reader{ours, deltaReader, staticReader} {
		if _, err := r.Read(ctx, true); err != nil {
			tb.Fatalf("first read: %v", err)
		}
	}
	base := newClient()
	globals := presentGlobals(ctx, tb, base)

	for i := 0; i < o.runs; i++ {
		fmt.Fprintf(os.Stderr, "readcost: %d items, run %d of %d\n", n, i+1, o.runs)
		r, note := oneRun(ctx, tb, o, m, n, ours, deltaReader, staticReader, base, globals)
		res.NaiveNote = note
		res.Runs = append(res.Runs, r)
	}
	if o.real > 0 {
		res.Real = realRun(ctx, tb, o, m, newClient())
	}
	if o.budget > 0 && n == o.budgetItems {
		var started []string
		for _, tor := range tors[:res.Started] {
			started = append(started, tor.InfoHash)
		}
		res.Budget = budgetRun(ctx, tb, o, m, newClient(), rt, started)
	}
	return res
}

// presentGlobals drops the global commands this rTorrent lacks, as the
// plugin does (it reads system.listMethods once).
func presentGlobals(ctx context.Context, tb *testenv.Runner, c *rtorrent.Client) []string {
	methods, err := c.Methods(ctx)
	if err != nil {
		tb.Fatalf("system.listMethods: %v", err)
	}
	var out []string
	for _, g := range globalCommands {
		if methods[g] {
			out = append(out, g)
		}
	}
	return out
}

func oneRun(ctx context.Context, tb *testenv.Runner, o *options, m *meter, n int, ours, deltaReader, staticReader *reader.Reader,
	base *rtorrent.Client, globals []string) (runResult, string) {
	var r runResult
	must := func(c cost, err error) cost {
		if err != nil {
			tb.Fatalf("%d items: %v", n, err)
		}
		return c
	}
	if err := m.measureIdle(o.idle); err != nil {
		tb.Fatalf("%v", err)
	}
	r.Idle.Stat, r.Idle.Sched = m.idle.stat, m.idle.sched
	oc := []*rtorrent.Client{ours.Client()}

	r.Fast = must(m.measure(o.fastReads, oc, func() error { _, err := ours.ReadFast(ctx); return err })).per()

	scans := max(2, min(20, 200000/n))
	var last *reader.Snapshot
	read := must(m.measure(scans, oc, func() error {
		s, err := ours.Read(ctx, true)
		last = s
		if err == nil && (s.Scan == nil || !s.Scan.Full) {
			err = fmt.Errorf("a forced read did not run a full scan")
		}
		return err
	})).per()
	r.Full = read.minus(r.Fast)
	r.FullDur = last.Scan.Duration

	sc := []*rtorrent.Client{staticReader.Client()}
	read = must(m.measure(scans, sc, func() error {
		s, err := staticReader.Read(ctx, true)
		if err == nil && (s.Scan == nil || !s.Scan.Full) {
			err = fmt.Errorf("a forced read did not run a full scan")
		}
		return err
	})).per()
	r.FullStatic = read.minus(r.Fast)

	dc := []*rtorrent.Client{deltaReader.Client()}
	prev := time.Time{}
	read = must(m.measure(max(20, scans), dc, func() error {
		s, err := deltaReader.Read(ctx, false)
		if err != nil {
			return err
		}
		if s.Scan == nil || s.Scan.Full || !s.Scan.Time.After(prev) {
			return fmt.Errorf("want a delta scan at every read of this reader, got %+v", s.Scan)
		}
		prev, last = s.Scan.Time, s
		return nil
	})).per()
	r.Delta = read.minus(r.Fast)
	r.DeltaDur = last.Scan.Duration

	bc := []*rtorrent.Client{base}
	movers := func(view string) func() error {
		return func() error {
			_, err := base.Call(ctx, "d.multicall.filtered", "", view, "or={d.up.rate=,d.down.rate=}", "d.hash=")
			return err
		}
	}
	r.Movers = must(m.measure(o.fastReads, bc, movers("started"))).per()
	r.MoversMain = must(m.measure(max(20, scans), bc, movers("main"))).per()
	r.A = must(m.measure(scans, bc, func() error { return scrapeA(ctx, base) })).per()
	r.B = must(m.measure(scans, bc, func() error { return scrapeB(ctx, base) })).per()

	var hashes []any
	fixed := must(m.measure(1, bc, func() (err error) { hashes, err = naiveFixed(ctx, base, globals); return err }))
	sample := hashes[:min(len(hashes), o.naiveSample)]
	perItem := must(m.measure(1, bc, func() error { return naiveItems(ctx, base, sample) }))
	k := float64(len(hashes)) / float64(max(1, len(sample)))
	r.Naive = fixed.plus(perItem.scale(k))
	note := "measured in full"
	if len(sample) < len(hashes) {
		note = fmt.Sprintf("sampled: per-item calls run for %d of %d items and scaled ×%.0f", len(sample), len(hashes), k)
		r.Naive.Note = "sampled"
	}

	// Per minute at the default settings. A full scan runs at least every
	// MaxScanInterval (counted as exactly that often: an upper bound) and
	// then also re-reads every label, a delta at every other scan
	// tick; the cadence is the Reader's rule applied to the scan durations
	// the Reader itself measured.
	def := reader.DefaultOptions()
	r.GapFull = scanGap(r.FullDur, def, o.interval)
	r.GapDelta = scanGap(r.DeltaDur, def, o.interval)
	perMin := time.Minute.Seconds()
	r.OursMin = r.Fast.scale(perMin / o.interval.Seconds()).
		plus(r.Delta.scale(perMin / r.GapDelta.Seconds())).
		plus(r.FullStatic.scale(perMin / max(def.MaxScanInterval, r.GapFull).Seconds()))
	r.OursBefore = r.Fast.scale(perMin / o.interval.Seconds()).plus(r.Full.scale(perMin / r.GapFull.Seconds()))
	scrapes := perMin / o.interval.Seconds()
	r.AMin, r.BMin, r.NaiveMin = r.A.scale(scrapes), r.B.scale(scrapes), r.Naive.scale(scrapes)
	r.RatioCPU = r.OursMin.RTSched / min(r.AMin.RTSched, r.BMin.RTSched)
	r.RatioCPUSt = r.OursMin.RTStat / min(r.AMin.RTStat, r.BMin.RTStat)
	r.RatioBytes = r.OursMin.Recv / min(r.AMin.Recv, r.BMin.Recv)
	return r, note
}
