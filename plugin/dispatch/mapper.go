package dispatch

import (
	"math"
	"strings"
	"time"

	"collectd.org/api"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/reader"
)

// Options say which optional sensors are switched on: a value whose source
// is off is not dispatched rather than dispatched as a false zero.
type Options struct {
	PerTracker bool
	PerLabel   bool
	PeerFlags  bool
}

func (o Options) has(name string) bool {
	switch name {
	case "":
		return true
	case "PerTracker":
		return o.PerTracker
	case "PerLabel":
		return o.PerLabel
	case "PeerFlags":
		return o.PeerFlags
	}
	return false
}

// Sample is one identifier's values in one snapshot, in DS order, before
// DERIVE counters are made monotonic.
type Sample struct {
	Metric       *catalogue.Metric
	TypeInstance string
	Values       []float64

	resets bool // see mapping.resets
}

// Samples maps a snapshot to the values of every known sensor, skipping
// unknown ones (nil fields) and those whose option is off. It is a pure
// function of its arguments.
func Samples(s *reader.Snapshot, opt Options) []Sample {
	out := make([]Sample, 0, len(ordered)+len(s.Trackers)+len(s.Labels))
	for _, mp := range ordered {
		m := mp.metric
		if !opt.has(m.Needs) || !read(s, mp.sensors) {
			continue
		}
		if mp.groups != nil {
			for _, g := range mp.groups(s) {
				out = append(out, Sample{Metric: m, TypeInstance: catalogue.GroupInstance(m.Group, g.Name), Values: mp.values(g)})
			}
			continue
		}
		ti := m.TypeInstance
		if mp.instance != nil {
			if ti = mp.instance(s); ti == "" {
				continue
			}
		}
		if v := mp.get(s); v != nil {
			out = append(out, Sample{Metric: m, TypeInstance: ti, Values: v, resets: mp.resets})
		}
	}
	return out
}

// read reports whether every one of the fast-tier sensors was read in s:
// not switched off (a missing command or view: "items" covers every
// "items.<view>") and not failed in this read.
func read(s *reader.Snapshot, names []string) bool {
	for _, n := range names {
		for _, u := range s.Unread {
			if u == n {
				return false
			}
		}
		for _, d := range s.Off {
			if d.Sensor == n || strings.HasPrefix(n, d.Sensor+".") {
				return false
			}
		}
	}
	return true
}

// Mapper turns snapshots of one rTorrent instance into collectd value
// lists. It remembers rTorrent's pid and the DERIVE counters between reads,
// so it belongs to one instance and is not safe for concurrent use.
type Mapper struct {
	Instance string
	Options  Options

	pid      int64
	counters map[string]*Monotonic
}

// NewMapper returns a Mapper for the named instance.
func NewMapper(instance string, opt Options) *Mapper {
	return &Mapper{Instance: instance, Options: opt, counters: map[string]*Monotonic{}}
}

// ValueLists maps s to value lists stamped with s.Time and interval. Host
// is left empty: collectd fills in its own hostname.
func (m *Mapper) ValueLists(s *reader.Snapshot, interval time.Duration) []*api.ValueList {
	restarted := m.pid != 0 && s.PID != 0 && s.PID != m.pid
	if s.PID != 0 {
		m.pid = s.PID
	}
	samples := Samples(s, m.Options)
	out := make([]*api.ValueList, 0, len(samples))
	for _, smp := range samples {
		vl := &api.ValueList{
			Identifier: api.Identifier{Plugin: catalogue.Plugin, PluginInstance: m.Instance, Type: smp.Metric.Type, TypeInstance: smp.TypeInstance},
			Time:       s.Time,
			Interval:   interval,
			Values:     make([]api.Value, len(smp.Values)),
			DSNames:    make([]string, len(smp.Values)),
		}
		for i, v := range smp.Values {
			ds := smp.Metric.DS[i]
			vl.DSNames[i] = ds.Name
			if ds.Kind == catalogue.Derive {
				key := vl.Identifier.Type + "-" + vl.Identifier.TypeInstance + "/" + ds.Name
				c := m.counters[key]
				if c == nil {
					c = &Monotonic{}
					m.counters[key] = c
				}
				vl.Values[i] = api.Derive(c.Next(int64(math.Round(v)), restarted && smp.resets))
			} else {
				vl.Values[i] = api.Gauge(v)
			}
		}
		out = append(out, vl)
	}
	return out
}
