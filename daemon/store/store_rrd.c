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

#include "cached.h"
#include "ident.h"
#include "log.h"
#include "store_rrd.h"
#include "xmalloc.h"

/* An update sent to rrdcached, kept a while (see store_file.sent). */
struct store_sent {
	time_t at; /* when it was sent */
	time_t t;
	char *line;
};

/* A reader's request: write what is held for path (NULL: every file). */
struct store_flushreq {
	struct store_flushreq *next;
	char *path;
};

/* What the writer knows of one file. */
struct store_file {
	struct store_file *next;
	char *path;
	time_t last;
	int bad; /* differs from its template: left alone */
	int failing; /* last write failed: logged once */
	int warned_old; /* an old update was logged */
	int warned_extra; /* a data source not in the file was logged */
	int resync; /* rrdcached: what is at or before last has arrived */
	/*
	 * rrdcached: the updates sent in the last STORE_REPLAY_S seconds.
	 * An rrdcached that is stopping may acknowledge an update and then
	 * lose it; after a reconnection, those it lost are sent again.
	 */
	struct store_sent *sent;
	size_t nsent, capsent;
	int replay; /* look at the file's last update and send again */
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
/* RRD files are the daemon's user's and its group's. */
#define STORE_FILE_MODE 0640
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
	time_t work_since; /* when the queue last went from empty to not */
	time_t oldest; /* pending_since of the first due file (0: none) */

	/* Writer thread only: files with held updates, oldest first. */
	unsigned delay;
	struct store_file *due_head, *due_tail;

	/*
	 * rrdcached: every write goes through it. While it is unreachable
	 * the files' updates stay held, up to buffer_max values; beyond,
	 * new ones are dropped and counted.
	 */
	char *cached; /* its address, NULL: write the files directly */
	size_t buffer_max;
	int cached_up;
	time_t retry_at;
	unsigned backoff;
	int warned_drop;
	uint64_t held; /* values held in files */
	uint64_t dropped, reconnects, replayed;
	time_t last_sent; /* when rrdcached last took an update */

	/*
	 * Readers' flush requests, numbered: freq_gen is the last asked,
	 * fdone the last served (under lock; flushed is signalled). The
	 * writer takes them with the items queued before them, into wreqs
	 * (writer thread only), and serves them once those are held.
	 */
	struct store_flushreq *fhead;
	uint64_t freq_gen, fdone;
	pthread_cond_t flushed;
	struct store_flushreq *wreqs;
	uint64_t wgen;
	int serving;
};

/* Reconnection attempts back off from 1 s to this. */
#define STORE_BACKOFF_MAX 30
/* Updates sent this long before rrdcached went away are sent again. */
#define STORE_REPLAY_S 10

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
	pthread_cond_init(&st->flushed, NULL);
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

/* The file at path the writer knows, or NULL. */
static struct store_file *
store_file_find(struct store *st, const char *path)
{
	struct store_file *f;
	uint32_t b = store_hash(path) % STORE_BUCKETS;

	for (f = st->files[b]; f != NULL; f = f->next) {
		if (strcmp(f->path, path) == 0)
			return f;
	}
	return NULL;
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
	/* librrd makes it 0644 whatever the umask: not for others. */
	if (chmod(tmp, STORE_FILE_MODE) != 0 || rename(tmp, path) != 0) {
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
store_inspect(struct store *st, struct store_file *f, const struct tmpl *t,
    char **cause)
{
	rrd_info_t *info, *i;
	int idx, rc, differs = 0;
	char name[64], *close;
	const char *cname;
	size_t len;

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
static char *
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

static void
store_count(struct store *st, uint64_t *counter, uint64_t n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
	(void)st;
}

/* Create f's file for its held updates; through rrdcached over TCP. */
static int
store_create_held(struct store *st, struct store_file *f, char **cause)
{
	const struct tmpl *t = f->htmpl;
	unsigned step = f->hstep > t->step ? f->hstep : t->step;
	const char *name;
	char **argv;
	int argc, rc;
	size_t i;

	if (st->cached == NULL || cached_is_unix(st->cached))
		rc = store_create(f->path, t, step, f->ht[0], cause);
	else if ((name = cached_name(st->cached, st->data_dir, f->path)) ==
	    NULL) {
		xasprintf(cause, "not below data_dir %s", st->data_dir);
		rc = -1;
	} else {
		template_create_args(t, step, &argv, &argc);
		rc = cached_create(name, step, f->ht[0] - (time_t)step, argc,
		    (const char **)argv, cause);
		template_args_free(argv, argc);
		if (rc == CACHED_LOST)
			return -2;
	}
	if (rc != 0)
		return -1;
	store_count(st, &st->created, 1);
	f->last = f->ht[0] - (time_t)step;
	store_file_clear_ds(f);
	for (i = 0; i < t->nds; i++)
		store_file_add_ds(f, t->ds[i].name);
	return 0;
}

/*
 * Learn what f's file has (its data sources, its last update), making it
 * when there is none. 0, -1 with *cause, -2 when rrdcached went away.
 */
static int
store_open(struct store *st, struct store_file *f, char **cause)
{
	struct stat sb;
	int rc, remote = st->cached != NULL && !cached_is_unix(st->cached);

	if (!remote && stat(f->path, &sb) != 0)
		return store_create_held(st, f, cause);
	rc = store_inspect(st, f, f->htmpl, cause);
	if (rc == -1 && remote) {
		/* rrdcached cannot read it: there is none yet. */
		free(*cause);
		*cause = NULL;
		return store_create_held(st, f, cause);
	}
	if (rc == 1) {
		f->bad = 1;
		log_err("store: %s: %s", f->path, *cause);
	}
	if (rc != 0)
		f->last = -1;
	return rc == 1 ? -1 : rc;
}

/* Drop the first n held updates of f (written). */
static void
store_held_shift(struct store *st, struct store_file *f, size_t n)
{
	size_t nds = f->htmpl->nds;

	memmove(f->ht, f->ht + n, (f->hn - n) * sizeof *f->ht);
	memmove(f->hv, f->hv + n * nds, (f->hn - n) * nds * sizeof *f->hv);
	if (f->hres != NULL)
		memmove(f->hres, f->hres + n, (f->hn - n) * sizeof *f->hres);
	f->hn -= n;
	__atomic_sub_fetch(&st->queued, n, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&st->held, n, __ATOMIC_RELAXED);
}

/*
 * One update as rrdcached takes it: values in the file's own data source
 * order (its UPDATE has no template), U for what the update lacks.
 */
static void
store_fmt_cached(const struct store_file *f, const struct tmpl *t,
    const double *v, char *p, char *end)
{
	size_t j;
	int idx;

	for (j = 0; j < f->nds; j++) {
		idx = template_ds_index(t, f->ds[j]);
		p = store_fmt_ds(p, end, idx == -1 ? NAN : v[idx],
		    idx == -1 ? "" : t->ds[idx].type);
	}
}

/* Keep the n updates just sent; forget those sent long ago. */
static void
store_keep_sent(struct store *st, struct store_file *f, char **argv, size_t n)
{
	time_t now = time(NULL);
	size_t i, drop;

	if (n == 0)
		return;
	st->last_sent = now;
	for (drop = 0; drop < f->nsent; drop++) {
		if (f->sent[drop].at >= now - STORE_REPLAY_S)
			break;
		free(f->sent[drop].line);
	}
	if (drop > 0) {
		memmove(f->sent, f->sent + drop,
		    (f->nsent - drop) * sizeof *f->sent);
		f->nsent -= drop;
	}
	if (f->nsent + n > f->capsent) {
		f->capsent = f->nsent + n;
		f->sent = xreallocarray(f->sent, f->capsent, sizeof *f->sent);
	}
	for (i = 0; i < n; i++) {
		f->sent[f->nsent].at = now;
		f->sent[f->nsent].t = (time_t)strtoll(argv[i], NULL, 10);
		f->sent[f->nsent++].line = xstrdup(argv[i]);
	}
}

static void
store_sent_clear(struct store_file *f)
{
	size_t i;

	for (i = 0; i < f->nsent; i++)
		free(f->sent[i].line);
	free(f->sent);
	f->sent = NULL;
	f->nsent = f->capsent = 0;
}

/*
 * Connected again: every file that rrdcached took updates for shortly
 * before it went away has its last update looked at again before its next
 * write, and what rrdcached lost is sent again first.
 */
static void
store_replay_mark(struct store *st)
{
	struct store_file *f;
	size_t b;

	for (b = 0; b < STORE_BUCKETS; b++) {
		for (f = st->files[b]; f != NULL; f = f->next) {
			if (f->nsent == 0 ||
			    f->sent[f->nsent - 1].at <
			        st->last_sent - STORE_REPLAY_S)
				continue;
			f->replay = 1;
			f->last = -1;
		}
	}
}

/*
 * The kept updates of a file to send again: those after its last update
 * (just read from the file) and before the first held one. Moved into
 * argv/values from index 0; returns how many.
 */
static size_t
store_replay_take(struct store *st, struct store_file *f, char **values,
    const char **argv, size_t *from)
{
	size_t i, k = 0;

	for (i = 0; i < f->nsent; i++) {
		if (f->sent[i].t <= f->last ||
		    (f->hn > 0 && f->sent[i].t >= f->ht[0]))
			continue;
		values[k] = f->sent[i].line;
		f->sent[i].line = NULL;
		argv[k] = values[k];
		from[k++] = 0;
	}
	for (i = 0; i < f->nsent; i++)
		free(f->sent[i].line);
	f->nsent = 0;
	f->replay = 0;
	if (k > 0) {
		log_notice("store: %s: sending %zu updates again that "
		           "rrdcached lost",
		    f->path, k);
		store_count(st, &st->replayed, k);
	}
	return k;
}

/* Send k updates through rrdcached; on a lost connection keep the rest. */
static int
store_send_cached(struct store *st, struct store_file *f, char **argv,
    const size_t *from, size_t k, time_t prev, char **cause)
{
	const char *name;
	size_t sent = 0;
	int rc;

	name = cached_name(st->cached, st->data_dir, f->path);
	if (name == NULL) {
		xasprintf(cause, "not below data_dir %s", st->data_dir);
		return -1;
	}
	rc = cached_update(name, (const char *const *)argv, k, &sent, cause);
	store_keep_sent(st, f, argv, sent);
	log_debug("store: %s: %zu of %zu updates (%s..%s) sent to rrdcached",
	    name, sent, k, argv[0], argv[k - 1]);
	if (sent > 0) {
		store_count(st, &st->updates, sent);
		f->last = (time_t)strtoll(argv[sent - 1], NULL, 10);
	}
	if (rc == CACHED_OK) {
		f->last = prev;
		return (int)k;
	}
	f->last = -1;
	if (rc == CACHED_LOST) {
		/*
		 * The request in flight may have arrived: learn the file's
		 * last update again before sending the rest, and take what is
		 * at or before it as arrived.
		 */
		f->resync = 1;
		store_held_shift(st, f, sent > 0 ? from[sent - 1] : 0);
		return -2;
	}
	return -1;
}

/*
 * Write what a file holds with one librrd call (or as few rrdcached
 * requests as fit): opening and mapping the file is most of an update's
 * cost, so updates held back together cost little more than one. Updates
 * at or before the file's last one are dropped and counted. Returns the
 * number written, -1 with *cause, or -2 when rrdcached went away (what
 * was not sent stays held).
 */
static int
store_write_held(struct store *st, struct store_file *f, char **cause)
{
	const struct tmpl *t = f->htmpl;
	const char **argv = NULL;
	char *names = NULL, **values = NULL, *use, *p, *end;
	time_t prev = 0;
	size_t i, k = 0, j, vlen, arrived = 0, *from;
	int rc;

	if (f->bad) {
		xasprintf(cause, "data sources differ from template %s",
		    t->name);
		return -1;
	}
	if (f->last == -1 && (rc = store_open(st, f, cause)) != 0)
		return rc;
	use = xcalloc(t->nds + 1, 1);
	if ((names = store_update_names(f, t, use)) == NULL) {
		xasprintf(cause, "no data source of the update is in the file");
		free(use);
		return -1;
	}
	argv = xcalloc(f->hn + f->nsent, sizeof *argv);
	values = xcalloc(f->hn + f->nsent, sizeof *values);
	from = xcalloc(f->hn + f->nsent, sizeof *from);
	if (f->replay)
		k = store_replay_take(st, f, values, argv, from);
	if (k > 0)
		prev = (time_t)strtoll(argv[k - 1], NULL, 10);
	vlen = 32 + (t->nds + f->nds) * 32;
	for (i = 0; i < f->hn; i++) {
		if (f->ht[i] <= f->last || (k > 0 && f->ht[i] <= prev)) {
			if (f->resync && f->ht[i] <= f->last) {
				arrived++; /* before rrdcached went away */
				continue;
			}
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
		if (st->cached != NULL)
			store_fmt_cached(f, t, f->hv + i * t->nds, p, end);
		else {
			for (j = 0; j < t->nds; j++) {
				if (use[j])
					p = store_fmt_ds(p, end,
					    f->hv[i * t->nds + j],
					    t->ds[j].type);
			}
		}
		argv[k] = values[k];
		from[k++] = i + 1; /* held ones written when it is */
		prev = f->ht[i];
	}
	f->resync = 0;
	rc = (int)k;
	if (k == 0 && arrived == f->hn)
		rc = 0;
	else if (k == 0) {
		xasprintf(cause, "every update is at or before the last");
		rc = -1;
	} else if (st->cached != NULL) {
		rc = store_send_cached(st, f, (char **)argv, from, k, prev,
		    cause);
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
	free(from);
	free(names);
	free(use);
	return rc;
}

/* Forget what a file holds (after writing it). */
static void
store_held_clear(struct store *st, struct store_file *f)
{
	__atomic_sub_fetch(&st->queued, f->hn, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&st->held, f->hn, __ATOMIC_RELAXED);
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

/* rrdcached went away: hold what is left and try again later. */
static void
store_cached_lost(struct store *st, const char *cause)
{
	if (__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED))
		log_err("store: %s; holding updates (up to %zu) until it is "
		        "back",
		    cause, st->buffer_max);
	__atomic_store_n(&st->cached_up, 0, __ATOMIC_RELAXED);
	st->backoff = 1;
	st->retry_at = time(NULL) + 1;
}

/*
 * Write what a file holds, report and count the outcome. -2 when
 * rrdcached went away: what was not written stays held.
 */
static int
store_flush_file(struct store *st, struct store_file *f)
{
	char *cause = NULL;
	size_t i;
	int rc;

	if (f->hn == 0)
		return 0;
	rc = store_write_held(st, f, &cause);
	if (rc == -2) {
		store_cached_lost(st, cause);
		free(cause);
		return -2;
	}
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
	return 0;
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
static int
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
static int
store_replace_file(struct store *st, struct store_file *f,
    struct store_item *it, char **cause)
{
	const struct tmpl *t = it->tmpl;
	struct stat sb;
	struct store_row *rows;
	double *keep = NULL, *sums;
	time_t *ktimes = NULL;
	ssize_t nkeep = 0;
	size_t n, i;
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
		store_file_clear_ds(f);
		for (i = 0; i < t->nds; i++)
			store_file_add_ds(f, t->ds[i].name);
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

/*
 * rrdcached is unreachable and buffer_max values are held: one more is
 * dropped, counted, and logged once for each time it goes away.
 */
static int
store_cached_full(struct store *st)
{
	if (__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&st->held, __ATOMIC_RELAXED) < st->buffer_max)
		return 0;
	if (!st->warned_drop)
		log_err("store: rrdcached %s unreachable and %zu values held "
		        "(store.buffer_max): dropping new values until it is "
		        "back",
		    st->cached, st->buffer_max);
	st->warned_drop = 1;
	store_count(st, &st->dropped, 1);
	return 1;
}

/* Drop what a file holds, counted (rrdcached unreachable). */
static void
store_drop_held(struct store *st, struct store_file *f)
{
	size_t i;

	store_count(st, &st->dropped, f->hn);
	for (i = 0; f->hres != NULL && i < f->hn; i++) {
		if (f->hres[i] != NULL)
			*f->hres[i] = -1;
	}
	store_held_clear(st, f);
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
	if (st->cached != NULL && store_cached_full(st)) {
		if (it->result != NULL)
			*it->result = -1;
		__atomic_sub_fetch(&st->queued, 1, __ATOMIC_RELAXED);
		store_item_free(it);
		return;
	}
	/* One template per write: a reload may bring another. */
	if (f->hn > 0 && f->htmpl != it->tmpl && store_flush_file(st, f) == -2)
		store_drop_held(st, f);
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
	__atomic_add_fetch(&st->held, 1, __ATOMIC_RELAXED);
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

/*
 * With the lock held: the flush requests asked so far go to the writer's
 * list, served after the items taken with them.
 */
static void
store_take_reqs(struct store *st)
{
	struct store_flushreq *r;

	while ((r = st->fhead) != NULL) {
		st->fhead = r->next;
		r->next = st->wreqs;
		st->wreqs = r;
	}
	st->wgen = st->freq_gen;
}

/* Take what the loop has queued (the lock is not held). */
static void
store_drain(struct store *st, time_t now)
{
	struct store_item *batch, *it;

	pthread_mutex_lock(&st->lock);
	batch = st->head;
	st->head = st->tail = NULL;
	store_take_reqs(st);
	pthread_mutex_unlock(&st->lock);
	while ((it = batch) != NULL) {
		batch = it->next;
		store_take(st, it, now);
	}
}

/*
 * Connected to rrdcached, or connected again now (when its backoff has
 * passed, or right away when stopping). 1 when writes can go.
 */
static int
store_cached_ready(struct store *st, int now_please)
{
	char *cause = NULL;
	time_t now = time(NULL);

	if (__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED))
		return 1;
	if (!now_please && now < st->retry_at)
		return 0;
	if (cached_connect(st->cached, &cause) != CACHED_OK) {
		if (st->backoff == 0)
			log_err("store: %s; holding updates (up to %zu) until "
			        "it is back",
			    cause, st->buffer_max);
		st->backoff = st->backoff == 0            ? 1
		    : st->backoff * 2 > STORE_BACKOFF_MAX ? STORE_BACKOFF_MAX
		                                          : st->backoff * 2;
		st->retry_at = now + (time_t)st->backoff;
		free(cause);
		return 0;
	}
	if (st->backoff != 0) {
		log_notice("store: rrdcached %s: connected again; writing %llu "
		           "held values",
		    st->cached,
		    (unsigned long long)__atomic_load_n(&st->held,
		        __ATOMIC_RELAXED));
		store_count(st, &st->reconnects, 1);
		store_replay_mark(st);
	} else
		log_info("store: writing through rrdcached %s", st->cached);
	st->backoff = 0;
	st->warned_drop = 0;
	__atomic_store_n(&st->cached_up, 1, __ATOMIC_RELAXED);
	return 1;
}

static void store_serve(struct store *, time_t);
static void store_publish_oldest(struct store *);

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
		if (st->cached != NULL &&
		    !store_cached_ready(st,
		        __atomic_load_n(&st->stopping, __ATOMIC_RELAXED)))
			break;
		st->due_head = f->dnext;
		if (st->due_head == NULL)
			st->due_tail = NULL;
		f->dnext = NULL;
		f->due = 0;
		if (store_flush_file(st, f) == -2) {
			/* Back at the head: the first to write again. */
			f->due = 1;
			f->dnext = st->due_head;
			st->due_head = f;
			if (st->due_tail == NULL)
				st->due_tail = f;
			break;
		}
		__atomic_store_n(&st->beat, time(NULL), __ATOMIC_RELAXED);
		/* Take what came meanwhile into the compact held form, also
		 * with no write_delay: creating thousands of files at start
		 * takes minutes, and queued items are three times larger. */
		if ((__atomic_load_n(&st->head, __ATOMIC_RELAXED) != NULL ||
		        __atomic_load_n(&st->fhead, __ATOMIC_RELAXED) !=
		            NULL) &&
		    !__atomic_load_n(&st->stopping, __ATOMIC_RELAXED))
			store_drain(st, now);
		/* A reader waits: it comes before the rest of a batch. */
		store_serve(st, now);
	}
}

/* Take a held file out of the due list (it is written now). */
static void
store_due_unlink(struct store *st, struct store_file *f)
{
	struct store_file **pp, *prev = NULL;

	if (!f->due)
		return;
	for (pp = &st->due_head; *pp != NULL; pp = &(*pp)->dnext) {
		if (*pp == f) {
			*pp = f->dnext;
			if (st->due_tail == f)
				st->due_tail = prev;
			break;
		}
		prev = *pp;
	}
	f->dnext = NULL;
	f->due = 0;
}

/*
 * A reader's file: what is held goes out now, and through rrdcached to
 * the file (its FLUSH), as the reader is about to open it.
 */
static void
store_flush_one(struct store *st, const char *path)
{
	struct store_file *f = store_file_find(st, path);
	char *cause = NULL;

	if (f == NULL)
		return;
	if (f->hn > 0) {
		store_due_unlink(st, f);
		if (store_flush_file(st, f) == -2) {
			f->due = 1;
			f->dnext = st->due_head;
			st->due_head = f;
			if (st->due_tail == NULL)
				st->due_tail = f;
			return;
		}
	}
	if (st->cached != NULL && store_cached_flush(st, f, &cause) != 0)
		log_debug("store: %s: flush for a reader: %s", path, cause);
	free(cause);
}

/*
 * Serve the readers' flush requests taken so far (not again from within:
 * writing every file takes in new ones, served by the outer turn).
 */
static void
store_serve(struct store *st, time_t now)
{
	struct store_flushreq *r, *next;
	uint64_t gen;
	int all;

	if (st->serving)
		return;
	st->serving = 1;
	while ((r = st->wreqs) != NULL) {
		gen = st->wgen;
		st->wreqs = NULL;
		for (all = 0; r != NULL; r = next) {
			next = r->next;
			if (r->path == NULL)
				all = 1;
			else
				store_flush_one(st, r->path);
			free(r->path);
			free(r);
		}
		if (all)
			store_flush_due(st, now, 1);
		store_publish_oldest(st);
		pthread_mutex_lock(&st->lock);
		if (gen > st->fdone)
			__atomic_store_n(&st->fdone, gen, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&st->flushed);
		pthread_mutex_unlock(&st->lock);
	}
	st->serving = 0;
}

uint64_t
store_flush_request(struct store *st, const char *path)
{
	struct store_flushreq *r = xcalloc(1, sizeof *r);
	uint64_t n;

	r->path = path != NULL ? xstrdup(path) : NULL;
	pthread_mutex_lock(&st->lock);
	r->next = st->fhead;
	st->fhead = r;
	n = ++st->freq_gen;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
	return n;
}

int
store_flush_done(struct store *st, uint64_t n)
{
	return __atomic_load_n(&st->fdone, __ATOMIC_RELAXED) >= n;
}

int
store_flush_wait(struct store *st, const char *path, unsigned timeout_ms)
{
	struct timespec ts;
	uint64_t n;
	int done;

	if (!st->running)
		return -1;
	n = store_flush_request(st, path);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&st->lock);
	while (st->fdone < n &&
	    pthread_cond_timedwait(&st->flushed, &st->lock, &ts) == 0)
		;
	done = st->fdone >= n;
	pthread_mutex_unlock(&st->lock);
	return done ? 0 : -1;
}

/* Publish how long the oldest held update has waited. */
static void
store_publish_oldest(struct store *st)
{
	__atomic_store_n(&st->oldest,
	    st->due_head != NULL ? st->due_head->pending_since : 0,
	    __ATOMIC_RELAXED);
}

void
store_set_delay(struct store *st, unsigned seconds)
{
	st->delay = seconds;
}

void
store_set_rrdcached(struct store *st, const char *addr, size_t buffer_max)
{
	free(st->cached);
	st->cached = addr != NULL ? xstrdup(addr) : NULL;
	st->buffer_max = buffer_max;
}

/*
 * When the writer must look again: when the oldest held update is due,
 * and at least each second to take what was queued; while rrdcached is
 * unreachable, not before the next attempt to reach it.
 */
static time_t
store_wake_at(struct store *st)
{
	time_t at = time(NULL) + 1;

	if (st->due_head != NULL &&
	    st->due_head->pending_since + (time_t)st->delay < at)
		at = st->due_head->pending_since + (time_t)st->delay;
	if (st->cached != NULL && st->due_head != NULL &&
	    !__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED) &&
	    at < st->retry_at)
		at = st->retry_at;
	return at;
}

/* Stopping: what rrdcached could not take is lost; say how much. */
static void
store_cached_stop(struct store *st)
{
	struct store_file *f;
	uint64_t n = 0;

	while ((f = st->due_head) != NULL) {
		st->due_head = f->dnext;
		f->dnext = NULL;
		f->due = 0;
		n += f->hn;
		store_drop_held(st, f);
	}
	st->due_tail = NULL;
	if (n > 0)
		log_err("store: rrdcached %s unreachable at stop: %llu held "
		        "values not written",
		    st->cached, (unsigned long long)n);
	cached_disconnect();
}

static void *
store_main(void *arg)
{
	struct store *st = arg;
	struct store_item *batch, *it;
	struct timespec ts;
	time_t now;

	if (st->cached != NULL)
		store_cached_ready(st, 1);
	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (st->head == NULL && st->fhead == NULL && !st->stopping) {
			__atomic_store_n(&st->beat, time(NULL),
			    __ATOMIC_RELAXED);
			if (st->delay == 0 && st->due_head == NULL) {
				pthread_cond_wait(&st->cond, &st->lock);
				continue;
			}
			/* Wake when the oldest held update is due, and at
			 * least each second to take what was queued. */
			ts.tv_sec = store_wake_at(st);
			ts.tv_nsec = 0;
			if (pthread_cond_timedwait(&st->cond, &st->lock, &ts) !=
			    0)
				break;
		}
		batch = st->head;
		st->head = st->tail = NULL;
		store_take_reqs(st);
		pthread_mutex_unlock(&st->lock);
		now = time(NULL);
		while ((it = batch) != NULL) {
			batch = it->next;
			store_take(st, it, now);
		}
		store_serve(st, now);
		store_flush_due(st, now, st->delay == 0);
		store_publish_oldest(st);
		pthread_mutex_lock(&st->lock);
		if (st->stopping && st->head == NULL) {
			pthread_mutex_unlock(&st->lock);
			store_flush_due(st, now, 1);
			if (st->cached != NULL)
				store_cached_stop(st);
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
	else {
		st->head = it;
		/* An idle writer has not moved, but had nothing to do. */
		__atomic_store_n(&st->work_since, time(NULL), __ATOMIC_RELAXED);
	}
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
	/* Written at the stop: nobody waits for more. */
	pthread_mutex_lock(&st->lock);
	st->fdone = st->freq_gen;
	pthread_cond_broadcast(&st->flushed);
	pthread_mutex_unlock(&st->lock);
}

static void
store_reqs_free(struct store_flushreq **head)
{
	struct store_flushreq *r;

	while ((r = *head) != NULL) {
		*head = r->next;
		free(r->path);
		free(r);
	}
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
			store_sent_clear(f);
			store_file_clear_ds(f);
			free(f->path);
			free(f);
		}
	}
	store_reqs_free(&st->fhead);
	store_reqs_free(&st->wreqs);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	pthread_cond_destroy(&st->flushed);
	free(st->cached);
	free(st->data_dir);
	free(st);
}

void
store_get_stats(struct store *st, struct store_stats *out)
{
	time_t beat = __atomic_load_n(&st->beat, __ATOMIC_RELAXED), oldest;
	time_t since = __atomic_load_n(&st->work_since, __ATOMIC_RELAXED);

	memset(out, 0, sizeof *out);

	out->updates = __atomic_load_n(&st->updates, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&st->errors, __ATOMIC_RELAXED);
	out->rejected = __atomic_load_n(&st->rejected, __ATOMIC_RELAXED);
	out->created = __atomic_load_n(&st->created, __ATOMIC_RELAXED);
	out->queued = __atomic_load_n(&st->queued, __ATOMIC_RELAXED);
	/* How long it has not moved while it had work. */
	if (since > beat)
		beat = since;
	out->writer_beat =
	    time(NULL) > beat ? (uint64_t)(time(NULL) - beat) : 0;
	oldest = __atomic_load_n(&st->oldest, __ATOMIC_RELAXED);
	out->oldest_age = oldest != 0 && time(NULL) > oldest
	    ? (uint64_t)(time(NULL) - oldest)
	    : 0;
	out->delay = st->delay;
	if (st->cached != NULL) {
		out->cached_up =
		    __atomic_load_n(&st->cached_up, __ATOMIC_RELAXED) != 0;
		out->cached_down = !out->cached_up;
		out->buffered = out->cached_down
		    ? __atomic_load_n(&st->held, __ATOMIC_RELAXED)
		    : 0;
		out->dropped = __atomic_load_n(&st->dropped, __ATOMIC_RELAXED);
		out->reconnects =
		    __atomic_load_n(&st->reconnects, __ATOMIC_RELAXED);
		out->replayed =
		    __atomic_load_n(&st->replayed, __ATOMIC_RELAXED);
	}
}
