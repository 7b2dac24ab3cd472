/*
 * The RRD writer's files: made atomically from a template (directories
 * included), inspected the first time one is touched (its last update
 * and whether its data sources match the template), and the values of an
 * update formatted as librrd reads them.
 */

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cached.h"
#include "ident.h"
#include "log.h"
#include "store_make.h"
#include "store_rrd.h"
#include "xmalloc.h"
#include "store_priv.h"

/* mkdir -p of the directory part of path. */
static int
store_mkdirs(const char *path, char **cause)
{
	char *dir, *p;

	dir = xstrdup(path);
	if ((p = strrchr(dir, '/')) != NULL)
		*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		goto fail;
	free(dir);
	return 0;
fail:
	xasprintf(cause, "mkdir %s: %s", dir, strerror(errno));
	free(dir);
	return -1;
}

/* The file at path, whose hash is h, or NULL: paths of a chain share
 * a long prefix, so the hash is compared first. */
static struct store_file *
store_file_lookup(struct store *st, const char *path, uint32_t h)
{
	struct store_file *f;

	if (st->nbuckets == 0)
		return NULL;
	for (f = st->files[h % st->nbuckets]; f != NULL; f = f->next) {
		if (f->hash == h && strcmp(f->path, path) == 0)
			return f;
	}
	return NULL;
}

/* The file at path the writer knows, or NULL. */
struct store_file *
store_file_find(struct store *st, const char *path)
{
	return store_file_lookup(st, path, store_hash(path));
}

/* Twice the chains (STORE_BUCKETS_MIN at first), the files moved over. */
static void
store_files_grow(struct store *st)
{
	size_t n = st->nbuckets == 0 ? STORE_BUCKETS_MIN : st->nbuckets * 2;
	struct store_file **files = xcalloc(n, sizeof *files), *f, *next;
	size_t b;

	for (b = 0; b < st->nbuckets; b++) {
		for (f = st->files[b]; f != NULL; f = next) {
			next = f->next;
			f->next = files[f->hash % n];
			files[f->hash % n] = f;
		}
	}
	free(st->files);
	st->files = files;
	st->nbuckets = n;
}

struct store_file *
store_file_get(struct store *st, const char *path)
{
	struct store_file *f;
	uint32_t h = store_hash(path);

	if ((f = store_file_lookup(st, path, h)) != NULL)
		return f;
	if (st->nfiles >= st->nbuckets)
		store_files_grow(st);
	f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->hash = h;
	f->last = -1;
	f->next = st->files[h % st->nbuckets];
	st->files[h % st->nbuckets] = f;
	st->nfiles++;
	return f;
}

/*
 * Create the file atomically: write a temporary, then rename. Made here
 * rather than by librrd's create, which holds the whole file in memory
 * first (store_make.c).
 */
int
store_create(const char *path, const struct tmpl *t, unsigned step,
    time_t first, char **cause)
{
	char *tmp, *err = NULL;

	if (step < t->step)
		step = t->step;
	if (store_mkdirs(path, cause) != 0)
		return -1;
	xasprintf(&tmp, "%s.tmp%ld", path, (long)getpid());
	/* Starting a step before the first value lets that value fill the
	 * step it ends (a feed's first daily row is a whole day). */
	if (store_make(tmp, t, step, first - (time_t)step, STORE_FILE_MODE,
	        &err) != 0) {
		xasprintf(cause, "create: %s", err);
		free(err);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		xasprintf(cause, "rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* The data sources a file has, by name. */
static int
store_file_has(const struct store_file *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nds; i++) {
		if (strcmp(f->ds[i], name) == 0)
			return 1;
	}
	return 0;
}

/* The store's list equal to names[0..n), made if it has none. */
static char *const *
store_ds_intern(struct store *st, char *const *names, size_t n)
{
	struct store_dslist *l;
	size_t i;

	for (l = st->dslists; l != NULL; l = l->next) {
		if (l->n != n)
			continue;
		for (i = 0; i < n && strcmp(l->names[i], names[i]) == 0; i++)
			;
		if (i == n)
			return l->names;
	}
	l = xmalloc(sizeof *l + n * sizeof *l->names);
	l->n = n;
	for (i = 0; i < n; i++)
		l->names[i] = xstrdup(names[i]);
	l->next = st->dslists;
	st->dslists = l;
	return l->names;
}

void
store_file_set_ds(struct store *st, struct store_file *f, char *const *names,
    size_t n)
{
	f->ds = n > 0 ? store_ds_intern(st, names, n) : NULL;
	f->nds = n;
}

/* The file has its template's data sources (just made from it). */
void
store_file_tmpl_ds(struct store *st, struct store_file *f, const struct tmpl *t)
{
	char **names = xcalloc(t->nds + 1, sizeof *names);
	size_t i;

	for (i = 0; i < t->nds; i++)
		names[i] = t->ds[i].name;
	store_file_set_ds(st, f, names, t->nds);
	free(names);
}

void
store_file_clear_ds(struct store_file *f)
{
	f->ds = NULL;
	f->nds = 0;
}

void
store_ds_free(struct store *st)
{
	struct store_dslist *l;
	size_t i;

	while ((l = st->dslists) != NULL) {
		st->dslists = l->next;
		for (i = 0; i < l->n; i++)
			free(l->names[i]);
		free(l);
	}
}

/*
 * Read an existing file's data sources and last update, and check them
 * against the item's template: the same set for a fixed template; for a
 * learned (dynamic) one, every data source the file has must keep its
 * type. Returns 0, 1 when it differs (reported in *cause), -1 on error.
 */
int
store_inspect(struct store *st, struct store_file *f, const struct tmpl *t,
    char **cause)
{
	rrd_info_t *info, *i;
	int idx, rc, differs = 0;
	char name[64], *close, **names = NULL;
	const char *cname;
	size_t len, n = 0;

	if (st->cached != NULL) {
		cname = cached_name(st->cached, st->data_dir, f->path);
		if (cname == NULL) {
			xasprintf(cause, "not below data_dir %s", st->data_dir);
			return -1;
		}
		if ((info = cached_info(cname, &rc, cause)) == NULL)
			return rc == CACHED_LOST ? -2 : -1;
	} else {
		rrd_clear_error();
		if ((info = rrd_info_r(f->path)) == NULL) {
			xasprintf(cause, "info: %s", rrd_get_error());
			return -1;
		}
	}
	store_file_clear_ds(f);
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, "last_update") == 0 && i->type == RD_I_CNT) {
			f->last = (time_t)i->value.u_cnt;
			continue;
		}
		if (strncmp(i->key, "ds[", 3) != 0 || i->type != RD_I_STR)
			continue;
		close = strchr(i->key, ']');
		len = close != NULL ? (size_t)(close - i->key - 3) : 0;
		if (close == NULL || strcmp(close, "].type") != 0 ||
		    len >= sizeof name)
			continue;
		memcpy(name, i->key + 3, len);
		name[len] = '\0';
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(name);
		idx = template_ds_index(t, name);
		if (idx == -1 ? !t->dynamic
		              : strcmp(t->ds[idx].type, i->value.u_str) != 0)
			differs = 1;
	}
	rrd_info_free(info);
	store_file_set_ds(st, f, names, n);
	while (n > 0)
		free(names[--n]);
	free(names);
	if (differs || (!t->dynamic && f->nds != t->nds)) {
		xasprintf(cause,
		    "data sources differ from template %s; file left alone",
		    t->name);
		return 1;
	}
	return 0;
}

/*
 * The data sources of an update: "ds:ds:...", naming each, so a file's own
 * order never matters. Those of a learned template that the file lacks
 * are left out (and reported once): use[i] says which are written.
 */
char *
store_update_names(struct store_file *f, const struct tmpl *t, char *use)
{
	size_t i, len, n = 0;
	char *names, *p;

	len = t->nds * (IDENT_DS_MAX + 1) + 1;
	p = names = xmalloc(len);
	*p = '\0';
	for (i = 0; i < t->nds; i++) {
		use[i] = store_file_has(f, t->ds[i].name);
		if (!use[i]) {
			if (!f->warned_extra)
				log_warn(
				    "store: %s: no data source \"%s\" in the file (it appeared after the file was made); not stored (logged once)",
				    f->path, t->ds[i].name);
			f->warned_extra = 1;
			continue;
		}
		p += snprintf(p, len - (size_t)(p - names), "%s%s",
		    n++ > 0 ? ":" : "", t->ds[i].name);
	}
	if (n == 0) {
		free(names);
		return NULL;
	}
	return names;
}

/* One value as librrd reads it; integers (status, codes) the quick way. */
static char *
store_fmt(char *p, char *end, double v)
{
	if (isnan(v))
		return p + snprintf(p, (size_t)(end - p), ":U");
	if (fabs(v) < 1e15 && v == (double)(long long)v)
		return p +
		    snprintf(p, (size_t)(end - p), ":%lld", (long long)v);
	/* 17 significant digits: librrd reads back the very double. */
	return p + snprintf(p, (size_t)(end - p), ":%.17g", v);
}

/*
 * A value of a data source of that type. librrd takes only integers for
 * COUNTER and DERIVE and refuses the whole update otherwise, so such a
 * value is written as its integer part (as collectd reads one), and a
 * COUNTER below 0 or a value beyond 64 bits as unknown.
 */
char *
store_fmt_ds(char *p, char *end, double v, const char *type)
{
	int counter = strcmp(type, "COUNTER") == 0;

	if (isnan(v) || (!counter && strcmp(type, "DERIVE") != 0))
		return store_fmt(p, end, v);
	v = trunc(v);
	if (counter && v >= 0 && v < 18446744073709551616.0)
		return p +
		    snprintf(p, (size_t)(end - p), ":%llu",
		        (unsigned long long)v);
	if (!counter && v >= -9223372036854775808.0 &&
	    v < 9223372036854775808.0)
		return p +
		    snprintf(p, (size_t)(end - p), ":%lld", (long long)v);
	return p + snprintf(p, (size_t)(end - p), ":U");
}
