package traffic

import "time"

// Period is one column of the traffic table: [From, To) in epoch seconds.
type Period struct {
	Name  string `json:"name"`  // today, yesterday, week, month, year, range
	Label string `json:"label"` // what the page shows
	From  int64  `json:"from"`
	To    int64  `json:"to"`
}

// Periods are today, yesterday, this week (from Monday), this month and
// this year, each ending now (yesterday at today's midnight), with days
// starting at midnight in loc. time.Date normalizes a midnight that a
// daylight saving change skips to the first time of the day.
func Periods(now time.Time, loc *time.Location) []Period {
	n := now.In(loc)
	y, m, d := n.Date()
	day := func(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 0, 0, 0, 0, loc).Unix() }
	today := day(y, m, d)
	back := (int(n.Weekday()) + 6) % 7 // days since Monday
	end := now.Unix()
	return []Period{
		{"today", "today", today, end},
		{"yesterday", "yesterday", day(y, m, d-1), today},
		{"week", "this week", day(y, m, d-back), end},
		{"month", "this month", day(y, m, 1), end},
		{"year", "this year", day(y, 1, 1), end},
	}
}
