package collector

import (
	"context"
	"testing"
	"time"

	"collectd.org/api"
	"collectd.org/cdtime"
)

// TestOneReadPerSecond: of reads whose times collectd's rrdtool plugin
// would write as the same whole second, only the first reaches the
// writer; every value list of that read does.
func TestOneReadPerSecond(t *testing.T) {
	base := int64(1796440700)
	at := func(ms int64) time.Time { return time.Unix(base, ms*int64(time.Millisecond)) }
	var got []string
	w := OneReadPerSecond(func(_ context.Context, vl *api.ValueList) error {
		got = append(got, vl.Type)
		return nil
	})
	steps := []struct {
		name string
		when time.Time
		pass bool
	}{
		{"first read", at(7600), true},           // second +8
		{"same read, next list", at(7600), true}, // shares the read's time
		{"late read rounds to the same second", at(8200), false},
		{"its next list", at(8200), false},
		{"next second", at(8500), true}, // half a second rounds up: +9
		{"collectd stamps it", time.Time{}, true},
		{"clock set back", at(3000), true}, // rrdtool decides, as before
	}
	for _, s := range steps {
		before := len(got)
		if err := w(context.Background(), &api.ValueList{Identifier: api.Identifier{Type: s.name}, Time: s.when}); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if passed := len(got) > before; passed != s.pass {
			t.Errorf("%s (%v): passed %v, want %v", s.name, s.when.Format("05.000"), passed, s.pass)
		}
	}
}

// TestRRDSecond: the second is the one collectd's CDTIME_T_TO_TIME_T
// gives, half a second rounding up.
func TestRRDSecond(t *testing.T) {
	for _, c := range []struct {
		ns   int64
		want uint64
	}{
		{0, 100}, {499_999_000, 100}, {500_000_000, 101}, {999_999_999, 101},
	} {
		if got := rrdSecond(cdtime.New(time.Unix(100, c.ns))); got != c.want {
			t.Errorf("100 s + %d ns: second %d, want %d", c.ns, got, c.want)
		}
	}
}
