package live

import (
	"context"
	"errors"
	"fmt"

	"github.com/rtmon/rtmon/viewer/unixsock"
)

// readCollectd reads the wanted values of the chosen hosts from collectd's
// value cache: one LISTVAL, then one GETVAL per identifier. It returns the
// readings and every host LISTVAL named (for choosing hosts).
func readCollectd(ctx context.Context, c *unixsock.Client, pick func([]string) []string, times *valueTimes) (Readings, []string, error) {
	entries, err := c.ListVal(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("LISTVAL: %w", err)
	}
	times.store(entries)
	seen := map[string]bool{}
	var all []string
	for _, e := range entries {
		if !seen[e.ID.Host] {
			seen[e.ID.Host] = true
			all = append(all, e.ID.Host)
		}
	}
	keep := map[string]bool{}
	for _, h := range pick(all) {
		keep[h] = true
	}
	r := Readings{}
	for _, e := range entries {
		if !keep[e.ID.Host] || !Wanted(e.ID) {
			continue
		}
		vals, err := c.GetVal(ctx, e.ID)
		var se *unixsock.ServerError
		if errors.As(err, &se) {
			continue // dropped out of the cache since LISTVAL
		}
		if err != nil {
			return nil, nil, fmt.Errorf("GETVAL %s: %w", e.ID, err)
		}
		rd := Reading{Time: e.Time, Values: make([]float64, len(vals))}
		for i, v := range vals {
			rd.Values[i] = v.Value
		}
		r[e.ID] = rd
	}
	return r, all, nil
}
