package fleet

import (
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/problems"
)

// problemKey is a host and, for rTorrent's problems, the instance; ""
// holds the host's own (load, df, a silent collectd...).
type problemKey struct{ host, instance string }

type problemSet struct {
	count map[problemKey]int
	first map[problemKey]string
}

// readProblems reads rtmon-notify's directory through a cache that reads
// the files again only when the directory changed.
func (p *Poller) readProblems(t *Table, now time.Time) *problemSet {
	if p.cfg.ProblemsDir == "" {
		return nil
	}
	p.problemsOnce.Do(func() { p.problems = &problems.Cache{Dir: p.cfg.ProblemsDir} })
	list, _, err := p.problems.List(now)
	if err != nil {
		t.ProblemsError = err.Error()
		return nil
	}
	ps := &problemSet{count: map[problemKey]int{}, first: map[problemKey]string{}}
	for _, pass := range []bool{true, false} { // failures first
		for _, pr := range list {
			if (pr.Severity == "FAILURE") != pass {
				continue
			}
			k := problemKey{host: pr.Host}
			if pr.Plugin == catalogue.Plugin {
				k.instance = pr.PluginInstance
			}
			ps.count[k]++
			if _, ok := ps.first[k]; !ok {
				ps.first[k] = pr.Severity + ": " + pr.Message
			}
		}
	}
	t.Totals.Problems = len(list)
	return ps
}

// apply sets a row's problems: its instance's and its host's own.
func (ps *problemSet) apply(r *Row) {
	if ps == nil {
		return
	}
	for _, k := range []problemKey{{r.Host, r.Instance}, {r.Host, ""}} {
		if n := ps.count[k]; n > 0 {
			r.Problems += n
			if r.Problem == "" {
				r.Problem = ps.first[k]
			}
		}
		if r.Instance == "" {
			break
		}
	}
}
