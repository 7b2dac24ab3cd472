/*
 * Parser of CSV feeds on libcsv, which does the quoting and calls back for
 * each field and at the end of each row; only the cells of the columns
 * asked for are copied, so memory stays proportional to what is kept. The
 * buffer is fed to libcsv one line at a time so that each row knows the line
 * it starts on: a row starts on the first line that begins while libcsv is
 * between rows (its state is in the public struct csv_parser). Rows are
 * sorted at the end, then equal times weeded out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "parse_csvfeed.h"
#include "parse_time.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_CSVFEED_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_CSVFEED_ROW_NOT_BEGUN 0 /* libcsv's pstate between rows */

/* A row as read, with its number for errors and stable sorting. */
struct parse_csvfeed_item {
	struct parse_csvfeed_row row;
	size_t rowno;
};

struct parse_csvfeed_state {
	struct parse_csvfeed *out;
	const struct parse_csvfeed_opts *opts;
	struct parse_csvfeed_item *items;
	size_t nitems, cap;
	int header; /* the header row was read */
	int stop; /* the header lacks a column: read no rows */
	int full; /* row cap reached, reported */
	size_t *cols; /* column of date (cols[0]) and values (cols[1..]) */
	size_t maxcol; /* highest of them */
	char **cells; /* the current row's cells of cols, NULL if absent */
	size_t *cell_len; /* their lengths (they may hold NUL bytes) */
	size_t field; /* index of the next field in the current row */
	size_t line; /* line being fed to libcsv */
	size_t row_line; /* line the current row started on */
	size_t rowno; /* rows read after the header */
};

/* Errors go to out's list, PARSE_CSVFEED_MAX_ERRORS at most. */
#define parse_csvfeed_error(out, ...)                     \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_CSVFEED_MAX_ERRORS, __VA_ARGS__)

static int
parse_csvfeed_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* s[0..*n) without blanks at its ends. */
static const char *
parse_csvfeed_trim(const char *s, size_t *n)
{
	while (*n > 0 && parse_csvfeed_blank(*s)) {
		s++;
		(*n)--;
	}
	while (*n > 0 && parse_csvfeed_blank(s[*n - 1]))
		(*n)--;
	return s;
}

/* The name of cols[i]: the date column for 0, a value column after. */
static const char *
parse_csvfeed_name(const struct parse_csvfeed_state *st, size_t i)
{
	return i == 0 ? st->opts->date_column : st->opts->value_columns[i - 1];
}

/* A field of the header row: the column of the names it bears. */
static void
parse_csvfeed_header_field(struct parse_csvfeed_state *st, const char *s,
    size_t n)
{
	char q[PARSE_CSVFEED_QUOTE + 4];
	const char *name;
	size_t i;

	if (st->field == 0 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	s = parse_csvfeed_trim(s, &n);
	for (i = 0; i <= st->opts->nvalues; i++) {
		name = parse_csvfeed_name(st, i);
		if (strlen(name) != n || memcmp(name, s, n) != 0)
			continue;
		if (st->cols[i] == (size_t)-1)
			st->cols[i] = st->field;
		else if (st->cols[i] != st->field)
			parse_csvfeed_error(st->out,
			    "line %zu: header: column %s given again as column %zu, the first (column %zu) is used",
			    st->row_line,
			    parse_util_quote_str(name, q, sizeof q),
			    st->field + 1, st->cols[i] + 1);
	}
}

static void
parse_csvfeed_header_end(struct parse_csvfeed_state *st)
{
	char q[PARSE_CSVFEED_QUOTE + 4];
	size_t i;

	st->header = 1;
	st->maxcol = 0;
	for (i = 0; i <= st->opts->nvalues; i++) {
		if (st->cols[i] == (size_t)-1) {
			xasprintf(&st->out->error,
			    "line %zu: no column \"%s\" in the header",
			    st->row_line,
			    parse_util_quote_str(parse_csvfeed_name(st, i), q,
			        sizeof q));
			st->out->ok = 0;
			st->stop = 1;
			return;
		}
		if (st->cols[i] > st->maxcol)
			st->maxcol = st->cols[i];
	}
}

/* libcsv: a field of the current row. */
static void
parse_csvfeed_field(void *s, size_t n, void *data)
{
	struct parse_csvfeed_state *st = data;
	size_t i;

	if (st->stop) {
		st->field++;
		return;
	}
	if (!st->header) {
		parse_csvfeed_header_field(st, s, n);
		st->field++;
		return;
	}
	if (st->field <= st->maxcol) {
		for (i = 0; i <= st->opts->nvalues; i++) {
			if (st->cols[i] != st->field || st->cells[i] != NULL)
				continue;
			st->cells[i] = xmalloc(n + 1);
			memcpy(st->cells[i], s, n);
			st->cells[i][n] = '\0';
			st->cell_len[i] = n;
		}
	}
	st->field++;
}

static int
parse_csvfeed_cmp(const void *a, const void *b)
{
	const struct parse_csvfeed_item *x = a, *y = b;

	if (x->row.time != y->row.time)
		return x->row.time < y->row.time ? -1 : 1;
	return x->rowno < y->rowno ? -1 : x->rowno > y->rowno;
}

/* The cells of a data row made into a row, or the row reported. */
static void
parse_csvfeed_row(struct parse_csvfeed_state *st)
{
	struct parse_csvfeed *out = st->out;
	struct parse_csvfeed_item it;
	char q[PARSE_CSVFEED_QUOTE + 4], qn[PARSE_CSVFEED_QUOTE + 4];
	const char *s;
	long long ns;
	size_t i, n;

	st->rowno++;
	if (st->field <= st->maxcol)
		parse_csvfeed_error(out,
		    "row %zu (line %zu): %zu fields, too few for column %zu",
		    st->rowno, st->row_line, st->field, st->maxcol + 1);
	if (st->cells[0] == NULL)
		return;
	n = st->cell_len[0];
	s = parse_csvfeed_trim(st->cells[0], &n);
	if (memchr(s, '\0', n) != NULL || parse_time(s, n, &ns) != 0) {
		parse_csvfeed_error(out, "row %zu (line %zu): bad date '%s'",
		    st->rowno, st->row_line,
		    parse_util_quote(s, n, q, sizeof q));
		return;
	}
	if (st->nitems == PARSE_CSVFEED_MAX_ROWS) {
		if (!st->full)
			parse_csvfeed_error(out,
			    "row %zu (line %zu): more than %d rows, the rest are ignored",
			    st->rowno, st->row_line, PARSE_CSVFEED_MAX_ROWS);
		st->full = 1;
		return;
	}
	it.rowno = st->rowno;
	it.row.line = st->row_line;
	it.row.time = ns / 1000000000LL - (ns % 1000000000LL < 0);
	it.row.values = xcalloc(st->opts->nvalues + 1, sizeof(double));
	for (i = 0; i < st->opts->nvalues; i++) {
		it.row.values[i] = NAN;
		if (st->cells[i + 1] == NULL)
			continue;
		n = st->cell_len[i + 1];
		s = parse_csvfeed_trim(st->cells[i + 1], &n);
		if (n > 0 &&
		    parse_util_number(s, s + n, &it.row.values[i]) != 0) {
			it.row.values[i] = NAN;
			parse_csvfeed_error(out,
			    "row %zu (line %zu): column %s: bad number '%s'",
			    st->rowno, st->row_line,
			    parse_util_quote_str(st->opts->value_columns[i], qn,
			        sizeof qn),
			    parse_util_quote(s, n, q, sizeof q));
		}
	}
	if (st->nitems == st->cap) {
		st->cap = st->cap == 0 ? 16 : st->cap * 2;
		st->items = xreallocarray(st->items, st->cap, sizeof it);
	}
	st->items[st->nitems++] = it;
}

/* libcsv: the end of a row. */
static void
parse_csvfeed_row_end(int c, void *data)
{
	struct parse_csvfeed_state *st = data;
	size_t i;

	(void)c;
	if (!st->header)
		parse_csvfeed_header_end(st);
	else if (!st->stop)
		parse_csvfeed_row(st);
	for (i = 0; i <= st->opts->nvalues; i++) {
		free(st->cells[i]);
		st->cells[i] = NULL;
	}
	st->field = 0;
}

/* Sorted by time, equal times weeded out, into out->rows. */
static void
parse_csvfeed_finish(struct parse_csvfeed_state *st)
{
	struct parse_csvfeed *out = st->out;
	struct parse_csvfeed_item *it, *prev = NULL;
	size_t i;

	if (st->nitems == 0)
		return;
	qsort(st->items, st->nitems, sizeof *st->items, parse_csvfeed_cmp);
	out->rows = xreallocarray(NULL, st->nitems, sizeof *out->rows);
	for (i = 0; i < st->nitems; i++) {
		it = &st->items[i];
		if (prev != NULL && prev->row.time == it->row.time) {
			parse_csvfeed_error(out,
			    "row %zu (line %zu): time %lld given before by row %zu (line %zu), row dropped",
			    it->rowno, it->row.line, it->row.time, prev->rowno,
			    prev->row.line);
			free(it->row.values);
			continue;
		}
		out->rows[out->nrows++] = it->row;
		prev = it;
	}
}

void
parse_csvfeed(const char *buf, size_t len,
    const struct parse_csvfeed_opts *opts, struct parse_csvfeed *out)
{
	struct parse_csvfeed_state st;
	struct csv_parser p;
	const char *s, *end, *eol;
	size_t i, n;

	memset(out, 0, sizeof *out);
	memset(&st, 0, sizeof st);
	st.out = out;
	st.opts = opts;
	out->ok = 1;
	st.cols = xreallocarray(NULL, opts->nvalues + 1, sizeof *st.cols);
	st.cells = xcalloc(opts->nvalues + 1, sizeof *st.cells);
	st.cell_len = xcalloc(opts->nvalues + 1, sizeof *st.cell_len);
	for (i = 0; i <= opts->nvalues; i++)
		st.cols[i] = (size_t)-1;
	if (len == 0)
		buf = "";

	csv_init(&p, 0);
	csv_set_realloc_func(&p, xrealloc);
	csv_set_free_func(&p, free);
	for (s = buf, end = buf + len; s < end; s += n) {
		st.line++;
		eol = memchr(s, '\n', (size_t)(end - s));
		n = eol != NULL ? (size_t)(eol - s) + 1 : (size_t)(end - s);
		if (p.pstate == PARSE_CSVFEED_ROW_NOT_BEGUN && st.field == 0)
			st.row_line = st.line;
		if (csv_parse(&p, s, n, parse_csvfeed_field,
		        parse_csvfeed_row_end, &st) != n) {
			parse_csvfeed_error(out,
			    "line %zu: %s, the rest is ignored", st.line,
			    csv_strerror(csv_error(&p)));
			break;
		}
	}
	csv_fini(&p, parse_csvfeed_field, parse_csvfeed_row_end, &st);
	csv_free(&p);

	if (!st.header) {
		out->ok = 0;
		out->error = xstrdup("no header row");
	}
	parse_csvfeed_finish(&st);
	for (i = 0; i <= opts->nvalues; i++)
		free(st.cells[i]);
	free(st.cells);
	free(st.cell_len);
	free(st.cols);
	free(st.items);
}

void
parse_csvfeed_free(struct parse_csvfeed *pc)
{
	size_t i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->nrows; i++)
		free(pc->rows[i].values);
	free(pc->rows);
	parse_util_errors_free(pc->errors, pc->nerrors);
	free(pc->error);
	memset(pc, 0, sizeof *pc);
}
