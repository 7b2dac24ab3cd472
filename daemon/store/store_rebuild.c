/*
 * A file whose rows are replaced (a series that gives its values at their
 * own times): the old rows kept where the new ones do not reach, the file
 * written again from a temporary and renamed over the old one, with
 * rrdcached told to flush and forget it first.
 */

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cached.h"
#include "ident.h"
#include "log.h"
#include "store_rrd.h"
#include "xmalloc.h"
#include "store_priv.h"

/* A row of a rebuilt file. */
struct store_row {
	time_t t;
	const double *v; /* nds values, in the template's order */
};

static int
store_row_cmp(const void *a, const void *b)
{
	const struct store_row *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/*
 * The file's values, at the first archive's resolution, as rows in the
 * template's data source order (*keep owns them): those outside [from, to],
 * or every one when all is set. A counting template's ABSOLUTE values come
 * back as counts (librrd gives rates). Returns the number of rows, or -1.
 */
static ssize_t
store_old_rows(struct store_file *f, const struct tmpl *t, time_t from,
    time_t to, int all, double **keep, time_t **times, char **cause)
{
	time_t start, end;
	unsigned long step, nds, i, k;
	char **names;
	rrd_value_t *data;
	size_t n = 0, rows, d;
	int *map;

	end = f->last;
	start = end - (time_t)(7 * 366 * 86400);
	step = t->step;
	rrd_clear_error();
	if (rrd_fetch_r(f->path, "AVERAGE", &start, &end, &step, &nds, &names,
	        &data) != 0) {
		xasprintf(cause, "fetch: %s", rrd_get_error());
		return -1;
	}
	map = xcalloc(t->nds, sizeof *map);
	for (d = 0; d < t->nds; d++) {
		map[d] = -1;
		for (i = 0; i < nds; i++) {
			if (strcmp(names[i], t->ds[d].name) == 0)
				map[d] = (int)i;
		}
	}
	rows = step > 0 ? (size_t)((end - start) / (time_t)step) : 0;
	*keep = xcalloc(rows * t->nds + 1, sizeof **keep);
	*times = xcalloc(rows + 1, sizeof **times);
	for (k = 0; k < rows; k++) {
		time_t te = start + (time_t)((k + 1) * step);
		int known = 0;

		if (!all && te >= from && te <= to)
			continue;
		for (d = 0; d < t->nds; d++) {
			double v = map[d] == -1
			    ? NAN
			    : data[k * nds + (unsigned long)map[d]];

			if (t->count && strcmp(t->ds[d].type, "ABSOLUTE") == 0)
				v *= (double)step;
			(*keep)[n * t->nds + d] = v;
			known |= !isnan(v);
		}
		if (known)
			(*times)[n++] = te;
	}
	for (i = 0; i < nds; i++)
		free(names[i]);
	free(names);
	free(data);
	free(map);
	return (ssize_t)n;
}

/* One update "TIME:V:V..." of a rebuilt file (v NULL: all unknown). */
static char *
store_row_line(const struct tmpl *t, time_t when, const double *v)
{
	size_t len = 32 + t->nds * 32, d;
	char *line = xmalloc(len), *p = line, *end = line + len;

	p += snprintf(p, len, "%lld", (long long)when);
	for (d = 0; d < t->nds; d++)
		p = store_fmt_ds(p, end, v != NULL ? v[d] : NAN, t->ds[d].type);
	return line;
}

/*
 * Write rows (sorted) into the new file at path, in batches. A row after
 * a gap of more than a step is preceded by an unknown update a step
 * before it, so it fills its own row only: the rows between stay unknown
 * (a value must not stand for a day it was not given for) and a counted
 * row holds exactly its count.
 */
static int
store_write_rows(const char *path, const struct tmpl *t, unsigned step,
    struct store_row *r, size_t n, char **cause)
{
	const char *argv[512];
	char *names, *vals[512], *p;
	size_t i, k, d, nlen;
	int rc = 0;

	nlen = t->nds * (IDENT_DS_MAX + 1) + 1;
	names = xmalloc(nlen);
	names[0] = '\0';
	for (d = 0, p = names; d < t->nds; d++)
		p += snprintf(p, nlen - (size_t)(p - names), "%s%s",
		    d > 0 ? ":" : "", t->ds[d].name);
	for (i = 0; i < n && rc == 0;) {
		for (k = 0; k < 511 && i < n; i++) {
			if (i > 0 && r[i].t - r[i - 1].t > (time_t)step)
				vals[k++] = store_row_line(t,
				    r[i].t - (time_t)step, NULL);
			vals[k++] = store_row_line(t, r[i].t, r[i].v);
		}
		for (d = 0; d < k; d++)
			argv[d] = vals[d];
		rrd_clear_error();
		if (rrd_update_r(path, names, (int)k, argv) != 0) {
			xasprintf(cause, "update: %s", rrd_get_error());
			rc = -1;
		}
		for (d = 0; d < k; d++)
			free(vals[d]);
	}
	free(names);
	return rc;
}

/*
 * A counting template's rows: those at one time (the run's and the
 * file's) become one, their known values added. rows is sorted; returns
 * the number left, the sums in *sums (the caller frees).
 */
static size_t
store_add_rows(const struct tmpl *t, struct store_row *rows, size_t n,
    double **sums)
{
	size_t i, m = 0, d;
	double *s;

	*sums = xcalloc(n * t->nds + 1, sizeof **sums);
	for (i = 0; i < n; i++) {
		if (m > 0 && rows[m - 1].t == rows[i].t) {
			s = *sums + (m - 1) * t->nds;
			for (d = 0; d < t->nds; d++) {
				if (isnan(s[d]))
					s[d] = rows[i].v[d];
				else if (!isnan(rows[i].v[d]))
					s[d] += rows[i].v[d];
			}
			continue;
		}
		s = *sums + m * t->nds;
		memcpy(s, rows[i].v, t->nds * sizeof *s);
		rows[m].t = rows[i].t;
		rows[m++].v = s;
	}
	return m;
}

/*
 * rrdcached and a rebuilt file: everything it holds for the file is
 * written out before the file is read, and it forgets the file once the
 * new one is in place (its idea of the last update was the old file's).
 */
int
store_cached_flush(struct store *st, struct store_file *f, char **cause)
{
	const char *name = cached_name(st->cached, st->data_dir, f->path);
	int rc;

	if (name == NULL) {
		xasprintf(cause, "not below data_dir %s", st->data_dir);
		return -1;
	}
	if (!__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED)) {
		xasprintf(cause, "rrdcached is unreachable; not rebuilt");
		return -1;
	}
	/* A file rrdcached does not know (none yet) has nothing to flush. */
	if ((rc = cached_flush(name, cause)) == CACHED_LOST) {
		store_cached_lost(st, *cause);
		return -1;
	}
	free(*cause);
	*cause = NULL;
	return 0;
}

static void
store_cached_forget(struct store *st, struct store_file *f)
{
	const char *name = cached_name(st->cached, st->data_dir, f->path);
	char *cause = NULL;

	if (name != NULL && cached_forget(name, &cause) == CACHED_LOST)
		store_cached_lost(st, cause);
	free(cause);
}

/*
 * The rows of a rebuilt file: the item's and the file's kept ones
 * (counting: all of them, the item's added in), sorted in *rows. Returns
 * how many; *sums holds what was added (the caller frees both).
 */
static size_t
store_rebuilt_rows(const struct store_item *it, const double *keep,
    const time_t *ktimes, size_t nkeep, struct store_row **rows, double **sums)
{
	const struct tmpl *t = it->tmpl;
	size_t n = it->nrows + nkeep, i;

	*rows = xcalloc(n, sizeof **rows);
	*sums = NULL;
	for (i = 0; i < it->nrows; i++) {
		(*rows)[i].t = it->times[i];
		(*rows)[i].v = it->rows + i * t->nds;
	}
	for (i = 0; i < nkeep; i++) {
		(*rows)[it->nrows + i].t = ktimes[i];
		(*rows)[it->nrows + i].v = keep + i * t->nds;
	}
	qsort(*rows, n, sizeof **rows, store_row_cmp);
	if (t->count)
		n = store_add_rows(t, *rows, n, sums);
	return n;
}

/*
 * Rebuild a file so it holds exactly the item's rows from its first to
 * its last time, and what it held outside that range (a counting
 * template: what it held everywhere, the item's counts added to it):
 * made beside, then renamed over, so a reader sees the old file or the
 * new, never half.
 */
int
store_replace_file(struct store *st, struct store_file *f,
    struct store_item *it, char **cause)
{
	const struct tmpl *t = it->tmpl;
	struct stat sb;
	struct store_row *rows;
	double *keep = NULL, *sums;
	time_t *ktimes = NULL;
	ssize_t nkeep = 0;
	size_t n;
	char *tmp;
	int rc;

	if (it->nrows == 0)
		return 0;
	if (st->cached != NULL && store_cached_flush(st, f, cause) != 0)
		return -1;
	if (stat(f->path, &sb) == 0) {
		if (f->last == -1 &&
		    (rc = store_inspect(st, f, t, cause)) != 0) {
			if (rc == 1) {
				f->bad = 1;
				log_err("store: %s: %s", f->path, *cause);
			}
			return -1;
		}
		if (f->bad) {
			xasprintf(cause, "data sources differ from template %s",
			    t->name);
			return -1;
		}
		nkeep = store_old_rows(f, t, it->times[0],
		    it->times[it->nrows - 1], t->count, &keep, &ktimes, cause);
		if (nkeep < 0)
			return -1;
	}
	n = store_rebuilt_rows(it, keep, ktimes, (size_t)nkeep, &rows, &sums);
	xasprintf(&tmp, "%s.new", f->path);
	unlink(tmp);
	rc = store_create(tmp, t, it->step, rows[0].t, cause);
	if (rc == 0)
		rc = store_write_rows(tmp, t,
		    it->step > t->step ? it->step : t->step, rows, n, cause);
	if (rc == 0 && rename(tmp, f->path) != 0) {
		xasprintf(cause, "rename %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	else {
		f->last = rows[n - 1].t;
		store_file_tmpl_ds(st, f, t);
		store_count(st, &st->updates, it->nrows);
		if (st->cached != NULL)
			store_cached_forget(st, f);
	}
	free(tmp);
	free(rows);
	free(sums);
	free(keep);
	free(ktimes);
	return rc;
}
