/*
 * A chart: the numbers of a graph, computed by the tool, and their two
 * renderings, a picture (PNG, SVG or PDF) and a table (CSV or JSON). Both
 * read the same doubles, so the table prints exactly what the picture
 * shows. A time chart is drawn by librrd: the rows are written to a
 * temporary RRD file of their own step and graphed from it, never
 * consolidated again by a VDEF. A categorical chart (bars: months,
 * quarters, groups) is drawn with cairo and pango (barchart.c): a bar or a
 * stack per row, its value written on it.
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

/* What a row's time was, as the journal has it: drawn behind the values
 * in its own colour. */
enum chart_band {
	CHART_BAND_NONE,
	CHART_BAND_OUTAGE, /* down, outside maintenance */
	CHART_BAND_PLANNED, /* down inside a maintenance window */
	CHART_BAND_MAINT, /* a maintenance window */
	CHART_BAND_UNKNOWN, /* no run covered it: no data */
	CHART_BAND_N
};

struct chart {
	char title[256];
	char vlabel[128];
	time_t from, to;
	int decimals; /* of the values in the table and the notes */
	int percent; /* 0..100: the axis from 0 to 100 */
	int bars; /* rows are categories (months, quarters, groups): bars */
	int stack; /* bars: columns stacked, else side by side */
	int shade; /* column whose values below 100 are shaded (-1: none) */
	unsigned char *bands; /* nrows enum chart_band, or NULL: the journal's
	                         shading, instead of shade */

	size_t ncols;
	char **cols; /* names, as in the table's header */
	enum chart_style *styles;

	size_t nrows;
	char **labels; /* each row's name: an ISO time, "2026Q1", "2026-01" */
	char **display; /* bars: each row's name in the picture, or NULL */
	time_t *starts; /* each row covers [starts[i], ends[i]) */
	time_t *ends;
	double *vals; /* nrows * ncols, NAN unknown */

	char **notes; /* lines printed under the graph and with the table */
	size_t nnotes;
	int compact; /* a sparkline: the picture without title, legend and
	                notes, in small type (the table is whole) */
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
/* The name a bar's row has in the picture ("2026 Q1" for "2026Q1"). */
void chart_set_display(struct chart *, size_t row, const char *text);
/*
 * An amount with decimals; grouped: with a thousands separator
 * ("1,234,567.89"), as pictures and text tables print amounts.
 */
void chart_fmt_amount(double v, int decimals, int grouped, char *buf,
    size_t len);
/* A note as a picture shows it: its decimal numbers ("33618.84") with
 * thousands separators ("33,618.84"); dates and times untouched. */
void chart_group_text(const char *in, char *buf, size_t len);

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
/*
 * The same on a thread of its own, started now: fontconfig reads its
 * configuration while the caller reads its own (a one-graph command);
 * chart_check_fonts waits for it, and so does chart_check_fonts_wait,
 * which does nothing when nothing was started. Call it before setenv:
 * the thread reads the environment.
 */
void chart_check_fonts_start(void);
void chart_check_fonts_wait(void);

#endif
