/*
 * The fast PNG writer (tools/report/pngout.h) against cairo's: at libpng's
 * defaults its bytes are cairo's, byte for byte, for an opaque picture
 * (RGB), one with transparency (RGBA, unpremultiplied) and an RGB24
 * surface; compressed fast, the file decodes to the very pixels cairo's
 * file decodes to; a write error comes back as the stream's status; a
 * surface it does not write goes to cairo's writer through the wrap the
 * drawing programs are linked with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cmocka.h>

#include "pngout.h"

/* cairo's own writer, which the link options reroute to pngout.c. */
cairo_status_t __real_cairo_surface_write_to_png_stream(cairo_surface_t *,
    cairo_write_func_t, void *);

struct buf {
	unsigned char *data;
	size_t len, fail_after; /* fail_after: 0, or the bytes accepted */
	size_t pos; /* where test_pngout_read_cb is */
};

static cairo_status_t
test_pngout_write_cb(void *arg, const unsigned char *data, unsigned int len)
{
	struct buf *b = arg;

	if (b->fail_after != 0 && b->len + len > b->fail_after)
		return CAIRO_STATUS_WRITE_ERROR;
	b->data = realloc(b->data, b->len + len);
	assert_non_null(b->data);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return CAIRO_STATUS_SUCCESS;
}

static cairo_status_t
test_pngout_read_cb(void *arg, unsigned char *data, unsigned int len)
{
	struct buf *b = arg;

	if (b->pos + len > b->len)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, b->data + b->pos, len);
	b->pos += len;
	return CAIRO_STATUS_SUCCESS;
}

/* Something like a graph: a background (or none), antialiased lines and
 * text, translucent areas. */
static cairo_surface_t *
test_pngout_picture(cairo_format_t fmt, int background)
{
	cairo_surface_t *s = cairo_image_surface_create(fmt, 320, 120);
	cairo_t *cr = cairo_create(s);
	int i;

	if (background) {
		cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
		cairo_paint(cr);
	}
	cairo_set_source_rgba(cr, 1.0, 0.69, 0.69, 0.6);
	cairo_rectangle(cr, 40, 10, 90, 80);
	cairo_fill(cr);
	cairo_set_line_width(cr, 1.5);
	cairo_set_source_rgb(cr, 0.12, 0.47, 0.71);
	cairo_move_to(cr, 10, 100);
	for (i = 1; i < 60; i++)
		cairo_line_to(cr, 10 + i * 5, 60 + 30 * ((i * 7) % 5) / 4.0);
	cairo_stroke(cr);
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	cairo_move_to(cr, 150, 30);
	cairo_show_text(cr, "availability 99.123 %, Östermalm");
	cairo_destroy(cr);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	return s;
}

/* The pixels a PNG file decodes to, as an ARGB32 surface. */
static cairo_surface_t *
test_pngout_decode(struct buf *b)
{
	cairo_surface_t *s;

	b->pos = 0;
	s = cairo_image_surface_create_from_png_stream(test_pngout_read_cb, b);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	return s;
}

static void
test_pngout_same_pixels(struct buf *a, struct buf *b)
{
	cairo_surface_t *sa = test_pngout_decode(a),
	                *sb = test_pngout_decode(b);
	int h = cairo_image_surface_get_height(sa);
	int stride = cairo_image_surface_get_stride(sa);

	assert_int_equal(cairo_image_surface_get_format(sa),
	    cairo_image_surface_get_format(sb));
	assert_int_equal(cairo_image_surface_get_width(sa),
	    cairo_image_surface_get_width(sb));
	assert_int_equal(h, cairo_image_surface_get_height(sb));
	assert_int_equal(stride, cairo_image_surface_get_stride(sb));
	assert_memory_equal(cairo_image_surface_get_data(sa),
	    cairo_image_surface_get_data(sb), (size_t)h * stride);
	cairo_surface_destroy(sa);
	cairo_surface_destroy(sb);
}

/* One picture three ways: cairo's file, ours at cairo's settings (the
 * same bytes) and ours fast (the same pixels). */
static void
test_pngout_case(cairo_format_t fmt, int background, int color_type)
{
	cairo_surface_t *s = test_pngout_picture(fmt, background);
	struct buf cairo = { 0 }, as = { 0 }, fast = { 0 }, wrapped = { 0 };

	assert_int_equal(__real_cairo_surface_write_to_png_stream(s,
	                     test_pngout_write_cb, &cairo),
	    CAIRO_STATUS_SUCCESS);
	assert_int_equal(pngout_write(s, test_pngout_write_cb, &as,
	                     PNGOUT_AS_CAIRO),
	    CAIRO_STATUS_SUCCESS);
	assert_int_equal(pngout_write(s, test_pngout_write_cb, &fast,
	                     PNGOUT_FAST),
	    CAIRO_STATUS_SUCCESS);
	/* IHDR's colour type: RGB 2, RGBA 6. */
	assert_true(cairo.len > 26);
	assert_int_equal(cairo.data[25], color_type);
	assert_int_equal(as.len, cairo.len);
	assert_memory_equal(as.data, cairo.data, cairo.len);
	assert_int_equal(fast.data[25], color_type);
	assert_memory_not_equal(fast.data, cairo.data,
	    fast.len < cairo.len ? fast.len : cairo.len);
	test_pngout_same_pixels(&fast, &cairo);
	/* What librrd's call of cairo's writer gets. */
	assert_int_equal(cairo_surface_write_to_png_stream(s,
	                     test_pngout_write_cb, &wrapped),
	    CAIRO_STATUS_SUCCESS);
	assert_int_equal(wrapped.len, fast.len);
	assert_memory_equal(wrapped.data, fast.data, fast.len);
	free(wrapped.data);
	free(cairo.data);
	free(as.data);
	free(fast.data);
	cairo_surface_destroy(s);
}

static void
test_pngout_opaque(void **state)
{
	(void)state;
	test_pngout_case(CAIRO_FORMAT_ARGB32, 1, 2);
}

static void
test_pngout_alpha(void **state)
{
	(void)state;
	test_pngout_case(CAIRO_FORMAT_ARGB32, 0, 6);
}

static void
test_pngout_rgb24(void **state)
{
	(void)state;
	test_pngout_case(CAIRO_FORMAT_RGB24, 1, 2);
}

static void
test_pngout_write_error(void **state)
{
	cairo_surface_t *s = test_pngout_picture(CAIRO_FORMAT_ARGB32, 1);
	struct buf b = { 0 };

	(void)state;
	b.fail_after = 100;
	assert_int_equal(pngout_write(s, test_pngout_write_cb, &b, PNGOUT_FAST),
	    CAIRO_STATUS_WRITE_ERROR);
	assert_true(b.len <= 100);
	free(b.data);
	cairo_surface_destroy(s);
}

/* A surface that is no image: cairo's writer writes it, through the
 * wrap, with the bytes it always wrote. */
static void
test_pngout_not_image(void **state)
{
	cairo_surface_t *s =
	    cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA,
	        &(cairo_rectangle_t){ 0, 0, 50, 20 });
	cairo_t *cr = cairo_create(s);
	struct buf wrapped = { 0 }, real = { 0 };

	(void)state;
	cairo_set_source_rgb(cr, 0.2, 0.4, 0.6);
	cairo_paint(cr);
	cairo_destroy(cr);
	assert_int_equal(pngout_write(s, test_pngout_write_cb, &wrapped,
	                     PNGOUT_FAST),
	    CAIRO_STATUS_SURFACE_TYPE_MISMATCH);
	assert_int_equal(wrapped.len, 0);
	assert_int_equal(cairo_surface_write_to_png_stream(s,
	                     test_pngout_write_cb, &wrapped),
	    CAIRO_STATUS_SUCCESS);
	assert_int_equal(__real_cairo_surface_write_to_png_stream(s,
	                     test_pngout_write_cb, &real),
	    CAIRO_STATUS_SUCCESS);
	assert_int_equal(wrapped.len, real.len);
	assert_memory_equal(wrapped.data, real.data, real.len);
	free(wrapped.data);
	free(real.data);
	cairo_surface_destroy(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pngout_opaque),
		cmocka_unit_test(test_pngout_alpha),
		cmocka_unit_test(test_pngout_rgb24),
		cmocka_unit_test(test_pngout_write_error),
		cmocka_unit_test(test_pngout_not_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
