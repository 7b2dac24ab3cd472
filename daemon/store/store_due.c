/*
 * Which held file the RRD writer writes next. Files whose updates are
 * held wait in one of two places: the due heap, each written when its
 * held period ends, and the fresh list, files not yet opened, which are
 * made (or opened) as soon as their first value comes. Making the files
 * of thousands of new series takes minutes at start; made at once, in
 * the order their values came, they hold little meanwhile, instead of
 * every series' values waiting a whole delay before the first file is
 * made. A due file goes before a fresh one: making files never holds
 * back those already written.
 *
 * A held period lasts write_delay from the file's first held update,
 * except the first one after the file is made or opened (and after
 * rrdcached comes back): that one ends at the file's own point of the
 * delay, from the hash of its path below data_dir, spread evenly over
 * [0, delay). Files
 * made together at start are then written spread over the delay, minute
 * after minute, as rrdcached's -z spreads its flushes, instead of all in
 * the same few seconds holding a whole delay of rows each. The heap is
 * ordered by when a file is due; a second heap, by its first held update,
 * says how long the oldest one has waited.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_priv.h"
#include "xmalloc.h"

/* The heap's room grows by half, from this many files. */
#define STORE_DUE_HEAP_MIN 64

static void
store_due_append(struct store_file **head, struct store_file **tail,
    struct store_file *f)
{
	f->dnext = NULL;
	if (*tail != NULL)
		(*tail)->dnext = f;
	else
		*head = f;
	*tail = f;
}

/* The key a heap is ordered by. */
static time_t
store_due_key(const struct store_heap *h, const struct store_file *f)
{
	return h->by_due ? f->due_at : f->pending_since;
}

/* Where a file's place in a heap is kept. */
static uint32_t *
store_due_slot(const struct store_heap *h, struct store_file *f)
{
	return h->by_due ? &f->hidx : &f->pidx;
}

static void
store_due_put(struct store_heap *h, size_t i, struct store_file *f)
{
	h->v[i] = f;
	*store_due_slot(h, f) = (uint32_t)i;
}

/* Move the file at i up while it comes before its parent. */
static size_t
store_due_up(struct store_heap *h, size_t i)
{
	struct store_file *f = h->v[i];
	time_t k = store_due_key(h, f);

	while (i > 0 && k < store_due_key(h, h->v[(i - 1) / 2])) {
		store_due_put(h, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	store_due_put(h, i, f);
	return i;
}

/* Move the file at i down while a child comes before it. */
static void
store_due_down(struct store_heap *h, size_t i)
{
	struct store_file *f = h->v[i];
	time_t k = store_due_key(h, f);
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n &&
		    store_due_key(h, h->v[c + 1]) < store_due_key(h, h->v[c]))
			c++;
		if (store_due_key(h, h->v[c]) >= k)
			break;
		store_due_put(h, i, h->v[c]);
		i = c;
	}
	store_due_put(h, i, f);
}

static void
store_due_push(struct store_heap *h, struct store_file *f)
{
	if (h->n == h->cap) {
		h->cap = h->cap < STORE_DUE_HEAP_MIN ? STORE_DUE_HEAP_MIN
		                                     : h->cap + h->cap / 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	store_due_put(h, h->n++, f);
	store_due_up(h, h->n - 1);
}

static void
store_due_remove(struct store_heap *h, struct store_file *f)
{
	size_t i = *store_due_slot(h, f);
	struct store_file *last = h->v[--h->n];

	if (last == f)
		return;
	store_due_put(h, i, last);
	if (store_due_up(h, i) == i)
		store_due_down(h, i);
}

/*
 * Not opened yet: made or opened now. Not one that failed (a full disk):
 * that waits its delay before it is tried again.
 */
static int
store_due_fresh(const struct store *st, const struct store_file *f)
{
	return f->last == -1 && st->delay > 0 && !f->failing;
}

time_t
store_due_phase(const struct store *st, const struct store_file *f)
{
	const char *name = f->path;
	size_t n = strlen(st->data_dir);
	uint32_t mix;

	/* The path below data_dir: a series keeps its point wherever the
	 * data is. Its hash's bits mixed, then scaled onto the delay. */
	if (strncmp(name, st->data_dir, n) == 0) {
		name += n;
		while (*name == '/')
			name++;
	}
	mix = store_hash(name) * 2654435761u;
	return (time_t)(((uint64_t)mix * st->delay) >> 32);
}

static void
store_due_hold(struct store *st, struct store_file *f)
{
	f->due = STORE_DUE_HELD;
	store_due_push(&st->due, f);
	store_due_push(&st->age, f);
}

static void
store_due_unhold(struct store *st, struct store_file *f)
{
	store_due_remove(&st->due, f);
	store_due_remove(&st->age, f);
	f->due = 0;
}

void
store_due_add(struct store *st, struct store_file *f, time_t now)
{
	if (f->due == STORE_DUE_HELD)
		store_due_unhold(st, f);
	f->pending_since = now;
	if (f->due)
		return;
	if (store_due_fresh(st, f)) {
		f->due = STORE_DUE_FRESH;
		f->spread = 1;
		store_due_append(&st->fresh_head, &st->fresh_tail, f);
		return;
	}
	f->due_at =
	    now + (f->spread ? store_due_phase(st, f) : (time_t)st->delay);
	f->spread = 0;
	store_due_hold(st, f);
}

/* Take the head of the fresh list. */
static struct store_file *
store_due_pop(struct store_file **head, struct store_file **tail)
{
	struct store_file *f = *head;

	*head = f->dnext;
	if (*head == NULL)
		*tail = NULL;
	f->dnext = NULL;
	f->due = 0;
	return f;
}

struct store_file *
store_due_next(struct store *st, time_t now, int all)
{
	struct store_file *f = st->due.n > 0 ? st->due.v[0] : NULL;

	if (f != NULL && (all || f->due_at <= now)) {
		store_due_unhold(st, f);
		return f;
	}
	if (st->fresh_head != NULL)
		return store_due_pop(&st->fresh_head, &st->fresh_tail);
	return NULL;
}

int
store_due_any(const struct store *st, time_t now, int all)
{
	return st->fresh_head != NULL ||
	    (st->due.n > 0 && (all || st->due.v[0]->due_at <= now));
}

int
store_due_empty(const struct store *st)
{
	return st->due.n == 0 && st->fresh_head == NULL;
}

void
store_due_requeue(struct store *st, struct store_file *f)
{
	if (store_due_fresh(st, f)) {
		f->due = STORE_DUE_FRESH;
		f->dnext = st->fresh_head;
		st->fresh_head = f;
		if (st->fresh_tail == NULL)
			st->fresh_tail = f;
		return;
	}
	/* Its due time has passed: among the first again. */
	store_due_hold(st, f);
}

void
store_due_unlink(struct store *st, struct store_file *f)
{
	struct store_file **pp, *prev = NULL;

	if (f->due == STORE_DUE_HELD) {
		store_due_unhold(st, f);
		return;
	}
	if (f->due == 0)
		return;
	/* The fresh list is short-lived: only files not yet opened. */
	for (pp = &st->fresh_head; *pp != NULL; pp = &(*pp)->dnext) {
		if (*pp == f) {
			*pp = f->dnext;
			if (st->fresh_tail == f)
				st->fresh_tail = prev;
			break;
		}
		prev = *pp;
	}
	f->dnext = NULL;
	f->due = 0;
}

void
store_due_respread(struct store *st)
{
	size_t i;

	for (i = 0; i < st->due.n; i++)
		st->due.v[i]->spread = 1;
}

time_t
store_due_oldest(const struct store *st)
{
	time_t a = st->age.n > 0 ? st->age.v[0]->pending_since : 0;
	time_t b = st->fresh_head != NULL ? st->fresh_head->pending_since : 0;

	if (a == 0 || (b != 0 && b < a))
		return b;
	return a;
}

time_t
store_due_wake_at(const struct store *st, time_t at)
{
	if (st->fresh_head != NULL && st->fresh_head->pending_since < at)
		at = st->fresh_head->pending_since;
	if (st->due.n > 0 && st->due.v[0]->due_at < at)
		at = st->due.v[0]->due_at;
	return at;
}

void
store_due_free(struct store *st)
{
	free(st->due.v);
	free(st->age.v);
	st->due.v = st->age.v = NULL;
	st->due.n = st->due.cap = st->age.n = st->age.cap = 0;
}
