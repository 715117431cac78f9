package traffic

import (
	"testing"
	"time"
)

// TestPeriodsTimeZones: days start at midnight in the zone asked for,
// half-hour offsets and daylight saving days included, weeks on Monday.
func TestPeriodsTimeZones(t *testing.T) {
	load := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Skipf("no zone %s on this machine: %v", name, err)
		}
		return l
	}
	berlin, kolkata := load("Europe/Berlin"), load("Asia/Kolkata")
	for _, tc := range []struct {
		name              string
		now               time.Time
		loc               *time.Location
		today, yesterday  string // local start times
		yesterdayHours    float64
		week, month, year string
	}{
		{"UTC Wednesday", time.Date(2026, 3, 18, 15, 37, 0, 0, time.UTC), time.UTC,
			"2026-03-18 00:00 UTC", "2026-03-17 00:00 UTC", 24, "2026-03-16 00:00 UTC", "2026-03-01 00:00 UTC", "2026-01-01 00:00 UTC"},
		{"Berlin after the spring change", time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), berlin,
			"2026-03-30 00:00 CEST", "2026-03-29 00:00 CET", 23, "2026-03-30 00:00 CEST", "2026-03-01 00:00 CET", "2026-01-01 00:00 CET"},
		{"Kolkata, UTC still on Sunday", time.Date(2026, 3, 22, 20, 0, 0, 0, time.UTC), kolkata,
			"2026-03-23 00:00 IST", "2026-03-22 00:00 IST", 24, "2026-03-23 00:00 IST", "2026-03-01 00:00 IST", "2026-01-01 00:00 IST"},
		{"Sunday belongs to the week begun on Monday", time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC), time.UTC,
			"2026-03-22 00:00 UTC", "2026-03-21 00:00 UTC", 24, "2026-03-16 00:00 UTC", "2026-03-01 00:00 UTC", "2026-01-01 00:00 UTC"},
	} {
		p := Periods(tc.now, tc.loc)
		f := func(s int64) string { return time.Unix(s, 0).In(tc.loc).Format("2006-01-02 15:04 MST") }
		got := []string{f(p[0].From), f(p[1].From), f(p[2].From), f(p[3].From), f(p[4].From)}
		want := []string{tc.today, tc.yesterday, tc.week, tc.month, tc.year}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: %s starts %s, want %s", tc.name, p[i].Name, got[i], want[i])
			}
		}
		if h := float64(p[1].To-p[1].From) / 3600; h != tc.yesterdayHours || p[1].To != p[0].From {
			t.Errorf("%s: yesterday %v h ending %s", tc.name, h, f(p[1].To))
		}
		if p[0].To != tc.now.Unix() || p[4].To != tc.now.Unix() {
			t.Errorf("%s: periods do not end now", tc.name)
		}
	}
}
