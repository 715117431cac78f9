package live

import (
	"math"
	"sort"
	"time"

	"github.com/rtmon/rtmon/viewer/unixsock"
)

// Reading is one value list's latest values, in the order of its type's
// data sources. DERIVE and COUNTER sources are rates per second (as
// collectd's GETVAL gives them); unknown values are NaN.
type Reading struct {
	Time   time.Time
	Values []float64
}

// Readings are the latest values the poller read, by identifier.
type Readings map[unixsock.Identifier]Reading

// value returns data source i of id, or nil when missing or unknown.
func (r Readings) value(id unixsock.Identifier, i int) *float64 {
	rd, ok := r[id]
	if !ok || i >= len(rd.Values) || math.IsNaN(rd.Values[i]) || math.IsInf(rd.Values[i], 0) {
		return nil
	}
	return f64(rd.Values[i])
}

// byHost splits readings by host and returns the host names sorted.
func (r Readings) byHost() (map[string]Readings, []string) {
	out := map[string]Readings{}
	for id, rd := range r {
		h := out[id.Host]
		if h == nil {
			h = Readings{}
			out[id.Host] = h
		}
		h[id] = rd
	}
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	return out, names
}

// newest returns the latest reading time among ids matching keep.
func (r Readings) newest(keep func(unixsock.Identifier) bool) time.Time {
	var t time.Time
	for id, rd := range r {
		if keep(id) && rd.Time.After(t) {
			t = rd.Time
		}
	}
	return t
}

// Wanted reports whether the live snapshot uses id: the host plugins'
// values it shows and the rTorrent values of the plugin's catalogue that
// it shows. The poller GETVALs only these.
func Wanted(id unixsock.Identifier) bool {
	switch id.Plugin {
	case "load":
		return id.Type == "load"
	case "cpu":
		return id.Type == "cpu" || id.Type == "percent"
	case "memory":
		return id.Type == "memory"
	case "swap":
		return id.Type == "swap" || id.Type == "swap_io"
	case "uptime":
		return id.Type == "uptime"
	case "disk":
		return id.Type == "disk_octets" || id.Type == "disk_ops"
	case "interface":
		return id.PluginInstance != "lo" && (id.Type == "if_octets" || id.Type == "if_packets")
	case "df":
		return id.Type == "df_complex"
	case rtPlugin:
		return rtWanted[typeID(id.Type, id.TypeInstance)] || wantedVersion(id)
	}
	return false
}

func typeID(typ, ti string) string {
	if ti == "" {
		return typ
	}
	return typ + "-" + ti
}
