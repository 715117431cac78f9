package dispatch

import (
	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/reader"
)

// Constructors for the mapping's repetitive rows.

// view reads an item count from view.size; sensor "items.<view>".
func view(m *catalogue.Metric, viewName string, f func(*reader.Items) int64) mapping {
	return mapping{metric: m, sensors: []string{"items." + viewName},
		get: func(s *reader.Snapshot) []float64 { return []float64{float64(f(&s.Items))} }}
}

func rate(m *catalogue.Metric, sensor string, f func(*reader.Traffic) int64) mapping {
	return mapping{metric: m, sensors: []string{sensor},
		get: func(s *reader.Snapshot) []float64 { return []float64{float64(f(&s.Traffic))} }}
}

func resource(m *catalogue.Metric, f func(*reader.Resources) *int64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 { return ptr(f(&s.Resources)) }}
}

// counter marks a process-lifetime counter that restarts with rTorrent.
func counter(mp mapping) mapping {
	mp.resets = true
	return mp
}

func process(m *catalogue.Metric, f func(*reader.Process) []float64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Process == nil {
			return nil
		}
		return f(s.Process)
	}}
}

func sizes(m *catalogue.Metric, f func(*reader.Sizes) int64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Sizes == nil {
			return nil
		}
		return []float64{float64(f(s.Sizes))}
	}}
}

func ratio(m *catalogue.Metric, f func(*reader.RatioBuckets) int64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Ratios == nil {
			return nil
		}
		return []float64{float64(f(s.Ratios))}
	}}
}

func peer(m *catalogue.Metric, f func(*reader.Peers) int64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Peers == nil {
			return nil
		}
		return []float64{float64(f(s.Peers))}
	}}
}

// event reads a download event counter. It counts since the plugin
// started, so a new rTorrent pid is no reset for it.
func event(m *catalogue.Metric, f func(*reader.Events) int64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Events == nil {
			return nil
		}
		return []float64{float64(f(s.Events))}
	}}
}

// exactEvent reads an event only rtmon-events.rc counts: without it the
// field holds no reading.
func exactEvent(m *catalogue.Metric, f func(*reader.Events) int64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Events == nil || s.EventsSource != reader.EventsExact {
			return nil
		}
		return []float64{float64(f(s.Events))}
	}}
}

// version dispatches a version string as the type instance of a gauge 1.
func version(m *catalogue.Metric, kind string, f func(*reader.Snapshot) string) mapping {
	return mapping{metric: m,
		instance: func(s *reader.Snapshot) string {
			if v := f(s); v != "" {
				return catalogue.GroupInstance(kind, v)
			}
			return ""
		},
		get: func(*reader.Snapshot) []float64 { return []float64{1} }}
}

func scanInfo(m *catalogue.Metric, f func(*reader.ScanInfo) float64) mapping {
	return mapping{metric: m, get: func(s *reader.Snapshot) []float64 {
		if s.Scan == nil {
			return nil
		}
		return []float64{f(s.Scan)}
	}}
}

func ptr(p *int64) []float64 {
	if p == nil {
		return nil
	}
	return []float64{float64(*p)}
}

func fptr(p *float64) []float64 {
	if p == nil {
		return nil
	}
	return []float64{*p}
}
