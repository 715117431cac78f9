// pngwrite.c: the PNG encoder librrd's graphs go through.
//
// librrd draws a graph with cairo and encodes it by calling
// cairo_surface_write_to_png_stream, which runs libpng with zlib's default
// level and adaptive row filters: about 60% of an in-process render of a
// viewer graph (perf on BenchmarkRender). This definition lives in the
// executable, which comes first in the dynamic linker's symbol lookup, so
// librrd's call lands here. Image surfaces in the formats librrd draws
// (ARGB32, RGB24) are encoded by encodePNG (pngwrite.go): the same pixels,
// compressed faster. Anything else goes to cairo's own function, found with
// dlsym(RTLD_NEXT). cairo's headers are not needed: the few functions used
// are looked up the same way, and their ABI is stable since cairo 1.0.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "_cgo_export.h"

typedef int cairo_status_t;
typedef struct _cairo_surface cairo_surface_t;
typedef cairo_status_t (*cairo_write_func_t)(void *closure, const unsigned char *data, unsigned int length);

enum { CAIRO_STATUS_SUCCESS = 0, CAIRO_STATUS_WRITE_ERROR = 11 };
enum { CAIRO_SURFACE_TYPE_IMAGE = 0 };
enum { CAIRO_FORMAT_ARGB32 = 0, CAIRO_FORMAT_RGB24 = 1 };

static struct {
	cairo_status_t (*write_png_stream)(cairo_surface_t *, cairo_write_func_t, void *);
	cairo_status_t (*status)(cairo_surface_t *);
	int (*get_type)(cairo_surface_t *);
	void (*flush)(cairo_surface_t *);
	int (*get_format)(cairo_surface_t *);
	int (*get_width)(cairo_surface_t *);
	int (*get_height)(cairo_surface_t *);
	int (*get_stride)(cairo_surface_t *);
	unsigned char *(*get_data)(cairo_surface_t *);
	int ok;
} cairo;

static pthread_once_t resolved = PTHREAD_ONCE_INIT;

// rtmon_png_fast is cleared by RTMON_CAIRO_PNG=1, and by tests to compare
// with cairo's own encoder.
int rtmon_png_fast = 1;

static void resolve(void) {
	cairo.write_png_stream = dlsym(RTLD_NEXT, "cairo_surface_write_to_png_stream");
	cairo.status = dlsym(RTLD_NEXT, "cairo_surface_status");
	cairo.get_type = dlsym(RTLD_NEXT, "cairo_surface_get_type");
	cairo.flush = dlsym(RTLD_NEXT, "cairo_surface_flush");
	cairo.get_format = dlsym(RTLD_NEXT, "cairo_image_surface_get_format");
	cairo.get_width = dlsym(RTLD_NEXT, "cairo_image_surface_get_width");
	cairo.get_height = dlsym(RTLD_NEXT, "cairo_image_surface_get_height");
	cairo.get_stride = dlsym(RTLD_NEXT, "cairo_image_surface_get_stride");
	cairo.get_data = dlsym(RTLD_NEXT, "cairo_image_surface_get_data");
	cairo.ok = cairo.write_png_stream && cairo.status && cairo.get_type && cairo.flush && cairo.get_format &&
	           cairo.get_width && cairo.get_height && cairo.get_stride && cairo.get_data;
	// RTMON_CAIRO_PNG=1 keeps cairo's own encoder: to compare, or should
	// a PNG ever look wrong.
	const char *env = getenv("RTMON_CAIRO_PNG");
	if (env != NULL && strcmp(env, "1") == 0) {
		rtmon_png_fast = 0;
	}
}

// rtmon_png_encoded counts images encodePNG wrote: tests check that
// librrd's call came here.
unsigned long rtmon_png_encoded = 0;

cairo_status_t cairo_surface_write_to_png_stream(cairo_surface_t *s, cairo_write_func_t write, void *closure) {
	pthread_once(&resolved, resolve);
	if (cairo.write_png_stream == NULL) {
		return CAIRO_STATUS_WRITE_ERROR; // no cairo in the process: nobody can have drawn s
	}
	if (!rtmon_png_fast || !cairo.ok || cairo.status(s) != CAIRO_STATUS_SUCCESS ||
	    cairo.get_type(s) != CAIRO_SURFACE_TYPE_IMAGE) {
		return cairo.write_png_stream(s, write, closure);
	}
	int format = cairo.get_format(s);
	if (format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24) {
		return cairo.write_png_stream(s, write, closure);
	}
	cairo.flush(s);
	unsigned char *data = cairo.get_data(s);
	int w = cairo.get_width(s), h = cairo.get_height(s), stride = cairo.get_stride(s);
	if (data == NULL || w <= 0 || h <= 0 || stride < 4 * w) {
		return cairo.write_png_stream(s, write, closure);
	}
	__atomic_add_fetch(&rtmon_png_encoded, 1, __ATOMIC_RELAXED);
	return rtmonEncodePNG(data, w, h, stride, format == CAIRO_FORMAT_ARGB32, (void *)write, closure);
}

int rtmon_png_write(void *write, void *closure, const unsigned char *data, unsigned int length) {
	return ((cairo_write_func_t)write)(closure, data, length);
}
