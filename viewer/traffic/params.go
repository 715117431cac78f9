package traffic

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/rtmon/rtmon/viewer/query"
)

// ErrBadParam is wrapped by every error ParseRequest returns; its text
// names the parameter, never the request's text.
var ErrBadParam = errors.New("bad parameter")

func bad(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadParam, fmt.Sprintf(format, a...))
}

// MaxTZLen bounds the tz parameter: the longest IANA zone name has 30
// characters.
const MaxTZLen = 64

var tzRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`)

// Request is a parsed traffic request.
type Request struct {
	Host, Instance string // "" for all
	Loc            *time.Location
	// Range is the chosen range (from, to), nil when none was given.
	Range *Period
}

// ParseRequest reads host, instance, from, to and tz. from and to come
// together: epoch seconds, or dates (YYYY-MM-DD) in tz, to meaning the end
// of that day. The range is bounded like the graphs' (query.MinSpan,
// query.MaxSpan, query.MaxAge, query.MaxAhead). tz is an IANA zone name
// (at most MaxTZLen characters); default local.
func ParseRequest(v url.Values, now time.Time, local *time.Location) (Request, error) {
	r := Request{Loc: local}
	for _, k := range []string{"host", "instance", "from", "to", "tz"} {
		if len(v[k]) > 1 {
			return Request{}, bad("%s given more than once", k)
		}
	}
	r.Host, r.Instance = v.Get("host"), v.Get("instance")
	if tz := v.Get("tz"); tz != "" {
		if len(tz) > MaxTZLen || !tzRE.MatchString(tz) {
			return Request{}, bad("tz must be a time zone name such as Europe/Berlin or UTC")
		}
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return Request{}, bad("tz names no time zone this machine knows")
		}
		r.Loc = loc
	}
	fs, ts := v.Get("from"), v.Get("to")
	if fs == "" && ts == "" {
		return r, nil
	}
	if fs == "" || ts == "" {
		return Request{}, bad("give from and to together")
	}
	nowS := now.Unix()
	lo, hi := nowS-int64(query.MaxAge/time.Second), nowS+int64(query.MaxAhead/time.Second)
	from, err := instant(fs, "from", r.Loc, false, lo, hi)
	if err != nil {
		return Request{}, err
	}
	to, err := instant(ts, "to", r.Loc, true, lo, hi)
	if err != nil {
		return Request{}, err
	}
	switch d := to - from; {
	case d < int64(query.MinSpan/time.Second):
		return Request{}, bad("to must be at least %d s after from", int64(query.MinSpan/time.Second))
	case d > int64(query.MaxSpan/time.Second):
		return Request{}, bad("from and to may be at most %d s apart", int64(query.MaxSpan/time.Second))
	}
	r.Range = &Period{Name: "range", Label: "range", From: from, To: to}
	return r, nil
}

// instant parses epoch seconds or a date; a date given as "to" is the
// end of that day (the next midnight).
func instant(s, key string, loc *time.Location, end bool, lo, hi int64) (int64, error) {
	var n int64
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		d, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			return 0, bad("%s must be epoch seconds or YYYY-MM-DD", key)
		}
		if end {
			d = d.AddDate(0, 0, 1)
		}
		n = d.Unix()
	} else {
		if len(s) > 12 {
			return 0, bad("%s must be epoch seconds or YYYY-MM-DD", key)
		}
		var err error
		if n, err = strconv.ParseInt(s, 10, 64); err != nil {
			return 0, bad("%s must be epoch seconds or YYYY-MM-DD", key)
		}
	}
	if n < lo || n > hi {
		return 0, bad("%s is out of range", key)
	}
	return n, nil
}
