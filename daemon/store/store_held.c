/*
 * The updates the RRD writer holds for a file, written when due: with
 * librrd directly, or sent to rrdcached over TCP, kept a while in case
 * rrdcached goes away before writing them, and sent again then.
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
#include "store_row.h"
#include "store_rrd.h"
#include "xmalloc.h"
#include "store_priv.h"

void
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

	if (st->cached == NULL || cached_is_unix(st->cached))
		rc = store_create(f->path, t, step, store_held_first(f), cause);
	else if ((name = cached_name(st->cached, st->data_dir, f->path)) ==
	    NULL) {
		xasprintf(cause, "not below data_dir %s", st->data_dir);
		rc = -1;
	} else {
		template_create_args(t, step, &argv, &argc);
		rc = cached_create(name, step,
		    store_held_first(f) - (time_t)step, argc,
		    (const char **)argv, cause);
		template_args_free(argv, argc);
		if (rc == CACHED_LOST)
			return -2;
	}
	if (rc != 0)
		return -1;
	store_count(st, &st->created, 1);
	f->last = store_held_first(f) - (time_t)step;
	store_file_tmpl_ds(st, f, t);
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

/* Hold an update of f's template: a row more. */
void
store_held_add(struct store_file *f, time_t t, const double *v)
{
	size_t nds = f->htmpl->nds, need = f->hblen + STORE_ROW_MAX(nds);

	if (need > f->hbcap) {
		/* The row's most and a few bytes: rows of an http update
		 * take some 45 bytes, and a file holds six or seven. By half
		 * beyond, while rrdcached is away. */
		f->hbcap = need +
		    (f->hblen < STORE_HELD_SLACK * 16 ? STORE_HELD_SLACK
		                                      : f->hblen / 2);
		f->hb = xrealloc(f->hb, f->hbcap);
	}
	if (f->hn == 0)
		f->hbase = t;
	f->hblen += store_row_put(f->hb + f->hblen, f->hbase, t, v, nds);
}

/* The time of f's first held update (f->hn > 0). */
time_t
store_held_first(const struct store_file *f)
{
	time_t t = 0;

	store_row_get(f->hb, f->hb + f->hblen, f->hbase, &t, NULL,
	    f->htmpl->nds);
	return t;
}

/* Drop the first n held updates of f (written). */
static void
store_held_shift(struct store *st, struct store_file *f, size_t n)
{
	size_t i, off = 0;
	time_t t;

	for (i = 0; i < n; i++)
		off += store_row_get(f->hb + off, f->hb + f->hblen, f->hbase,
		    &t, NULL, f->htmpl->nds);
	memmove(f->hb, f->hb + off, f->hblen - off);
	f->hblen -= off;
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

static void
store_sent_append(struct store *st, struct store_file *f, time_t at)
{
	/* A time_t until 2106; 0 is not one. */
	f->sent_at = (uint32_t)(at > 0 ? at : 1);
	f->snext = NULL;
	if (st->sent_tail != NULL)
		st->sent_tail->snext = f;
	else
		st->sent_head = f;
	st->sent_tail = f;
}

/*
 * Let go of f's rows sent STORE_REPLAY_S or more before rrdcached last
 * took one, with STORE_REPLAY_BYTES or more sent after them; none while
 * f is marked to send them again (they wait for its write).
 */
static void
store_sent_let_go(struct store *st, struct store_file *f)
{
	if (f->replay)
		return;
	store_kept_expire(&f->kept, st->last_sent - STORE_REPLAY_S,
	    st->sent_bytes >= STORE_REPLAY_BYTES
	        ? st->sent_bytes - STORE_REPLAY_BYTES + 1
	        : 0);
}

/*
 * Let go of the updates sent more than STORE_REPLAY_S before rrdcached
 * last took one and more than STORE_REPLAY_BYTES before the last it
 * took (store_replay_mark sends none of them again): otherwise each
 * file would keep its last write's rows until its next one, a
 * write_delay later. Files come in the order they were put in the list,
 * whatever they were sent since: stops at the first put in after the
 * cutoff. One with rows still to keep (sent again meanwhile, within the
 * last bytes, or to be sent again after a restart of rrdcached) goes
 * back at the end, its turn STORE_REPLAY_S later. (Stopping instead at
 * the first file whose rows were all recent held most files' rows for a
 * whole write_delay: a file sent again while in the list stood in front
 * of every one sent after it.)
 */
void
store_sent_expire(struct store *st)
{
	time_t cutoff = st->last_sent - STORE_REPLAY_S;
	struct store_file *f;

	while ((f = st->sent_head) != NULL && (time_t)f->sent_at < cutoff) {
		st->sent_head = f->snext;
		if (st->sent_head == NULL)
			st->sent_tail = NULL;
		f->sent_at = 0;
		store_sent_let_go(st, f);
		if (f->kept != NULL)
			store_sent_append(st, f, st->last_sent);
	}
}

/*
 * f's updates were sent at now, bytes of them: rrdcached took them, f
 * keeps them.
 */
void
store_sent_note(struct store *st, struct store_file *f, time_t now,
    size_t bytes)
{
	st->last_sent = now;
	st->sent_bytes += bytes;
	store_sent_let_go(st, f);
	if (f->sent_at == 0)
		store_sent_append(st, f, now);
}

void
store_sent_clear(struct store_file *f)
{
	store_kept_free(&f->kept);
}

/*
 * Connected again: every file that rrdcached took updates for shortly
 * before it went away has its last update looked at again before its next
 * write, and what rrdcached lost is sent again first.
 */
void
store_replay_mark(struct store *st)
{
	struct store_file *f;
	size_t b;

	for (b = 0; b < st->nbuckets; b++) {
		for (f = st->files[b]; f != NULL; f = f->next) {
			/* What it keeps may be lost (store_sent_expire). */
			if (f->kept == NULL)
				continue;
			f->replay = 1;
			f->last = -1;
		}
	}
}

/*
 * rrdcached started again between two writes: librrd connects again by
 * itself when a request finds the connection closed, so no call fails,
 * yet what rrdcached acknowledged just before it went (its journal not
 * yet on disk, as after a kill -9) is gone. Its count of update requests
 * received since it started tells: lower than at the last look plus ours
 * acknowledged since, it is a new rrdcached. Asked at most once a second,
 * before writing. (With other daemons writing to the same rrdcached its
 * count may have grown past the old one's: such a restart goes unseen.)
 */
void
store_cached_check(struct store *st, time_t now)
{
	uint64_t got, acked = cached_acked();
	char *cause = NULL;
	int rc;

	if (now == st->stats_at)
		return;
	st->stats_at = now;
	if ((rc = cached_received(&got, &cause)) != CACHED_OK) {
		if (rc == CACHED_LOST)
			store_cached_lost(st, cause);
		free(cause);
		return;
	}
	if (st->stats_known &&
	    got < st->stats_seen + (acked - st->stats_acked)) {
		log_notice(
		    "store: rrdcached %s was started again (%llu update requests since its start, %llu before plus %llu of ours since): sending again what it may have lost",
		    st->cached, (unsigned long long)got,
		    (unsigned long long)st->stats_seen,
		    (unsigned long long)(acked - st->stats_acked));
		store_count(st, &st->reconnects, 1);
		store_replay_mark(st);
	}
	st->stats_seen = got;
	st->stats_acked = acked;
	st->stats_known = 1;
}

/*
 * Add to b the update of t's values v at tm, formatted: with rrdcached in
 * the file's order (src: the row it came from), else the values use
 * marks.
 */
static void
store_batch_put(struct store *st, struct store_file *f, struct store_batch *b,
    time_t tm, const double *v, const char *use, size_t from,
    const struct store_src *src)
{
	const struct tmpl *t = src->t;
	size_t j, vlen = 32 + (t->nds + f->nds) * 32;
	char *p = b->values[b->k] = xmalloc(vlen), *end = p + vlen;

	p += snprintf(p, vlen, "%lld", (long long)tm);
	if (st->cached != NULL) {
		store_fmt_cached(f, t, v, p, end);
		b->src[b->k] = *src;
		/* Its length only: a batch holds a hundred files' a while. */
		b->values[b->k] =
		    xrealloc(b->values[b->k], strlen(b->values[b->k]) + 1);
	} else {
		for (j = 0; j < t->nds; j++) {
			if (use[j])
				p = store_fmt_ds(p, end, v[j], t->ds[j].type);
		}
	}
	b->argv[b->k] = b->values[b->k];
	b->from[b->k++] = from;
	b->prev = tm;
}

/* Keep the first n updates of b, just sent; forget those sent long ago. */
static void
store_keep_sent(struct store *st, struct store_file *f,
    const struct store_batch *b, size_t n)
{
	time_t now = time(NULL);
	const struct store_src *src;
	size_t i, len, bytes;

	if (n == 0)
		return;
	/* About as rrdcached journals them: "update", the name, values. */
	bytes = 8 + strlen(f->path);
	for (i = 0; i < n; i++)
		bytes += strlen(b->argv[i]) + 1;
	store_sent_note(st, f, now, bytes);
	for (i = 0; i < n; i++) {
		src = &b->src[i];
		len = (size_t)(src->end - src->row);
		/* Room at once for the rest, rows of about this one's size. */
		store_kept_copy(&f->kept, src->t, now, st->sent_bytes,
		    src->base, src->row, len, (n - 1 - i) * len);
	}
}

/*
 * The kept updates of a file to send again: those after its last update
 * (just read from the file) and before the first held one, put in b; the
 * kept rows go to b->old, freed after the write.
 */
static void
store_replay_take(struct store *st, struct store_file *f, struct store_batch *b)
{
	time_t first = f->hn > 0 ? store_held_first(f) : 0, tm;
	struct store_src src;
	struct store_kept *k;
	size_t off, len;
	double *v;

	for (k = f->kept; k != NULL; k = k->next) {
		v = xcalloc(k->t->nds + 1, sizeof *v);
		src = (struct store_src){ k->t, k->base, NULL, NULL };
		for (off = 0; (len = store_kept_row(k, off, &tm, v)) > 0;
		     off += len) {
			if (tm <= f->last || (f->hn > 0 && tm >= first))
				continue;
			src.row = k->rows + off;
			src.end = src.row + len;
			store_batch_put(st, f, b, tm, v, NULL, 0, &src);
		}
		free(v);
	}
	b->old = f->kept;
	f->kept = NULL;
	f->replay = 0;
	if (b->k > 0) {
		log_notice(
		    "store: %s: sending %zu updates again that rrdcached lost",
		    f->path, b->k);
		store_count(st, &st->replayed, b->k);
	}
}

const char *
store_cached_name(struct store *st, struct store_file *f, const char **dir,
    char **cause)
{
	size_t len = strlen(st->data_dir);
	const char *name = cached_name(st->cached, st->data_dir, f->path);

	*dir = NULL;
	if (name == NULL) {
		xasprintf(cause, "not below data_dir %s", st->data_dir);
		return NULL;
	}
	if (!cached_is_unix(st->cached))
		return name;
	/* On a unix socket the absolute path, data_dir's made once. */
	if (st->cached_dir == NULL &&
	    (st->cached_dir = realpath(st->data_dir, NULL)) == NULL)
		st->cached_dir = xstrdup(st->data_dir);
	while (len > 1 && st->data_dir[len - 1] == '/')
		len--;
	if (strncmp(name, st->data_dir, len) != 0 || name[len] != '/')
		return name;
	*dir = st->cached_dir;
	return name + len;
}

/*
 * The outcome of a file's updates sent to rrdcached (rc and sent as
 * cached_batch_result says): how many, -1 (refused, cause set by the
 * caller) or -2 (the connection was lost: what was not sent stays held).
 */
int
store_cached_done(struct store *st, struct store_file *f, struct store_batch *b,
    int rc, size_t sent)
{
	store_keep_sent(st, f, b, sent);
	log_debug("store: %s: %zu of %zu updates (%s..%s) sent to rrdcached",
	    f->path, sent, b->k, b->argv[0], b->argv[b->k - 1]);
	if (sent > 0)
		store_count(st, &st->updates, sent);
	if (rc == CACHED_OK) {
		f->last = b->prev;
		return (int)b->k;
	}
	f->last = -1;
	if (rc == CACHED_LOST) {
		/*
		 * The batch in flight may have arrived: learn the file's last
		 * update again before sending the rest, and take what is at
		 * or before it as arrived.
		 */
		f->resync = 1;
		store_held_shift(st, f, sent > 0 ? b->from[sent - 1] : 0);
		return -2;
	}
	return -1;
}

int
store_send_cached(struct store *st, struct store_file *f, struct store_batch *b,
    char **cause)
{
	const char *name, *dir;
	size_t sent = 0, first, ncmd;
	int rc;

	if ((name = store_cached_name(st, f, &dir, cause)) == NULL)
		return -1;
	cached_batch_reset();
	first = cached_batch_add(dir, name, b->argv, b->k, &ncmd);
	if ((rc = cached_batch_send(cause)) == CACHED_OK)
		rc = cached_batch_result(first, ncmd, &sent, cause);
	return store_cached_done(st, f, b, rc, sent);
}

/* Whether a held update at t goes into b; counts and logs one that does
 * not. */
static int
store_held_keep(struct store *st, struct store_file *f, time_t t,
    struct store_batch *b)
{
	if (t <= f->last || (b->k > 0 && t <= b->prev)) {
		if (f->resync && t <= f->last) {
			b->arrived++; /* before rrdcached went away */
			return 0;
		}
		store_count(st, &st->rejected, 1);
		if (!f->warned_old)
			log_warn(
			    "store: %s: update at %lld is not after the last (%lld); dropped (logged once)",
			    f->path, (long long)t, (long long)f->last);
		f->warned_old = 1;
		return 0;
	}
	return 1;
}

/* Add to b the held updates after the last written, formatted. */
static void
store_held_lines(struct store *st, struct store_file *f, const char *use,
    struct store_batch *b)
{
	struct store_src src = { f->htmpl, f->hbase, NULL, NULL };
	double *v = xcalloc(f->htmpl->nds + 1, sizeof *v);
	size_t i, len, off = 0;
	time_t ti;

	for (i = 0; i < f->hn; i++, off += len) {
		src.row = f->hb + off;
		len = store_row_get(src.row, f->hb + f->hblen, f->hbase, &ti, v,
		    f->htmpl->nds);
		src.end = src.row + len;
		if (store_held_keep(st, f, ti, b))
			store_batch_put(st, f, b, ti, v, use, i + 1, &src);
	}
	free(v);
}

/* Write b, directly or through rrdcached: how many, or -1 (cause set). */
static int
store_held_send(struct store *st, struct store_file *f, const char *names,
    struct store_batch *b, char **cause)
{
	if (st->cached != NULL)
		return store_send_cached(st, f, b, cause);
	rrd_clear_error();
	if (rrd_update_r(f->path, names, (int)b->k, b->argv) != 0) {
		xasprintf(cause, "update: %s", rrd_get_error());
		/* The file may have gone or changed: look again. */
		f->last = -1;
		return -1;
	}
	f->last = b->prev;
	store_count(st, &st->updates, b->k);
	return (int)b->k;
}

void
store_batch_free(struct store_batch *b)
{
	size_t i;

	for (i = 0; i < b->k; i++)
		free(b->values[i]);
	free(b->values);
	free(b->argv);
	free(b->from);
	free(b->src);
	store_kept_free(&b->old);
	free(b->names);
	free(b->use);
	memset(b, 0, sizeof *b);
}

int
store_held_prepare(struct store *st, struct store_file *f,
    struct store_batch *b, char **cause)
{
	const struct tmpl *t = f->htmpl;
	size_t n;
	int rc;

	memset(b, 0, sizeof *b);
	if (f->bad) {
		xasprintf(cause, "data sources differ from template %s",
		    t->name);
		return -1;
	}
	if (f->last == -1 && (rc = store_open(st, f, cause)) != 0)
		return rc;
	b->use = xcalloc(t->nds + 1, 1);
	if ((b->names = store_update_names(f, t, b->use)) == NULL) {
		xasprintf(cause, "no data source of the update is in the file");
		store_batch_free(b);
		return -1;
	}
	n = f->hn + store_kept_count(f->kept);
	b->argv = xcalloc(n, sizeof *b->argv);
	b->values = xcalloc(n, sizeof *b->values);
	b->from = xcalloc(n, sizeof *b->from);
	if (st->cached != NULL)
		b->src = xcalloc(n, sizeof *b->src);
	if (f->replay)
		store_replay_take(st, f, b);
	store_held_lines(st, f, b->use, b);
	f->resync = 0;
	if (b->k > 0)
		return 1;
	rc = b->arrived == f->hn ? 0 : -1;
	if (rc == -1)
		xasprintf(cause, "every update is at or before the last");
	store_batch_free(b);
	return rc;
}

/*
 * Write what a file holds with one librrd call (or one rrdcached batch):
 * opening and mapping the file is most of an update's cost, so updates
 * held back together cost little more than one. Updates at or before the
 * file's last one are dropped and counted. Returns the number written, -1
 * with *cause, or -2 when rrdcached went away (what was not sent stays
 * held).
 */
int
store_write_held(struct store *st, struct store_file *f, char **cause)
{
	struct store_batch b;
	int rc;

	if ((rc = store_held_prepare(st, f, &b, cause)) != 1)
		return rc;
	rc = store_held_send(st, f, b.names, &b, cause);
	store_batch_free(&b);
	return rc;
}

/* Forget what a file holds (after writing it). */
void
store_held_clear(struct store *st, struct store_file *f)
{
	__atomic_sub_fetch(&st->queued, f->hn, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&st->held, f->hn, __ATOMIC_RELAXED);
	template_unref(f->htmpl);
	f->htmpl = NULL;
	free(f->hb);
	free(f->hres);
	f->hb = NULL;
	f->hres = NULL;
	f->hn = f->hcap = 0;
	f->hblen = f->hbcap = 0;
}

/* rrdcached went away: hold what is left and try again later. */
void
store_cached_lost(struct store *st, const char *cause)
{
	if (__atomic_load_n(&st->cached_up, __ATOMIC_RELAXED))
		log_err(
		    "store: %s; holding updates (up to %zu) until it is back",
		    cause, st->buffer_max);
	__atomic_store_n(&st->cached_up, 0, __ATOMIC_RELAXED);
	st->backoff = 1;
	st->retry_at = time(NULL) + 1;
	st->stats_known = 0;
}

/*
 * Write what a file holds, report and count the outcome. -2 when
 * rrdcached went away: what was not written stays held.
 */
int
store_flush_file(struct store *st, struct store_file *f)
{
	char *cause = NULL;
	int rc;

	if (f->hn == 0)
		return 0;
	rc = store_write_held(st, f, &cause); /* before cause is read */
	return store_flush_outcome(st, f, rc, cause);
}

int
store_flush_outcome(struct store *st, struct store_file *f, int rc, char *cause)
{
	size_t i;

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
