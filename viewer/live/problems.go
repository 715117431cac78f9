package live

import (
	"time"

	"github.com/rtmon/rtmon/viewer/problems"
)

// readProblems puts the current problems (viewer/problems: what
// collectd's notifications say is wrong now, recorded by rtmon-notify)
// into s. They come first on the live page, so they are read even when
// collectd itself cannot be reached. The cache reads the files again
// only when the directory changed.
func (p *Poller) readProblems(s *Snapshot, now time.Time) {
	if p.cfg.ProblemsDir == "" {
		return
	}
	p.problemsOnce.Do(func() { p.problems = &problems.Cache{Dir: p.cfg.ProblemsDir} })
	list, skipped, err := p.problems.List(now)
	if err != nil {
		s.ProblemsError = err.Error()
		return
	}
	s.Problems, s.ProblemsSkipped = list, skipped
}
