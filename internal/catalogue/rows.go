package catalogue

// Constructors for the catalogue's repetitive rows.

func view(ti, viewName, meaning string) *Metric {
	return &Metric{Type: "count", TypeInstance: "items_" + ti, DS: gauge, Unit: "items", Tier: TierFast,
		Meaning: meaning, Source: "view.size \"\" " + viewName}
}

func rate(ti, source, meaning string) *Metric {
	return &Metric{Type: "rtorrent_rate", TypeInstance: ti, DS: gauge, Unit: "bytes/s", Tier: TierFast,
		Meaning: meaning, Source: source}
}

func count(ti, source, meaning string) *Metric {
	return &Metric{Type: "count", TypeInstance: ti, DS: gauge, Unit: "count", Tier: TierFast,
		Meaning: meaning, Source: source}
}

func proc(typ, ti, unit, meaning, source string) *Metric {
	return &Metric{Type: typ, TypeInstance: ti, DS: gauge, Unit: unit, Tier: TierProc,
		Meaning: meaning, Source: source}
}

func scan(typ, ti, unit, meaning, source string) *Metric {
	return &Metric{Type: typ, TypeInstance: ti, DS: gauge, Unit: unit, Tier: TierScan,
		Meaning: meaning, Source: source}
}

func ratio(ti, bucket string) *Metric {
	return &Metric{Type: "count", TypeInstance: ti, DS: gauge, Unit: "items", Tier: TierScan,
		Meaning: "Items with share ratio " + bucket + ".", Source: "d.multicall2 main: d.ratio (per mille)"}
}

func peer(ti, meaning, source, needs string) *Metric {
	return &Metric{Type: "count", TypeInstance: ti, DS: gauge, Unit: "peers", Tier: TierScan,
		Meaning: meaning, Source: source, Needs: needs}
}

// event is a download event counted exactly by rtmon-events.rc where it is
// imported, else by comparing scans.
func event(ti, key, meaning string) *Metric {
	return &Metric{Type: "operations", TypeInstance: ti, DS: derive, Unit: "events (stored as events/s)", Tier: TierScan,
		Meaning: meaning + " Exact where the rc imports rtmon-events.rc (fast tier); otherwise found by comparing consecutive scans, approximate: changes between two scans are missed. Counts since the plugin started.",
		Source:  "rtmon.events." + key + " (rtmon-events.rc), else d.multicall2 main: d.hash, d.state, d.complete"}
}

// exactEvent is a download event only rtmon-events.rc counts: without it
// the value is not dispatched.
func exactEvent(ti, key, meaning string) *Metric {
	return &Metric{Type: "operations", TypeInstance: ti, DS: derive, Unit: "events (stored as events/s)", Tier: TierFast,
		Meaning: meaning + " Only where the rc imports rtmon-events.rc. Counts since the plugin started.",
		Source:  "rtmon.events." + key + " (rtmon-events.rc)"}
}

func scanInfo(typ, ti, unit, meaning string) *Metric {
	ds := gauge
	if typ == "duration" { // collectd's duration type names its data source
		ds = []DS{{"seconds", Gauge}}
	}
	return &Metric{Type: typ, TypeInstance: ti, DS: ds, Unit: unit, Tier: TierScan,
		Meaning: meaning, Source: "the plugin's own measurement of the item scan"}
}
