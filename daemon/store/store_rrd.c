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
#include "thread.h"
#include "xmalloc.h"
#include "store_priv.h"

uint32_t
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
	st->due.by_due = 1;
	st->beat = time(NULL);
	return st;
}

const char *
store_data_dir(const struct store *st)
{
	return st->data_dir;
}

/*
 * rrdcached is unreachable and buffer_max values are held: one more is
 * dropped, counted, and logged once for each time it goes away.
 */
int
store_cached_full(struct store *st)
{
	if (__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&st->held, __ATOMIC_RELAXED) < st->buffer_max)
		return 0;
	if (!st->warned_drop)
		log_err(
		    "store: rrdcached %s unreachable and %zu values held (store.buffer_max): dropping new values until it is back",
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
		store_due_add(st, f, now);
	}
	if (f->hn == f->hcap) {
		/* Test mode's result cells: a few at a time, by half beyond. */
		f->hcap = f->hcap < STORE_HELD_STEP * 8
		    ? f->hcap + STORE_HELD_STEP
		    : f->hcap + f->hcap / 2;
		if (f->hres != NULL)
			f->hres =
			    xreallocarray(f->hres, f->hcap, sizeof *f->hres);
	}
	if (it->result != NULL && f->hres == NULL)
		f->hres = xcalloc(f->hcap, sizeof *f->hres);
	store_held_add(f, it->t, it->vals);
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
 * A stopped rrdcached's socket takes connections (the kernel does): it is
 * back when it answers.
 */
static int
store_cached_answers(char **cause)
{
	uint64_t n;

	return cached_received(&n, cause) == CACHED_LOST ? CACHED_LOST
	                                                 : CACHED_OK;
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
	/* Both connections anew: librrd's may be one rrdcached closed
	 * while only the batches' was used. */
	cached_disconnect();
	if (cached_connect(st->cached, &cause) != CACHED_OK ||
	    cached_batch_open(st->cached, &cause) != CACHED_OK ||
	    store_cached_answers(&cause) != CACHED_OK) {
		if (st->backoff == 0)
			log_err(
			    "store: %s; holding updates (up to %zu) until it is back",
			    cause, st->buffer_max);
		st->backoff = st->backoff == 0            ? 1
		    : st->backoff * 2 > STORE_BACKOFF_MAX ? STORE_BACKOFF_MAX
		                                          : st->backoff * 2;
		st->retry_at = now + (time_t)st->backoff;
		free(cause);
		return 0;
	}
	if (st->backoff != 0) {
		log_notice(
		    "store: rrdcached %s: connected again; writing %llu held values",
		    st->cached,
		    (unsigned long long)__atomic_load_n(&st->held,
		        __ATOMIC_RELAXED));
		store_count(st, &st->reconnects, 1);
		store_replay_mark(st);
		/* All held files are due now: spread over the delay again. */
		store_due_respread(st);
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
 * Write the files whose oldest held update is due (all when stopping),
 * through rrdcached in batches of many files (store_batch.c). Between
 * files (batches), what the loop queued meanwhile is taken in: while a burst
 * of new files is created, updates wait compact, not as queued items.
 */
static void
store_flush_due(struct store *st, time_t now, int all)
{
	struct store_file *f;

	while (store_due_any(st, now, all)) {
		if (st->cached != NULL &&
		    !store_cached_ready(st,
		        __atomic_load_n(&st->stopping, __ATOMIC_RELAXED)))
			break;
		if (st->cached != NULL) {
			store_cached_check(st, now);
			if (!__atomic_load_n(&st->cached_up,
			        __ATOMIC_RELAXED) ||
			    store_flush_batches(st, now, all) != 0)
				break;
		} else if ((f = store_due_next(st, now, all)) != NULL)
			store_flush_file(st, f); /* -2 only through rrdcached */
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
			store_due_requeue(st, f);
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
		if (st->fnotify != NULL)
			st->fnotify(st->fnotify_arg);
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

void
store_set_flush_notify(struct store *st, void (*cb)(void *), void *arg)
{
	pthread_mutex_lock(&st->lock);
	st->fnotify = cb;
	st->fnotify_arg = arg;
	pthread_mutex_unlock(&st->lock);
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
	__atomic_store_n(&st->oldest, store_due_oldest(st), __ATOMIC_RELAXED);
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
	time_t at = store_due_wake_at(st, time(NULL) + 1);

	if (st->cached != NULL && !store_due_empty(st) &&
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

	while ((f = store_due_next(st, 0, 1)) != NULL) {
		n += f->hn;
		store_drop_held(st, f);
	}
	if (n > 0)
		log_err(
		    "store: rrdcached %s unreachable at stop: %llu held values not written",
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

	/* Named, and below the loop: its work may wait, a probe may not. */
	thread_background("itf-store");
	if (st->cached != NULL)
		store_cached_ready(st, 1);
	pthread_mutex_lock(&st->lock);
	for (;;) {
		while (st->head == NULL && st->fhead == NULL && !st->stopping) {
			__atomic_store_n(&st->beat, time(NULL),
			    __ATOMIC_RELAXED);
			if (st->delay == 0 && store_due_empty(st)) {
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
		store_sent_expire(st);
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
	if (st->fnotify != NULL)
		st->fnotify(st->fnotify_arg);
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
	for (b = 0; b < st->nbuckets; b++) {
		for (f = st->files[b]; f != NULL; f = next) {
			next = f->next;
			store_held_clear(st, f);
			store_sent_clear(f);
			store_file_clear_ds(f);
			free(f->path);
			free(f);
		}
	}
	free(st->files);
	store_due_free(st);
	store_ds_free(st);
	store_reqs_free(&st->fhead);
	store_reqs_free(&st->wreqs);
	pthread_mutex_destroy(&st->lock);
	pthread_cond_destroy(&st->cond);
	pthread_cond_destroy(&st->flushed);
	free(st->cached);
	free(st->cached_dir);
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
