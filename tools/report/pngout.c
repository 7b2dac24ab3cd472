/*
 * PNG files of cairo's image surfaces, compressed fast (pngout.h): the
 * conversion of cairo's pixels is cairo's (native-endian premultiplied
 * ARGB to RGB when every pixel is opaque, else to unpremultiplied RGBA),
 * the compression is not.
 */
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pngout.h"
#include "xmalloc.h"

/* What libpng's callbacks share: the caller's stream and its status. */
struct pngout {
	cairo_write_func_t write;
	void *closure;
	cairo_status_t status;
};

static void
pngout_write_cb(png_structp png, png_bytep data, size_t len)
{
	struct pngout *o = png_get_io_ptr(png);

	if (o->status == CAIRO_STATUS_SUCCESS)
		o->status = o->write(o->closure, data, (unsigned int)len);
	if (o->status != CAIRO_STATUS_SUCCESS)
		png_error(png, "write");
}

static void
pngout_flush_cb(png_structp png)
{
	(void)png;
}

static void
pngout_error_cb(png_structp png, png_const_charp msg)
{
	struct pngout *o = png_get_error_ptr(png);

	(void)msg;
	if (o->status == CAIRO_STATUS_SUCCESS)
		o->status = CAIRO_STATUS_NO_MEMORY;
	png_longjmp(png, 1);
}

static void
pngout_warning_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* Every pixel of an ARGB32 surface opaque? */
static int
pngout_opaque(const unsigned char *data, int w, int h, int stride)
{
	const uint32_t *p;
	int x, y;

	for (y = 0; y < h; y++) {
		p = (const uint32_t *)(const void *)(data + (size_t)y * stride);
		for (x = 0; x < w; x++) {
			if ((p[x] >> 24) != 0xff)
				return 0;
		}
	}
	return 1;
}

/* One row of cairo's pixels as PNG bytes: RGB (channels 3) or
 * unpremultiplied RGBA (4), cairo's arithmetic. */
static void
pngout_row(const unsigned char *src, unsigned char *dst, int w, int channels)
{
	const uint32_t *p = (const uint32_t *)(const void *)src;
	uint32_t px, a;
	int x;

	for (x = 0; x < w; x++, dst += channels) {
		px = p[x];
		a = px >> 24;
		if (channels == 3) {
			dst[0] = (unsigned char)(px >> 16);
			dst[1] = (unsigned char)(px >> 8);
			dst[2] = (unsigned char)px;
		} else if (a == 0) {
			dst[0] = dst[1] = dst[2] = dst[3] = 0;
		} else {
			dst[0] = (unsigned char)((((px >> 16) & 0xff) * 255 +
			                             a / 2) /
			    a);
			dst[1] =
			    (unsigned char)((((px >> 8) & 0xff) * 255 + a / 2) /
			        a);
			dst[2] =
			    (unsigned char)(((px & 0xff) * 255 + a / 2) / a);
			dst[3] = (unsigned char)a;
		}
	}
}

/* The header, the rows, the end: 0, or -1 (libpng failed). */
static int
pngout_rows(png_structp png, png_infop info, cairo_surface_t *s, int channels,
    enum pngout_mode mode, unsigned char *row)
{
	const unsigned char *data = cairo_image_surface_get_data(s);
	int w = cairo_image_surface_get_width(s);
	int h = cairo_image_surface_get_height(s);
	int stride = cairo_image_surface_get_stride(s), y;
	png_color_16 white;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	switch (mode) {
	case PNGOUT_FAST:
		png_set_compression_level(png, Z_BEST_SPEED);
		png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
		break;
	case PNGOUT_AS_CAIRO:
		break;
	}
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
	    channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
	    PNG_FILTER_TYPE_DEFAULT);
	memset(&white, 0, sizeof white);
	white.gray = white.red = white.green = white.blue = 255;
	png_set_bKGD(png, info, &white);
	png_write_info(png, info);
	for (y = 0; y < h; y++) {
		pngout_row(data + (size_t)y * stride, row, w, channels);
		png_write_row(png, row);
	}
	png_write_end(png, info);
	return 0;
}

cairo_status_t
pngout_write(cairo_surface_t *s, cairo_write_func_t write, void *closure,
    enum pngout_mode mode)
{
	struct pngout o = { write, closure, CAIRO_STATUS_SUCCESS };
	png_structp png;
	png_infop info = NULL;
	unsigned char *row;
	cairo_format_t fmt;
	int w, h, channels;

	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS ||
	    cairo_surface_get_type(s) != CAIRO_SURFACE_TYPE_IMAGE)
		return CAIRO_STATUS_SURFACE_TYPE_MISMATCH;
	fmt = cairo_image_surface_get_format(s);
	w = cairo_image_surface_get_width(s);
	h = cairo_image_surface_get_height(s);
	if ((fmt != CAIRO_FORMAT_ARGB32 && fmt != CAIRO_FORMAT_RGB24) ||
	    w <= 0 || h <= 0)
		return CAIRO_STATUS_SURFACE_TYPE_MISMATCH;
	cairo_surface_flush(s);
	channels = fmt == CAIRO_FORMAT_RGB24 ||
	        pngout_opaque(cairo_image_surface_get_data(s), w, h,
	            cairo_image_surface_get_stride(s))
	    ? 3
	    : 4;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &o,
	    pngout_error_cb, pngout_warning_cb);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_write_struct(&png, NULL);
		return CAIRO_STATUS_NO_MEMORY;
	}
	png_set_write_fn(png, &o, pngout_write_cb, pngout_flush_cb);
	row = xmalloc((size_t)w * 4);
	if (pngout_rows(png, info, s, channels, mode, row) != 0 &&
	    o.status == CAIRO_STATUS_SUCCESS)
		o.status = CAIRO_STATUS_NO_MEMORY;
	free(row);
	png_destroy_write_struct(&png, &info);
	return o.status;
}

cairo_status_t __real_cairo_surface_write_to_png_stream(cairo_surface_t *,
    cairo_write_func_t, void *);
cairo_status_t __wrap_cairo_surface_write_to_png_stream(cairo_surface_t *,
    cairo_write_func_t, void *);

/*
 * librrd's call of cairo's writer, rerouted here by the linker: the fast
 * writer for what it writes, cairo's for any other surface.
 */
cairo_status_t
__wrap_cairo_surface_write_to_png_stream(cairo_surface_t *s,
    cairo_write_func_t write, void *closure)
{
	cairo_status_t st = pngout_write(s, write, closure, PNGOUT_FAST);

	if (st == CAIRO_STATUS_SURFACE_TYPE_MISMATCH)
		st =
		    __real_cairo_surface_write_to_png_stream(s, write, closure);
	return st;
}
