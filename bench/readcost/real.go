package main

import (
	"context"
	"time"

	"github.com/rtmon/rtmon/internal/reader"
	"github.com/rtmon/rtmon/internal/rtorrent"
	"github.com/rtmon/rtmon/internal/testenv"
)

// realResult is the default Reader run for real, one read per interval,
// as collectd would call it.
type realResult struct {
	Duration     time.Duration
	Reads        int
	Full, Deltas int
	Total        cost // the whole window
	PerMin       cost
	RPCShare     float64 // rTorrent's time inside our RPCs (client-side wait) / wall
	CPUShare     float64 // rTorrent CPU inside our reads (schedstat) / wall
}

// budgetResult is the load-budget run: the default Reader while items
// churn (one is stopped before every read), so every scan it runs is a
// full scan and the budget alone sets the cadence.
type budgetResult struct {
	realResult
	Gaps  []time.Duration // time between scan starts, as chosen by the Reader
	Scans []time.Duration // each scan's rTorrent time (ScanInfo.Duration)
}

// inReads sums rTorrent's CPU time over the windows of our reads only.
// Over minutes a rTorrent has background bursts (tracker retries of
// started items, its own timers) that a short idle sample before the run
// does not catch; inside our reads, which are well under 1% of the time,
// that background is negligible.
type inReads struct {
	pid         int
	stat, sched time.Duration
}

func (w *inReads) around(read func() error) error {
	a, err := readProcCPU(w.pid)
	if err != nil {
		return err
	}
	if err := read(); err != nil {
		return err
	}
	b, err := readProcCPU(w.pid)
	if err != nil {
		return err
	}
	w.stat += b.stat - a.stat
	w.sched += b.sched - a.sched
	return nil
}

// tick calls read once per interval for d, from the start.
func tick(ctx context.Context, interval, d time.Duration, read func() error) error {
	start := time.Now()
	for k := 1; ; k++ {
		at := start.Add(time.Duration(k) * interval)
		if at.Sub(start) > d {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(at)):
		}
		if err := read(); err != nil {
			return err
		}
	}
}

func realRun(ctx context.Context, tb *testenv.Runner, o *options, m *meter, c *rtorrent.Client) *realResult {
	r := reader.NewReader(c, reader.DefaultOptions())
	first, err := r.Read(ctx, false) // the first read: connect, full scan, static fetch
	if err != nil {
		tb.Fatalf("real run: %v", err)
	}
	res := &realResult{Duration: o.real}
	last := first.Scan.Time
	in := &inReads{pid: m.pid}
	total, err := m.measure(1, []*rtorrent.Client{c}, func() error {
		return tick(ctx, o.interval, o.real, func() error {
			var s *reader.Snapshot
			err := in.around(func() (err error) { s, err = r.Read(ctx, false); return err })
			if err != nil {
				return err
			}
			res.Reads++
			if s.Scan != nil && s.Scan.Time.After(last) {
				last = s.Scan.Time
				if s.Scan.Full {
					res.Full++
				} else {
					res.Deltas++
				}
			}
			return nil
		})
	})
	if err != nil {
		tb.Fatalf("real run: %v", err)
	}
	res.finish(total, in)
	return res
}

func (res *realResult) finish(total cost, in *inReads) {
	total.RTSched, total.RTStat = ms(in.sched), ms(in.stat)
	res.Total = total
	res.PerMin = total.scale(time.Minute.Seconds() / (total.Wall / 1000))
	res.RPCShare = total.RTCall / total.Wall
	res.CPUShare = total.RTSched / total.Wall
}

func budgetRun(ctx context.Context, tb *testenv.Runner, o *options, m *meter, c *rtorrent.Client, rt *testenv.RTorrent, started []string) *budgetResult {
	r := reader.NewReader(c, reader.DefaultOptions())
	// The first read also fetches every item's static fields, a scan
	// several times the cost of the others, after which the budget keeps
	// the Reader quiet for minutes: start the window after a second,
	// ordinary full scan.
	if _, err := r.Read(ctx, true); err != nil {
		tb.Fatalf("budget run: %v", err)
	}
	s, err := r.Read(ctx, true)
	if err != nil {
		tb.Fatalf("budget run: %v", err)
	}
	res := &budgetResult{realResult: realResult{Duration: o.budget}}
	last := s.Scan.Time
	lastStart := last.Add(-s.Scan.Duration)
	k := 0
	in := &inReads{pid: m.pid}
	total, err := m.measure(1, []*rtorrent.Client{c}, func() error {
		return tick(ctx, o.interval, o.budget, func() error {
			// Churn: one more started item stopped before every read, so
			// the view sizes differ from the last scan's at every scan
			// the Reader lets run, and each is a full scan.
			if k < len(started) {
				if _, err := rt.Call("d.stop", started[k]); err != nil {
					return err
				}
				k++
			}
			var s *reader.Snapshot
			err := in.around(func() (err error) { s, err = r.Read(ctx, false); return err })
			if err != nil {
				return err
			}
			res.Reads++
			if s.Scan.Time.After(last) {
				if s.Scan.Full {
					res.Full++
				} else {
					res.Deltas++
				}
				start := s.Scan.Time.Add(-s.Scan.Duration)
				res.Gaps = append(res.Gaps, start.Sub(lastStart).Round(time.Second))
				res.Scans = append(res.Scans, s.Scan.Duration.Round(time.Millisecond))
				last, lastStart = s.Scan.Time, start
			}
			return nil
		})
	})
	if err != nil {
		tb.Fatalf("budget run: %v", err)
	}
	res.finish(total, in)
	return res
}
