/*
 * Stored series read back: librrd's fetch over a period, and the series a
 * system has on disk. Paths are made only by store_path, from checked ids.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ident.h"
#include "series.h"
#include "store_rrd.h"
#include "xmalloc.h"

static void (*series_flush)(const char *, void *);
static void *series_flush_arg;

void
series_set_flush(void (*cb)(const char *, void *), void *arg)
{
	series_flush = cb;
	series_flush_arg = arg;
}

void
series_flush_file(const char *path)
{
	if (series_flush != NULL)
		series_flush(path, series_flush_arg);
}

int
series_fetch(const char *path, const char *cf, time_t from, time_t to,
    unsigned long want, struct series_rows *out, char **cause)
{
	time_t start = from, end = to;
	unsigned long step = want, nds, i;
	char **names;
	rrd_value_t *data;
	struct stat st;

	memset(out, 0, sizeof *out);
	/* A new series' file is made by its first write, which the daemon
	 * may still hold back: flushed first, then looked for. */
	series_flush_file(path);
	if (stat(path, &st) != 0 && errno == ENOENT)
		return 1;
	rrd_clear_error();
	if (rrd_fetch_r(path, cf, &start, &end, &step, &nds, &names, &data) !=
	    0) {
		xasprintf(cause, "%s: %s", path, rrd_get_error());
		return -1;
	}
	/* Row i covers (start + i * step, start + (i + 1) * step]. */
	out->start = start;
	out->step = step;
	out->nrows = step == 0 ? 0 : (size_t)(end - start) / step;
	out->nds = nds;
	out->names = xcalloc(nds, sizeof *out->names);
	for (i = 0; i < nds; i++) {
		out->names[i] = xstrdup(names[i]);
		free(names[i]);
	}
	free(names);
	out->vals = xcalloc(out->nrows * nds + 1, sizeof *out->vals);
	memcpy(out->vals, data, out->nrows * nds * sizeof *out->vals);
	free(data);
	return 0;
}

/* Is data source ds of the file a GAUGE (info: the file's rrd_info)? */
static int
series_is_gauge(rrd_info_t *info, const char *ds)
{
	char key[64];

	snprintf(key, sizeof key, "ds[%s].type", ds);
	for (; info != NULL; info = info->next) {
		if (strcmp(info->key, key) == 0 && info->type == RD_I_STR)
			return strcmp(info->value.u_str, "GAUGE") == 0;
	}
	return 0;
}

void
series_fill_last(const char *path, struct series_rows *r)
{
	unsigned long nds, i;
	char **names, **data, *end;
	rrd_info_t *info;
	time_t last;
	size_t row;
	double v;
	int k;

	rrd_clear_error();
	if (r->nrows == 0 || (info = rrd_info_r(path)) == NULL)
		return;
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &nds, &names, &data) != 0) {
		rrd_info_free(info);
		return;
	}
	/* Only a row of the period: out of it, nothing is filled. */
	row = last >= r->start && r->step > 0
	    ? (size_t)(last - r->start) / r->step
	    : r->nrows;
	for (i = 0; i < nds; i++) {
		v = strtod(data[i], &end);
		k = series_ds(r, names[i]);
		if (row < r->nrows && k >= 0 && end != data[i] &&
		    *end == '\0' && !isnan(v) &&
		    isnan(r->vals[row * r->nds + (size_t)k]) &&
		    series_is_gauge(info, names[i]))
			r->vals[row * r->nds + (size_t)k] = v;
		free(names[i]);
		free(data[i]);
	}
	free(names);
	free(data);
	rrd_info_free(info);
}

void
series_rows_free(struct series_rows *r)
{
	size_t i;

	for (i = 0; i < r->nds; i++)
		free(r->names[i]);
	free(r->names);
	free(r->vals);
	memset(r, 0, sizeof *r);
}

int
series_ds(const struct series_rows *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nds; i++) {
		if (strcmp(r->names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

double
series_at(const struct series_rows *r, int ds, time_t t)
{
	size_t i;

	if (ds < 0 || r->step == 0 || t < r->start)
		return NAN;
	i = (size_t)(t - r->start) / r->step;
	if (i >= r->nrows)
		return NAN;
	return r->vals[i * r->nds + (size_t)ds];
}

static int
series_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t
series_list(const char *data_dir, const char *perspective, const char *system,
    const char *prefix, char ***out)
{
	char *dir, **v = NULL, id[IDENT_MAX + 1];
	struct dirent *de;
	size_t n = 0, len;
	DIR *d;

	*out = NULL;
	if (!ident_valid_perspective(perspective) || !ident_valid(system))
		return 0;
	xasprintf(&dir, "%s/rrd/%s/%s", data_dir, perspective, system);
	d = opendir(dir);
	free(dir);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || len - 4 > IDENT_MAX ||
		    strcmp(de->d_name + len - 4, ".rrd") != 0)
			continue;
		memcpy(id, de->d_name, len - 4);
		id[len - 4] = '\0';
		if (!ident_valid(id) ||
		    strncmp(id, prefix, strlen(prefix)) != 0)
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = xstrdup(id);
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof *v, series_cmp);
	*out = v;
	return n;
}

size_t
series_perspectives(const char *data_dir, const char *system,
    const char *series, const char **out, size_t max)
{
	struct stat st;
	size_t i, n = 0;
	char *path;

	for (i = 0; ident_perspectives[i] != NULL; i++) {
		path =
		    store_path(data_dir, ident_perspectives[i], system, series);
		if (path != NULL && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode)) {
			if (n < max)
				out[n] = ident_perspectives[i];
			n++;
		}
		free(path);
	}
	return n;
}

int
series_ds_type(const char *path, const char *ds, char *buf, size_t len)
{
	rrd_info_t *info, *i;
	char key[64];
	int rc = -1;

	snprintf(key, sizeof key, "ds[%s].type", ds);
	rrd_clear_error();
	if ((info = rrd_info_r(path)) == NULL)
		return -1;
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, key) == 0 && i->type == RD_I_STR) {
			snprintf(buf, len, "%s", i->value.u_str);
			rc = 0;
		}
	}
	rrd_info_free(info);
	return rc;
}
