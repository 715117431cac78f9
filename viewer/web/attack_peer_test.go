package web

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
)

// peerValue is one value list a hostile collectd peer sends: its names
// are whatever the peer likes, and Value is unique, so a graph or a
// table that shows it proves which file was read.
type peerValue struct {
	Host           string    `json:"host"`
	Plugin         string    `json:"plugin"`
	PluginInstance string    `json:"plugin_instance"`
	Type           string    `json:"type"`
	TypeInstance   string    `json:"type_instance"`
	Values         []float64 `json:"values"`
}

// hostilePy is a collectd python plugin that dispatches names.json every
// interval, byte for byte: collectd's python plugin, unlike PUTVAL on the
// unixsock, can put any byte but NUL into a name, as a compromised peer
// could with a forged packet.
const hostilePy = `import collectd, json, os
PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "names.json")
def read():
    try:
        names = json.load(open(PATH))
    except (OSError, ValueError):
        return
    for n in names:
        collectd.Values(host=n["host"], plugin=n["plugin"], plugin_instance=n["plugin_instance"],
                        type=n["type"], type_instance=n["type_instance"], values=n["values"], interval=1).dispatch()
collectd.register_read(read, 1)
`

// hostilePeer is a central collectd receiving, over the network plugin
// with SecurityLevel Sign, from a seedbox collectd that sends names the
// viewer must survive.
type hostilePeer struct {
	Central *collectdenv.Collectd
	Seedbox *collectdenv.Collectd
	Values  []peerValue
}

// startHostilePeer starts both collectd daemons; the central one keeps
// values in its cache for cacheTimeout seconds (0: writes at once), so a
// graph needs a FLUSH naming the hostile identifier to show them.
func startHostilePeer(t *testing.T, values []peerValue, cacheTimeout int) *hostilePeer {
	t.Helper()
	testenv.Need(t, collectdenv.CollectdBin)
	mod := t.TempDir()
	b, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "hostile.py"), []byte(hostilePy), 0o644); err != nil {
		t.Fatal(err)
	}
	listen, send := collectdenv.SignedNetwork(t)
	central := collectdenv.StartCollectd(t, collectdenv.Options{Host: "central", CacheTimeout: cacheTimeout, Extra: listen})
	opts := collectdenv.Options{Host: "seedbox", Extra: send + fmt.Sprintf(`<LoadPlugin python>
  Globals true
</LoadPlugin>
<Plugin python>
  ModulePath %q
  Import "hostile"
</Plugin>
`, mod)}
	// The names go out only once the seedbox is up: its own LISTVAL
	// would choke on them too, and StartCollectd waits on it.
	seedbox := collectdenv.StartCollectd(t, opts)
	if err := os.WriteFile(filepath.Join(mod, "names.json.tmp"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(mod, "names.json.tmp"), filepath.Join(mod, "names.json")); err != nil {
		t.Fatal(err)
	}
	return &hostilePeer{Central: central, Seedbox: seedbox, Values: values}
}
