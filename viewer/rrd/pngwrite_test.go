package rrd

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"testing"

	"github.com/rtmon/rtmon/plugin/testbed"
)

func decodePNG(t testing.TB, what string, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: PNG does not decode: %v", what, err)
	}
	return img
}

// samePixels reports the first pixel where a and b differ.
func samePixels(a, b image.Image) (x, y int, same bool) {
	if a.Bounds() != b.Bounds() {
		return -1, -1, false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.NRGBAModel.Convert(a.At(x, y)) != color.NRGBAModel.Convert(b.At(x, y)) {
				return x, y, false
			}
		}
	}
	return 0, 0, true
}

// TestGraphPNG: librrd's PNGs go through encodePNG (pngwrite.c takes
// cairo's call) and hold the very pixels the rrdtool program draws for the
// same arguments, opaque or with a transparent background; with the fast
// encoder off, cairo's own writes them, the same pixels again.
func TestGraphPNG(t *testing.T) {
	testbed.Need(t, "rrdtool")
	f := makeRRD(t, t.TempDir(), "png.rrd", 1)
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"opaque", nil},
		{"transparent", []string{"--color", "BACK#00000000", "--color", "CANVAS#ffffff40"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(benchArgs(f.path), tc.extra...)
			want, err := exec.Command("rrdtool", append([]string{"graph", "-"}, args...)...).Output()
			if err != nil {
				t.Fatalf("rrdtool graph: %v", err)
			}
			wantImg := decodePNG(t, "rrdtool's PNG", want)

			before := pngEncoded()
			res, err := Graph(args)
			if err != nil {
				t.Fatal(err)
			}
			if n := pngEncoded() - before; n != 1 {
				t.Fatalf("encodePNG wrote %d images for one graph: librrd's call did not reach pngwrite.c", n)
			}
			if x, y, ok := samePixels(decodePNG(t, "in-process PNG", res.Image), wantImg); !ok {
				t.Errorf("in-process PNG differs from rrdtool's at (%d,%d)", x, y)
			}

			setFastPNG(false)
			defer setFastPNG(true)
			before = pngEncoded()
			res, err = Graph(args)
			if err != nil {
				t.Fatal(err)
			}
			if n := pngEncoded() - before; n != 0 {
				t.Fatalf("encodePNG wrote %d images with the fast encoder off", n)
			}
			if x, y, ok := samePixels(decodePNG(t, "cairo's PNG", res.Image), wantImg); !ok {
				t.Errorf("cairo's PNG differs from rrdtool's at (%d,%d)", x, y)
			}
		})
	}
}

// TestEncodePNG: premultiplied cairo pixels come out as cairo's encoder
// writes them: RGB when all are opaque, else RGBA with alpha divided out.
func TestEncodePNG(t *testing.T) {
	px := func(a, r, g, b byte) uint32 { return uint32(a)<<24 | uint32(r)<<16 | uint32(g)<<8 | uint32(b) }
	for _, tc := range []struct {
		name   string
		argb   bool
		pixels []uint32 // 3x1, premultiplied
		want   []color.NRGBA
		model  color.Model
	}{
		{"opaque ARGB32", true, []uint32{px(255, 1, 2, 3), px(255, 255, 0, 128), px(255, 0, 0, 0)},
			[]color.NRGBA{{1, 2, 3, 255}, {255, 0, 128, 255}, {0, 0, 0, 255}}, color.RGBAModel},
		{"RGB24 ignores the top byte", false, []uint32{px(0, 10, 20, 30), px(7, 255, 255, 255), px(200, 0, 1, 2)},
			[]color.NRGBA{{10, 20, 30, 255}, {255, 255, 255, 255}, {0, 1, 2, 255}}, color.RGBAModel},
		{"translucent", true, []uint32{px(0, 0, 0, 0), px(128, 64, 32, 128), px(255, 9, 8, 7)},
			[]color.NRGBA{{0, 0, 0, 0}, {128, 64, 255, 128}, {9, 8, 7, 255}}, color.NRGBAModel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const stride = 16 // wider than 3 pixels: padding is skipped
			buf := make([]byte, 2*stride)
			for y := 0; y < 2; y++ {
				for x, p := range tc.pixels {
					binary.NativeEndian.PutUint32(buf[y*stride+4*x:], p)
				}
				for i := y*stride + 12; i < (y+1)*stride; i++ {
					buf[i] = 0xee
				}
			}
			img := decodePNG(t, tc.name, encodePNG(buf, 3, 2, stride, tc.argb))
			if img.Bounds() != image.Rect(0, 0, 3, 2) || img.ColorModel() != tc.model {
				t.Fatalf("bounds %v model %v", img.Bounds(), img.ColorModel())
			}
			for y := 0; y < 2; y++ {
				for x, want := range tc.want {
					if got := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA); got != want {
						t.Errorf("(%d,%d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

// BenchmarkGraphPNG: the same in-process graph with cairo's own PNG
// encoder and with encodePNG, and the bytes each writes.
//
//	go test -run '^$' -bench GraphPNG ./viewer/rrd/
func BenchmarkGraphPNG(b *testing.B) {
	f := makeRRD(b, b.TempDir(), "bench.rrd", 1)
	args := benchArgs(f.path)
	for _, tc := range []struct {
		name string
		fast bool
	}{{"cairo", false}, {"fast", true}} {
		b.Run(tc.name, func(b *testing.B) {
			setFastPNG(tc.fast)
			defer setFastPNG(true)
			var size int
			for b.Loop() {
				res, err := Graph(args)
				if err != nil {
					b.Fatal(err)
				}
				size = len(res.Image)
			}
			b.ReportMetric(float64(size), "png-bytes")
		})
	}
}

// TestCairoPNGEnv: RTMON_CAIRO_PNG=1 leaves librrd's PNGs to cairo. The
// variable is read once per process, so the check runs in a child.
func TestCairoPNGEnv(t *testing.T) {
	testbed.Need(t, "rrdtool") // the child makes its file with the rrdtool command
	if os.Getenv("RTMON_CAIRO_PNG_CHILD") == "1" {
		f := makeRRD(t, t.TempDir(), "env.rrd", 1)
		if _, err := Graph(benchArgs(f.path)); err != nil {
			t.Fatal(err)
		}
		if n := pngEncoded(); n != 0 {
			t.Fatalf("RTMON_CAIRO_PNG=%q: encodePNG wrote %d images", os.Getenv("RTMON_CAIRO_PNG"), n)
		}
		return
	}
	for _, tc := range []struct {
		env     string
		wantErr bool
	}{{"1", false}, {"0", true}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCairoPNGEnv$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RTMON_CAIRO_PNG_CHILD=1", "RTMON_CAIRO_PNG="+tc.env)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.wantErr {
			t.Errorf("RTMON_CAIRO_PNG=%s: child %v, want failure %v:\n%s", tc.env, err, tc.wantErr, out)
		}
	}
}
