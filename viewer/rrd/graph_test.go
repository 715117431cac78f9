package rrd

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"strconv"
	"strings"
	"testing"
)

func TestGraphFormats(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	tests := []struct {
		format string
		w, h   int
		size   func(t *testing.T, img []byte) (int, int)
	}{
		{"PNG", 400, 200, pngSize},
		{"PNG", 123, 77, pngSize},
		{"SVG", 640, 300, svgSize},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s_%dx%d", tc.format, tc.w, tc.h), func(t *testing.T) {
			args := append(rangeArgs(),
				"--imgformat", tc.format, "--full-size-mode",
				"-w", fmt.Sprint(tc.w), "-h", fmt.Sprint(tc.h),
				"DEF:x="+Escape(f.path)+":v:AVERAGE",
				"LINE1:x#ff0000:"+EscapeText("value v"),
				"PRINT:x:AVERAGE:%.2lf",
				"GPRINT:x:MAX:max %.1lf")
			g, err := Graph(args)
			if err != nil {
				t.Fatal(err)
			}
			w, h := tc.size(t, g.Image)
			if w != tc.w || h != tc.h {
				t.Errorf("image is %dx%d, asked %dx%d", w, h, tc.w, tc.h)
			}
			if g.ImageWidth != tc.w || g.ImageHeight != tc.h {
				t.Errorf("image_width/height = %dx%d, asked %dx%d", g.ImageWidth, g.ImageHeight, tc.w, tc.h)
			}
			checkGeometry(t, g)
			if g.Start != t0 || g.End != t0+nUpd*step {
				t.Errorf("graph_start/end = %d..%d, asked %d..%d", g.Start, g.End, t0, t0+nUpd*step)
			}
			// v is 1..10: average 5.5, max 10.
			if len(g.Print) != 1 || g.Print[0] != "5.50" {
				t.Errorf("Print = %q, want [5.50]", g.Print)
			}
			if !containsTrimmed(g.Legend, "value v") || !containsTrimmed(g.Legend, "max 10.0") {
				t.Errorf("Legend = %q, want the line legend and the GPRINT", g.Legend)
			}
			if !(g.ValueMin <= 1 && g.ValueMax >= 10) {
				t.Errorf("value range %v..%v does not cover the data 1..10", g.ValueMin, g.ValueMax)
			}
		})
	}
}

// checkGeometry asserts that the data canvas lies inside the image.
func checkGeometry(t *testing.T, g *GraphResult) {
	t.Helper()
	if !(0 < g.Left && g.Left < g.ImageWidth && 0 < g.Width && g.Left+g.Width <= g.ImageWidth) {
		t.Errorf("horizontal geometry implausible: left %d width %d image %d", g.Left, g.Width, g.ImageWidth)
	}
	if !(0 < g.Top && g.Top < g.ImageHeight && 0 < g.Height && g.Top+g.Height <= g.ImageHeight) {
		t.Errorf("vertical geometry implausible: top %d height %d image %d", g.Top, g.Height, g.ImageHeight)
	}
}

func containsTrimmed(list []string, want string) bool {
	for _, s := range list {
		if strings.TrimSpace(s) == want {
			return true
		}
	}
	return false
}

func pngSize(t *testing.T, img []byte) (int, int) {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return m.Bounds().Dx(), m.Bounds().Dy()
}

// svgSize parses the whole document as XML and reads the root's size.
// cairo writes the size in points ("400pt") with a matching viewBox.
func svgSize(t *testing.T, img []byte) (int, int) {
	t.Helper()
	var root struct {
		XMLName xml.Name
		Width   string `xml:"width,attr"`
		Height  string `xml:"height,attr"`
		ViewBox string `xml:"viewBox,attr"`
	}
	if err := xml.Unmarshal(img, &root); err != nil {
		t.Fatalf("SVG does not parse as XML: %v", err)
	}
	if root.XMLName.Local != "svg" {
		t.Fatalf("root element is %q, not svg", root.XMLName.Local)
	}
	num := func(s string) int {
		n, err := strconv.ParseFloat(strings.TrimSuffix(s, "pt"), 64)
		if err != nil {
			t.Fatalf("SVG size %q: %v", s, err)
		}
		return int(n)
	}
	w, h := num(root.Width), num(root.Height)
	if want := fmt.Sprintf("0 0 %d %d", w, h); root.ViewBox != want {
		t.Errorf("viewBox = %q, want %q", root.ViewBox, want)
	}
	return w, h
}

func TestGraphErrorThenSuccess(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	missing := f.path + ".missing"
	good := append(rangeArgs(), "DEF:x="+Escape(f.path)+":v:AVERAGE", "LINE1:x#ff0000")
	bad := append(rangeArgs(), "DEF:x="+Escape(missing)+":v:AVERAGE", "LINE1:x#ff0000")

	_, err := Graph(bad)
	var rerr *Error
	if !errors.As(err, &rerr) {
		t.Fatalf("Graph(missing file) error = %v, want *rrd.Error", err)
	}
	if rerr.Op != "graph" || !strings.Contains(rerr.Msg, missing) || !strings.Contains(rerr.Msg, "No such file") {
		t.Errorf("error = %q, want librrd's message naming %s", err, missing)
	}
	if _, err := Graph(good); err != nil {
		t.Errorf("good graph after a failed one: %v", err)
	}
}

func TestGraphRefusesNUL(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	_, err := Graph(append(rangeArgs(), "DEF:x="+f.path+"\x00.evil:v:AVERAGE", "LINE1:x#ff0000"))
	if err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("error = %v, want a refusal naming the NUL byte", err)
	}
}

// TestGraphPrintOnlyAndNothing covers two quiet corners of rrd_graph_v:
// PRINT without anything to draw gives values but no image, and arguments
// with nothing to draw or print give NULL without an error message.
func TestGraphPrintOnlyAndNothing(t *testing.T) {
	f := makeRRD(t, t.TempDir(), "a.rrd", 1)
	def := "DEF:x=" + Escape(f.path) + ":v:AVERAGE"
	g, err := Graph(append(rangeArgs(), def, "PRINT:x:MAX:%.0lf"))
	if err != nil {
		t.Fatalf("PRINT only: %v", err)
	}
	if g.Image != nil || len(g.Print) != 1 || g.Print[0] != "10" {
		t.Errorf("PRINT only: image %d bytes, Print %q; want no image and [10]", len(g.Image), g.Print)
	}
	_, err = Graph(append(rangeArgs(), def, "COMMENT:just text"))
	if err == nil || !strings.Contains(err.Error(), "nothing") {
		t.Errorf("nothing to draw: error = %v, want one saying nothing was drawn", err)
	}
}
