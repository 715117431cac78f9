package query

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// hostile are values no page sends: wrong types, out of range, huge,
// control characters, unicode look-alikes, encodings of numbers Go's
// parsers might take.
var hostile = []string{
	"-1", "0", "-0", "1e3", "0x10", "0b11", "0o17", "1_000", "800.0", "800 ", " 800", "8 00", "+-800",
	strings.Repeat("9", 1000), "99999999999999999999", "-9223372036854775808", "9223372036854775807",
	"\x00", "800\x00", "\x00800", "\n", "800\n", "800\r\n", "\t800", "%00", "%", "\u0800",
	"８００", "٨٠٠", "800\u200b", "\u202e008", "NaN", "Inf", "true", "null", "[]", "{}",
	"<script>alert(1)</script>", "'\"", strings.Repeat("x", 1<<16),
}

// TestParseHostileValues: every parameter Parse reads (docs/api.md: range,
// start, end, w, h, fmt, theme), given each hostile value, is refused
// with an ErrBadParam whose message is one short line naming the
// parameter and quoting nothing of the value; no value passes that
// breaks the bounds.
func TestParseHostileValues(t *testing.T) {
	for _, key := range []string{"range", "start", "end", "w", "h", "fmt", "theme"} {
		for _, val := range hostile {
			name := key + "=" + strconv.QuoteToASCII(val)
			if len(name) > 60 {
				name = name[:60]
			}
			t.Run(name, func(t *testing.T) {
				r, err := Parse(url.Values{key: {val}}, now)
				if err == nil {
					t.Fatalf("Parse(%s=%q) = %+v, want an error", key, val, r)
				}
				checkBadParam(t, err, key, val)
			})
		}
	}
}

// TestParseRepeatedParams: each parameter given twice, even with the same
// value, or with an empty second value, is refused.
func TestParseRepeatedParams(t *testing.T) {
	good := map[string]string{"range": "1h", "start": "1799990000", "end": "1799999000", "w": "800", "h": "300", "fmt": "png", "theme": "dark"}
	for key, val := range good {
		for _, second := range []string{val, "", "x"} {
			t.Run(key+"="+val+"&"+key+"="+second, func(t *testing.T) {
				_, err := Parse(url.Values{key: {val, second}}, now)
				if err == nil {
					t.Fatalf("Parse(%s given twice) succeeded", key)
				}
				checkBadParam(t, err, key, second)
				if !strings.Contains(err.Error(), "more than once") {
					t.Errorf("error %q does not say the parameter is repeated", err)
				}
			})
		}
	}
}

// TestParseOutOfRange: values of the right type just outside each bound,
// and just inside (accepted).
func TestParseOutOfRange(t *testing.T) {
	n := now.Unix()
	lo, hi := n-int64(MaxAge.Seconds()), n+int64(MaxAhead.Seconds())
	i := strconv.Itoa
	i64 := func(x int64) string { return strconv.FormatInt(x, 10) }
	for _, tc := range []struct {
		query string
		ok    bool
		key   string
	}{
		{"w=" + i(MinWidth-1), false, "w"}, {"w=" + i(MinWidth), true, ""}, {"w=" + i(MaxWidth), true, ""}, {"w=" + i(MaxWidth+1), false, "w"},
		{"h=" + i(MinHeight-1), false, "h"}, {"h=" + i(MinHeight), true, ""}, {"h=" + i(MaxHeight), true, ""}, {"h=" + i(MaxHeight+1), false, "h"},
		{"start=" + i64(lo-1) + "&end=" + i64(lo+3600), false, "start"}, {"start=" + i64(lo) + "&end=" + i64(lo+3600), true, ""},
		{"end=" + i64(hi+1), false, "end"}, {"end=" + i64(hi), true, ""},
		{"start=" + i64(n-60) + "&end=" + i64(n), true, ""}, {"start=" + i64(n-59) + "&end=" + i64(n), false, "end"},
		{"start=" + i64(n-int64(MaxSpan.Seconds())) + "&end=" + i64(n), true, ""},
		{"start=" + i64(n-int64(MaxSpan.Seconds())-1) + "&end=" + i64(n), false, "start"},
		{"start=" + i64(n) + "&end=" + i64(n-3600), false, "end"},
		{"range=1y&end=" + i64(lo+100), false, "start"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Parse(v, now)
			if tc.ok {
				if err != nil {
					t.Fatalf("Parse(%s): %v", tc.query, err)
				}
				checkInvariants(t, r)
				return
			}
			if err == nil {
				t.Fatalf("Parse(%s) = %+v, want an error", tc.query, r)
			}
			checkBadParam(t, err, tc.key, "")
		})
	}
}

// TestParseIgnoresOthers: parameters Parse does not read, hostile or
// repeated, change nothing (the handlers check their own, host and graph).
func TestParseIgnoresOthers(t *testing.T) {
	want, err := Parse(url.Values{}, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(url.Values{"x": {"\x00", "\n"}, "W": {"99999"}, "": {"1"}, "host": {strings.Repeat("h", 1<<16)}}, now)
	if err != nil || got != want {
		t.Fatalf("Parse with other parameters = %+v, %v; want %+v", got, err, want)
	}
}

func checkBadParam(t *testing.T, err error, key, val string) {
	t.Helper()
	if !errors.Is(err, ErrBadParam) {
		t.Errorf("error %v does not wrap ErrBadParam", err)
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r\x00") || len(msg) > 200 {
		t.Errorf("error not one short line: %q", msg)
	}
	if key != "" && !strings.Contains(msg, key) {
		t.Errorf("error %q does not name %s", msg, key)
	}
	if len(val) > 3 && strings.Contains(msg, val) {
		t.Errorf("error %q quotes the value", msg)
	}
}

// TestOnce: the handlers' own names (host, instance of the pyrotorque
// endpoints) are refused when repeated, as Parse's parameters are.
func TestOnce(t *testing.T) {
	if err := Once(url.Values{"host": {"a"}, "instance": {"b"}, "x": {"1", "2"}}, "host", "instance"); err != nil {
		t.Errorf("single values refused: %v", err)
	}
	for _, v := range []url.Values{{"host": {"a", "a"}}, {"instance": {"", ""}}, {"host": {"a"}, "instance": {"b", "\x00"}}} {
		err := Once(v, "host", "instance")
		if err == nil {
			t.Errorf("Once(%q) accepted a repeated parameter", v)
			continue
		}
		checkBadParam(t, err, "", "")
		if !strings.Contains(err.Error(), "more than once") {
			t.Errorf("error %q does not say what is wrong", err)
		}
	}
}
