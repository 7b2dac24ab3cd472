/*
 * The chart of chart_wire.h written and read. The reader trusts nothing it
 * reads: every count and length is checked against its bound before
 * anything is allocated, every enum against its range.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "chart_wire.h"
#include "xmalloc.h"

static const char chart_wire_magic[8] = "ITFCHRT1";

static void
chart_wire_put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void
chart_wire_u32(FILE *f, uint32_t v)
{
	chart_wire_put(f, &v, sizeof v);
}

static void
chart_wire_i64(FILE *f, int64_t v)
{
	chart_wire_put(f, &v, sizeof v);
}

static void
chart_wire_str(FILE *f, const char *s)
{
	size_t n = strlen(s);

	if (n > CHART_WIRE_MAX_STR)
		n = CHART_WIRE_MAX_STR;
	chart_wire_u32(f, (uint32_t)n);
	chart_wire_put(f, s, n);
}

static void
chart_wire_row(FILE *f, const struct chart *c, size_t i)
{
	unsigned char band;

	chart_wire_str(f, c->labels[i]);
	if (c->display != NULL)
		chart_wire_str(f, c->display[i] ? c->display[i] : "");
	chart_wire_i64(f, c->starts[i]);
	chart_wire_i64(f, c->ends[i]);
	if (c->bands != NULL) {
		band = c->bands[i];
		chart_wire_put(f, &band, 1);
	}
	chart_wire_put(f, c->vals + i * c->ncols, c->ncols * sizeof *c->vals);
}

int
chart_wire_write(FILE *f, const struct chart *c, int width, int height)
{
	int32_t ints[6] = { c->decimals, c->percent, c->bars, c->stack,
		c->shade, c->compact };
	unsigned char flags[2] = { c->bands != NULL, c->display != NULL };
	size_t i;

	chart_wire_put(f, chart_wire_magic, sizeof chart_wire_magic);
	chart_wire_u32(f, (uint32_t)width);
	chart_wire_u32(f, (uint32_t)height);
	chart_wire_str(f, c->title);
	chart_wire_str(f, c->vlabel);
	chart_wire_i64(f, c->from);
	chart_wire_i64(f, c->to);
	chart_wire_put(f, ints, sizeof ints);
	chart_wire_u32(f, (uint32_t)c->ncols);
	for (i = 0; i < c->ncols; i++) {
		chart_wire_str(f, c->cols[i]);
		chart_wire_u32(f, (uint32_t)c->styles[i]);
	}
	chart_wire_u32(f, (uint32_t)c->nrows);
	chart_wire_put(f, flags, sizeof flags);
	for (i = 0; i < c->nrows; i++)
		chart_wire_row(f, c, i);
	chart_wire_u32(f, (uint32_t)c->nnotes);
	for (i = 0; i < c->nnotes; i++)
		chart_wire_str(f, c->notes[i]);
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* The reader's state: the first failure is kept, later reads do nothing. */
struct chart_wire_in {
	FILE *f;
	const char *err;
};

static int
chart_wire_get(struct chart_wire_in *in, void *p, size_t n)
{
	if (in->err == NULL && fread(p, 1, n, in->f) != n)
		in->err = "the chart ends early";
	if (in->err != NULL)
		memset(p, 0, n);
	return in->err == NULL ? 0 : -1;
}

static uint32_t
chart_wire_get_u32(struct chart_wire_in *in, uint32_t max, const char *what)
{
	uint32_t v;

	chart_wire_get(in, &v, sizeof v);
	if (in->err == NULL && v > max)
		in->err = what;
	return in->err == NULL ? v : 0;
}

static int64_t
chart_wire_get_i64(struct chart_wire_in *in)
{
	int64_t v;

	chart_wire_get(in, &v, sizeof v);
	return v;
}

/* A string, NUL-terminated, in buf when it fits else allocated. */
static char *
chart_wire_get_str(struct chart_wire_in *in)
{
	uint32_t n = chart_wire_get_u32(in, CHART_WIRE_MAX_STR,
	    "a text of the chart is too long");
	char *s = xmalloc((size_t)n + 1);

	chart_wire_get(in, s, n);
	s[in->err == NULL ? n : 0] = '\0';
	return s;
}

static void
chart_wire_get_head(struct chart_wire_in *in, struct chart *c)
{
	int32_t ints[6];
	char *s;

	s = chart_wire_get_str(in);
	snprintf(c->title, sizeof c->title, "%s", s);
	free(s);
	s = chart_wire_get_str(in);
	snprintf(c->vlabel, sizeof c->vlabel, "%s", s);
	free(s);
	c->from = (time_t)chart_wire_get_i64(in);
	c->to = (time_t)chart_wire_get_i64(in);
	chart_wire_get(in, ints, sizeof ints);
	c->decimals = ints[0];
	c->percent = ints[1];
	c->bars = ints[2];
	c->stack = ints[3];
	c->shade = ints[4];
	c->compact = ints[5];
	if (in->err == NULL && (c->decimals < 0 || c->decimals > 12))
		in->err = "the chart's decimals are out of range";
}

static void
chart_wire_get_cols(struct chart_wire_in *in, struct chart *c)
{
	uint32_t i, n, style;
	char *s;

	n = chart_wire_get_u32(in, CHART_WIRE_MAX_COLS,
	    "the chart has too many columns");
	for (i = 0; i < n && in->err == NULL; i++) {
		s = chart_wire_get_str(in);
		style = chart_wire_get_u32(in, CHART_LOSS,
		    "a column's style is unknown");
		if (in->err == NULL)
			chart_add_col(c, s, (enum chart_style)style);
		free(s);
	}
	if (in->err == NULL && (c->shade < -1 || c->shade >= (int)c->ncols))
		in->err = "the shaded column is out of range";
}

static void
chart_wire_get_row(struct chart_wire_in *in, struct chart *c,
    const unsigned char *flags)
{
	char *label = chart_wire_get_str(in), *display = NULL;
	int64_t start, end;
	unsigned char band = 0;
	size_t r;

	if (flags[1])
		display = chart_wire_get_str(in);
	start = chart_wire_get_i64(in);
	end = chart_wire_get_i64(in);
	if (flags[0])
		chart_wire_get(in, &band, 1);
	if (in->err == NULL && band >= CHART_BAND_N)
		in->err = "a row's band is unknown";
	if (in->err == NULL) {
		r = chart_add_row(c, label, (time_t)start, (time_t)end);
		if (display != NULL)
			chart_set_display(c, r, display);
		if (c->bands != NULL)
			c->bands[r] = band;
		chart_wire_get(in, c->vals + r * c->ncols,
		    c->ncols * sizeof *c->vals);
	}
	free(label);
	free(display);
}

static void
chart_wire_get_rows(struct chart_wire_in *in, struct chart *c)
{
	unsigned char flags[2];
	uint32_t i, n;
	char *s;

	n = chart_wire_get_u32(in, CHART_WIRE_MAX_ROWS,
	    "the chart has too many rows");
	chart_wire_get(in, flags, sizeof flags);
	if (in->err == NULL && flags[0])
		c->bands = xcalloc((size_t)n + 1, 1);
	if (in->err == NULL && flags[1])
		c->display = xcalloc((size_t)n + 1, sizeof *c->display);
	for (i = 0; i < n && in->err == NULL; i++)
		chart_wire_get_row(in, c, flags);
	n = chart_wire_get_u32(in, CHART_WIRE_MAX_NOTES,
	    "the chart has too many notes");
	for (i = 0; i < n && in->err == NULL; i++) {
		s = chart_wire_get_str(in);
		if (in->err == NULL)
			chart_note(c, "%s", s);
		free(s);
	}
}

int
chart_wire_read(FILE *f, struct chart **out, int *width, int *height,
    char **cause)
{
	struct chart_wire_in in = { f, NULL };
	char magic[sizeof chart_wire_magic];
	struct chart *c;

	*out = NULL;
	if (chart_wire_get(&in, magic, sizeof magic) != 0 ||
	    memcmp(magic, chart_wire_magic, sizeof magic) != 0) {
		*cause = xstrdup("not a chart (no ITFCHRT1 header)");
		return -1;
	}
	*width = (int)chart_wire_get_u32(&in, CHART_WIRE_MAX_PX,
	    "the picture is too wide");
	*height = (int)chart_wire_get_u32(&in, CHART_WIRE_MAX_PX,
	    "the picture is too high");
	c = chart_new("", 0, 0);
	chart_wire_get_head(&in, c);
	chart_wire_get_cols(&in, c);
	chart_wire_get_rows(&in, c);
	if (in.err == NULL && fgetc(f) != EOF)
		in.err = "the chart is followed by more data";
	if (in.err != NULL) {
		*cause = xstrdup(in.err);
		chart_free(c);
		return -1;
	}
	*out = c;
	return 0;
}
