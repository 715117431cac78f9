package query

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Bounds on what a request may ask for. Images larger than MaxWidth x
// MaxHeight cost librrd time and memory for no visible gain; spans outside
// [MinSpan, MaxSpan] are either below the RRD step or beyond the archives.
const (
	MinWidth, MaxWidth   = 160, 4000
	MinHeight, MaxHeight = 80, 2000
	DefaultWidth         = 800
	DefaultHeight        = 300

	MinSpan = 60 * time.Second
	MaxSpan = 10 * 366 * 24 * time.Hour

	// MaxAge is how far back a start may lie: older than collectd and rrdtool.
	MaxAge = 30 * 366 * 24 * time.Hour
	// MaxAhead is how far into the future an end may lie: enough to pan a
	// little past now, not enough to ask for decades of empty rows.
	MaxAhead = 24 * time.Hour
)

// Ranges are the named spans, in the order the pages offer them. 1m and 1y
// match the 31-day and 366-day archives the rrdtool snippet creates.
var Ranges = []struct {
	Name string
	Span time.Duration
}{
	{"1h", time.Hour},
	{"6h", 6 * time.Hour},
	{"1d", 24 * time.Hour},
	{"1w", 7 * 24 * time.Hour},
	{"1m", 31 * 24 * time.Hour},
	{"1y", 366 * 24 * time.Hour},
}

// DefaultRange is used when a request names neither a range nor a start.
const DefaultRange = "1d"

// Formats and themes a graph can be drawn in.
var (
	Formats = []string{"png", "svg"}
	Themes  = []string{"light", "dark"}
)

// Request is a parsed, bounded graph or series request.
type Request struct {
	// Start and End are epoch seconds; End-Start is within [MinSpan, MaxSpan].
	Start, End int64
	// Range is the named range when the request gave no explicit start or
	// end (a "moving" graph ending now); empty otherwise.
	Range         string
	Width, Height int
	Format, Theme string
}

// Span returns End-Start.
func (r Request) Span() time.Duration { return time.Duration(r.End-r.Start) * time.Second }

// ErrBadParam is wrapped by every error Parse returns.
var ErrBadParam = errors.New("bad parameter")

func bad(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadParam, fmt.Sprintf(format, a...))
}

// Parse reads a request's parameters relative to now. Unknown parameters
// are ignored; a known one given twice, malformed or out of bounds is an
// error wrapping ErrBadParam whose text is safe to show (it quotes no
// request text beyond the parameter name).
//
// Without start and end the graph covers the named range (default 1d)
// ending now, with End rounded down to a step of the range (see Align) so
// that repeated requests hit the render cache. With end only, it covers
// the range before end; with start only, the range after start (cut at
// now); with both, exactly that span.
func Parse(v url.Values, now time.Time) (Request, error) {
	r := Request{Width: DefaultWidth, Height: DefaultHeight, Format: "png", Theme: "light"}
	if err := Once(v, "range", "start", "end", "w", "h", "fmt", "theme"); err != nil {
		return Request{}, err
	}
	var err error
	if r.Width, err = intParam(v, "w", DefaultWidth, MinWidth, MaxWidth); err != nil {
		return Request{}, err
	}
	if r.Height, err = intParam(v, "h", DefaultHeight, MinHeight, MaxHeight); err != nil {
		return Request{}, err
	}
	if r.Format, err = oneOf(v, "fmt", "png", Formats); err != nil {
		return Request{}, err
	}
	if r.Theme, err = oneOf(v, "theme", "light", Themes); err != nil {
		return Request{}, err
	}

	name := v.Get("range")
	span, ok := RangeSpan(name)
	if name == "" {
		name = DefaultRange
		span, ok = RangeSpan(name)
	}
	if !ok {
		return Request{}, bad("range must be one of 1h, 6h, 1d, 1w, 1m, 1y")
	}
	nowS := now.Unix()
	lo, hi := nowS-int64(MaxAge/time.Second), nowS+int64(MaxAhead/time.Second)
	start, hasStart, err := epochParam(v, "start", lo, hi)
	if err != nil {
		return Request{}, err
	}
	end, hasEnd, err := epochParam(v, "end", lo, hi)
	if err != nil {
		return Request{}, err
	}
	spanS := int64(span / time.Second)
	switch {
	case hasStart && hasEnd:
	case hasEnd:
		start = end - spanS
	case hasStart:
		end = min(start+spanS, nowS)
	default:
		r.Range = name
		end = Align(nowS, span)
		start = end - spanS
	}
	d := end - start
	if d < int64(MinSpan/time.Second) {
		return Request{}, bad("end must be at least %d s after start", int64(MinSpan/time.Second))
	}
	if d > int64(MaxSpan/time.Second) {
		return Request{}, bad("start and end may be at most %d s apart", int64(MaxSpan/time.Second))
	}
	if start < lo {
		return Request{}, bad("start lies too far in the past")
	}
	r.Start, r.End = start, end
	return r, nil
}

// Once checks that none of keys is given more than once: a repeated
// parameter is ambiguous (which one did the client mean?) and is refused
// rather than resolved by taking the first. Parse does this for its own.
func Once(v url.Values, keys ...string) error {
	for _, k := range keys {
		if len(v[k]) > 1 {
			return bad("%s given more than once", k)
		}
	}
	return nil
}

// RangeSpan returns the span of a named range.
func RangeSpan(name string) (time.Duration, bool) {
	for _, rg := range Ranges {
		if rg.Name == name {
			return rg.Span, true
		}
	}
	return 0, false
}

// Align rounds t down to 1/720 of span (at least 10 s): a moving graph's
// end then changes a few hundred times per span, not every second, and
// requests in between share one cached image.
func Align(t int64, span time.Duration) int64 {
	g := max(int64(span/time.Second)/720, 10)
	return t - t%g
}

func intParam(v url.Values, key string, def, lo, hi int) (int, error) {
	s := v.Get(key)
	if s == "" {
		return def, nil
	}
	if len(s) > 6 {
		return 0, bad("%s must be between %d and %d", key, lo, hi)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, bad("%s must be between %d and %d", key, lo, hi)
	}
	return n, nil
}

func epochParam(v url.Values, key string, lo, hi int64) (int64, bool, error) {
	s := v.Get(key)
	if s == "" {
		return 0, false, nil
	}
	if len(s) > 12 {
		return 0, false, bad("%s must be epoch seconds", key)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, bad("%s must be epoch seconds", key)
	}
	if n < lo || n > hi {
		return 0, false, bad("%s is out of range", key)
	}
	return n, true, nil
}

func oneOf(v url.Values, key, def string, allowed []string) (string, error) {
	s := v.Get(key)
	if s == "" {
		return def, nil
	}
	for _, a := range allowed {
		if s == a {
			return a, nil
		}
	}
	return "", bad("%s must be one of %v", key, allowed)
}
