package query

import (
	"errors"
	"net/url"
	"testing"
)

// FuzzParse feeds raw query strings to Parse: it must never panic, every
// error must wrap ErrBadParam, and every accepted request must be within
// the bounds the renderer relies on.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "range=1h", "range=1y&w=4000&h=2000&fmt=svg&theme=dark",
		"start=1799990000&end=1799999000", "end=1799999000&range=6h",
		"w=%00", "fmt=png&fmt=svg", "start=-9223372036854775808",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		r, err := Parse(v, now)
		if err != nil {
			if !errors.Is(err, ErrBadParam) {
				t.Fatalf("error %v does not wrap ErrBadParam", err)
			}
			return
		}
		checkInvariants(t, r)
	})
}
