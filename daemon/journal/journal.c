/*
 * The outage journal. The loop thread owns the series' states and decides
 * outages; records go through a queue to one writer thread that owns the
 * store's connection (journal_writer.c). The store is a backend
 * (journal_db.h): the SQLite file <data_dir>/journal.sqlite
 * (journal_sqlite.c) or PostgreSQL (journal_pg.c), shared by daemons that
 * divide the collectors among themselves (cluster.c). This file holds the
 * outage rules; what the tool reads is journal_read.c.
 *
 * A series run elsewhere and taken over here (journal_expect) holds its
 * runs until its state, as the daemon that ran it left it, has been read
 * (journal_adopt); one given up (journal_release) is forgotten here once
 * its last records are queued.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "journal.h"
#include "journal_db.h"
#include "log.h"
#include "maint.h"
#include "pg.h"
#include "reason.h"
#include "xmalloc.h"
#include "journal_priv.h"

static struct journal *journal_self;

static void journal_series_free(struct journal_series *);
static void journal_others_clear(struct journal *);
static int journal_other_cmp(const void *, const void *);

struct journal *
journal_new(const struct conf *c)
{
	struct journal *j;
	unsigned char r[6];
	FILE *f;

	j = xcalloc(1, sizeof *j);
	j->nbuckets = JOURNAL_BUCKETS;
	j->series = xcalloc(j->nbuckets, sizeof *j->series);
	if (c->journal != NULL) {
		j->be = &journal_pg_backend;
		j->path = xstrdup(c->journal);
		j->where = pg_display(c->journal);
		if (c->journal_password_file != NULL)
			j->password_file = xstrdup(c->journal_password_file);
		j->member = xstrdup(c->member);
		/* A batch is known by its writer: this process. */
		memset(r, 0, sizeof r);
		if ((f = fopen("/dev/urandom", "r")) != NULL) {
			if (fread(r, 1, sizeof r, f) != sizeof r)
				memset(r, 0, sizeof r);
			fclose(f);
		}
		xasprintf(&j->writer, "%s/%ld-%lld-%02x%02x%02x%02x%02x%02x",
		    c->member, (long)getpid(), (long long)time(NULL), r[0],
		    r[1], r[2], r[3], r[4], r[5]);
	} else {
		j->be = &journal_sqlite_backend;
		xasprintf(&j->path, "%s/%s", c->data_dir, JOURNAL_FILE);
		j->where = xstrdup(j->path);
	}
	j->opts.password_file = j->password_file;
	j->opts.member = j->member;
	j->opts.writer = j->writer;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	return j;
}

const char *
journal_where(const struct journal *j)
{
	return j->where;
}

void
journal_set_event_cb(struct journal *j, journal_event_cb cb, void *arg)
{
	j->cb = cb;
	j->cb_arg = arg;
}

/* Into the loop thread's memory. */

static int
journal_status_of(const char *v)
{
	if (v != NULL && strcmp(v, "up") == 0)
		return ITF_STATUS_UP;
	if (v != NULL && strcmp(v, "down") == 0)
		return ITF_STATUS_DOWN;
	return ITF_STATUS_UNKNOWN;
}

static void
journal_put_state(struct journal_series *s, const struct journal_state_row *r)
{
	s->state = journal_status_of(r->state);
	s->fails = r->fails;
	s->first_fail = r->first_fail;
	snprintf(s->first_reason, sizeof s->first_reason, "%s",
	    r->first_reason != NULL ? r->first_reason : "");
	s->span_start = r->span_start;
	s->span_end = r->span_end;
}

static void
journal_put_outage(struct journal_series *s, const struct journal_open_row *r)
{
	s->outage_start = r->start;
	snprintf(s->outage_reason, sizeof s->outage_reason, "%s",
	    r->reason != NULL ? r->reason : "");
	s->planned = r->planned;
}

static void
journal_load_state_cb(const struct journal_state_row *r, void *arg)
{
	struct journal *j = arg;

	journal_put_state(journal_series_get(j, r->system, r->series, 1), r);
}

static void
journal_load_outage_cb(const struct journal_open_row *r, void *arg)
{
	struct journal *j = arg;

	journal_put_outage(journal_series_get(j, r->system, r->series, 1), r);
	j->nloaded++;
}

/* Keep the undelivered notifications until the notifiers take them. */
static void
journal_load_notice_cb(const struct journal_notice *nc, void *arg)
{
	struct journal *j = arg;
	struct journal_pending *p;

	j->pending =
	    xreallocarray(j->pending, j->npending + 1, sizeof *j->pending);
	p = &j->pending[j->npending++];
	memset(p, 0, sizeof *p);
	p->id = nc->id;
	p->t = nc->t;
	p->attempts = nc->attempts;
	p->s[0] = xstrdup(nc->notifier);
	p->s[1] = xstrdup(nc->event);
	p->s[2] = xstrdup(nc->system);
	p->s[3] = xstrdup(nc->series);
	p->s[4] = xstrdup(nc->payload);
}

/* The SQLite file's directory, made if missing. */
static void
journal_mkdir(const struct journal *j)
{
	char *dir, *slash;

	if (j->be != &journal_sqlite_backend)
		return;
	dir = xstrdup(j->path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			log_err("journal: mkdir %s: %s", dir, strerror(errno));
	}
	free(dir);
}

int
journal_start(struct journal *j, char **cause)
{
	struct journal_load_cbs cb = { journal_load_state_cb,
		journal_load_outage_cb, journal_load_notice_cb, j };
	char *why = NULL;
	int corrupt;

	journal_mkdir(j);
	j->db = j->be->open(j->path, &j->opts, &corrupt, &why);
	if (j->db == NULL && corrupt && j->be == &journal_sqlite_backend) {
		free(why);
		why = NULL;
		journal_move_aside(j->path);
		j->db = j->be->open(j->path, &j->opts, &corrupt, &why);
	}
	if (j->db != NULL && j->be->load(j->db, &cb, &why) != 0)
		journal_close_db(j);
	if (j->db == NULL && j->be != &journal_sqlite_backend) {
		/* A database that is not there yet is not a journal. */
		xasprintf(cause, "journal %s: %s", j->where, why);
		free(why);
		return -1;
	}
	if (j->db == NULL) {
		journal_fail(j, "cannot open", why);
		free(why);
	} else {
		log_info("journal %s: %zu open outage(s) carried on", j->where,
		    j->nloaded);
		j->ok = 1;
	}
	journal_self = j;
	if (pthread_create(&j->thread, NULL, journal_writer, j) != 0) {
		log_err("journal: cannot start its writer thread");
		return 0;
	}
	j->running = 1;
	return 0;
}

void
journal_stop(struct journal *j)
{
	if (j == NULL || !j->running)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = 1;
	j->retry_at = 0;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	j->running = 0;
	if (j->head != NULL)
		log_err("journal %s: %zu records could not be written",
		    j->where, j->nqueued);
}

void
journal_free(struct journal *j)
{
	struct journal_series *s, *next;
	struct journal_op *op, *onext;
	size_t i;

	if (j == NULL)
		return;
	journal_stop(j);
	for (i = 0; i < j->nbuckets; i++) {
		for (s = j->series[i]; s != NULL; s = next) {
			next = s->next;
			journal_series_free(s);
		}
	}
	free(j->series);
	for (op = j->head; op != NULL; op = onext) {
		onext = op->next;
		journal_op_free(op);
	}
	journal_close_db(j);
	journal_pending_notices(j, 0, NULL, NULL);
	journal_others_clear(j);
	if (journal_self == j)
		journal_self = NULL;
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->path);
	free(j->where);
	free(j->password_file);
	free(j->member);
	free(j->writer);
	free(j);
}

/* Runs. */

static void
journal_failed_run(struct journal *j, const struct journal_run *r)
{
	struct journal_op *op;

	op = journal_op_new(OP_FAILED_RUN, r->system != NULL ? r->system : "",
	    r->series);
	journal_op_str(op, 2, r->collector);
	journal_op_str(op, 3, reason_status_name(r->status));
	journal_op_str(op, 4, reason_name(r->reason));
	journal_op_str(op, 5, r->message);
	op->n[0] = (long long)r->t;
	journal_queue(j, op);
}

static void
journal_state_change(struct journal *j, struct journal_series *s,
    const struct journal_run *r)
{
	struct journal_op *op;

	op = journal_op_new(OP_STATE_CHANGE, s->system, s->series);
	journal_op_str(op, 2,
	    s->state < 0 ? NULL : reason_status_name(s->state));
	journal_op_str(op, 3, reason_status_name(r->status));
	journal_op_str(op, 4, reason_name(r->reason));
	op->n[0] = (long long)r->t;
	journal_queue(j, op);
	s->state = (int)r->status;
}

/*
 * The run covers [t, t + interval): extend the series' stretch or start
 * a new one after a gap (the daemon was not running). The open stretch is
 * in the series' state record, written with every run; the coverage table
 * gets a stretch once it has ended, so a run costs one statement, not two.
 */
static void
journal_cover(struct journal *j, struct journal_series *s,
    const struct journal_run *r)
{
	struct journal_op *op;
	time_t end = r->t + (time_t)(r->interval > 0 ? r->interval : 1);

	if (s->span_end != 0 && r->t >= s->span_start &&
	    r->t <= s->span_end + 1) {
		if (end > s->span_end)
			s->span_end = end;
		return;
	}
	if (s->span_end != 0) {
		op = journal_op_new(OP_COVERAGE, s->system, s->series);
		op->n[0] = (long long)s->span_start;
		op->n[1] = (long long)s->span_end;
		journal_queue(j, op);
	}
	s->span_start = r->t;
	s->span_end = end;
}

static void
journal_event(struct journal *j, struct journal_series *s,
    enum journal_event_kind kind, time_t end)
{
	struct journal_event ev;

	if (j->cb == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.system = s->system;
	ev.series = s->series;
	ev.reason = s->outage_reason;
	ev.start = s->outage_start;
	ev.end = end;
	ev.planned = s->planned;
	j->cb(&ev, j->cb_arg);
}

static void
journal_outage_step(struct journal *j, const struct conf *c,
    struct journal_series *s, const struct journal_run *r)
{
	struct journal_op *op;
	char when[32];

	if (r->status == ITF_STATUS_UP) {
		s->fails = 0;
		if (s->outage_start == 0)
			return;
		op = journal_op_new(OP_OUTAGE_CLOSE, s->system, s->series);
		op->n[0] = (long long)s->outage_start;
		op->n[1] = (long long)r->t;
		journal_queue(j, op);
		log_iso(s->outage_start, when, sizeof when);
		log_notice("%s/%s: outage since %s ended (%lld s)", s->system,
		    s->series, when, (long long)(r->t - s->outage_start));
		journal_event(j, s, JOURNAL_OUTAGE_END, r->t);
		s->outage_start = 0;
		return;
	}
	if (s->fails++ == 0) {
		s->first_fail = r->t;
		snprintf(s->first_reason, sizeof s->first_reason, "%s",
		    reason_name(r->reason));
	}
	if (s->outage_start != 0 || s->fails < r->fail_after)
		return;
	s->outage_start = s->first_fail;
	memcpy(s->outage_reason, s->first_reason, sizeof s->outage_reason);
	s->planned =
	    c != NULL && maint_system_covers(c, s->system, s->outage_start);
	op = journal_op_new(OP_OUTAGE_OPEN, s->system, s->series);
	journal_op_str(op, 2, s->outage_reason);
	op->n[0] = (long long)s->outage_start;
	op->n[1] = s->planned;
	journal_queue(j, op);
	log_iso(s->outage_start, when, sizeof when);
	log_notice("%s/%s: outage from %s (%s)%s", s->system, s->series, when,
	    s->outage_reason, s->planned ? ", planned" : "");
	journal_event(j, s, JOURNAL_OUTAGE_START, 0);
}

/* Keep a run of a series being taken over until its state is read. */
static void
journal_hold(struct journal_series *s, const struct journal_run *r)
{
	struct journal_held *h;

	if (s->nheld == JOURNAL_HELD_MAX) {
		log_err(
		    "%s/%s: %d runs wait for the series' state; the oldest is dropped",
		    s->system, s->series, JOURNAL_HELD_MAX);
		free(s->held[0].collector);
		free(s->held[0].message);
		memmove(&s->held[0], &s->held[1],
		    (s->nheld - 1) * sizeof *s->held);
		s->nheld--;
	}
	s->held = xreallocarray(s->held, s->nheld + 1, sizeof *s->held);
	h = &s->held[s->nheld++];
	h->collector = xstrdup(r->collector);
	h->message = r->message != NULL ? xstrdup(r->message) : NULL;
	h->t = r->t;
	h->interval = r->interval;
	h->fail_after = r->fail_after;
	h->status = r->status;
	h->reason = r->reason;
}

static void journal_series_run(struct journal *, const struct conf *,
    struct journal_series *, const struct journal_run *);

void
journal_run(struct journal *j, const struct conf *c,
    const struct journal_run *r)
{
	struct journal_series *s;

	if (j == NULL)
		return;
	if (r->status != ITF_STATUS_UP)
		journal_failed_run(j, r);
	if (r->feed || r->no_outages || r->system == NULL)
		return;
	s = journal_series_get(j, r->system, r->series, 1);
	if (s->adopting) {
		journal_hold(s, r);
		return;
	}
	journal_series_run(j, c, s, r);
}

/* The run of a series whose state is here: its state, outage, cover. */
static void
journal_series_run(struct journal *j, const struct conf *c,
    struct journal_series *s, const struct journal_run *r)
{
	struct journal_op *op;

	if ((int)r->status != s->state)
		journal_state_change(j, s, r);
	/* An unknown run neither counts as a failure nor covers time. */
	if (r->status != ITF_STATUS_UNKNOWN) {
		journal_cover(j, s, r);
		journal_outage_step(j, c, s, r);
	}
	op = journal_op_new(OP_SERIES, s->system, s->series);
	journal_op_str(op, 2, reason_status_name(s->state));
	journal_op_str(op, 3, s->first_reason);
	op->n[0] = s->fails;
	op->n[1] = (long long)s->first_fail;
	op->n[2] = (long long)s->span_start;
	op->n[3] = (long long)s->span_end;
	journal_queue_latest(j, &s->pend_state, op);
}

void
journal_notification(struct journal *j, const struct journal_notice *nc)
{
	struct journal_op *op;

	if (j == NULL)
		return;
	op = journal_op_new(OP_NOTIFY, nc->notifier, nc->event);
	journal_op_str(op, 2, nc->system);
	journal_op_str(op, 3, nc->series);
	journal_op_str(op, 4, nc->error);
	journal_op_str(op, 5, nc->payload);
	op->n[0] = nc->id;
	op->n[1] = (long long)nc->t;
	op->n[2] = nc->attempts;
	op->n[3] = nc->delivered;
	journal_queue(j, op);
}

void
journal_note(struct journal *j, const struct journal_note *n)
{
	struct journal_op *op;

	if (j == NULL)
		return;
	op = journal_op_new(OP_NOTE, n->system, n->series);
	journal_op_str(op, 2, n->severity);
	journal_op_str(op, 3, n->source);
	journal_op_str(op, 4, n->message);
	op->n[0] = (long long)n->t;
	journal_queue(j, op);
}

void
journal_pending_notices(struct journal *j, int max_attempts,
    void (*f)(const struct journal_notice *, void *), void *arg)
{
	struct journal_notice nc;
	struct journal_pending *p;
	size_t i;
	int k;

	if (j == NULL)
		return;
	for (i = 0; i < j->npending; i++) {
		p = &j->pending[i];
		if (p->attempts < max_attempts) {
			memset(&nc, 0, sizeof nc);
			nc.id = p->id;
			nc.t = p->t;
			nc.attempts = p->attempts;
			nc.notifier = p->s[0];
			nc.event = p->s[1];
			nc.system = p->s[2];
			nc.series = p->s[3];
			nc.payload = p->s[4];
			f(&nc, arg);
		}
		for (k = 0; k < 5; k++)
			free(p->s[k]);
	}
	free(j->pending);
	j->pending = NULL;
	j->npending = 0;
}

void
journal_get_stats(struct journal *j, struct journal_stats *out)
{
	memset(out, 0, sizeof *out);
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	out->written = j->written;
	out->errors = j->errors;
	out->dropped = j->dropped;
	out->queued = j->nqueued;
	out->ok = j->ok;
	out->lag_ms = j->lag_ms;
	if (j->head != NULL)
		out->oldest_ms = journal_now_ms() - j->head->queued_ms;
	snprintf(out->error, sizeof out->error, "%s", j->last_error);
	pthread_mutex_unlock(&j->lock);
}

int
journal_open_outage(const char *system, const char *series, time_t *start,
    const char **reason)
{
	struct journal_series *s;

	struct journal_other key, *o;

	if (journal_self == NULL)
		return 0;
	if ((s = journal_series_get(journal_self, system, series, 0)) != NULL &&
	    !s->adopting) {
		if (s->outage_start == 0)
			return 0;
		*start = s->outage_start;
		*reason = s->outage_reason;
		return 1;
	}
	/* Run elsewhere: as the shared journal had it at the last look. */
	if (journal_self->nothers == 0)
		return 0;
	key.system = (char *)system;
	key.series = (char *)series;
	o = bsearch(&key, journal_self->others, journal_self->nothers,
	    sizeof *o, journal_other_cmp);
	if (o == NULL)
		return 0;
	*start = o->start;
	*reason = o->reason;
	return 1;
}

/* Series that move between daemons (cluster.c). */

static void
journal_series_free(struct journal_series *s)
{
	size_t i;

	for (i = 0; i < s->nheld; i++) {
		free(s->held[i].collector);
		free(s->held[i].message);
	}
	free(s->held);
	free(s->system);
	free(s->series);
	free(s);
}

void
journal_expect(struct journal *j, const char *system, const char *series)
{
	struct journal_series *s;

	if (j == NULL)
		return;
	s = journal_series_get(j, system, series, 1);
	s->adopting = 1;
}

void
journal_adopt(struct journal *j, const struct conf *c, const char *system,
    const char *series, const struct journal_state_row *st,
    const struct journal_open_row *open)
{
	struct journal_series *s;
	struct journal_run r;
	size_t i;

	if (j == NULL ||
	    (s = journal_series_get(j, system, series, 0)) == NULL ||
	    !s->adopting)
		return;
	/* What was here is what this daemon knew before it gave the series
	 * up: the store's is newer. */
	s->state = -1;
	s->fails = 0;
	s->first_fail = 0;
	s->first_reason[0] = '\0';
	s->outage_start = 0;
	s->outage_reason[0] = '\0';
	s->planned = 0;
	s->span_start = s->span_end = 0;
	if (st != NULL)
		journal_put_state(s, st);
	if (open != NULL)
		journal_put_outage(s, open);
	s->adopting = 0;
	for (i = 0; i < s->nheld; i++) {
		memset(&r, 0, sizeof r);
		r.system = s->system;
		r.series = s->series;
		r.collector = s->held[i].collector;
		r.t = s->held[i].t;
		r.interval = s->held[i].interval;
		r.fail_after = s->held[i].fail_after;
		r.status = s->held[i].status;
		r.reason = s->held[i].reason;
		r.message = s->held[i].message;
		journal_series_run(j, c, s, &r);
		free(s->held[i].collector);
		free(s->held[i].message);
	}
	free(s->held);
	s->held = NULL;
	s->nheld = 0;
}

void
journal_release(struct journal *j, const char *system, const char *series)
{
	struct journal_series *s, **pp;

	if (j == NULL)
		return;
	for (pp = journal_chain(j, system, series); (s = *pp) != NULL;
	     pp = &s->next) {
		if (strcmp(s->system, system) == 0 &&
		    strcmp(s->series, series) == 0)
			break;
	}
	if (s == NULL)
		return;
	*pp = s->next;
	j->nseries--;
	/* Its last state still waits: written, but no longer ours to
	 * update. The writer goes now, so whoever takes it reads it. */
	pthread_mutex_lock(&j->lock);
	if (s->pend_state != NULL)
		s->pend_state->pend = NULL;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (s->nheld > 0)
		log_warn(
		    "%s/%s: given up before its state was read: %zu run(s) not journaled",
		    system, series, s->nheld);
	journal_series_free(s);
}

static int
journal_other_cmp(const void *a, const void *b)
{
	const struct journal_other *x = a, *y = b;
	int c;

	if ((c = strcmp(x->system, y->system)) != 0)
		return c;
	return strcmp(x->series, y->series);
}

static void
journal_others_clear(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->nothers; i++) {
		free(j->others[i].system);
		free(j->others[i].series);
		free(j->others[i].reason);
	}
	free(j->others);
	j->others = NULL;
	j->nothers = 0;
}

void
journal_set_others(struct journal *j, const struct journal_open_row *rows,
    size_t n)
{
	size_t i;

	if (j == NULL)
		return;
	journal_others_clear(j);
	j->others = xcalloc(n + 1, sizeof *j->others);
	for (i = 0; i < n; i++) {
		j->others[i].system = xstrdup(rows[i].system);
		j->others[i].series = xstrdup(rows[i].series);
		j->others[i].reason = xstrdup(rows[i].reason);
		j->others[i].start = rows[i].start;
	}
	j->nothers = n;
	if (n > 1)
		qsort(j->others, n, sizeof *j->others, journal_other_cmp);
}
