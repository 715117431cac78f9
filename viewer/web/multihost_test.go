package web

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/live"
)

// TestMultiHost is the central setup of docs/multihost.md on loopback: a
// seedbox collectd runs the rtorrent plugin against a real rTorrent and
// sends everything over the network plugin (SecurityLevel Sign) to a
// central collectd, which writes the RRD files; one viewer on the central
// one shows both hosts, the seedbox with its rTorrent data.
func TestMultiHost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts rTorrent and two collectd daemons")
	}
	testenv.Need(t, "rtorrent", collectdenv.CollectdBin)
	rt := testenv.StartRTorrent(t, testenv.RTorrentOptions{})
	rt.LoadRaw(t, testenv.Metas(testenv.FakeTorrents(5, "http://127.0.0.1:9/announce", "multihost")), false)
	rt.WaitItems(t, 5, 20*time.Second)

	listen, send := collectdenv.SignedNetwork(t)
	central := collectdenv.StartCollectd(t, collectdenv.Options{Host: "central", Extra: listen})
	collectdenv.StartCollectd(t, collectdenv.Options{Host: "seedbox1", PluginDir: collectdenv.PluginDir(t),
		RTorrent: []collectdenv.Instance{{Name: "main", URL: rt.URL}}, Extra: send})

	deadline := time.Now().Add(30 * time.Second)
	for {
		lv, err := central.ListVal()
		if err == nil {
			if _, ok := lv["seedbox1/rtorrent-main/count-items_total"]; ok {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the central collectd never got seedbox1's rTorrent values (LISTVAL: %d values, %v)", len(lv), err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	sv := startServer(t, serverOptions{DataDir: central.DataDir, Socket: central.Sock, Hostname: "central"})
	sv.Poller.Refresh(context.Background())
	r := get(t, sv.URL, "/json/live")
	var s live.Snapshot
	if err := json.Unmarshal(r.Body, &s); err != nil {
		t.Fatalf("/json/live: %v\n%s", err, r.Body)
	}
	want := rt.MustInt(t, "view.size", "", "main")
	hosts := map[string]*live.Host{}
	for _, h := range s.Hosts {
		hosts[h.Name] = h
	}
	if hosts["central"] == nil || hosts["seedbox1"] == nil {
		t.Fatalf("/json/live hosts %v, want central and seedbox1", keys(hosts))
	}
	sb := hosts["seedbox1"]
	if len(sb.RTorrent) != 1 || sb.RTorrent[0].Name != "main" || sb.RTorrent[0].Items["total"] == nil || *sb.RTorrent[0].Items["total"] != float64(want) {
		t.Errorf("seedbox1's rTorrent in /json/live: %s; want instance main with %d items", mustJSON(sb.RTorrent), want)
	}
	if len(hosts["central"].RTorrent) != 0 {
		t.Errorf("central shows rTorrent instances it does not have: %s", mustJSON(hosts["central"].RTorrent))
	}
	page := get(t, sv.URL, "/hosts")
	if page.Code != 200 || !strings.Contains(string(page.Body), "seedbox1") || !strings.Contains(string(page.Body), "central") {
		t.Errorf("/hosts = %d, want both hosts listed", page.Code)
	}
	hp := get(t, sv.URL, "/host/seedbox1")
	if hp.Code != 200 || !strings.Contains(string(hp.Body), "main") {
		t.Errorf("/host/seedbox1 = %d, want its rTorrent instance listed", hp.Code)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return strconv.Quote(string(b))
}
