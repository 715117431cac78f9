package reader

import "sort"

// groups accumulates per-tracker or per-label counts.
type groups struct{ m map[string]*GroupCounts }

func newGroups() *groups { return &groups{m: map[string]*GroupCounts{}} }

func (g *groups) add(name string, it *item, st staticInfo) {
	c := g.m[name]
	if c == nil {
		c = &GroupCounts{Name: name}
		g.m[name] = c
	}
	c.Items++
	if it.active() {
		c.Active++
	}
	if it.complete {
		c.Complete++
		if it.state {
			c.Seeding++
		}
	} else if it.state {
		c.Leeching++
	}
	if it.message {
		c.Messages++
	}
	c.SizeBytes += st.size
	c.LeftBytes += it.left
	c.UpRate += it.upRate
	c.DownRate += it.downRate
	c.Peers += it.peers
}

// list returns the groups sorted by name, so output is stable.
func (g *groups) list() []GroupCounts {
	out := make([]GroupCounts, 0, len(g.m))
	for _, c := range g.m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
