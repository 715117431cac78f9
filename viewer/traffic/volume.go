package traffic

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// Volume is the bytes a file's counters moved over a period.
type Volume struct {
	Up, Down float64
	// Steps are the archive steps the sum was read at, finest first.
	Steps []int64
	// Partial is set when the period begins before the oldest row any
	// archive holds: the sum covers only the part the archives reach.
	Partial bool
}

// segment is a part of a period read from one archive: (From, To] at Step.
type segment struct {
	From, To, Step int64
}

// archive is one AVERAGE archive: what it covers and its step.
type archive struct {
	step, oldest int64 // oldest: where its oldest complete row begins
}

// archives lists hdr's AVERAGE archives, finest first. An archive ending
// at the last update rounded down to its step reaches back rows x step;
// one row is kept as margin (the row being overwritten next).
func archives(hdr *rrd.Header) []archive {
	var out []archive
	for _, a := range hdr.Archives {
		if a.CF != "AVERAGE" || a.Step <= 0 || a.Rows <= 1 {
			continue
		}
		end := hdr.LastUpdate - hdr.LastUpdate%a.Step
		out = append(out, archive{step: a.Step, oldest: end - (a.Rows-1)*a.Step})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].step < out[j].step })
	return out
}

// segments cuts (from, to] into parts, newest first, each read from the
// finest archive that still holds it. Where the reading passes from one
// archive to the next coarser one, the cut lies on a multiple of both
// steps: both archives' rows end there, so no row is split and the sum is
// exact across the cut. What no archive reaches is left out (it could
// only be unknown rows); the caller marks such a sum partial.
func segments(arcs []archive, from, to int64) []segment {
	var out []segment
	end := to
	for i, a := range arcs {
		if end <= from {
			break
		}
		if from >= a.oldest {
			out = append(out, segment{from, end, a.step})
			break
		}
		if i == len(arcs)-1 {
			if a.oldest < end {
				out = append(out, segment{a.oldest, end, a.step})
			}
			break
		}
		l := lcm(a.step, arcs[i+1].step)
		cut := (a.oldest + l - 1) / l * l // first common row end the archive holds
		if cut >= end {
			continue // this archive holds nothing of the range that ends on a common boundary
		}
		out = append(out, segment{max(cut, from), end, a.step})
		end = cut
	}
	return out
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func lcm(a, b int64) int64 { return a / gcd(a, b) * b }

// sum reads (from, to] of the file at path (a /proc/self/fd path of a
// file opened beneath DataDir) with rrd_xport, one export per segment,
// and adds rate x the part of each row inside the range. budget is the
// number of values the request may still read (graphs.MaxPoints in all);
// an export that would exceed it is refused with graphs.ErrTooMuchData.
func sum(path string, hdr *rrd.Header, from, to int64, budget *int64) (Volume, error) {
	var v Volume
	if !slices.Contains(hdr.DS, "up") || !slices.Contains(hdr.DS, "down") {
		return v, fmt.Errorf("traffic: data sources %v, want up and down", hdr.DS)
	}
	if to <= from {
		return v, nil
	}
	arcs := archives(hdr)
	if len(arcs) == 0 {
		return v, fmt.Errorf("traffic: no AVERAGE archive")
	}
	v.Partial = from < arcs[len(arcs)-1].oldest
	for _, s := range segments(arcs, from, to) {
		rows := (s.To-s.From)/s.Step + 2
		if *budget -= 2 * rows; *budget < 0 {
			return v, graphs.ErrTooMuchData
		}
		x, err := rrd.Xport([]string{
			"--start", strconv.FormatInt(s.From, 10), "--end", strconv.FormatInt(s.To, 10),
			"--step", strconv.FormatInt(s.Step, 10), "--maxrows", strconv.FormatInt(rows+1, 10),
			"DEF:u=" + rrd.Escape(path) + ":up:AVERAGE", "DEF:d=" + rrd.Escape(path) + ":down:AVERAGE",
			"XPORT:u", "XPORT:d",
		})
		if err != nil {
			return v, fmt.Errorf("traffic: xport %d..%d: %w", s.From, s.To, err)
		}
		up, down := addRows(x, s.From, s.To)
		v.Up += up
		v.Down += down
		if !slices.Contains(v.Steps, int64(x.Step)) {
			v.Steps = append(v.Steps, int64(x.Step))
		}
	}
	slices.Sort(v.Steps)
	return v, nil
}

// addRows sums rate x seconds over the rows of x inside (from, to]: row i
// covers (Time(i)-Step, Time(i)]; a row partly inside counts its share.
// Unknown rows count 0.
func addRows(x *rrd.XportResult, from, to int64) (up, down float64) {
	for i, row := range x.Rows {
		end := x.Time(i)
		in := min(end, to) - max(end-int64(x.Step), from)
		if in <= 0 || len(row) < 2 {
			continue
		}
		if !math.IsNaN(row[0]) && !math.IsInf(row[0], 0) {
			up += row[0] * float64(in)
		}
		if !math.IsNaN(row[1]) && !math.IsInf(row[1], 0) {
			down += row[1] * float64(in)
		}
	}
	return up, down
}
