/*
 * PNG files of the pictures cairo draws, written with a fast compression.
 * cairo's own writer (cairo_surface_write_to_png_stream) leaves libpng's
 * defaults: zlib level 6 and every row tried with all five filters, which
 * took a fifth of a one-graph command. This writes the same pixels, the
 * same chunks (IHDR, bKGD white, IDAT, IEND) and the same colour type as
 * cairo does, only compressed faster: a bigger file, the same picture.
 * librrd calls cairo's writer itself: the programs that draw are linked
 * with --wrap=cairo_surface_write_to_png_stream (CMakeLists.txt, itf_librrd),
 * so its call comes here too.
 */
#ifndef PNGOUT_H
#define PNGOUT_H

#include <cairo.h>

/* How pngout_write compresses: PNGOUT_FAST, what the tool and the
 * renderer write; PNGOUT_AS_CAIRO, libpng's defaults as cairo leaves
 * them (then the bytes are cairo's, which the tests check). */
enum pngout_mode {
	PNGOUT_FAST,
	PNGOUT_AS_CAIRO,
};

/*
 * Write the image surface s as a PNG through write(closure, ...), as
 * cairo_surface_write_to_png_stream does: CAIRO_STATUS_SUCCESS, or the
 * status write returned, CAIRO_STATUS_NO_MEMORY when libpng failed, or
 * CAIRO_STATUS_SURFACE_TYPE_MISMATCH when s is no ARGB32 or RGB24 image
 * (a picture this does not write; cairo's writer does).
 */
cairo_status_t pngout_write(cairo_surface_t *s, cairo_write_func_t write,
    void *closure, enum pngout_mode mode);

#endif
