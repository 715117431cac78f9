package graphs

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtmon/rtmon/internal/testenv/collectdenv"
	"github.com/rtmon/rtmon/viewer/datadir"
	"github.com/rtmon/rtmon/viewer/query"
)

func testRequest(w, h int, format string) query.Request {
	end := time.Now().Unix()
	return query.Request{Start: end - 3600, End: end, Width: w, Height: h, Format: format, Theme: "light"}
}

// svgSize reads the size cairo writes: width="800pt" height="300pt".
func svgSize(t *testing.T, b []byte) (int, int) {
	t.Helper()
	var root struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
	}
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("SVG does not parse: %v", err)
	}
	var w, h int
	fmt.Sscanf(root.Width, "%dpt", &w)
	fmt.Sscanf(root.Height, "%dpt", &h)
	return w, h
}

// TestRender draws every graph of a full host in both formats and themes
// at sizes from the smallest allowed to the largest, and checks that the
// images decode and have the asked size.
func TestRender(t *testing.T) {
	h := fullDataDir(t)
	r := NewRenderer(nil, 4, 32<<20, nil)
	ctx := context.Background()
	type size struct {
		w, h          int
		format, theme string
	}
	every := []size{{800, 300, "png", "light"}, {query.MinWidth, query.MinHeight, "png", "dark"}}
	some := append(every, size{480, 200, "svg", "dark"}, size{1920, 1080, "png", "light"}, size{query.MaxWidth, query.MaxHeight, "svg", "light"})
	for i, d := range ForHost(h) {
		sizes := every
		if i%8 == 0 {
			sizes = some // every size for a spread of graphs, to keep the test quick
		}
		for _, tc := range sizes {
			q := testRequest(tc.w, tc.h, tc.format)
			q.Theme = tc.theme
			img, err := r.Render(ctx, d, q)
			if err != nil {
				t.Errorf("%s %dx%d %s: %v", d.ID, tc.w, tc.h, tc.format, err)
				continue
			}
			var gw, gh int
			if tc.format == "png" {
				p, err := png.Decode(bytes.NewReader(img.Data))
				if err != nil {
					t.Errorf("%s: PNG does not decode: %v", d.ID, err)
					continue
				}
				gw, gh = p.Bounds().Dx(), p.Bounds().Dy()
			} else {
				gw, gh = svgSize(t, img.Data)
			}
			if gw != tc.w || gh != tc.h || img.ImageWidth != tc.w || img.ImageHeight != tc.h {
				t.Errorf("%s %s: image %dx%d (librrd says %dx%d), asked %dx%d", d.ID, tc.format, gw, gh, img.ImageWidth, img.ImageHeight, tc.w, tc.h)
			}
			if img.Width <= 0 || img.Left < 0 || img.Left+img.Width > tc.w || img.End-img.Start != 3600 {
				t.Errorf("%s: geometry %+v", d.ID, img)
			}
		}
	}
}

// TestRenderHostileNames: names with markup, quotes and colons render,
// and the SVG holds no markup from them (cairo draws text as glyphs).
func TestRenderHostileNames(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{`<script>alert(1)/rtorrent-x/count-items_total.rrd`, `q"uote/plug"in/ty"pe-<b>.rrd`, `co:lon/rtorrent-a:b/rtorrent_rate-up.rrd`, `back\slash/rtorrent-y/count-items_total.rrd`} {
		collectdenv.RRD(t, dir, rel, []string{"value:GAUGE"}, 20, func(i, j int) float64 { return float64(i) })
	}
	ix, err := datadir.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := NewRenderer(nil, 2, 1<<20, nil)
	n := 0
	for _, h := range ix.Hosts {
		for _, d := range ForHost(h) {
			img, err := r.Render(context.Background(), d, testRequest(600, 300, "svg"))
			if err != nil {
				t.Errorf("%s %s: %v", h.Name, d.ID, err)
				continue
			}
			n++
			if bytes.Contains(img.Data, []byte("<script")) || bytes.Contains(img.Data, []byte("<b>")) {
				t.Errorf("%s %s: markup from a name in the SVG", h.Name, d.ID)
			}
		}
	}
	if n != 4 {
		t.Errorf("rendered %d graphs, want 4", n)
	}
}

// TestConcurrentRenders: many goroutines asking for a few graphs share
// renders (cache and in-flight sharing) and all get correct images; run
// under -race.
func TestConcurrentRenders(t *testing.T) {
	h := fullDataDir(t)
	r := NewRenderer(nil, 2, 32<<20, nil)
	ids := []string{"load.load", "cpu-0.cpu", "memory.memory", "rtorrent-main.items", "rtorrent-main.traffic", "interface-eth0.octets"}
	q := testRequest(640, 240, "png")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 48; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			d := Find(h, ids[i%len(ids)])
			img, err := r.Render(context.Background(), d, q)
			if err != nil {
				errs <- err
				return
			}
			p, err := png.Decode(bytes.NewReader(img.Data))
			if err != nil || p.Bounds().Dx() != 640 {
				errs <- fmt.Errorf("%s: bad image: %v", d.ID, err)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	renders, _ := r.Stats()
	if renders != int64(len(ids)) {
		t.Errorf("%d renders for %d distinct graphs: cache and sharing failed", renders, len(ids))
	}
	if r.cache.len() != len(ids) {
		t.Errorf("cache holds %d images", r.cache.len())
	}
}

// TestBusy: with every queue slot taken, a render is refused at once
// with ErrBusy instead of piling up.
func TestBusy(t *testing.T) {
	h := fullDataDir(t)
	r := NewRenderer(nil, 1, 1<<20, nil)
	for i := 0; i < cap(r.queue); i++ {
		r.queue <- struct{}{}
	}
	start := time.Now()
	_, err := r.Render(context.Background(), Find(h, "load.load"), testRequest(400, 200, "png"))
	if !errors.Is(err, ErrBusy) || time.Since(start) > time.Second {
		t.Errorf("err %v after %v, want ErrBusy at once", err, time.Since(start))
	}
}

// TestSeries: xport values equal what was written (constants), scaled as
// the graph scales them, with at most w rows.
func TestSeries(t *testing.T) {
	h := fullDataDir(t)
	r := NewRenderer(nil, 2, 1<<20, nil)
	q := testRequest(200, 100, "png")
	q.Start = q.End - 300
	s, err := r.Series(context.Background(), Find(h, "load.load"), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Columns) != 3 || s.Columns[0].DS != "shortterm" || s.Columns[2].Legend != "15 min" || s.Columns[0].File != "load/load" {
		t.Errorf("columns %+v", s.Columns)
	}
	if len(s.Rows) == 0 || len(s.Rows) > 200 {
		t.Fatalf("%d rows", len(s.Rows))
	}
	known := 0
	for _, row := range s.Rows {
		for j, v := range row[1:] {
			if v != nil {
				known++
				if want := float64(10 * (j + 1)); *v != want {
					t.Errorf("column %d = %v, want %v", j, *v, want)
				}
			}
		}
	}
	if known == 0 {
		t.Error("no known values")
	}
	up, err := r.Series(context.Background(), Find(h, "uptime.uptime"), q)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range up.Rows {
		if v := row[1]; v != nil && math.Abs(*v-10.0/86400) > 1e-12 {
			t.Errorf("uptime %v, want 10 s in days", *v)
		}
	}
	if !strings.Contains(up.Unit, "days") {
		t.Errorf("unit %q", up.Unit)
	}
}
