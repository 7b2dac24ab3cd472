/*
 * RRD writer. One thread takes items off a queue and writes them with
 * librrd's thread-safe calls. For each file it keeps the last update time
 * (read from the file the first time it is touched) and whether the file
 * matches its template; an update at or before the last one is counted and
 * logged once, a file whose data sources differ from its template is
 * reported once and never written or replaced.
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

#include "ident.h"
#include "log.h"
#include "store_rrd.h"
#include "xmalloc.h"

/* What the writer knows of one file. */
struct store_file {
	struct store_file *next;
	char *path;
	time_t last;
	int bad; /* differs from its template: left alone */
	int failing; /* last write failed: logged once */
	int warned_old; /* an old update was logged */
	int warned_extra; /* a data source not in the file was logged */
	char **ds; /* the file's data sources */
	size_t nds;
	/*
	 * Updates held back to be written together (write_delay), compact:
	 * times and values of one template, no item kept.
	 */
	struct tmpl *htmpl; /* a reference while n > 0 */
	unsigned hstep;
	size_t hn, hcap;
	time_t *ht;
	double *hv; /* hn * htmpl->nds */
	int **hres; /* NULL, or hn result cells (test mode) */
	time_t pending_since;
	int due; /* in the due list */
	struct store_file *dnext;
};

#define STORE_BUCKETS 16384
/* With write_delay, wake the writer for every this many updates. */
#define STORE_SIGNAL_BATCH 4096
/* Less free space than this where a create failed: the disk is full. */
#define STORE_LOW_SPACE (1024 * 1024)

struct store {
	char *data_dir;
	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct store_item *head, *tail;
	int stopping;
	size_t unsignalled; /* queued since the writer was last woken */

	struct store_file *files[STORE_BUCKETS];

	uint64_t updates, errors, rejected, created, queued;
	time_t beat;

	/* Writer thread only: files with held updates, oldest first. */
	unsigned delay;
	struct store_file *due_head, *due_tail;
};

static uint32_t
store_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

char *
store_path(const char *data_dir, const char *perspective, const char *system,
    const char *series)
{
	char *path;

	if (!ident_valid_perspective(perspective) || !ident_valid(system) ||
	    !ident_valid(series))
		return NULL;
	xasprintf(&path, "%s/rrd/%s/%s/%s.rrd", data_dir, perspective, system,
	    series);
	return path;
}

/* One allocation: the item, its values, its path. */
struct store_item *
store_item_new(const char *path, struct tmpl *tmpl, unsigned step, time_t t)
{
	struct store_item *it;
	size_t i, plen = strlen(path) + 1;

	it = xmalloc(sizeof *it + tmpl->nds * sizeof *it->vals + plen);
	memset(it, 0, sizeof *it);
	it->vals = (double *)(it + 1);
	it->path = (char *)(it->vals + tmpl->nds);
	memcpy(it->path, path, plen);
	it->tmpl = template_ref(tmpl);
	it->step = step;
	it->t = t;
	for (i = 0; i < tmpl->nds; i++)
		it->vals[i] = NAN;
	return it;
}

struct store_item *
store_item_new_rows(const char *path, struct tmpl *tmpl, unsigned step,
    size_t n)
{
	struct store_item *it;

	it = store_item_new(path, tmpl, step, 0);
	it->nrows = n;
	it->times = xcalloc(n + 1, sizeof *it->times);
	it->rows = xcalloc((n + 1) * tmpl->nds, sizeof *it->rows);
	return it;
}

void
store_item_free(struct store_item *it)
{
	if (it == NULL)
		return;
	template_unref(it->tmpl);
	free(it->times);
	free(it->rows);
	free(it);
}

struct store *
store_new(const char *data_dir)
{
	struct store *st;

	st = xcalloc(1, sizeof *st);
	st->data_dir = xstrdup(data_dir);
	pthread_mutex_init(&st->lock, NULL);
	pthread_cond_init(&st->cond, NULL);
	st->beat = time(NULL);
	return st;
}

const char *
store_data_dir(const struct store *st)
{
	return st->data_dir;
}

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
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		goto fail;
	free(dir);
	return 0;
fail:
	xasprintf(cause, "mkdir %s: %s", dir, strerror(errno));
	free(dir);
	return -1;
}

static struct store_file *
store_file_get(struct store *st, const char *path)
{
	struct store_file *f;
	uint32_t b = store_hash(path) % STORE_BUCKETS;

	for (f = st->files[b]; f != NULL; f = f->next) {
		if (strcmp(f->path, path) == 0)
			return f;
	}
	f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->last = -1;
	f->next = st->files[b];
	st->files[b] = f;
	return f;
}

/* Create the file atomically: write a temporary, then rename. */
static int
store_create(const char *path, const struct tmpl *t, unsigned step,
    time_t first, char **cause)
{
	struct statvfs sv;
	const char *err;
	char **argv, *tmp, *dir;
	int argc, rc;

	if (step < t->step)
		step = t->step;
	if (store_mkdirs(path, cause) != 0)
		return -1;
	template_create_args(t, step, &argv, &argc);
	xasprintf(&tmp, "%s.tmp%ld", path, (long)getpid());
	rrd_clear_error();
	/* Starting a step before the first value lets that value fill the
	 * step it ends (a feed's first daily row is a whole day). */
	rc = rrd_create_r(tmp, step, first - (time_t)step, argc,
	    (const char **)argv);
	template_args_free(argv, argc);
	if (rc != 0) {
		/*
		 * librrd leaves its message empty when a write fails (and
		 * errno is no guide): a full disk is the likely cause.
		 */
		err = rrd_get_error();
		dir = xstrdup(path);
		*strrchr(dir, '/') = '\0';
		if ((err == NULL || *err == '\0') && statvfs(dir, &sv) == 0 &&
		    (unsigned long long)sv.f_bavail * sv.f_frsize <
		        STORE_LOW_SPACE)
			err = strerror(ENOSPC);
		else if (err == NULL || *err == '\0')
			err = "librrd failed without a message";
		free(dir);
		xasprintf(cause, "create: %s", err);
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

static void
store_file_add_ds(struct store_file *f, const char *name)
{
	f->ds = xreallocarray(f->ds, f->nds + 1, sizeof *f->ds);
	f->ds[f->nds++] = xstrdup(name);
}

static void
store_file_clear_ds(struct store_file *f)
{
	size_t i;

	for (i = 0; i < f->nds; i++)
		free(f->ds[i]);
	free(f->ds);
	f->ds = NULL;
	f->nds = 0;
}

/*
 * Read an existing file's data sources and last update, and check them
 * against the item's template: the same set for a fixed template; for a
 * learned (dynamic) one, every data source the file has must keep its
 * type. Returns 0, 1 when it differs (reported in *cause), -1 on error.
 */
static int
store_inspect(struct store_file *f, const struct tmpl *t, char **cause)
{
	rrd_info_t *info, *i;
	int idx, differs = 0;
	char name[64], *close;
	size_t len;

	rrd_clear_error();
	if ((info = rrd_info_r(f->path)) == NULL) {
		xasprintf(cause, "info: %s", rrd_get_error());
		return -1;
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
		store_file_add_ds(f, name);
		idx = template_ds_index(t, name);
		if (idx == -1 ? !t->dynamic
		              : strcmp(t->ds[idx].type, i->value.u_str) != 0)
			differs = 1;
	}
	rrd_info_free(info);
	if (differs || (!t->dynamic && f->nds != t->nds)) {
		xasprintf(cause,
		    "data sources differ from template %s; file "
		    "left alone",
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
static char *
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
				log_warn("store: %s: no data source \"%s\" in "
				         "the file (it appeared after the file "
				         "was made); not stored (logged once)",
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
	if (v == (double)(long long)v && fabs(v) < 1e15)
		return p +
		    snprintf(p, (size_t)(end - p), ":%lld", (long long)v);
	return p + snprintf(p, (size_t)(end - p), ":%.10g", v);
}

static void
store_count(struct store *st, uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
	(void)st;
}

/*
 * Write what a file holds with one librrd call: opening and mapping the
 * file is most of an update's cost, so updates held back together cost
 * little more than one. Updates at or before the file's last one are
 * dropped and counted. Returns the number written, or -1 with *cause.
 */
static int
store_write_held(struct store *st, struct store_file *f, char **cause)
{
	const struct tmpl *t = f->htmpl;
	struct stat sb;
	const char **argv = NULL;
	char *names = NULL, **values = NULL, *use, *p, *end;
	time_t prev = 0;
	size_t i, k = 0, j, vlen;
	int rc;

	if (f->bad) {
		xasprintf(cause, "data sources differ from template %s",
		    t->name);
		return -1;
	}
	if (f->last == -1) {
		if (stat(f->path, &sb) != 0) {
			if (store_create(f->path, t, f->hstep, f->ht[0],
			        cause) != 0)
				return -1;
			store_count(st, &st->created, 1);
			f->last = f->ht[0] -
			    (time_t)(f->hstep > t->step ? f->hstep : t->step);
			store_file_clear_ds(f);
			for (i = 0; i < t->nds; i++)
				store_file_add_ds(f, t->ds[i].name);
		} else if ((rc = store_inspect(f, t, cause)) != 0) {
			if (rc == 1) {
				f->bad = 1;
				log_err("store: %s: %s", f->path, *cause);
			}
			f->last = -1;
			return -1;
		}
	}
	use = xcalloc(t->nds + 1, 1);
	if ((names = store_update_names(f, t, use)) == NULL) {
		xasprintf(cause, "no data source of the update is in the file");
		free(use);
		return -1;
	}
	argv = xcalloc(f->hn, sizeof *argv);
	values = xcalloc(f->hn, sizeof *values);
	vlen = 32 + t->nds * 32;
	for (i = 0; i < f->hn; i++) {
		if (f->ht[i] <= f->last || (k > 0 && f->ht[i] <= prev)) {
			store_count(st, &st->rejected, 1);
			if (!f->warned_old)
				log_warn(
				    "store: %s: update at %lld is not after "
				    "the last (%lld); dropped (logged once)",
				    f->path, (long long)f->ht[i],
				    (long long)f->last);
			f->warned_old = 1;
			continue;
		}
		p = values[k] = xmalloc(vlen);
		end = p + vlen;
		p += snprintf(p, vlen, "%lld", (long long)f->ht[i]);
		for (j = 0; j < t->nds; j++) {
			if (use[j])
				p = store_fmt(p, end, f->hv[i * t->nds + j]);
		}
		argv[k] = values[k];
		k++;
		prev = f->ht[i];
	}
	rc = (int)k;
	if (k == 0) {
		xasprintf(cause, "every update is at or before the last");
		rc = -1;
	} else {
		rrd_clear_error();
		if (rrd_update_r(f->path, names, (int)k, argv) != 0) {
			xasprintf(cause, "update: %s", rrd_get_error());
			/* The file may have gone or changed: look again. */
			f->last = -1;
			rc = -1;
		} else {
			f->last = prev;
			store_count(st, &st->updates, k);
		}
	}
	for (i = 0; i < k; i++)
		free(values[i]);
	free(values);
	free(argv);
	free(names);
	free(use);
	return rc;
}

/* Forget what a file holds (after writing it). */
static void
store_held_clear(struct store *st, struct store_file *f)
{
	__atomic_sub_fetch(&st->queued, f->hn, __ATOMIC_RELAXED);
	template_unref(f->htmpl);
	f->htmpl = NULL;
	free(f->ht);
	free(f->hv);
	free(f->hres);
	f->ht = NULL;
	f->hv = NULL;
	f->hres = NULL;
	f->hn = f->hcap = 0;
}

/* Write what a file holds, report and count the outcome. */
static void
store_flush_file(struct store *st, struct store_file *f)
{
	char *cause = NULL;
	size_t i;
	int rc;

	if (f->hn == 0)
		return;
	rc = store_write_held(st, f, &cause);
	if (rc < 0 && !f->bad) {
		store_count(st, &st->errors, 1);
		if (!f->failing)
			log_err("store: %s: %s", f->path, cause);
		f->failing = 1;
	} else if (rc < 0)
		store_count(st, &st->errors, 1);
	else if (f->failing) {
		log_notice("store: %s: writing again", f->path);
		f->failing = 0;
	}
	free(cause);
	for (i = 0; f->hres != NULL && i < f->hn; i++) {
		if (f->hres[i] != NULL)
			*f->hres[i] = rc < 0 ? -1 : 0;
	}
	store_held_clear(st, f);
}

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
 * The file's values outside [from, to], at the first archive's
 * resolution, as rows in the template's data source order (*keep owns
 * them). Returns the number of rows, or -1.
 */
static ssize_t
store_old_rows(struct store_file *f, const struct tmpl *t, time_t from,
    time_t to, double **keep, time_t **times, char **cause)
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

		if (te >= from && te <= to)
			continue;
		for (d = 0; d < t->nds; d++) {
			double v = map[d] == -1
			    ? NAN
			    : data[k * nds + (unsigned long)map[d]];

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

/* Write rows (sorted) into the new file at path, in batches. */
static int
store_write_rows(const char *path, const struct tmpl *t, struct store_row *r,
    size_t n, char **cause)
{
	const char *argv[512];
	char *names, *vals[512], *p, *end;
	size_t i, k, d, len = 32 + t->nds * 32, nlen;
	int rc = 0;

	nlen = t->nds * (IDENT_DS_MAX + 1) + 1;
	names = xmalloc(nlen);
	names[0] = '\0';
	for (d = 0, p = names; d < t->nds; d++)
		p += snprintf(p, nlen - (size_t)(p - names), "%s%s",
		    d > 0 ? ":" : "", t->ds[d].name);
	for (i = 0; i < n && rc == 0; i += k) {
		for (k = 0; k < 512 && i + k < n; k++) {
			p = vals[k] = xmalloc(len);
			end = p + len;
			p += snprintf(p, len, "%lld", (long long)r[i + k].t);
			for (d = 0; d < t->nds; d++)
				p = store_fmt(p, end, r[i + k].v[d]);
			argv[k] = vals[k];
		}
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
 * Rebuild a file so it holds exactly the item's rows from its first to
 * its last time, and what it held outside that range: made beside, then
 * renamed over, so a reader sees the old file or the new, never half.
 */
static int
store_replace_file(struct store *st, struct store_file *f,
    struct store_item *it, char **cause)
{
	const struct tmpl *t = it->tmpl;
	struct stat sb;
	struct store_row *rows;
	double *keep = NULL;
	time_t *ktimes = NULL, from, to, first, last;
	ssize_t nkeep = 0;
	size_t n, i;
	char *tmp;
	int rc;

	if (it->nrows == 0)
		return 0;
	from = it->times[0];
	to = it->times[it->nrows - 1];
	if (stat(f->path, &sb) == 0) {
		if (f->last == -1 && (rc = store_inspect(f, t, cause)) != 0) {
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
		nkeep = store_old_rows(f, t, from, to, &keep, &ktimes, cause);
		if (nkeep < 0)
			return -1;
	}
	n = it->nrows + (size_t)nkeep;
	rows = xcalloc(n, sizeof *rows);
	for (i = 0; i < it->nrows; i++) {
		rows[i].t = it->times[i];
		rows[i].v = it->rows + i * t->nds;
	}
	for (i = 0; i < (size_t)nkeep; i++) {
		rows[it->nrows + i].t = ktimes[i];
		rows[it->nrows + i].v = keep + i * t->nds;
	}
	qsort(rows, n, sizeof *rows, store_row_cmp);
	first = rows[0].t;
	last = rows[n - 1].t;
	xasprintf(&tmp, "%s.new", f->path);
	unlink(tmp);
	rc = store_create(tmp, t, it->step, first, cause);
	if (rc == 0)
		rc = store_write_rows(tmp, t, rows, n, cause);
	if (rc == 0 && rename(tmp, f->path) != 0) {
		xasprintf(cause, "rename %s: %s", tmp, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	else {
		f->last = last;
		store_file_clear_ds(f);
		for (i = 0; i < t->nds; i++)
			store_file_add_ds(f, t->ds[i].name);
		store_count(st, &st->updates, it->nrows);
	}
	free(tmp);
	free(rows);
	free(keep);
	free(ktimes);
	return rc;
}

/* Hold an item's values for its file; the item itself is freed. */
static void
store_take(struct store *st, struct store_item *it, time_t now)
{
	struct store_file *f = store_file_get(st, it->path);
	size_t nds = it->tmpl->nds;

	if (it->nrows > 0) {
		char *cause = NULL;
		int rc;

		/* What was held goes first; then the rebuild. */
		store_flush_file(st, f);
		rc = store_replace_file(st, f, it, &cause);
		if (rc != 0) {
			store_count(st, &st->errors, 1);
			log_err("store: %s: rebuild: %s", f->path, cause);
		}
		free(cause);
		if (it->result != NULL)
			*it->result = rc;
		__atomic_sub_fetch(&st->queued, 1, __ATOMIC_RELAXED);
		store_item_free(it);
		return;
	}
	/* One template per write: a reload may bring another. */
	if (f->hn > 0 && f->htmpl != it->tmpl)
		store_flush_file(st, f);
	if (f->hn == 0) {
		f->htmpl = template_ref(it->tmpl);
		f->hstep = it->step;
		f->pending_since = now;
		if (!f->due) {
			f->due = 1;
			f->dnext = NULL;
			if (st->due_tail != NULL)
				st->due_tail->dnext = f;
			else
				st->due_head = f;
			st->due_tail = f;
		}
	}
	if (f->hn == f->hcap) {
		f->hcap = f->hcap ? f->hcap * 2 : 4;
		f->ht = xreallocarray(f->ht, f->hcap, sizeof *f->ht);
		f->hv = xreallocarray(f->hv, f->hcap * nds, sizeof *f->hv);
		if (f->hres != NULL)
			f->hres =
			    xreallocarray(f->hres, f->hcap, sizeof *f->hres);
	}
	if (it->result != NULL && f->hres == NULL)
		f->hres = xcalloc(f->hcap, sizeof *f->hres);
	f->ht[f->hn] = it->t;
	memcpy(f->hv + f->hn * nds, it->vals, nds * sizeof *f->hv);
	if (f->hres != NULL)
		f->hres[f->hn] = it->result;
	f->hn++;
	store_item_free(it);
}

int
store_write_now(struct store *st, struct store_item *it, char **cause)
{
	struct store_file *f = store_file_get(st, it->path);
	int rc;

	__atomic_add_fetch(&st->queued, 1, __ATOMIC_RELAXED);
	store_take(st, it, time(NULL));
	rc = store_write_held(st, f, cause);
	store_held_clear(st, f);
	return rc < 0 ? -1 : 0;
}

/* Take what the loop has queued (the lock is not held). */
static void
store_drain(struct store *st, time_t now)
{
	struct store_item *batch, *it;

	pthread_mutex_lock(&st->lock);
	batch = st->head;
	st->head = st->tail = NULL;
	pthread_mutex_unlock(&st->lock);
	while ((it = batch) != NULL) {
		batch = it->next;
		store_take(st, it, now);
	}
}

/*
 * Write the files whose oldest held update is due (all when stopping).
 * Between files, what the loop queued meanwhile is taken in: while a burst
 * of new files is created, updates wait compact, not as queued items.
 */
static void
store_flush_due(struct store *st, time_t now, int all)
{
	struct store_file *f;

	while ((f = st->due_head) != NULL &&
	    (all || f->pending_since + (time_t)st->delay <= now)) {
		st->due_head = f->dnext;
		if (st->due_head == NULL)
			st->due_tail = NULL;
		f->dnext = NULL;
		f->due = 0;
		store_flush_file(st, f);
		__atomic_store_n(&st->beat, time(NULL), __ATOMIC_RELAXED);
		if (!all &&
		    __atomic_load_n(&st->head, __ATOMIC_RELAXED) != NULL)
			store_drain(st, now);
	}
}

void
store_set_delay(struct store *st, unsigned seconds)
{
	st->delay = seconds;
}

static void *
store_main(void *arg)
{
	struct store *st = arg;
	struct store_item *batch, *it;
	struct timespec ts;
	time_t now;

	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (st->head == NULL && !st->stopping) {
			__atomic_store_n(&st->beat, time(NULL),
			    __ATOMIC_RELAXED);
			if (st->delay == 0 && st->due_head == NULL) {
				pthread_cond_wait(&st->cond, &st->lock);
				continue;
			}
			/* Wake when the oldest held update is due, and at
			 * least each second to take what was queued. */
			ts.tv_sec = time(NULL) + 1;
			if (st->due_head != NULL &&
			    st->due_head->pending_since + (time_t)st->delay <
			        ts.tv_sec)
				ts.tv_sec = st->due_head->pending_since +
				    (time_t)st->delay;
			ts.tv_nsec = 0;
			if (pthread_cond_timedwait(&st->cond, &st->lock, &ts) !=
			    0)
				break;
		}
		batch = st->head;
		st->head = st->tail = NULL;
		pthread_mutex_unlock(&st->lock);
		now = time(NULL);
		while ((it = batch) != NULL) {
			batch = it->next;
			store_take(st, it, now);
		}
		store_flush_due(st, now, st->delay == 0);
		pthread_mutex_lock(&st->lock);
		if (st->stopping && st->head == NULL) {
			pthread_mutex_unlock(&st->lock);
			store_flush_due(st, now, 1);
			return NULL;
		}
	}
}

int
store_start(struct store *st, char **cause)
{
	int error;

	st->stopping = 0;
	if ((error = pthread_create(&st->thread, NULL, store_main, st)) != 0) {
		xasprintf(cause, "writer thread: %s", strerror(error));
		return -1;
	}
	st->running = 1;
	return 0;
}

void
store_submit(struct store *st, struct store_item *it)
{
	it->next = NULL;
	__atomic_add_fetch(&st->queued, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&st->lock);
	if (st->tail != NULL)
		st->tail->next = it;
	else
		st->head = it;
	st->tail = it;
	/*
	 * With write_delay the writer need not wake for each update (a wake
	 * is two context switches): it looks every second, or when enough
	 * are queued.
	 */
	if (st->delay == 0 || ++st->unsignalled >= STORE_SIGNAL_BATCH) {
		st->unsignalled = 0;
		pthread_cond_signal(&st->cond);
	}
	pthread_mutex_unlock(&st->lock);
}

void
store_stop(struct store *st)
{
	if (!st->running)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = 1;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	pthread_join(st->thread, NULL);
	st->running = 0;
}

void
store_free(struct store *st)
{
	struct store_file *f, *next;
	struct store_item *it;
	size_t b;

	if (st == NULL)
		return;
	store_stop(st);
	while ((it = st->head) != NULL) {
		st->head = it->next;
		store_item_free(it);
	}
	for (b = 0; b < STORE_BUCKETS; b++) {
		for (f = st->files[b]; f != NULL; f = next) {
			next = f->next;
			store_held_clear(st, f);
			store_file_clear_ds(f);
			free(f->path);
			free(f);
		}
	}
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	free(st->data_dir);
	free(st);
}

void
store_get_stats(struct store *st, struct store_stats *out)
{
	time_t beat = __atomic_load_n(&st->beat, __ATOMIC_RELAXED);

	out->updates = __atomic_load_n(&st->updates, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&st->errors, __ATOMIC_RELAXED);
	out->rejected = __atomic_load_n(&st->rejected, __ATOMIC_RELAXED);
	out->created = __atomic_load_n(&st->created, __ATOMIC_RELAXED);
	out->queued = __atomic_load_n(&st->queued, __ATOMIC_RELAXED);
	out->writer_beat = (uint64_t)(time(NULL) - beat);
}
