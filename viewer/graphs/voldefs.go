package graphs

import (
	"fmt"
	"strings"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/datadir"
)

// VolumeType is the collectd type of the per-tracker and per-label byte
// counters (NAMES13.md): data sources up and down, DERIVE, so the files
// hold bytes/s and a volume is rate x step summed (viewer/traffic).
const VolumeType = "rtorrent_volume"

// versionType is the type of the plugin's version markers: gauges of 1
// whose type instance is the version. A graph of them says nothing; the
// live page shows the versions.
const versionType = "rtorrent_version"

// VolumeGroups are the type instance prefixes of volume files, before the
// escaped tracker domain or label.
var VolumeGroups = []string{"tracker", "label"}

// VolumeName splits a volume file's type instance into its group
// ("tracker" or "label") and the readable name (unescaped; "…" marks a
// name the plugin shortened). ok is false for other files.
func VolumeName(f *datadir.File) (group, name string, ok bool) {
	if f.Type != VolumeType {
		return "", "", false
	}
	for _, g := range VolumeGroups {
		esc, found := strings.CutPrefix(f.Instance, g+"_")
		if !found || esc == "" {
			continue
		}
		n, truncated, err := catalogue.Unescape(esc)
		if err != nil {
			n = esc
		} else if truncated {
			n += "…"
		}
		return g, n, true
	}
	return "", "", false
}

// VolumeGraphID is the ID of a volume file's graph on its host.
func VolumeGraphID(f *datadir.File) string { return f.Dir.Name + "." + f.Name + ".volume" }

// volumeDefs draws each volume file: bytes/s up and down, whose area is
// the bytes moved (the traffic page sums it).
func volumeDefs(p *datadir.PluginDir) []*Def {
	var out []*Def
	for _, f := range p.Files {
		g, name, ok := VolumeName(f)
		if !ok {
			continue
		}
		out = append(out, &Def{
			ID: VolumeGraphID(f), Title: fmt.Sprintf("rTorrent %s: %s %s traffic", p.Instance, g, name),
			Section: p.Name + " " + g + " traffic", Unit: "bytes/s",
			Lines: []Line{{File: f, DS: "up", Legend: "up"}, {File: f, DS: "down", Legend: "down"}},
		})
	}
	return out
}

// hiddenFiles are files of an rtorrent directory that get no graph.
func hiddenFiles(p *datadir.PluginDir) []*datadir.File {
	var out []*datadir.File
	for _, f := range p.Files {
		if f.Type == versionType {
			out = append(out, f)
		}
	}
	return out
}
