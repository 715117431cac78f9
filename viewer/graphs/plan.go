package graphs

import (
	"errors"
	"fmt"
	"time"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/query"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// MaxLines caps the lines of one graph. A stacked graph takes every type
// instance of its plugin directory, and a network peer can make collectd
// create any number of them (memory-x1 ... memory-x1500); librrd's work
// and memory grow with every line. rtmon's largest graph has 11 lines
// (rTorrent's item counts), collectd's cpu and memory states about 10;
// lines past the cap are left out and the graph says so (title, legend,
// X-Graph-Lines-Omitted, the series' lines_omitted).
const MaxLines = 32

// MaxPoints caps the values librrd reads for one request: rows per fetch
// × data sources of the file, summed over the fetches. rrd_fetch returns
// one row per archive step over the whole span asked for, so this is what
// a render's memory grows with (8 bytes per value in the fetch buffer, and
// about as much again in the graph engine). 4 million values are 32 MiB
// of fetch buffers; a year of a 1-minute archive is 0.5 million per data
// source, and collectd's default archives (1440 rows each) are never
// close. A request over the cap is refused (ErrTooMuchData), not cut.
const MaxPoints = 4_000_000

// ErrTooMuchData is returned for a request that would read more than
// MaxPoints values; the handler answers 422.
var ErrTooMuchData = errors.New("too many values for one request")

// plan is what one request draws: the lines after the cap and, for each,
// the window its DEF fetches.
type plan struct {
	lines   []Line
	wins    []window
	omitted int   // lines of the definition left out (MaxLines)
	points  int64 // values librrd reads (estimate mirroring rrd_fetch)
	// start is where the request's DEFs begin at the earliest: the
	// request's start, or for exports (trim) the earliest time a line's
	// archives cover when that lies later.
	start int64
	step  int64 // the step asked of librrd: span ÷ columns
	// empty is set for an export none of whose lines has data in the
	// range; nothing is fetched.
	empty bool
}

// minSteps is the fewest steps of the request a DEF's window spans: librrd
// draws with a step up to about 1.3 times span/width (its canvas is
// narrower than the image) and needs whole steps of its own in a window.
const minSteps = 3

// window is a DEF's ":start=...:end=...:step=..." part.
type window struct {
	start, end, step int64
}

// suffix is the DEF's options.
func (w window) suffix() string {
	return fmt.Sprintf(":step=%d:start=%d:end=%d", w.step, w.start, w.end)
}

// capLines keeps the first MaxLines lines of a definition (before lines
// naming no data source are expanded); it reports how many it left out.
func capLines(lines []Line) ([]Line, int) {
	if len(lines) <= MaxLines {
		return lines, 0
	}
	return lines[:MaxLines], len(lines) - MaxLines
}

// filesOf returns the distinct files of lines, in order.
func filesOf(lines []Line) []*datadir.File {
	d := Def{Lines: lines}
	return d.Files()
}

// headerReader returns a file's header and its current last update.
type headerReader func(f *datadir.File) (*rrd.Header, int64, error)

// makePlan expands d's lines (already cut by capLines, with omitted left
// out), cuts them at MaxLines again, clamps each DEF to the time its
// file's archives cover, asks librrd for a step that gives about cols
// values per line, and refuses the request when the fetches would read
// more than MaxPoints values. With trim (exports) the whole request
// begins where the earliest line's archives do, so the cols values cover
// data rather than years of nothing; an image keeps the asked range,
// which is its time axis.
func makePlan(d *Def, lines []Line, omitted int, q query.Request, cols int, trim bool, hdr headerReader) (*plan, error) {
	expanded, err := expandLines(d.ID, lines, hdr)
	if err != nil {
		return nil, err
	}
	if len(expanded) > MaxLines {
		omitted += len(expanded) - MaxLines
		expanded = expanded[:MaxLines]
	}
	p := &plan{lines: expanded, omitted: omitted}
	type header struct {
		h    *rrd.Header
		last int64
	}
	hdrs := make([]header, len(expanded))
	data := q.End // the earliest time, within the request, that a line has data
	for i, l := range expanded {
		h, last, err := hdr(l.File)
		if err != nil {
			return nil, err
		}
		hdrs[i] = header{h, last}
		w := window{start: q.Start, end: q.End}
		if oldest, ok := h.Oldest("AVERAGE", last); ok && oldest > w.start {
			// Nothing before the oldest archive: a DEF reaching further
			// back only makes librrd allocate unknown rows.
			w.start = min(oldest, q.End)
		}
		data = min(data, w.start)
		p.wins = append(p.wins, w)
	}
	p.start = q.Start
	if trim {
		if data >= q.End {
			// No archive reaches into the range: nothing to export.
			p.empty = true
			p.step = max(1, (q.End-q.Start+int64(cols)-1)/int64(max(cols, 1)))
			return p, nil
		}
		p.start = max(q.Start, min(data, q.End-int64(query.MinSpan/time.Second)))
	}
	step := max(1, (q.End-p.start+int64(cols)-1)/int64(max(cols, 1)))
	p.step = step
	type fetchKey struct {
		path             string
		start, end, step int64
	}
	seen := map[fetchKey]bool{}
	for i, l := range expanded {
		w := &p.wins[i]
		w.step = step
		// At least minSteps steps: librrd consolidates the rows it
		// fetched into whole steps of the graph and fails ("SANITY
		// CHECK: ... rows cannot be reduced") when a DEF's window holds
		// none, as it does when the archive begins just before the end
		// asked or after it.
		w.start = max(p.start, min(w.start, q.End-minSteps*step))
		if trim {
			// librrd 1.7.2's xport reads freed memory (and may crash the
			// viewer) when a DEF's start differs from the export's; the
			// export starts where the earliest line's data does.
			w.start = p.start
		}
		k := fetchKey{l.File.Path(), w.start, w.end, w.step}
		if seen[k] {
			continue // librrd fetches a file once for DEFs of the same window
		}
		seen[k] = true
		_, rows, err := hdrs[i].h.Fetch("AVERAGE", w.start, w.end, w.step, hdrs[i].last)
		if err != nil {
			return nil, fmt.Errorf("graphs: %s: %w", l.File.Path(), err)
		}
		p.points += rows * int64(len(hdrs[i].h.DS))
		if p.points > MaxPoints {
			return nil, fmt.Errorf("%w: %d lines over %d s read more than %d values (MaxPoints); ask a shorter span",
				ErrTooMuchData, len(expanded), q.End-p.start, MaxPoints)
		}
	}
	return p, nil
}
