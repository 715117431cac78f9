package live

import (
	"strings"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/viewer/unixsock"
)

// versionType is the collectd type the plugin dispatches rTorrent's and
// libtorrent's versions as: collectd values carry no strings, so the
// version is the type instance (client_<escaped version>,
// library_<escaped version>) of a gauge whose value is 1. LISTVAL names
// them; the value itself means nothing.
const versionType = "rtorrent_version"

// Versions are rTorrent's (client) and libtorrent's (library) versions,
// "" when the plugin has not dispatched them (an older plugin, or before
// its first read).
type Versions struct {
	Client  string `json:"client"`
	Library string `json:"library"`
}

// wantedVersion reports whether id is one of the version identifiers: the
// poller reads them like the other rTorrent values.
func wantedVersion(id unixsock.Identifier) bool {
	return id.Plugin == rtPlugin && id.Type == versionType
}

// versions finds the instance's version identifiers. After an upgrade the
// old version's identifier stays in collectd's cache until it times out;
// the one received last wins.
func versions(host, name string, r Readings) Versions {
	var v Versions
	var clientAt, libAt Reading
	for id, rd := range r {
		if id.Host != host || id.PluginInstance != name || !wantedVersion(id) {
			continue
		}
		kind, esc, ok := strings.Cut(id.TypeInstance, "_")
		if !ok || esc == "" {
			continue
		}
		s, truncated, err := catalogue.Unescape(esc)
		if err != nil {
			s = esc
		} else if truncated {
			s += "…"
		}
		switch kind {
		case "client":
			if v.Client == "" || rd.Time.After(clientAt.Time) || (rd.Time.Equal(clientAt.Time) && s > v.Client) {
				v.Client, clientAt = s, rd
			}
		case "library":
			if v.Library == "" || rd.Time.After(libAt.Time) || (rd.Time.Equal(libAt.Time) && s > v.Library) {
				v.Library, libAt = s, rd
			}
		}
	}
	return v
}
