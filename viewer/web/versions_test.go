package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/live"
)

// versionTypesDB declares rtorrent_version for a collectd whose shipped
// types.db does not have it yet (NAMES13.md: value:GAUGE:0:U).
func versionTypesDB(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(collectdenv.RepoRoot(), "collectd.conf.d", "rtorrent.types.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("\nrtorrent_version ")) || bytes.HasPrefix(b, []byte("rtorrent_version ")) {
		return ""
	}
	f := filepath.Join(t.TempDir(), "version.types.db")
	if err := os.WriteFile(f, []byte("rtorrent_version value:GAUGE:0:U\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("TypesDB %q\n", f)
}

// TestVersions: the rtorrent_version identifiers the plugin dispatches,
// PUTVAL into a real collectd, reach /json/live, /json/engine's versions
// and the live page; after an upgrade the version received last wins,
// and a version holding markup stays text.
func TestVersions(t *testing.T) {
	testenv.Need(t, collectdenv.CollectdBin)
	c := collectdenv.StartCollectd(t, collectdenv.Options{Host: "vbox", Extra: versionTypesDB(t)})
	hostile := "0.9.8<img src=x onerror=alert(1)>"
	now := time.Now().Unix()
	put := func(inst, ti string, at int64, v float64) {
		t.Helper()
		typ := "rtorrent_version"
		if i := strings.IndexByte(ti, '-'); i > 0 {
			typ, ti = ti[:i], ti[i+1:]
		}
		id := fmt.Sprintf("vbox/rtorrent-%s/%s-%s", inst, typ, ti)
		if _, err := c.Command(fmt.Sprintf("PUTVAL %q interval=10 %d:%g", id, at, v)); err != nil {
			t.Fatalf("PUTVAL %s: %v", id, err)
		}
	}
	for _, inst := range []string{"main", "odd"} {
		for _, m := range []*catalogue.Metric{catalogue.UpRate, catalogue.UpLimit, catalogue.DownRate, catalogue.DownLimit} {
			put(inst, m.Type+"-"+m.TypeInstance, now, 100)
		}
	}
	put("main", "client_"+catalogue.Escape("0.9.6"), now-5, 1) // before the upgrade
	put("main", "client_"+catalogue.Escape("0.9.8"), now, 1)
	put("main", "library_"+catalogue.Escape("0.13.8"), now, 1)
	put("odd", "client_"+catalogue.Escape(hostile), now, 1)

	sv := startServer(t, serverOptions{DataDir: c.DataDir, Socket: c.Sock, Hostname: "vbox"})
	want := map[string]live.Versions{"main": {Client: "0.9.8", Library: "0.13.8"}, "odd": {Client: hostile}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := sv.Poller.Refresh(t.Context())
		got := map[string]live.Versions{}
		for _, h := range s.Hosts {
			for _, in := range h.RTorrent {
				got[h.Name+"/"+in.Name] = in.Versions
			}
		}
		if got["vbox/main"] == want["main"] && got["vbox/odd"] == want["odd"] {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versions in the snapshot %+v, want %+v", got, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var l live.Snapshot
	if err := json.Unmarshal(get(t, sv.URL, "/json/live").Body, &l); err != nil {
		t.Fatal(err)
	}
	if v := l.Hosts[0].RTorrent[0].Versions; v != want["main"] {
		t.Errorf("/json/live versions %+v", v)
	}
	for inst, v := range want {
		r := get(t, sv.URL, "/json/engine?host=vbox&instance="+inst)
		var e struct {
			Versions []string `json:"versions"`
		}
		if err := json.Unmarshal(r.Body, &e); err != nil || r.Code != 200 || len(e.Versions) != 2 || e.Versions[0] != v.Client || e.Versions[1] != v.Library {
			t.Errorf("/json/engine %s = %d %s, want versions [%q %q]", inst, r.Code, r.Body, v.Client, v.Library)
		}
	}

	testenv.Need(t, "chromium")
	dom := chromium(t, "--virtual-time-budget=4000", "--dump-dom", sv.URL+"/?transport=poll")
	fields := map[string]string{}
	for _, m := range fieldRE.FindAllStringSubmatch(dom, -1) {
		fields[m[1]] = htmlUnescape(m[2])
	}
	for k, v := range map[string]string{"rt:vbox:main:version.client": "0.9.8", "rt:vbox:main:version.library": "0.13.8",
		"rt:vbox:odd:version.client": hostile, "rt:vbox:odd:version.library": ""} {
		if fields[k] != v {
			t.Errorf("live page %s = %q, want %q", k, fields[k], v)
		}
	}
	if !strings.Contains(dom, "rTorrent 0.9.8") || strings.Contains(dom, "<img src=\"x\"") || strings.Contains(dom, "<img src=x") {
		t.Errorf("live page versions: %q", dom[max(0, strings.Index(dom, "versions")-200):min(len(dom), strings.Index(dom, "versions")+600)])
	}
}
