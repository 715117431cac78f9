package rrd

// #include <stdint.h>
// extern int rtmon_png_write(void *write, void *closure, const unsigned char *data, unsigned int length);
// extern int rtmon_png_fast;
// extern unsigned long rtmon_png_encoded;
import "C"

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"unsafe"
)

// cairoWriteError is CAIRO_STATUS_WRITE_ERROR.
const cairoWriteError = 11

// rtmonEncodePNG is pngwrite.c's way into encodePNG: data is cairo's
// image buffer (stride bytes a row, height rows), write and closure the
// caller's cairo_write_func_t. It returns a cairo_status_t.
//
//export rtmonEncodePNG
func rtmonEncodePNG(data *C.uchar, width, height, stride C.int, argb C.int, write, closure unsafe.Pointer) C.int {
	pix := unsafe.Slice((*byte)(unsafe.Pointer(data)), int(stride)*int(height))
	png := encodePNG(pix, int(width), int(height), int(stride), argb != 0)
	// png holds no Go pointers: C may read it for the call's duration.
	return C.int(C.rtmon_png_write(write, closure, (*C.uchar)(unsafe.Pointer(&png[0])), C.uint(len(png))))
}

// encodePNG encodes a cairo image buffer (32-bit native-endian pixels,
// alpha premultiplied for ARGB32, the top byte unused for RGB24) as an
// 8-bit PNG with the same pixels cairo's encoder writes: RGB when every
// pixel is opaque (as cairo does), else RGBA with alpha divided out with
// cairo's rounding. Rows go unfiltered through zlib's fastest level:
// graphs are flat colours and lines, which that compresses well, and
// libpng's adaptive filters and zlib's default level cost more than the
// drawing.
func encodePNG(pix []byte, w, h, stride int, argb bool) []byte {
	opaque := true
	if argb {
		for y := 0; y < h && opaque; y++ {
			row := pix[y*stride : y*stride+4*w]
			for x := 0; x < w; x++ {
				if binary.NativeEndian.Uint32(row[4*x:])>>24 != 0xff {
					opaque = false
					break
				}
			}
		}
	}
	bpp, colorType := 4, byte(6) // RGBA
	if opaque {
		bpp, colorType = 3, 2 // RGB
	}

	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestSpeed) // a valid level: no error
	line := make([]byte, 1+bpp*w)                       // filter byte 0 (none), then the pixels
	for y := 0; y < h; y++ {
		row := pix[y*stride : y*stride+4*w]
		out := line[1:]
		for x := 0; x < w; x++ {
			p := binary.NativeEndian.Uint32(row[4*x:])
			r, g, b := byte(p>>16), byte(p>>8), byte(p)
			if opaque {
				out[3*x], out[3*x+1], out[3*x+2] = r, g, b
				continue
			}
			a := uint32(p >> 24)
			if a == 0 {
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = 0, 0, 0, 0
				continue
			}
			// cairo's unpremultiply_data.
			out[4*x] = byte((uint32(r)*255 + a/2) / a)
			out[4*x+1] = byte((uint32(g)*255 + a/2) / a)
			out[4*x+2] = byte((uint32(b)*255 + a/2) / a)
			out[4*x+3] = byte(a)
		}
		zw.Write(line) // writes to a bytes.Buffer do not fail
	}
	zw.Close()

	var png bytes.Buffer
	png.Grow(idat.Len() + 64)
	png.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, colorType // bit depth 8; compression, filter and interlace methods 0
	writeChunk(&png, "IHDR", ihdr)
	writeChunk(&png, "IDAT", idat.Bytes())
	writeChunk(&png, "IEND", nil)
	return png.Bytes()
}

func writeChunk(b *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	b.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	b.Write(n[:])
}

// setFastPNG switches between encodePNG and cairo's own encoder (tests
// and benchmarks compare them).
func setFastPNG(on bool) {
	if on {
		C.rtmon_png_fast = 1
	} else {
		C.rtmon_png_fast = 0
	}
}

// pngEncoded counts the images encodePNG wrote for librrd.
func pngEncoded() uint64 { return uint64(C.rtmon_png_encoded) }
