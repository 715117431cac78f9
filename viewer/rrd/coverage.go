package rrd

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Header is the part of an RRD file's header that decides how much a
// fetch reads: the base step, the data sources and the archives. The
// viewer reads it to clamp a graph's DEFs to the time the archives cover
// and to estimate a render's size before librrd allocates it: rrd_fetch
// returns one row per archive step over the whole span asked for, covered
// or not (ten years of a 1-minute archive are 5.3 million rows per data
// source, whatever the archive holds).
type Header struct {
	Step       int64    // seconds per primary data point
	LastUpdate int64    // epoch seconds, when the header was read
	DS         []string // data source names in file order
	Archives   []Archive
}

// Archive is one RRA: Rows rows of Step seconds each.
type Archive struct {
	CF   string
	Step int64
	Rows int64
}

// ReadHeader reads path's header with rrd_info (thread-safe, not under
// the graph lock).
func ReadHeader(path string) (*Header, error) {
	info, err := Info(path)
	if err != nil {
		return nil, err
	}
	return headerOf(path, info)
}

func headerOf(path string, info map[string]any) (*Header, error) {
	h := &Header{}
	step, ok := asInt64(info["step"])
	if !ok || step <= 0 {
		return nil, fmt.Errorf("rrd header: %s: no positive step", path)
	}
	h.Step = step
	h.LastUpdate, _ = asInt64(info["last_update"])
	type ds struct {
		name  string
		index int64
	}
	var dss []ds
	rras := map[int]*Archive{}
	pdp := map[int]int64{}
	for k, v := range info {
		if name, ok := field(k, "ds[", "].index"); ok {
			i, _ := asInt64(v)
			dss = append(dss, ds{name, i})
			continue
		}
		if !strings.HasPrefix(k, "rra[") {
			continue
		}
		for _, suf := range []string{"].cf", "].rows", "].pdp_per_row"} {
			num, ok := field(k, "rra[", suf)
			if !ok {
				continue
			}
			i, err := strconv.Atoi(num)
			if err != nil || i < 0 || i > 1<<16 {
				continue
			}
			a := rras[i]
			if a == nil {
				a = &Archive{}
				rras[i] = a
			}
			switch suf {
			case "].cf":
				a.CF, _ = v.(string)
			case "].rows":
				a.Rows, _ = asInt64(v)
			case "].pdp_per_row":
				pdp[i], _ = asInt64(v)
			}
		}
	}
	sort.Slice(dss, func(i, j int) bool { return dss[i].index < dss[j].index })
	for _, d := range dss {
		h.DS = append(h.DS, d.name)
	}
	for i := 0; i < len(rras); i++ {
		a := rras[i]
		if a == nil || a.Rows <= 0 || pdp[i] <= 0 {
			return nil, fmt.Errorf("rrd header: %s: archive %d has no rows or no step", path, i)
		}
		a.Step = satMul(pdp[i], step)
		h.Archives = append(h.Archives, *a)
	}
	if len(h.DS) == 0 || len(h.Archives) == 0 {
		return nil, fmt.Errorf("rrd header: %s: no data source or no archive", path)
	}
	return h, nil
}

// field returns what lies between pre and suf in k.
func field(k, pre, suf string) (string, bool) {
	if len(k) <= len(pre)+len(suf) || !strings.HasPrefix(k, pre) || !strings.HasSuffix(k, suf) {
		return "", false
	}
	return k[len(pre) : len(k)-len(suf)], true
}

// span is the time archive a covers when the file was last updated at
// last, as rrd_fetch computes it: rows ending at the archive step that
// holds last.
func (a Archive) span(last int64) (start, end int64) {
	end = last - mod(last, a.Step)
	return end - satMul(a.Step, a.Rows), end
}

// Oldest returns the earliest time any archive of consolidation function
// cf covers, the file being last updated at last; false when the file has
// no such archive.
func (h *Header) Oldest(cf string, last int64) (int64, bool) {
	oldest, ok := int64(math.MaxInt64), false
	for _, a := range h.Archives {
		if a.CF == cf {
			s, _ := a.span(last)
			oldest, ok = min(oldest, s), true
		}
	}
	return oldest, ok
}

// Fetch returns the archive rrd_fetch (librrd 1.7.2, rrd_fetch_fn) picks
// for a fetch of cf over [start, end] at step, and how many rows it then
// returns per data source. librrd picks, among the archives whose span
// reaches back to start, the one whose step is nearest to step; when
// none does, the one covering most of the range. The rows span the whole
// range at the picked archive's step whether the archive holds them or
// not.
func (h *Header) Fetch(cf string, start, end, step, last int64) (Archive, int64, error) {
	full, part := -1, -1
	var fullDiff, partDiff, partMatch int64
	for i, a := range h.Archives {
		if a.CF != cf {
			continue
		}
		s, _ := a.span(last)
		diff := abs(step - a.Step)
		if s <= start {
			if full < 0 || diff < fullDiff {
				full, fullDiff = i, diff
			}
			continue
		}
		match := (end - start) - (s - start)
		if part < 0 || partMatch < match || (partMatch == match && diff < partDiff) {
			part, partMatch, partDiff = i, match, diff
		}
	}
	pick := full
	if pick < 0 {
		pick = part
	}
	if pick < 0 {
		return Archive{}, 0, fmt.Errorf("rrd header: no %s archive", cf)
	}
	a := h.Archives[pick]
	s := start - mod(start, a.Step)
	e := end + (a.Step - mod(end, a.Step))
	return a, (e-s)/a.Step + 1, nil
}

// satMul multiplies positive numbers, saturating at a large bound instead
// of overflowing (a hostile header may claim any row count).
func satMul(a, b int64) int64 {
	const lim = math.MaxInt64 / 4
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > lim/b {
		return lim
	}
	return a * b
}

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func abs(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}
