/*
 * Charts: numbers the tool computed, kept in one structure that the
 * pictures (chart_draw.c, librrd and barchart.c) and the tables
 * (chart_table.c) read. This file builds and formats them and draws
 * nothing, so the daemon, which builds the dashboard's charts and has
 * them drawn by a program of its own (itfollow-render), never maps the
 * drawing libraries. Notes (the period's availability, totals) are
 * printed by the tool.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "xmalloc.h"

struct chart *
chart_new(const char *title, time_t from, time_t to)
{
	struct chart *c = xcalloc(1, sizeof *c);

	snprintf(c->title, sizeof c->title, "%s", title);
	c->from = from;
	c->to = to;
	c->decimals = 2;
	c->shade = -1;
	return c;
}

void
chart_free(struct chart *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	for (i = 0; i < c->nrows; i++) {
		free(c->labels[i]);
		if (c->display != NULL)
			free(c->display[i]);
	}
	free(c->display);
	for (i = 0; i < c->nnotes; i++)
		free(c->notes[i]);
	free(c->cols);
	free(c->styles);
	free(c->labels);
	free(c->starts);
	free(c->ends);
	free(c->vals);
	free(c->notes);
	free(c->bands);
	free(c);
}

/* Columns are added before rows. */
size_t
chart_add_col(struct chart *c, const char *name, enum chart_style style)
{
	c->cols = xreallocarray(c->cols, c->ncols + 1, sizeof *c->cols);
	c->styles = xreallocarray(c->styles, c->ncols + 1, sizeof *c->styles);
	c->cols[c->ncols] = xstrdup(name);
	c->styles[c->ncols] = style;
	return c->ncols++;
}

size_t
chart_add_row(struct chart *c, const char *label, time_t start, time_t end)
{
	size_t i, n = c->nrows;

	c->labels = xreallocarray(c->labels, n + 1, sizeof *c->labels);
	if (c->display != NULL) {
		c->display =
		    xreallocarray(c->display, n + 1, sizeof *c->display);
		c->display[n] = NULL;
	}
	c->starts = xreallocarray(c->starts, n + 1, sizeof *c->starts);
	c->ends = xreallocarray(c->ends, n + 1, sizeof *c->ends);
	c->vals = xreallocarray(c->vals, (n + 1) * (c->ncols ? c->ncols : 1),
	    sizeof *c->vals);
	c->labels[n] = xstrdup(label);
	c->starts[n] = start;
	c->ends[n] = end;
	for (i = 0; i < c->ncols; i++)
		c->vals[n * c->ncols + i] = NAN;
	return c->nrows++;
}

void
chart_set(struct chart *c, size_t row, size_t col, double v)
{
	c->vals[row * c->ncols + col] = v;
}

double
chart_get(const struct chart *c, size_t row, size_t col)
{
	return c->vals[row * c->ncols + col];
}

void
chart_note(struct chart *c, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = xstrdup("");
	va_end(ap);
	c->notes = xreallocarray(c->notes, c->nnotes + 1, sizeof *c->notes);
	c->notes[c->nnotes++] = s;
}

void
chart_set_display(struct chart *c, size_t row, const char *text)
{
	if (c->display == NULL)
		c->display = xcalloc(c->nrows + 1, sizeof *c->display);
	free(c->display[row]);
	c->display[row] = xstrdup(text);
}

void
chart_fmt_amount(double v, int decimals, int grouped, char *buf, size_t len)
{
	char plain[64], *dot;
	size_t n, i, k, digits;
	int neg;

	if (isnan(v)) {
		snprintf(buf, len, "%s", "");
		return;
	}
	snprintf(plain, sizeof plain, "%.*f", decimals, v);
	if (strspn(plain, "-0.") == strlen(plain) && plain[0] == '-')
		memmove(plain, plain + 1, strlen(plain));
	if (!grouped) {
		snprintf(buf, len, "%s", plain);
		return;
	}
	neg = plain[0] == '-';
	dot = strchr(plain, '.');
	digits =
	    (dot != NULL ? (size_t)(dot - plain) : strlen(plain)) - (size_t)neg;
	for (i = 0, k = 0; plain[i] != '\0' && k + 2 < len; i++) {
		n = (size_t)neg + digits - i; /* digits left before the dot */
		if (i > (size_t)neg && (dot == NULL || plain + i < dot) &&
		    n % 3 == 0)
			buf[k++] = ',';
		buf[k++] = plain[i];
	}
	buf[k] = '\0';
}

void
chart_group_text(const char *in, char *buf, size_t len)
{
	const char *p = in, *e;
	char num[64], out[64];
	size_t k = 0, n;

	while (*p != '\0' && k + 1 < len) {
		e = p;
		if ((p == in || !strchr("0123456789.-:", p[-1])) &&
		    (*p == '-' || isdigit((unsigned char)*p))) {
			e = p + (*p == '-');
			while (isdigit((unsigned char)*e))
				e++;
		}
		/* A plain decimal number: digits, a dot, digits. */
		if (e > p && *e == '.' && isdigit((unsigned char)e[1]) &&
		    (size_t)(e - p) < 20) {
			while (isdigit((unsigned char)e[1]))
				e++;
			n = (size_t)(e + 1 - p);
			memcpy(num, p, n);
			num[n] = '\0';
			chart_fmt_amount(strtod(num, NULL),
			    (int)(strchr(num, '.')
			            ? strlen(strchr(num, '.')) - 1
			            : 0),
			    1, out, sizeof out);
			n = strlen(out);
			if (k + n >= len)
				break;
			memcpy(buf + k, out, n);
			k += n;
			p = e + 1;
			continue;
		}
		buf[k++] = *p++;
	}
	buf[k] = '\0';
}

int
chart_empty(const struct chart *c)
{
	size_t i;

	for (i = 0; i < c->nrows * c->ncols; i++) {
		if (!isnan(c->vals[i]))
			return 0;
	}
	return 1;
}

void
chart_fmt(const struct chart *c, double v, char *buf, size_t len)
{
	if (isnan(v))
		buf[0] = '\0';
	else {
		snprintf(buf, len, "%.*f", c->decimals, v);
		if (strspn(buf, "-0.") == strlen(buf) && buf[0] == '-')
			memmove(buf, buf + 1, strlen(buf));
	}
}

const char *
chart_format(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcasecmp(name, "png") == 0)
		return "PNG";
	if (strcasecmp(name, "svg") == 0)
		return "SVG";
	if (strcasecmp(name, "pdf") == 0)
		return "PDF";
	return NULL;
}

const char *
chart_format_of(const char *file)
{
	const char *dot = strrchr(file, '.');

	return dot == NULL ? NULL : chart_format(dot + 1);
}
