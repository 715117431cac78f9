package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medianCost takes the median of every figure separately.
func medianCost(cs []cost) cost {
	field := func(f func(cost) float64) float64 {
		xs := make([]float64, len(cs))
		for i, c := range cs {
			xs[i] = f(c)
		}
		return median(xs)
	}
	out := cost{Ops: 1,
		Calls: field(func(c cost) float64 { return c.Calls }), Sent: field(func(c cost) float64 { return c.Sent }),
		Recv: field(func(c cost) float64 { return c.Recv }), RTStat: field(func(c cost) float64 { return c.RTStat }),
		RTSched: field(func(c cost) float64 { return c.RTSched }), RTCall: field(func(c cost) float64 { return c.RTCall }),
		Wall: field(func(c cost) float64 { return c.Wall }), OurCPU: field(func(c cost) float64 { return c.OurCPU }),
		Allocs: field(func(c cost) float64 { return c.Allocs }), AllocKiB: field(func(c cost) float64 { return c.AllocKiB })}
	if len(cs) > 0 {
		out.Note = cs[0].Note
	}
	return out
}

func pick(runs []runResult, f func(runResult) cost) cost {
	cs := make([]cost, len(runs))
	for i, r := range runs {
		cs[i] = f(r)
	}
	return medianCost(cs)
}

func pickF(runs []runResult, f func(runResult) float64) float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	return median(xs)
}

// num prints a figure with three significant digits, or as an integer
// when it is large.
func num(x float64) string {
	switch {
	case x == 0:
		return "0"
	case x >= 1000 || x <= -1000:
		return groupDigits(fmt.Sprintf("%.0f", x))
	case x >= 100 || x <= -100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10 || x <= -10:
		return fmt.Sprintf("%.1f", x)
	case x >= 1 || x <= -1:
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("%.3f", x)
}

func groupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

const header = "| | round trips | request B | reply B | rTorrent CPU ms (schedstat) | rTorrent CPU ms (/proc stat) | waiting on rTorrent ms | wall ms | our CPU ms | our allocs | our KiB allocated |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"

func row(w io.Writer, name string, c cost) {
	fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name,
		num(c.Calls), num(c.Sent), num(c.Recv), num(c.RTSched), num(c.RTStat), num(c.RTCall), num(c.Wall),
		num(c.OurCPU), num(c.Allocs), num(c.AllocKiB))
}

func printSize(w io.Writer, o *options, s sizeResult) {
	rs := s.Runs
	fmt.Fprintf(w, "\n### %s items (%d started), medians of %d runs\n\n", groupDigits(fmt.Sprint(s.Items)), s.Started, len(rs))
	fmt.Fprintf(w, "Loaded with load.raw in %v. rTorrent's own CPU share when idle (subtracted below): %.2f%% (schedstat), %.2f%% (/proc stat).\n\n",
		s.LoadTime.Round(100*time.Millisecond), 100*pickF(rs, func(r runResult) float64 { return r.Idle.Sched }),
		100*pickF(rs, func(r runResult) float64 { return r.Idle.Stat }))
	fmt.Fprint(w, "Per read (baselines: per scrape):\n\n", header)
	row(w, "ours: fast tier", pick(rs, func(r runResult) cost { return r.Fast }))
	row(w, "ours: fast tier's movers sub-call alone (d.multicall.filtered started)", pick(rs, func(r runResult) cost { return r.Movers }))
	row(w, "alternative: the movers filter over main", pick(rs, func(r runResult) cost { return r.MoversMain }))
	row(w, "ours: full scan", pick(rs, func(r runResult) cost { return r.Full }))
	row(w, "ours: full scan + labels re-read", pick(rs, func(r runResult) cost { return r.FullStatic }))
	row(w, "ours: delta scan", pick(rs, func(r runResult) cost { return r.Delta }))
	row(w, "baseline a: download_list per view + per-item calls for active", pick(rs, func(r runResult) cost { return r.A }))
	row(w, "baseline b: d.multicall2, 10 fields", pick(rs, func(r runResult) cost { return r.B }))
	naive := "naive: one call per sensor"
	if s.NaiveNote != "measured in full" {
		naive += " (" + s.NaiveNote + ")"
	}
	row(w, naive, pick(rs, func(r runResult) cost { return r.Naive }))
	gf := time.Duration(pickF(rs, func(r runResult) float64 { return float64(r.GapFull) }))
	gd := time.Duration(pickF(rs, func(r runResult) float64 { return float64(r.GapDelta) }))
	fmt.Fprintf(w, "\nPer minute at the default settings (Interval %v; scan cadence from the Reader's rule: after a full scan of %v the next scan waits %v, after a delta scan of %v, %v; a full scan with the labels re-read every 15 min at most, counted as exactly that):\n\n",
		o.interval, time.Duration(pickF(rs, func(r runResult) float64 { return float64(r.FullDur) })).Round(time.Millisecond), gf,
		time.Duration(pickF(rs, func(r runResult) float64 { return float64(r.DeltaDur) })).Round(10*time.Microsecond), gd)
	fmt.Fprint(w, header)
	row(w, "ours: steady state", pick(rs, func(r runResult) cost { return r.OursMin }))
	row(w, "ours before the delta scan (every scan full)", pick(rs, func(r runResult) cost { return r.OursBefore }))
	row(w, "baseline a", pick(rs, func(r runResult) cost { return r.AMin }))
	row(w, "baseline b", pick(rs, func(r runResult) cost { return r.BMin }))
	row(w, naive, pick(rs, func(r runResult) cost { return r.NaiveMin }))
	fmt.Fprintf(w, "\nOurs / cheaper baseline, per minute (median of per-run ratios): rTorrent CPU %.4f (schedstat), %.4f (/proc stat); reply bytes %.4f.\n",
		pickF(rs, func(r runResult) float64 { return r.RatioCPU }), pickF(rs, func(r runResult) float64 { return r.RatioCPUSt }),
		pickF(rs, func(r runResult) float64 { return r.RatioBytes }))
	if s.Real != nil {
		x := s.Real
		fmt.Fprintf(w, "\nReal run: the default Reader read every %v for %v (%d reads, %d full and %d delta scans): per minute\n\n%s", o.interval, x.Duration, x.Reads, x.Full, x.Deltas, header)
		row(w, "ours, real run", x.PerMin)
		fmt.Fprintf(w, "\nrTorrent time inside our RPCs: %.3f%% of wall (client-side wait); rTorrent CPU inside our reads: %.3f%% of wall (rTorrent CPU columns of this row: summed over our reads only).\n", 100*x.RPCShare, 100*x.CPUShare)
	}
	if s.Budget != nil {
		x := s.Budget
		fmt.Fprintf(w, "\nLoad-budget run: the default Reader read every %v for %v while items churned (one more item stopped before every read, so every scan is full): %d reads, %d full and %d delta scans taking %v of rTorrent time each, started %v apart (the Reader's choice: at least scan time / 1%%, at least 30 s, at a read).\n",
			o.interval, x.Duration, x.Reads, x.Full, x.Deltas, x.Scans, x.Gaps)
		fmt.Fprintf(w, "rTorrent time inside our RPCs: %.3f%% of wall (client-side wait); rTorrent CPU inside our reads: %.3f%% of wall (schedstat). Budget: 1%%.\n", 100*x.RPCShare, 100*x.CPUShare)
	}
}

func printTargets(w io.Writer, o *options, all []sizeResult) {
	fmt.Fprintf(w, "\n### Targets\n\n| target | figure | result |\n|---|---|---|\n")
	pass := func(ok bool) string {
		if ok {
			return "pass"
		}
		return "**fail**"
	}
	for _, s := range all {
		calls := pickF(s.Runs, func(r runResult) float64 { return r.Fast.Calls })
		fmt.Fprintf(w, "| fast tier: one round trip (%s items) | %s round trips per read | %s |\n", groupDigits(fmt.Sprint(s.Items)), num(calls), pass(calls == 1))
	}
	if len(all) > 1 {
		lo, hi := all[0], all[len(all)-1]
		for _, f := range []struct {
			name string
			get  func(runResult) float64
		}{
			{"rTorrent CPU (schedstat)", func(r runResult) float64 { return r.Fast.RTSched }},
			{"waiting on rTorrent", func(r runResult) float64 { return r.Fast.RTCall }},
			{"reply bytes", func(r runResult) float64 { return r.Fast.Recv }},
		} {
			a, b := pickF(lo.Runs, f.get), pickF(hi.Runs, f.get)
			ratio := b / a
			fmt.Fprintf(w, "| fast tier flat from %s to %s items, within 10%%: %s | %s → %s (×%.3f) | %s |\n",
				groupDigits(fmt.Sprint(lo.Items)), groupDigits(fmt.Sprint(hi.Items)), f.name, num(a), num(b), ratio, pass(ratio <= 1.10))
		}
	}
	for _, s := range all {
		if s.Items != 10000 {
			continue
		}
		c := pickF(s.Runs, func(r runResult) float64 { return r.RatioCPU })
		cs := pickF(s.Runs, func(r runResult) float64 { return r.RatioCPUSt })
		b := pickF(s.Runs, func(r runResult) float64 { return r.RatioBytes })
		fmt.Fprintf(w, "| 10,000 items, per minute: rTorrent CPU ≤ 1/10 of the cheaper baseline | %.4f (schedstat), %.4f (/proc stat) | %s |\n", c, cs, pass(c <= 0.1 && cs <= 0.1))
		fmt.Fprintf(w, "| 10,000 items, per minute: reply bytes ≤ 1/10 of the smaller baseline | %.4f | %s |\n", b, pass(b <= 0.1))
	}
	for _, s := range all {
		if s.Budget != nil {
			fmt.Fprintf(w, "| load budget at %s items: rTorrent time inside our RPCs ≤ 1%% of wall | %.3f%% (wait), %.3f%% (CPU), items churning, every scan full | %s |\n",
				groupDigits(fmt.Sprint(s.Items)), 100*s.Budget.RPCShare, 100*s.Budget.CPUShare, pass(s.Budget.RPCShare <= 0.01))
		}
		if s.Real != nil && s.Items == 50000 {
			fmt.Fprintf(w, "| load at 50,000 items, default Reader for real | %.3f%% (wait), %.3f%% (CPU) | %s |\n",
				100*s.Real.RPCShare, 100*s.Real.CPUShare, pass(s.Real.RPCShare <= 0.01))
		}
	}
}

func writeJSON(path string, all []sizeResult) error {
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
