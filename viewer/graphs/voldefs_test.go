package graphs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/catalogue"
	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/query"
)

// TestVolumeDefs: each rtorrent_volume file gets one traffic graph (up
// and down, bytes/s) titled with the unescaped name and drawable; the
// version markers get none, not even a generic one.
func TestVolumeDefs(t *testing.T) {
	dir := t.TempDir()
	rate := func(i, j int) float64 { return float64(100 * (j + 1)) }
	ud := []string{"up:DERIVE", "down:DERIVE"}
	collectdenv.RRD(t, dir, "box/rtorrent-main/rtorrent_volume-"+catalogue.GroupInstance("tracker", "a.example.org")+".rrd", ud, 30, rate)
	collectdenv.RRD(t, dir, "box/rtorrent-main/rtorrent_volume-"+catalogue.GroupInstance("label", "TV shows")+".rrd", ud, 30, rate)
	collectdenv.RRD(t, dir, "box/rtorrent-main/rtorrent_version-client_"+catalogue.Escape("0.9.8")+".rrd", []string{"value:GAUGE"}, 30, rate)
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := ix.Host("box")
	var vol []*Def
	for _, d := range ForHost(h) {
		if strings.Contains(d.ID, "rtorrent_version") {
			t.Errorf("version marker drawn: %s", d.ID)
		}
		if strings.HasSuffix(d.ID, ".volume") {
			vol = append(vol, d)
		} else if strings.Contains(d.ID, "rtorrent_volume") {
			t.Errorf("volume file drawn by another graph: %s", d.ID)
		}
	}
	if len(vol) != 2 {
		t.Fatalf("%d volume graphs, want 2", len(vol))
	}
	titles := vol[0].Title + " | " + vol[1].Title
	for _, want := range []string{"tracker a.example.org traffic", "label TV shows traffic"} {
		if !strings.Contains(titles, want) {
			t.Errorf("titles %q lack %q", titles, want)
		}
	}
	for _, d := range vol {
		if len(d.Lines) != 2 || d.Lines[0].DS != "up" || d.Lines[1].DS != "down" || d.Unit != "bytes/s" {
			t.Errorf("%s: lines %+v unit %s", d.ID, d.Lines, d.Unit)
		}
		if g, _, ok := VolumeName(d.Lines[0].File); !ok || (g != "tracker" && g != "label") {
			t.Errorf("%s: VolumeName %q %v", d.ID, g, ok)
		}
	}
	r := NewRenderer(nil, 1, 1<<20, nil)
	now := time.Now().Unix()
	img, err := r.Render(context.Background(), vol[0], query.Request{Start: now - 600, End: now, Width: 400, Height: 160, Format: "png", Theme: "light"})
	if err != nil || len(img.Data) < 1000 {
		t.Fatalf("render %s: %v", vol[0].ID, err)
	}
}
