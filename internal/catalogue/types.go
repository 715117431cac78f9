package catalogue

// TypeDef is a collectd type rtmon defines itself, because collectd's
// types.db has none that fits. collectd.conf.d/rtorrent.types.db holds
// exactly these (a test checks it).
type TypeDef struct {
	Name string
	DS   []TypeDS
}

// TypeDS is one data source of a TypeDef, as written in types.db.
type TypeDS struct {
	DS
	Min, Max string // "U" for unbounded
}

// Types returns rtmon's own collectd types.
func Types() []TypeDef {
	groups := make([]TypeDS, len(groupDS))
	for i, d := range groupDS {
		groups[i] = TypeDS{d, "0", "U"}
	}
	return []TypeDef{
		// Instantaneous byte rates: collectd's standard rate types are
		// DERIVE counters, there is no gauge of bytes per second.
		{Name: "rtorrent_rate", DS: []TypeDS{{DS{"value", Gauge}, "0", "U"}}},
		// ps %cpu exceeds 100 with several busy threads; the standard
		// "percent" type would store such values as unknown (max 100.1).
		{Name: "rtorrent_percent", DS: []TypeDS{{DS{"value", Gauge}, "0", "U"}}},
		// One file per tracker domain or label with all its figures.
		{Name: "rtorrent_group", DS: groups},
		// Bytes moved per tracker domain or label, counted since the
		// plugin started: DERIVE, so rrdtool stores bytes/s.
		{Name: "rtorrent_volume", DS: []TypeDS{{volumeDS[0], "0", "U"}, {volumeDS[1], "0", "U"}}},
		// rTorrent's and libtorrent's versions: always 1, the version is
		// the type instance (collectd values carry no strings).
		{Name: "rtorrent_version", DS: []TypeDS{{DS{"value", Gauge}, "0", "U"}}},
	}
}
