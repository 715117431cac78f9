package query

import (
	"errors"
	"net/url"
	"testing"
	"time"
)

var now = time.Unix(1_800_000_000, 0)

func TestParse(t *testing.T) {
	n := now.Unix()
	tests := []struct {
		name  string
		query string
		want  Request // zero Start/End: not checked
		check func(t *testing.T, r Request)
	}{
		{name: "defaults", query: "", check: func(t *testing.T, r Request) {
			if r.Range != "1d" || r.Width != 800 || r.Height != 300 || r.Format != "png" || r.Theme != "light" {
				t.Errorf("defaults: %+v", r)
			}
			if r.End > n || n-r.End >= 120 || r.End-r.Start != 86400 {
				t.Errorf("1d ending now: start %d end %d now %d", r.Start, r.End, n)
			}
		}},
		{name: "named range", query: "range=1h&w=400&h=100&fmt=svg&theme=dark", check: func(t *testing.T, r Request) {
			if r.Range != "1h" || r.Span() != time.Hour || r.Width != 400 || r.Height != 100 || r.Format != "svg" || r.Theme != "dark" {
				t.Errorf("got %+v", r)
			}
		}},
		{name: "start and end", query: "start=1799990000&end=1799999000", check: func(t *testing.T, r Request) {
			if r.Start != 1799990000 || r.End != 1799999000 || r.Range != "" {
				t.Errorf("got %+v", r)
			}
		}},
		{name: "end only takes the range before it", query: "end=1799999000&range=6h", check: func(t *testing.T, r Request) {
			if r.End != 1799999000 || r.Start != 1799999000-6*3600 {
				t.Errorf("got %+v", r)
			}
		}},
		{name: "start only is cut at now", query: "start=1799999000&range=1w", check: func(t *testing.T, r Request) {
			if r.Start != 1799999000 || r.End != n {
				t.Errorf("got %+v", r)
			}
		}},
		{name: "year range is allowed", query: "range=1y", check: func(t *testing.T, r Request) {
			if r.Span() != 366*24*time.Hour {
				t.Errorf("got %v", r.Span())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(v, now)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.query, err)
			}
			tc.check(t, r)
			checkInvariants(t, r)
		})
	}
}

func TestParseRefuses(t *testing.T) {
	for _, q := range []string{
		"w=0", "w=159", "w=4001", "w=-5", "w=1e3", "w=99999999999", "w=800&w=900",
		"h=79", "h=2001", "h=abc",
		"fmt=gif", "fmt=PNG", "fmt=svg%00", "theme=blue",
		"range=2h", "range=1H", "range=1h&range=1d",
		"start=abc", "start=-1", "start=1799999990&end=1800000000", // span below a minute
		"start=1000&end=1799999000",       // beyond MaxAge
		"end=1900000000",                  // beyond MaxAhead
		"start=1800000000&end=1799990000", // reversed
		"start=1799999999",                // start only, too close to now
		"start=0000000000001799990000",    // absurdly long
	} {
		v, err := url.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := Parse(v, now); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", q, r)
		} else if !errors.Is(err, ErrBadParam) {
			t.Errorf("Parse(%q): error %v does not wrap ErrBadParam", q, err)
		}
	}
}

// TestAlignSharesCacheKeys: requests a few seconds apart get the same end.
func TestAlignSharesCacheKeys(t *testing.T) {
	a, _ := Parse(url.Values{"range": {"1h"}}, time.Unix(1_800_000_001, 0))
	b, _ := Parse(url.Values{"range": {"1h"}}, time.Unix(1_800_000_008, 0))
	if a != b {
		t.Errorf("requests 7 s apart differ: %+v %+v", a, b)
	}
}

func checkInvariants(t testing.TB, r Request) {
	t.Helper()
	if r.Width < MinWidth || r.Width > MaxWidth || r.Height < MinHeight || r.Height > MaxHeight {
		t.Fatalf("size out of bounds: %+v", r)
	}
	if r.Format != "png" && r.Format != "svg" {
		t.Fatalf("format %q", r.Format)
	}
	if r.Theme != "light" && r.Theme != "dark" {
		t.Fatalf("theme %q", r.Theme)
	}
	if r.Span() < MinSpan || r.Span() > MaxSpan {
		t.Fatalf("span %v out of bounds", r.Span())
	}
	if r.Start < now.Add(-MaxAge).Unix() || r.End > now.Add(MaxAhead).Unix() {
		t.Fatalf("times out of bounds: %+v", r)
	}
	if r.Range != "" {
		if _, ok := RangeSpan(r.Range); !ok {
			t.Fatalf("unknown range %q", r.Range)
		}
	}
}
