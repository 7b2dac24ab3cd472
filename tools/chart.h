/*
 * A chart: the numbers of a graph, computed by the tool, and their two
 * renderings, a picture (librrd's graph, PNG, SVG or PDF) and a table (CSV
 * or JSON). Both read the same doubles, so the table prints exactly what
 * the picture shows: the rows are written to a temporary RRD file of their
 * own step and graphed from it, never consolidated again by a VDEF.
 */
#ifndef CHART_H
#define CHART_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

enum chart_style {
	CHART_LINE, /* a line */
	CHART_AREA, /* a filled area from 0 */
	CHART_STACK, /* a filled area on top of the previous one */
	/* Smokeping's smoke: the CHART_SMOKE columns are a spread's sorted
	 * figures, the space between each one and the next shaded grey,
	 * darker towards the middle; the CHART_LOSS_LINE column a line
	 * coloured by the CHART_LOSS column, a loss in percent. */
	CHART_SMOKE,
	CHART_LOSS_LINE,
	CHART_LOSS,
};

struct chart {
	char title[160];
	char vlabel[64];
	time_t from, to;
	int decimals; /* of the values in the table and the notes */
	int percent; /* 0..100: the axis from 0 to 100 */
	int bars; /* rows are calendar buckets (months, quarters) */
	int shade; /* column whose values below 100 are shaded (-1: none) */
	unsigned char *outage; /* nrows flags: rows shaded as outages (the
	                          journal's), instead of shade */

	size_t ncols;
	char **cols; /* names, as in the table's header */
	enum chart_style *styles;

	size_t nrows;
	char **labels; /* each row's name: an ISO time, "2026Q1", "2026-01" */
	time_t *starts; /* each row covers [starts[i], ends[i]) */
	time_t *ends;
	double *vals; /* nrows * ncols, NAN unknown */

	char **notes; /* lines printed under the graph and with the table */
	size_t nnotes;
};

struct chart *chart_new(const char *title, time_t from, time_t to);
void chart_free(struct chart *);
/* Add a column; returns its index. */
size_t chart_add_col(struct chart *, const char *name, enum chart_style);
/* Add a row of unknown values; returns its index. */
size_t chart_add_row(struct chart *, const char *label, time_t start,
    time_t end);
void chart_set(struct chart *, size_t row, size_t col, double v);
double chart_get(const struct chart *, size_t row, size_t col);
void chart_note(struct chart *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* 1 when no value is known. */
int chart_empty(const struct chart *);
/* A value as the table and the notes print it ("" when unknown). */
void chart_fmt(const struct chart *, double v, char *buf, size_t len);

/* png, svg or pdf; NULL when the name is none of them. */
const char *chart_format(const char *name);
/* The format a file name's extension names, or NULL. */
const char *chart_format_of(const char *file);

/*
 * Draw the chart at width x height pixels (the whole image) in format
 * (chart_format). With no known value the picture says "no data". The
 * image is returned in *buf (*len bytes, the caller frees). Calls are
 * serialised: librrd's graph is not thread-safe. Returns 0, or -1 with a
 * message in *cause.
 */
int chart_render(const struct chart *, const char *format, int width,
    int height, void **buf, size_t *len, char **cause);

/* Print the table, "csv" or "json". */
void chart_table(const struct chart *, const char *format, FILE *);

/* Once per process: warn on stderr when fontconfig finds no font. */
void chart_check_fonts(void);

#endif
