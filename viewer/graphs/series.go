package graphs

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/rtmon/rtmon/viewer/query"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// Series is a graph's data as a table (rrd xport), for /api/series.
type Series struct {
	// Start is the request's start, or later when no line's archives
	// reach back that far: the table begins where data can be.
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	Step  uint64 `json:"step"`
	Unit  string `json:"unit"`
	Title string `json:"title"`
	// LinesOmitted is how many lines of the graph were left out: a graph
	// exports at most MaxLines (then Note says so).
	LinesOmitted int      `json:"lines_omitted"`
	Note         string   `json:"note,omitempty"`
	Columns      []Column `json:"columns"`
	// Rows are [time, value per column...]; unknown values are null.
	Rows [][]*float64 `json:"rows"`
}

// Column names one series: the graph's legend and the file's data source.
type Column struct {
	Legend string `json:"legend"`
	File   string `json:"file"` // "<plugin dir>/<type[-instance]>"
	DS     string `json:"ds"`
}

// maxRows bounds the rows of a series: enough for a wide screen.
const maxRows = 2000

// Series exports the graph's lines (at most MaxLines) over q's range,
// from where the archives begin, with at most min(q.Width, maxRows) rows,
// under the same render cap as images.
func (r *Renderer) Series(ctx context.Context, d *Def, q query.Request) (*Series, error) {
	lines, omitted, done, err := openCapped(d)
	if err != nil {
		return nil, err
	}
	defer done()
	files := filesOf(lines)
	r.flush(ctx, files)
	release, err := r.acquire(ctx, "export")
	if err != nil {
		return nil, err
	}
	defer release()
	cols := min(q.Width, maxRows)
	p, err := makePlan(d, lines, omitted, q, cols, true, r.header)
	if err != nil {
		return nil, fmt.Errorf("graphs: %s: %w", d.ID, err)
	}
	s := &Series{Unit: d.Unit, Title: d.Title, LinesOmitted: p.omitted}
	if p.omitted > 0 {
		s.Note = omittedNote(p.omitted)
	}
	for _, l := range p.lines {
		s.Columns = append(s.Columns, Column{Legend: l.Legend, File: l.File.Dir.Name + "/" + l.File.Name, DS: l.DS})
	}
	if p.empty {
		s.Start, s.End, s.Step, s.Rows = q.Start, q.End, uint64(p.step), [][]*float64{}
		return s, nil
	}
	// The export begins where the earliest line's archives do (p.start):
	// rows before it could only be unknown.
	args := []string{"--start", strconv.FormatInt(p.start, 10), "--end", strconv.FormatInt(q.End, 10),
		"--maxrows", strconv.Itoa(cols)}
	for i, l := range p.lines {
		args = append(args,
			fmt.Sprintf("DEF:r%d=%s:%s:AVERAGE%s", i, rrd.Escape(l.File.Path()), rrd.Escape(l.DS), p.wins[i].suffix()),
			fmt.Sprintf("CDEF:v%d=r%d,%s,*", i, i, strconv.FormatFloat(l.Scale, 'g', -1, 64)),
			fmt.Sprintf("XPORT:v%d:%s", i, rrd.Escape(fmt.Sprint(i))))
	}
	x, err := rrd.Xport(args)
	if err != nil {
		return nil, fmt.Errorf("graphs: %s: %w", d.ID, err)
	}
	s.Start, s.End, s.Step = x.Start, x.End, x.Step
	s.Rows = make([][]*float64, len(x.Rows))
	for i, row := range x.Rows {
		out := make([]*float64, len(row)+1)
		t := float64(x.Time(i))
		out[0] = &t
		for j, v := range row {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				v := v
				out[j+1] = &v
			}
		}
		s.Rows[i] = out
	}
	return s, nil
}
