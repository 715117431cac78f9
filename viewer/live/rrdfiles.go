package live

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/rrd"
)

// rrdReader reads the wanted values from the RRD files when collectd's
// unixsock cannot be read. GAUGE sources give their last update as is;
// DERIVE and COUNTER sources keep a raw counter as their last update, so
// their rate is the latest known row of the AVERAGE archive.
type rrdReader struct {
	mu    sync.Mutex
	kinds map[string][]string // file path -> DS kind per DS, in file order
	log   *slog.Logger
	bad   badFiles
}

func (rr *rrdReader) read(ctx context.Context, ix *datadir.Index, pick func([]string) []string) (Readings, []string, error) {
	all := make([]string, len(ix.Hosts))
	for i, h := range ix.Hosts {
		all[i] = h.Name
	}
	r := Readings{}
	var firstErr error
	for _, name := range pick(all) {
		h := ix.Host(name)
		if h == nil {
			continue
		}
		for _, p := range h.Plugins {
			for _, f := range p.Files {
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
				id := f.Identifier()
				if id.Validate() != nil || !Wanted(id) {
					continue
				}
				rd, err := rr.file(f)
				if rr.log != nil {
					rr.bad.note(rr.log, f.Path(), err)
				}
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				r[id] = rd
			}
		}
	}
	if len(r) == 0 && firstErr != nil {
		return nil, nil, firstErr
	}
	return r, all, nil
}

func (rr *rrdReader) file(f *datadir.File) (Reading, error) {
	h, err := f.Open() // librrd reads h.Path(): the file checked beneath DataDir
	if err != nil {
		return Reading{}, err
	}
	defer h.Close()
	last, ds, err := rrd.LastUpdate(h.Path())
	if err != nil {
		return Reading{}, fmt.Errorf("live: %w", err)
	}
	kinds, step, err := rr.kindsOf(f.Path(), h.Path(), ds)
	if err != nil {
		return Reading{}, err
	}
	rd := Reading{Time: last, Values: make([]float64, len(ds))}
	var rows *rrd.FetchResult
	for i, d := range ds {
		if kinds[i] == "GAUGE" {
			rd.Values[i] = d.Value
			continue
		}
		if rows == nil {
			end := last.Unix()
			rows, err = rrd.Fetch(h.Path(), "AVERAGE", end-10*int64(step), end, step)
			if err != nil {
				return Reading{}, fmt.Errorf("live: %w", err)
			}
		}
		rd.Values[i] = lastKnown(rows, i)
	}
	return rd, nil
}

// kindsOf returns the DS kinds (GAUGE, DERIVE, ...) of a file, cached
// under key, its name in DataDir: a file's data sources never change.
// path is the name librrd reads it by.
func (rr *rrdReader) kindsOf(key, path string, ds []rrd.DSValue) ([]string, uint64, error) {
	info, err := rrd.Info(path)
	if err != nil {
		return nil, 0, fmt.Errorf("live: %w", err)
	}
	step, _ := info["step"].(uint64)
	if step == 0 {
		step = 60
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if k, ok := rr.kinds[key]; ok && len(k) == len(ds) {
		return k, step, nil
	}
	kinds := make([]string, len(ds))
	for i, d := range ds {
		kinds[i], _ = info[fmt.Sprintf("ds[%s].type", d.Name)].(string)
	}
	if rr.kinds == nil {
		rr.kinds = map[string][]string{}
	}
	rr.kinds[key] = kinds
	return kinds, step, nil
}

func lastKnown(f *rrd.FetchResult, col int) float64 {
	for i := len(f.Rows) - 1; i >= 0; i-- {
		if col < len(f.Rows[i]) && !math.IsNaN(f.Rows[i][col]) {
			return f.Rows[i][col]
		}
	}
	return math.NaN()
}
