/*
 * The outage journal's writer thread: the one owner of the store's
 * connection. Records reach it through a queue the loop thread fills;
 * it writes all that is queued in one transaction, retries a store that
 * fails, and never writes twice a batch whose commit was answered.
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
#include "thread.h"
#include "xmalloc.h"
#include "journal_priv.h"

void
journal_op_free(struct journal_op *op)
{
	int i;

	for (i = 0; i < 6; i++)
		free(op->s[i]);
	free(op);
}

/* Writer thread. */

uint64_t
journal_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
journal_fail(struct journal *j, const char *what, const char *cause)
{
	if (!j->failing)
		log_err(
		    "journal %s: %s: %s; collection goes on, records wait and the journal is retried every %d s",
		    j->where, what, cause, JOURNAL_RETRY_S);
	j->failing = 1;
	j->retry_at = time(NULL) + JOURNAL_RETRY_S;
	pthread_mutex_lock(&j->lock);
	snprintf(j->last_error, sizeof j->last_error, "%s: %s", what, cause);
	pthread_mutex_unlock(&j->lock);
}

void
journal_close_db(struct journal *j)
{
	if (j->db != NULL)
		j->be->close(j->db);
	j->db = NULL;
}

/* Open the store if it is not; 0, or -1 (logged, retried later). */
static int
journal_open_db(struct journal *j)
{
	char *cause = NULL;
	int corrupt;

	if (j->db != NULL)
		return 0;
	j->db = j->be->open(j->path, &j->opts, &corrupt, &cause);
	if (j->db != NULL)
		return 0;
	if (corrupt && j->be == &journal_sqlite_backend)
		journal_move_aside(j->path);
	journal_fail(j, "cannot open", cause);
	free(cause);
	if (corrupt && j->be == &journal_sqlite_backend)
		j->retry_at = 0;
	return -1;
}

/*
 * The queue starts with the batch whose commit went unanswered: drop it
 * if the store has it after all (*settled: how many records), or let it
 * be written again. 0, or -1 when that cannot be told now.
 */
static int
journal_settle_doubt(struct journal *j, struct journal_op **ops, size_t *n,
    size_t *settled)
{
	struct journal_op *op;
	size_t i;
	int rc;

	if (j->doubt_n == 0)
		return 0;
	rc = j->be->committed != NULL ? j->be->committed(j->db, j->doubt_seq)
	                              : 0;
	if (rc < 0) {
		journal_fail(j, "cannot write",
		    "whether the last batch was written cannot be told");
		journal_close_db(j);
		return -1;
	}
	if (rc == 1) {
		for (i = 0; i < j->doubt_n && *ops != NULL; i++) {
			op = *ops;
			*ops = op->next;
			journal_op_free(op);
		}
		*n -= i;
		*settled = i;
		log_notice(
		    "journal %s: the batch of %zu records whose commit went unanswered was written; not writing it again",
		    j->where, i);
	}
	j->doubt_n = 0;
	return 0;
}

/* Write ops (all queued so far); 0 when written, -1 to keep them. */
static int
journal_flush(struct journal *j, struct journal_op **ops, size_t *n,
    size_t *settled)
{
	char *cause = NULL;
	uint64_t seq;
	int corrupt;

	if (journal_open_db(j) != 0 ||
	    journal_settle_doubt(j, ops, n, settled) != 0)
		return -1;
	if (*ops == NULL)
		return 0;
	seq = ++j->seq;
	if (j->be->write(j->db, *ops, seq, &corrupt, &cause) != 0) {
		journal_fail(j, "cannot write", cause);
		free(cause);
		journal_close_db(j);
		if (j->be->committed != NULL) {
			j->doubt_seq = seq;
			j->doubt_n = *n;
		}
		if (corrupt && j->be == &journal_sqlite_backend) {
			journal_move_aside(j->path);
			j->retry_at = 0;
		}
		return -1;
	}
	if (j->failing)
		log_notice("journal %s: written again (%zu records)", j->where,
		    *n);
	j->failing = 0;
	return 0;
}

/* Take the whole queue (the lock held): one transaction. */
static struct journal_op *
journal_take(struct journal *j, struct journal_op **last, size_t *n)
{
	struct journal_op *ops = j->head, *op;

	*last = j->tail;
	*n = j->nqueued;
	j->head = j->tail = NULL;
	j->nqueued = 0;
	for (op = ops; op != NULL; op = op->next) {
		if (op->pend != NULL && *op->pend == op)
			*op->pend = NULL;
		op->pend = NULL;
	}
	return ops;
}

/* Written (the lock held): count them, note how long they waited. */
static void
journal_done(struct journal *j, struct journal_op *ops, size_t n)
{
	struct journal_op *next;

	j->written += n;
	j->ok = 1;
	j->last_error[0] = '\0';
	if (ops != NULL)
		j->lag_ms = journal_now_ms() - ops->queued_ms;
	pthread_mutex_unlock(&j->lock);
	for (; ops != NULL; ops = next) {
		next = ops->next;
		journal_op_free(ops);
	}
	pthread_mutex_lock(&j->lock);
}

void *
journal_writer(void *arg)
{
	struct journal *j = arg;
	struct journal_op *ops, *last;
	struct timespec ts;
	size_t n, settled;
	int stopping, rc;

	/* Named, and below the loop: its work may wait, a probe may not. */
	thread_background("itf-journal");
	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->stopping &&
		    (j->head == NULL || time(NULL) < j->retry_at)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&j->cond, &j->lock, &ts);
		}
		stopping = j->stopping;
		if (j->head == NULL && stopping)
			break;
		ops = journal_take(j, &last, &n);
		pthread_mutex_unlock(&j->lock);
		settled = 0;
		rc = journal_flush(j, &ops, &n, &settled);
		pthread_mutex_lock(&j->lock);
		j->written += settled;
		if (rc == 0) {
			journal_done(j, ops, n);
			continue;
		}
		/* Put them back in front of what came meanwhile. */
		if (ops != NULL) {
			last->next = j->head;
			j->head = ops;
			if (j->tail == NULL)
				j->tail = last;
			j->nqueued += n;
		}
		j->errors++;
		j->ok = 0;
		if (stopping)
			break;
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Add op to the queue, the lock held. 0, or -1: full, op not taken. */
static int
journal_queue_locked(struct journal *j, struct journal_op *op)
{
	if (j->nqueued >= JOURNAL_QUEUE_MAX) {
		j->dropped++;
		if (!j->warned_full)
			log_err(
			    "journal %s: %d records wait; dropping new ones (logged once)",
			    j->where, JOURNAL_QUEUE_MAX);
		j->warned_full = 1;
		return -1;
	}
	op->queued_ms = journal_now_ms();
	if (j->tail != NULL)
		j->tail->next = op;
	else
		j->head = op;
	j->tail = op;
	/* The writer takes the queue once a second, as one transaction;
	 * a long queue wakes it at once. */
	if (++j->nqueued % JOURNAL_WAKE_EVERY == 0)
		pthread_cond_signal(&j->cond);
	return 0;
}

void
journal_queue(struct journal *j, struct journal_op *op)
{
	int rc;

	pthread_mutex_lock(&j->lock);
	rc = journal_queue_locked(j, op);
	pthread_mutex_unlock(&j->lock);
	if (rc != 0)
		journal_op_free(op);
}

/*
 * Queue a series' state, or, when its last one still waits (the writer is
 * busy or the journal away), update that one in place: a series never has
 * more than one waiting.
 */
void
journal_queue_latest(struct journal *j, struct journal_op **pend,
    struct journal_op *op)
{
	struct journal_op *old;
	size_t i;
	int rc;

	pthread_mutex_lock(&j->lock);
	if ((old = *pend) != NULL) {
		for (i = 2; i < sizeof op->s / sizeof op->s[0]; i++) {
			free(old->s[i]);
			old->s[i] = op->s[i];
			op->s[i] = NULL;
		}
		memcpy(old->n, op->n, sizeof old->n);
		pthread_mutex_unlock(&j->lock);
		journal_op_free(op);
		return;
	}
	if ((rc = journal_queue_locked(j, op)) == 0) {
		op->pend = pend;
		*pend = op;
	}
	pthread_mutex_unlock(&j->lock);
	if (rc != 0)
		journal_op_free(op);
}

struct journal_op *
journal_op_new(enum journal_op_kind kind, const char *s0, const char *s1)
{
	struct journal_op *op;

	op = xcalloc(1, sizeof *op);
	op->kind = kind;
	op->s[0] = s0 != NULL ? xstrdup(s0) : NULL;
	op->s[1] = s1 != NULL ? xstrdup(s1) : NULL;
	return op;
}

void
journal_op_str(struct journal_op *op, int i, const char *v)
{
	op->s[i] = v != NULL ? xstrdup(v) : NULL;
}
