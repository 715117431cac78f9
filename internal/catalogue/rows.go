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

func event(ti, meaning string) *Metric {
	return &Metric{Type: "operations", TypeInstance: ti, DS: derive, Unit: "events (stored as events/s)", Tier: TierScan,
		Meaning: meaning + " Counted by comparing consecutive scans since the plugin started (no rc change needed); the first scan only sets the baseline.",
		Source:  "d.multicall2 main: d.hash, d.state, d.complete"}
}

func scanInfo(typ, ti, unit, meaning string) *Metric {
	ds := gauge
	if typ == "duration" { // collectd's duration type names its data source
		ds = []DS{{"seconds", Gauge}}
	}
	return &Metric{Type: typ, TypeInstance: ti, DS: ds, Unit: unit, Tier: TierScan,
		Meaning: meaning, Source: "the plugin's own measurement of the item scan"}
}
