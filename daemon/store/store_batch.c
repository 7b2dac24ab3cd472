/*
 * The writer's due files sent to rrdcached together: each file's held
 * updates made into UPDATE commands of one batch (up to STORE_BATCH_FILES
 * files or about STORE_BATCH_BYTES), one exchange for all, then each
 * file's outcome as if it had been sent alone: a refused command fails its
 * file only (logged with the file's path), the other files' count as
 * written; a lost connection (or no answer in time) leaves every file of
 * the batch held, first in its list, to be sent again.
 */
#include <stdlib.h>

#include "cached.h"
#include "log.h"
#include "store_priv.h"
#include "xmalloc.h"

/*
 * At most this many files, or about this many bytes, in one batch: each
 * file's updates are formatted apart until the batch is answered, and a
 * batch costs two exchanges with rrdcached whatever its size.
 */
#define STORE_BATCH_FILES 128
#define STORE_BATCH_BYTES (64 * 1024)
/*
 * And at most this many files that are made or looked at first (at
 * start, after rrdcached came back): what the loop queued meanwhile is
 * taken in between batches, compact.
 */
#define STORE_BATCH_OPENS 16

/* One file's part of a batch. */
struct store_part {
	struct store_file *f;
	struct store_batch b;
	size_t first, ncmd; /* its commands */
};

/*
 * Make f's updates commands of the batch: 1 when they are, else f's
 * outcome is done (0, or -2 when rrdcached went away looking at it).
 */
static int
store_batch_take(struct store *st, struct store_part *p)
{
	const char *name = NULL, *dir;
	char *cause = NULL;
	int rc;

	rc = store_held_prepare(st, p->f, &p->b, &cause);
	if (rc == 1 &&
	    (name = store_cached_name(st, p->f, &dir, &cause)) == NULL) {
		store_batch_free(&p->b);
		rc = -1;
	}
	if (rc != 1)
		return store_flush_outcome(st, p->f, rc, cause);
	p->first = cached_batch_add(dir, name, p->b.argv, p->b.k, &p->ncmd);
	return 1;
}

/* Say when rrdcached refuses BATCH, or takes it again. */
static void
store_batch_told(struct store *st)
{
	int now = cached_batch_refuses();

	if (now && !st->cached_nobatch)
		log_err(
		    "store: rrdcached %s refuses BATCH (its -P does not allow it): sending each file's updates as a request of its own, which costs rrdcached and this daemon more CPU; allow BATCH (with UPDATE, FLUSH, INFO, STATS, CREATE, FORGET)",
		    st->cached);
	else if (!now && st->cached_nobatch)
		log_notice("store: rrdcached %s takes BATCH again", st->cached);
	st->cached_nobatch = now;
}

/* Each file's outcome of the sent batch (rc: the batch's). */
static int
store_batch_done(struct store *st, struct store_part *parts, size_t n, int rc,
    const char *cause)
{
	char *why;
	size_t i, sent;
	int frc, lost = 0;

	for (i = 0; i < n; i++) {
		why = NULL;
		sent = 0;
		frc = rc;
		if (rc == CACHED_OK)
			frc = cached_batch_result(parts[i].first, parts[i].ncmd,
			    &sent, &why);
		else
			why = xstrdup(cause);
		frc = store_cached_done(st, parts[i].f, &parts[i].b, frc, sent);
		store_batch_free(&parts[i].b);
		if (store_flush_outcome(st, parts[i].f, frc, why) == -2)
			lost = 1;
	}
	/* What was lost goes first again, in its order. */
	for (i = n; lost && i-- > 0;) {
		if (parts[i].f->hn > 0)
			store_due_requeue(st, parts[i].f);
	}
	return lost ? -1 : 0;
}

int
store_flush_batches(struct store *st, time_t now, int all)
{
	struct store_part *parts;
	struct store_file *f, *lostf = NULL;
	char *cause = NULL;
	size_t n = 0, opens = 0;
	int rc;

	parts = xcalloc(STORE_BATCH_FILES, sizeof *parts);
	cached_batch_reset();
	while (n < STORE_BATCH_FILES && opens < STORE_BATCH_OPENS &&
	    cached_batch_size() < STORE_BATCH_BYTES &&
	    (f = store_due_next(st, now, all)) != NULL) {
		opens += f->last == -1;
		parts[n].f = f;
		if ((rc = store_batch_take(st, &parts[n])) == 1)
			n++;
		else if (rc == -2) {
			lostf = f;
			break;
		}
	}
	if (n > 0) {
		log_debug(
		    "store: sending a batch of %zu files (%zu bytes) to rrdcached",
		    n, cached_batch_size());
		rc = cached_batch_send(&cause);
		store_batch_told(st);
	} else
		rc = CACHED_OK;
	rc = store_batch_done(st, parts, n, rc, cause);
	if (lostf != NULL)
		store_due_requeue(st, lostf);
	free(cause);
	free(parts);
	return lostf != NULL ? -1 : rc;
}
