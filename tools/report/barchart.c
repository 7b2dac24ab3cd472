/*
 * Bar charts with cairo and pango. The layout is worked out top down: the
 * title, the plot, the category names under it, the legend and the notes;
 * the value axis takes the width its longest tick label needs. The scale
 * runs from 0 (or below it when a stack is negative) to a round number
 * above the tallest stack; every bar is labelled with its value, inside
 * its segment when it fits, the stack's total above it.
 */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barchart.h"
#include "chart.h"
#include "pngout.h"
#include "xmalloc.h"

#define BAR_FONT "DejaVu Sans"
#define BAR_PAD 10.0
#define BAR_MAX_W 120.0 /* a bar no wider than this, however few */

static const unsigned bar_colors[] = { 0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728,
	0x9467BD, 0x8C564B, 0xE377C2, 0xBCBD22, 0x17BECF, 0x393B79 };
#define BAR_NCOLORS (sizeof bar_colors / sizeof bar_colors[0])
#define BAR_GREY 0x9E9E9E /* unallocated */

struct bar_out {
	unsigned char *data;
	size_t len;
};

struct bar {
	const struct chart *c;
	cairo_t *cr;
	double w, h;
	double x0, x1, y0, y1; /* the plot: x0..x1 left to right, y0 top */
	double lo, hi, step; /* the scale */
	int decimals;
};

static cairo_status_t
bar_write_cb(void *arg, const unsigned char *data, unsigned int len)
{
	struct bar_out *o = arg;

	o->data = xrealloc(o->data, o->len + len + 1);
	memcpy(o->data + o->len, data, len);
	o->len += len;
	return CAIRO_STATUS_SUCCESS;
}

static void
bar_rgb(cairo_t *cr, unsigned rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0,
	    ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0);
}

static unsigned
bar_color(const struct chart *c, size_t col)
{
	if (strcmp(c->cols[col], "unallocated") == 0)
		return BAR_GREY;
	return bar_colors[col % BAR_NCOLORS];
}

/* A layout of text in the chart's font at size px (bold when asked). */
static PangoLayout *
bar_text(cairo_t *cr, const char *text, double px, int bold)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(BAR_FONT);

	pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, text, -1);
	return l;
}

static void
bar_size(PangoLayout *l, double *w, double *h)
{
	int iw, ih;

	pango_layout_get_pixel_size(l, &iw, &ih);
	*w = iw;
	*h = ih;
}

/* Draw text centred on x at top y (align -1: right edge x, 1: left). */
static void
bar_put(cairo_t *cr, const char *text, double px, int bold, double x, double y,
    int align)
{
	PangoLayout *l = bar_text(cr, text, px, bold);
	double w, h;

	bar_size(l, &w, &h);
	cairo_move_to(cr, align < 0 ? x - w : align > 0 ? x : x - w / 2, y);
	pango_cairo_show_layout(cr, l);
	g_object_unref(l);
}

static double
bar_text_width(cairo_t *cr, const char *text, double px, int bold)
{
	PangoLayout *l = bar_text(cr, text, px, bold);
	double w, h;

	bar_size(l, &w, &h);
	g_object_unref(l);
	return w;
}

/* The lowest and highest ends of the bars or stacks; 0 when none known. */
static int
bar_extent(const struct chart *c, double *lo, double *hi)
{
	double pos, neg, v;
	size_t r, k;
	int any = 0;

	*lo = *hi = 0;
	for (r = 0; r < c->nrows; r++) {
		pos = neg = 0;
		for (k = 0; k < c->ncols; k++) {
			if (isnan(v = chart_get(c, r, k)))
				continue;
			any = 1;
			if (!c->stack) {
				pos = v > pos ? v : pos;
				neg = v < neg ? v : neg;
			} else if (v >= 0)
				pos += v;
			else
				neg += v;
		}
		*hi = pos > *hi ? pos : *hi;
		*lo = neg < *lo ? neg : *lo;
	}
	return any;
}

/* A round scale over [lo, hi], about five steps. */
static void
bar_scale(struct bar *b, double lo, double hi)
{
	double raw, mag, norm;

	if (b->c->percent && lo >= 0 && hi <= 100) {
		b->lo = 0;
		b->hi = 100;
		b->step = 20;
		b->decimals = 0;
		return;
	}
	if (hi - lo <= 0)
		hi = lo + 1;
	raw = (hi - lo) / 5;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	b->step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
	b->lo = floor(lo / b->step) * b->step;
	b->hi = ceil(hi / b->step) * b->step;
	/* Room above the tallest bar for its label. */
	if (hi > 0 && b->hi - hi < b->step * 0.3)
		b->hi += b->step;
	b->decimals = b->step >= 1 ? 0 : (int)ceil(-log10(b->step));
}

static double
bar_y(const struct bar *b, double v)
{
	return b->y1 - (v - b->lo) / (b->hi - b->lo) * (b->y1 - b->y0);
}

static const char *
bar_display(const struct chart *c, size_t r)
{
	return c->display != NULL && c->display[r] != NULL ? c->display[r]
	                                                   : c->labels[r];
}

/* The value axis: grid lines, ticks and the unit. */
static void
bar_axis(struct bar *b)
{
	cairo_t *cr = b->cr;
	char num[64];
	double v, y;
	PangoLayout *l;

	cairo_set_line_width(cr, 1);
	for (v = b->lo; v <= b->hi + b->step / 2; v += b->step) {
		y = floor(bar_y(b, v)) + 0.5;
		bar_rgb(cr, fabs(v) < b->step / 2 ? 0x606060 : 0xE0E0E0);
		cairo_move_to(cr, b->x0, y);
		cairo_line_to(cr, b->x1, y);
		cairo_stroke(cr);
		chart_fmt_amount(fabs(v) < b->step / 2 ? 0 : v, b->decimals, 1,
		    num, sizeof num);
		bar_rgb(cr, 0x333333);
		bar_put(cr, num, 9, 0, b->x0 - 4, y - 6, -1);
	}
	if (b->c->vlabel[0] != '\0') {
		l = bar_text(cr, b->c->vlabel, 10, 0);
		cairo_save(cr);
		cairo_move_to(cr, BAR_PAD,
		    (b->y0 + b->y1) / 2 +
		        bar_text_width(cr, b->c->vlabel, 10, 0) / 2);
		cairo_rotate(cr, -M_PI / 2);
		pango_cairo_show_layout(cr, l);
		cairo_restore(cr);
		g_object_unref(l);
	}
}

/* A value on its bar: inside when it fits, else beside the end. */
static void
bar_value(struct bar *b, double v, double x, double w, double ytop, double ybot,
    unsigned rgb, int inside_only)
{
	cairo_t *cr = b->cr;
	char num[64];
	double tw, th = 11;
	int dark;

	chart_fmt_amount(v, b->c->decimals, 1, num, sizeof num);
	tw = bar_text_width(cr, num, 9, 0);
	if (tw + 4 <= w && ybot - ytop >= th + 2) {
		dark = ((rgb >> 16) & 0xff) * 3 + ((rgb >> 8) & 0xff) * 6 +
		        (rgb & 0xff) <
		    1400;
		bar_rgb(cr, dark ? 0xFFFFFF : 0x000000);
		bar_put(cr, num, 9, 0, x + w / 2, (ytop + ybot) / 2 - th / 2,
		    0);
		return;
	}
	if (inside_only)
		return;
	bar_rgb(cr, 0x000000);
	bar_put(cr, num, 9, 0, x + w / 2, v >= 0 ? ytop - th - 1 : ybot + 1, 0);
}

/* One row's stack: its segments, each labelled, and the total on top. */
static void
bar_stack(struct bar *b, size_t r, double x, double w)
{
	const struct chart *c = b->c;
	double pos = 0, neg = 0, v, a, z;
	char num[64];
	size_t k;

	for (k = 0; k < c->ncols; k++) {
		if (isnan(v = chart_get(c, r, k)) || v == 0)
			continue;
		a = v > 0 ? pos : neg;
		z = a + v;
		bar_rgb(b->cr, bar_color(c, k));
		cairo_rectangle(b->cr, x, bar_y(b, v > 0 ? z : a), w,
		    fabs(bar_y(b, z) - bar_y(b, a)));
		cairo_fill(b->cr);
		bar_value(b, v, x, w, bar_y(b, v > 0 ? z : a),
		    bar_y(b, v > 0 ? a : z), bar_color(c, k), c->ncols > 1);
		if (v > 0)
			pos = z;
		else
			neg = z;
	}
	if (c->ncols > 1) {
		chart_fmt_amount(pos + neg, c->decimals, 1, num, sizeof num);
		bar_rgb(b->cr, 0x000000);
		bar_put(b->cr, num, 9.5, 1, x + w / 2, bar_y(b, pos) - 14, 0);
	}
}

/* One row's bars side by side, each labelled. */
static void
bar_group(struct bar *b, size_t r, double x, double w)
{
	const struct chart *c = b->c;
	double bw = w / (double)c->ncols, v, y0;
	size_t k;

	for (k = 0; k < c->ncols; k++) {
		if (isnan(v = chart_get(c, r, k)))
			continue;
		y0 = bar_y(b, 0);
		bar_rgb(b->cr, bar_color(c, k));
		cairo_rectangle(b->cr, x + k * bw + 1,
		    v >= 0 ? bar_y(b, v) : y0, bw - 2, fabs(bar_y(b, v) - y0));
		cairo_fill(b->cr);
		bar_value(b, v, x + k * bw, bw, v >= 0 ? bar_y(b, v) : y0,
		    v >= 0 ? y0 : bar_y(b, v), bar_color(c, k), 0);
	}
}

static int
bar_row_known(const struct chart *c, size_t r)
{
	size_t k;

	for (k = 0; k < c->ncols; k++) {
		if (!isnan(chart_get(c, r, k)))
			return 1;
	}
	return 0;
}

static void
bar_categories(struct bar *b)
{
	const struct chart *c = b->c;
	double slot = (b->x1 - b->x0) / (double)(c->nrows ? c->nrows : 1), x, w;
	PangoLayout *l;
	size_t r;

	for (r = 0; r < c->nrows; r++) {
		x = b->x0 + slot * (double)r;
		if (!bar_row_known(c, r)) {
			bar_rgb(b->cr, 0x888888);
			bar_put(b->cr, "no data", 9, 0, x + slot / 2,
			    bar_y(b, 0) - 14, 0);
		} else if (c->stack) {
			w = slot * 0.6 < BAR_MAX_W ? slot * 0.6 : BAR_MAX_W;
			bar_stack(b, r, x + (slot - w) / 2, w);
		} else {
			w = slot * 0.8 < BAR_MAX_W * (double)c->ncols
			    ? slot * 0.8
			    : BAR_MAX_W * (double)c->ncols;
			bar_group(b, r, x + (slot - w) / 2, w);
		}
		l = bar_text(b->cr, bar_display(c, r), 10, 0);
		pango_layout_set_width(l, (int)(slot * PANGO_SCALE));
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		bar_rgb(b->cr, 0x000000);
		cairo_move_to(b->cr, x, b->y1 + 4);
		pango_cairo_show_layout(b->cr, l);
		g_object_unref(l);
	}
}

/* The legend's height at this width (draw: and draw it from y). */
static double
bar_legend(struct bar *b, double y, int draw)
{
	const struct chart *c = b->c;
	double x = b->x0, w;
	size_t k;

	if (c->ncols < 2)
		return 0;
	for (k = 0; k < c->ncols; k++) {
		w = 16 + bar_text_width(b->cr, c->cols[k], 9.5, 0) + 14;
		if (x + w > b->w - BAR_PAD && x > b->x0) {
			x = b->x0;
			y += 16;
		}
		if (draw) {
			bar_rgb(b->cr, bar_color(c, k));
			cairo_rectangle(b->cr, x, y + 2, 11, 11);
			cairo_fill(b->cr);
			bar_rgb(b->cr, 0x000000);
			bar_put(b->cr, c->cols[k], 9.5, 0, x + 15, y, 1);
		}
		x += w;
	}
	return y + 16;
}

/* Lay out and draw everything. */
static void
bar_draw(struct bar *b)
{
	const struct chart *c = b->c;
	double lo, hi, legend, notes, labw = 0, tw;
	char num[64], text[512];
	size_t i;
	int any;
	double v;

	bar_rgb(b->cr, 0xFFFFFF);
	cairo_paint(b->cr);
	any = bar_extent(c, &lo, &hi);
	bar_scale(b, lo, hi);
	for (v = b->lo; v <= b->hi + b->step / 2; v += b->step) {
		chart_fmt_amount(v, b->decimals, 1, num, sizeof num);
		if ((tw = bar_text_width(b->cr, num, 9, 0)) > labw)
			labw = tw;
	}
	b->x0 = BAR_PAD + (c->vlabel[0] ? 18 : 0) + labw + 8;
	b->x1 = b->w - BAR_PAD;
	b->y0 = BAR_PAD + 22;
	notes = (double)c->nnotes * 13;
	legend = bar_legend(b, 0, 0);
	b->y1 = b->h - BAR_PAD - notes - legend - 30;
	if (b->y1 < b->y0 + 20)
		b->y1 = b->y0 + 20;
	bar_rgb(b->cr, 0x000000);
	bar_put(b->cr, c->title, 12, 1, b->w / 2, BAR_PAD - 2, 0);
	bar_axis(b);
	if (!any) {
		bar_rgb(b->cr, 0x888888);
		bar_put(b->cr, "no data", 14, 1, (b->x0 + b->x1) / 2,
		    (b->y0 + b->y1) / 2 - 9, 0);
	}
	bar_categories(b);
	bar_legend(b, b->y1 + 26, 1);
	bar_rgb(b->cr, 0x333333);
	for (i = 0; i < c->nnotes; i++) {
		chart_group_text(c->notes[i], text, sizeof text);
		bar_put(b->cr, text, 9, 0, b->x0,
		    b->h - BAR_PAD - notes + 13 * (double)i, 1);
	}
}

int
barchart_render(const struct chart *c, const char *format, int width,
    int height, void **buf, size_t *len, char **cause)
{
	struct bar_out out = { NULL, 0 };
	cairo_surface_t *s;
	cairo_status_t st;
	struct bar b;

	*buf = NULL;
	*len = 0;
	if (strcmp(format, "SVG") == 0)
		s = cairo_svg_surface_create_for_stream(bar_write_cb, &out,
		    width, height);
	else if (strcmp(format, "PDF") == 0)
		s = cairo_pdf_surface_create_for_stream(bar_write_cb, &out,
		    width, height);
	else
		s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width,
		    height);
	memset(&b, 0, sizeof b);
	b.c = c;
	b.w = width;
	b.h = height;
	b.cr = cairo_create(s);
	bar_draw(&b);
	cairo_destroy(b.cr);
	if (strcmp(format, "PNG") == 0)
		st = pngout_write(s, bar_write_cb, &out, PNGOUT_FAST);
	else {
		cairo_surface_finish(s);
		st = cairo_surface_status(s);
	}
	cairo_surface_destroy(s);
	if (st != CAIRO_STATUS_SUCCESS || out.len == 0) {
		xasprintf(cause, "chart: %s", cairo_status_to_string(st));
		free(out.data);
		return -1;
	}
	*buf = out.data;
	*len = out.len;
	return 0;
}
