package problems

import (
	"os"
	"sync"
	"time"
)

// Refresh is how often Cache reads the directory again even when its
// modification time has not changed: a restart's RestartShown runs out
// by the clock, and a file system with coarse timestamps may hide a
// change made within one tick.
const Refresh = 30 * time.Second

// Cache lists a problems directory for a poller that asks every few
// seconds: it reads the files again only when the directory changed
// (Record renames into it, an OKAY removes from it; both move its
// modification time) or Refresh has passed. Listing 1000 problems costs
// tens of milliseconds (BenchmarkList1000); an unchanged directory costs
// one stat.
type Cache struct {
	Dir string

	mu      sync.Mutex
	mtime   time.Time
	at      time.Time
	list    []Problem
	skipped int
	err     error
}

// List is List(c.Dir, now), from the cache when the directory is
// unchanged.
func (c *Cache) List(now time.Time) ([]Problem, int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fi, err := os.Stat(c.Dir)
	var mtime time.Time
	if err == nil {
		mtime = fi.ModTime()
	}
	if !c.at.IsZero() && mtime.Equal(c.mtime) && now.Sub(c.at) < Refresh && now.After(c.at) {
		return c.list, c.skipped, c.err
	}
	c.list, c.skipped, c.err = List(c.Dir, now)
	c.mtime, c.at = mtime, now
	return c.list, c.skipped, c.err
}
