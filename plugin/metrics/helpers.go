package metrics

import "github.com/rtmon/rtmon/plugin/sensors"

// Constructors for the catalogue's repetitive rows.

func view(ti, viewName, meaning string) Metric {
	return Metric{Type: "count", TypeInstance: "items_" + ti, DS: gauge, Unit: "items", Tier: TierFast,
		Meaning: meaning, Source: "view.size \"\" " + viewName, sensors: []string{"items." + viewName},
		get: func(s *sensors.Snapshot) []float64 { return []float64{float64(itemsField(&s.Items, viewName))} }}
}

func itemsField(i *sensors.Items, viewName string) int64 {
	switch viewName {
	case "main":
		return i.Total
	case "started":
		return i.Started
	case "stopped":
		return i.Stopped
	case "complete":
		return i.Complete
	case "incomplete":
		return i.Incomplete
	case "seeding":
		return i.Seeding
	case "leeching":
		return i.Leeching
	case "hashing":
		return i.Hashing
	case "active":
		return i.Resumed
	}
	return 0
}

func rate(ti, sensor, source, meaning string, f func(*sensors.Snapshot) int64) Metric {
	return Metric{Type: "rtorrent_rate", TypeInstance: ti, DS: gauge, Unit: "bytes/s", Tier: TierFast,
		Meaning: meaning, Source: source, sensors: []string{sensor},
		get: func(s *sensors.Snapshot) []float64 { return []float64{float64(f(s))} }}
}

func count(ti, source, meaning string, f func(*sensors.Snapshot) *int64) Metric {
	return Metric{Type: "count", TypeInstance: ti, DS: gauge, Unit: "count", Tier: TierFast,
		Meaning: meaning, Source: source,
		get: func(s *sensors.Snapshot) []float64 { return ptr(f(s)) }}
}

func proc(typ, ti, unit, meaning, source string, f func(*sensors.Process) float64) Metric {
	return Metric{Type: typ, TypeInstance: ti, DS: gauge, Unit: unit, Tier: TierProc,
		Meaning: meaning, Source: source,
		get: func(s *sensors.Snapshot) []float64 {
			if s.Process == nil {
				return nil
			}
			return []float64{f(s.Process)}
		}}
}

func sizes(typ, ti, unit, meaning, source string, f func(*sensors.Sizes) int64) Metric {
	return Metric{Type: typ, TypeInstance: ti, DS: gauge, Unit: unit, Tier: TierScan,
		Meaning: meaning, Source: source,
		get: func(s *sensors.Snapshot) []float64 {
			if s.Sizes == nil {
				return nil
			}
			return []float64{float64(f(s.Sizes))}
		}}
}

func ratio(ti, bucket string, f func(*sensors.RatioBuckets) int64) Metric {
	return Metric{Type: "count", TypeInstance: ti, DS: gauge, Unit: "items", Tier: TierScan,
		Meaning: "Items with share ratio " + bucket + ".", Source: "d.multicall2 main: d.ratio (per mille)",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Ratios == nil {
				return nil
			}
			return []float64{float64(f(s.Ratios))}
		}}
}

func peer(ti, meaning, source, needs string, f func(*sensors.Peers) int64) Metric {
	return Metric{Type: "count", TypeInstance: ti, DS: gauge, Unit: "peers", Tier: TierScan,
		Meaning: meaning, Source: source, needs: needs,
		get: func(s *sensors.Snapshot) []float64 {
			if s.Peers == nil {
				return nil
			}
			return []float64{float64(f(s.Peers))}
		}}
}

func event(ti, meaning string, f func(*sensors.Events) int64) Metric {
	return Metric{Type: "operations", TypeInstance: ti, DS: derive, Unit: "events (stored as events/s)", Tier: TierScan,
		Meaning: meaning + " Counted by comparing consecutive scans since the plugin started (no rc change needed); the first scan only sets the baseline.",
		Source:  "d.multicall2 main: d.hash, d.state, d.complete",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Events == nil {
				return nil
			}
			return []float64{float64(f(s.Events))}
		}}
}

func scanInfo(typ, ti, unit, meaning string, f func(*sensors.ScanInfo) float64) Metric {
	return Metric{Type: typ, TypeInstance: ti, DS: dsOf(typ), Unit: unit, Tier: TierScan,
		Meaning: meaning, Source: "the plugin's own measurement of the item scan",
		get: func(s *sensors.Snapshot) []float64 {
			if s.Scan == nil {
				return nil
			}
			return []float64{f(s.Scan)}
		}}
}

// dsOf gives the data source of a standard single-value gauge type.
func dsOf(typ string) []DS {
	if typ == "duration" {
		return []DS{{"seconds", "GAUGE"}}
	}
	return gauge
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
