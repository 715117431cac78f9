package traffic

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/graphs"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// MaxFiles bounds the volume files one request sums: each costs one
// export per period and archive, under the render slots. A DataDir with
// more (many hosts, or thousands of labels) is asked per host or
// instance.
const MaxFiles = 256

// ErrTooManyFiles is returned when the request would read more than
// MaxFiles files; the handler answers 422.
var ErrTooManyFiles = errors.New("traffic: too many volume files for one request")

// ErrNotFound is returned for a host or instance the index does not have.
var ErrNotFound = errors.New("traffic: no such host or instance")

// Report is /json/traffic.
type Report struct {
	Generated float64 `json:"generated"` // epoch seconds
	// TZ is the zone days start in: the tz parameter, or "Local" for
	// the viewer's own; Zone is its abbreviation and offset now.
	TZ      string   `json:"tz"`
	Zone    string   `json:"zone"`
	Periods []Period `json:"periods"`
	Hosts   []*Host  `json:"hosts"`
}

// Host is one host's instances and their sum.
type Host struct {
	Name      string      `json:"name"`
	Instances []*Instance `json:"instances"`
	Total     []Cell      `json:"total"`
}

// Instance is one rTorrent instance's trackers and labels. Total is the
// sum of the tracker rows, or of the label rows when the plugin writes no
// tracker files (PerTracker off): every item counts under exactly one
// tracker domain and one label ("none" for items without), so either sum
// is all the instance moved.
type Instance struct {
	Name     string `json:"name"`
	Trackers []*Row `json:"trackers"`
	Labels   []*Row `json:"labels"`
	Total    []Cell `json:"total"`
	// TotalOf says which rows Total sums: "trackers" or "labels".
	TotalOf string `json:"total_of"`
	// Failed counts the rows that could not be read (see Row.Error):
	// when it is not 0, Total lacks their bytes.
	Failed int `json:"rows_failed,omitempty"`
}

// Row is one tracker's or label's file.
type Row struct {
	Name  string `json:"name"`
	Group string `json:"group"` // tracker or label
	// File is "<plugin dir>/<file name>", Graph the graph's ID on the
	// host (/host/:host/:graph).
	File  string `json:"file"`
	Graph string `json:"graph"`
	// Cells are the periods' volumes, in the order of Report.Periods.
	Cells []Cell `json:"cells,omitempty"`
	// Error says why the file could not be read; Cells is then empty.
	Error string `json:"error,omitempty"`
}

// Cell is the bytes moved in one period.
type Cell struct {
	Up   float64 `json:"up"`
	Down float64 `json:"down"`
	// Ratio is up / down; null when nothing was downloaded.
	Ratio *float64 `json:"ratio"`
	// Steps are the archive steps (seconds) the sum was read at: 60 is
	// collectd's finest; larger ones are the coarse archives of older
	// data.
	Steps []int64 `json:"steps,omitempty"`
	// Partial is set when the period begins before the oldest data the
	// archives keep: the figure is what they still hold.
	Partial bool `json:"partial,omitempty"`
}

// Source is what the report needs from the graphs' renderer: FLUSH of
// collectd's cache and a render slot.
type Source interface {
	Flush(ctx context.Context, files []*datadir.File)
	Acquire(ctx context.Context, what string) (release func(), err error)
}

// Build sums every volume file of the request's hosts and instances over
// the periods (Periods and the request's range).
func Build(ctx context.Context, ix *datadir.Index, req Request, now time.Time, src Source) (*Report, error) {
	rep := &Report{Generated: float64(now.UnixMilli()) / 1000, TZ: req.Loc.String(), Zone: now.In(req.Loc).Format("MST -07:00"),
		Periods: Periods(now, req.Loc), Hosts: []*Host{}}
	if req.Range != nil {
		rep.Periods = append(rep.Periods, *req.Range)
	}
	type job struct {
		f   *datadir.File
		row *Row
	}
	var jobs []job
	for _, dh := range ix.Hosts {
		if req.Host != "" && dh.Name != req.Host {
			continue
		}
		h := &Host{Name: dh.Name, Instances: []*Instance{}}
		for _, p := range dh.Plugins {
			if p.Plugin != "rtorrent" || (req.Instance != "" && p.Instance != req.Instance) {
				continue
			}
			in := &Instance{Name: p.Instance, Trackers: []*Row{}, Labels: []*Row{}}
			for _, f := range p.Files {
				g, name, ok := graphs.VolumeName(f)
				if !ok {
					continue
				}
				r := &Row{Name: name, Group: g, File: p.Name + "/" + f.Name, Graph: graphs.VolumeGraphID(f)}
				if g == "tracker" {
					in.Trackers = append(in.Trackers, r)
				} else {
					in.Labels = append(in.Labels, r)
				}
				jobs = append(jobs, job{f, r})
			}
			h.Instances = append(h.Instances, in)
		}
		if len(h.Instances) > 0 || req.Host != "" {
			rep.Hosts = append(rep.Hosts, h)
		}
	}
	if (req.Host != "" && len(rep.Hosts) == 0) || (req.Instance != "" && countInstances(rep) == 0) {
		return nil, ErrNotFound
	}
	if len(jobs) > MaxFiles {
		return nil, fmt.Errorf("%w: %d files, at most %d (ask for one host or instance)", ErrTooManyFiles, len(jobs), MaxFiles)
	}
	files := make([]*datadir.File, len(jobs))
	for i, j := range jobs {
		files[i] = j.f
	}
	src.Flush(ctx, files)
	budget := int64(graphs.MaxPoints)
	for _, j := range jobs {
		if err := fill(ctx, j.f, j.row, rep.Periods, now, src, &budget); err != nil {
			return nil, err
		}
	}
	for _, h := range rep.Hosts {
		h.Total = zero(len(rep.Periods))
		for _, in := range h.Instances {
			for _, rows := range [][]*Row{in.Trackers, in.Labels} {
				sort.Slice(rows, func(a, b int) bool { return rows[a].Name < rows[b].Name })
			}
			in.Total = zero(len(rep.Periods))
			in.TotalOf = "trackers"
			sumRows := in.Trackers
			if len(in.Trackers) == 0 && len(in.Labels) > 0 {
				in.TotalOf, sumRows = "labels", in.Labels
			}
			for _, r := range sumRows {
				add(in.Total, r.Cells)
			}
			for _, rows := range [][]*Row{in.Trackers, in.Labels} {
				for _, r := range rows {
					if r.Error != "" {
						in.Failed++
					}
				}
			}
			add(h.Total, in.Total)
		}
		ratios(h.Total)
		for _, in := range h.Instances {
			ratios(in.Total)
		}
	}
	return rep, nil
}

func countInstances(rep *Report) int {
	n := 0
	for _, h := range rep.Hosts {
		n += len(h.Instances)
	}
	return n
}

// fill sums one file over the periods under one render slot. A file that
// cannot be read is an error of its row; a full queue, a cancelled
// request or the value budget end the whole request.
func fill(ctx context.Context, f *datadir.File, r *Row, periods []Period, now time.Time, src Source, budget *int64) error {
	hd, err := f.Open()
	if err != nil {
		r.Error = err.Error()
		return nil
	}
	defer hd.Close()
	hdr, err := rrd.ReadHeader(hd.Path())
	if err != nil {
		r.Error = err.Error()
		return nil
	}
	release, err := src.Acquire(ctx, "sum traffic")
	if err != nil {
		return err
	}
	defer release()
	cells := make([]Cell, len(periods))
	for i, p := range periods {
		v, err := sum(hd.Path(), hdr, p.From, min(p.To, now.Unix()), budget)
		if errors.Is(err, graphs.ErrTooMuchData) {
			return err
		}
		if err != nil {
			r.Error = err.Error()
			return nil
		}
		cells[i] = Cell{Up: v.Up, Down: v.Down, Steps: v.Steps, Partial: v.Partial}
	}
	ratios(cells)
	r.Cells = cells
	return nil
}

func zero(n int) []Cell { return make([]Cell, n) }

func add(dst, src []Cell) {
	for i := range src {
		if i < len(dst) {
			dst[i].Up += src[i].Up
			dst[i].Down += src[i].Down
			dst[i].Partial = dst[i].Partial || src[i].Partial
		}
	}
}

func ratios(cells []Cell) {
	for i := range cells {
		if cells[i].Down > 0 {
			r := cells[i].Up / cells[i].Down
			cells[i].Ratio = &r
		} else {
			cells[i].Ratio = nil
		}
	}
}

// RatioValue is the ratio for a page's data-value: full precision, ""
// when there is none.
func (c Cell) RatioValue() string {
	if c.Ratio == nil {
		return ""
	}
	return strconv.FormatFloat(*c.Ratio, 'g', 6, 64)
}

// RatioText is the ratio as the page shows it: two decimals, "–" when
// nothing was downloaded.
func (c Cell) RatioText() string {
	if c.Ratio == nil {
		return "–"
	}
	return strconv.FormatFloat(*c.Ratio, 'f', 2, 64)
}
