package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Targets from issue 6: the plugin adds at most 20 MiB to collectd, and
// that figure stays flat over the run. "Flat" is read as: the added RSS
// of the last window is within flatKiB of the first window's, and the
// least-squares slope over the run, projected over 30 minutes, too.
const (
	budgetKiB = 20 << 10
	flatKiB   = 1 << 10
)

// summary is what a run shows.
type summary struct {
	samples                        int
	span, window                   time.Duration
	added                          int64   // median of with-base over the last window, KiB
	withFirst, withLast            int64   // medians of the with-plugin RSS, KiB
	baseFirst, baseLast            int64   // medians of the baseline RSS, KiB
	addedFirst, addedLast          int64   // medians of with-base, KiB
	addedAnon, addedFile           int64   // the same for RssAnon and RssFile+RssShmem over the last window
	withSlope, baseSlope, addSlope float64 // KiB per minute, least squares over the whole run
	settledSlope                   float64 // the same for the added RSS after the first window (start-up left out)
	withThrMin, withThrMax         int
	baseThrMin, baseThrMax         int
	moving                         float64 // fraction of samples with the leecher downloading
	downMedian                     int64   // B/s
	rtorrentValues                 int     // rtorrent-* identifiers collectd held at the end
	pluginErrors                   int     // error lines from the plugin in collectd's log
	problems                       []string
}

func summarize(ss []sample, window time.Duration) *summary {
	sum := &summary{samples: len(ss), window: window}
	if len(ss) == 0 {
		sum.problems = append(sum.problems, "no samples")
		return sum
	}
	last := ss[len(ss)-1].at
	sum.span = last
	first := func(s sample) bool { return s.at <= window }
	final := func(s sample) bool { return s.at >= last-window }
	with := func(s sample) int64 { return s.withRSS }
	base := func(s sample) int64 { return s.baseRSS }
	added := func(s sample) int64 { return s.withRSS - s.baseRSS }
	sum.withFirst, sum.withLast = median(ss, first, with), median(ss, final, with)
	sum.baseFirst, sum.baseLast = median(ss, first, base), median(ss, final, base)
	sum.addedFirst, sum.addedLast = median(ss, first, added), median(ss, final, added)
	sum.added = sum.addedLast
	sum.addedAnon = median(ss, final, func(s sample) int64 { return s.withAnon - s.baseAnon })
	sum.addedFile = median(ss, final, func(s sample) int64 { return s.withFile - s.baseFile })
	sum.withSlope, sum.baseSlope, sum.addSlope = slope(ss, with), slope(ss, base), slope(ss, added)
	var settled []sample
	for _, s := range ss {
		if s.at > window {
			settled = append(settled, s)
		}
	}
	sum.settledSlope = slope(settled, added)
	sum.withThrMin, sum.withThrMax = ss[0].withThreads, ss[0].withThreads
	sum.baseThrMin, sum.baseThrMax = ss[0].baseThr, ss[0].baseThr
	var moving int
	downs := make([]int64, 0, len(ss))
	for _, s := range ss {
		sum.withThrMin, sum.withThrMax = min(sum.withThrMin, s.withThreads), max(sum.withThrMax, s.withThreads)
		sum.baseThrMin, sum.baseThrMax = min(sum.baseThrMin, s.baseThr), max(sum.baseThrMax, s.baseThr)
		if s.downRate > 0 {
			moving++
		}
		downs = append(downs, s.downRate)
	}
	sum.moving = float64(moving) / float64(len(ss))
	sum.downMedian = medianOf(downs)
	return sum
}

// check adds what the run's processes show: collectd still holds the
// plugin's values, and the plugin logged no errors.
func (sum *summary) check(s *stack) {
	ids, err := listval(s.withConf.Socket)
	if err != nil {
		sum.problems = append(sum.problems, fmt.Sprintf("LISTVAL at the end: %v", err))
	}
	sum.rtorrentValues = countPrefix(ids, "rtorrent-")
	if sum.rtorrentValues == 0 {
		sum.problems = append(sum.problems, "collectd held no rtorrent-* values at the end: the plugin was not reading")
	}
	if b, err := os.ReadFile(s.withConf.Log); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "[error]") && strings.Contains(line, "rtorrent") {
				sum.pluginErrors++
			}
		}
	}
	if sum.moving < 0.9 {
		sum.problems = append(sum.problems, fmt.Sprintf("data moved in only %.0f%% of the samples", 100*sum.moving))
	}
}

func (sum *summary) String() string {
	var b strings.Builder
	mib := func(k int64) string { return fmt.Sprintf("%.2f MiB", float64(k)/1024) }
	fmt.Fprintf(&b, "samples: %d over %v; windows: first and last %v\n", sum.samples, sum.span.Round(time.Second), sum.window)
	fmt.Fprintf(&b, "collectd with plugin RSS: first %s, last %s (growth %+.0f KiB), slope %+.1f KiB/min\n",
		mib(sum.withFirst), mib(sum.withLast), float64(sum.withLast-sum.withFirst), sum.withSlope)
	fmt.Fprintf(&b, "collectd baseline RSS:    first %s, last %s (growth %+.0f KiB), slope %+.1f KiB/min\n",
		mib(sum.baseFirst), mib(sum.baseLast), float64(sum.baseLast-sum.baseFirst), sum.baseSlope)
	fmt.Fprintf(&b, "RSS the plugin adds:      %s (median of the last window); first window %s; growth %+.0f KiB; slope %+.1f KiB/min (%+.0f KiB per 30 min)\n",
		mib(sum.added), mib(sum.addedFirst), float64(sum.addedLast-sum.addedFirst), sum.addSlope, 30*sum.addSlope)
	fmt.Fprintf(&b, "of which anonymous (RssAnon) %s, file-backed (RssFile+RssShmem: rtorrent.so's pages) %s\n", mib(sum.addedAnon), mib(sum.addedFile))
	fmt.Fprintf(&b, "RSS the plugin adds after the first window: slope %+.1f KiB/min (%+.0f KiB per 30 min)\n", sum.settledSlope, 30*sum.settledSlope)
	fmt.Fprintf(&b, "threads: with plugin %d..%d, baseline %d..%d\n", sum.withThrMin, sum.withThrMax, sum.baseThrMin, sum.baseThrMax)
	fmt.Fprintf(&b, "swarm: leecher downloading in %.0f%% of samples, median %.0f KiB/s; collectd held %d rtorrent-* values at the end; plugin error lines in its log: %d\n",
		100*sum.moving, float64(sum.downMedian)/1024, sum.rtorrentValues, sum.pluginErrors)
	pass := func(ok bool) string {
		if ok {
			return "PASS"
		}
		return "FAIL"
	}
	growth := sum.addedLast - sum.addedFirst
	proj := int64(30 * sum.settledSlope)
	fmt.Fprintf(&b, "target added ≤ 20 MiB: %s; target flat (first-to-last-window growth and settled slope x 30 min within %d KiB): %s\n",
		pass(sum.added <= budgetKiB), flatKiB, pass(abs(growth) <= flatKiB && abs(proj) <= flatKiB))
	if sum.span < 20*time.Minute {
		fmt.Fprintf(&b, "note: a %v run shows start-up more than growth; the flatness target is judged on 30 minutes\n", sum.span.Round(time.Second))
	}
	for _, p := range sum.problems {
		fmt.Fprintf(&b, "PROBLEM: %s\n", p)
	}
	return b.String()
}

func median(ss []sample, in func(sample) bool, v func(sample) int64) int64 {
	var xs []int64
	for _, s := range ss {
		if in(s) {
			xs = append(xs, v(s))
		}
	}
	return medianOf(xs)
}

func medianOf(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}

// slope is the least-squares slope of v over time, in KiB per minute.
func slope(ss []sample, v func(sample) int64) float64 {
	if len(ss) < 2 {
		return 0
	}
	var n, sx, sy, sxx, sxy float64
	for _, s := range ss {
		x, y := s.at.Minutes(), float64(v(s))
		n++
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
