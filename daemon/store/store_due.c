/*
 * Which held file the RRD writer writes next. Files whose updates are
 * held wait in one of two lists, oldest first: the due list, each written
 * write_delay after its first held update, and the fresh list, files not
 * yet opened, which are made (or opened) as soon as their first value
 * comes. Making the files of thousands of new series takes minutes at
 * start; made at once, in the order their values came, they hold little
 * meanwhile, instead of every series' values waiting a whole delay before
 * the first file is made. A due file goes before a fresh one: making
 * files never holds back those already written.
 */
#include <stddef.h>
#include <time.h>

#include "store_priv.h"

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

/*
 * Not opened yet: made or opened now. Not one that failed (a full disk):
 * that waits its delay before it is tried again.
 */
static int
store_due_fresh(const struct store *st, const struct store_file *f)
{
	return f->last == -1 && st->delay > 0 && !f->failing;
}

void
store_due_add(struct store *st, struct store_file *f, time_t now)
{
	f->pending_since = now;
	if (f->due)
		return;
	if (store_due_fresh(st, f)) {
		f->due = STORE_DUE_FRESH;
		store_due_append(&st->fresh_head, &st->fresh_tail, f);
	} else {
		f->due = STORE_DUE_HELD;
		store_due_append(&st->due_head, &st->due_tail, f);
	}
}

/* Take the head of a list. */
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
	struct store_file *f = st->due_head;

	if (f != NULL && (all || f->pending_since + (time_t)st->delay <= now))
		return store_due_pop(&st->due_head, &st->due_tail);
	if (st->fresh_head != NULL)
		return store_due_pop(&st->fresh_head, &st->fresh_tail);
	return NULL;
}

int
store_due_any(const struct store *st, time_t now, int all)
{
	const struct store_file *f = st->due_head;

	return st->fresh_head != NULL ||
	    (f != NULL && (all || f->pending_since + (time_t)st->delay <= now));
}

void
store_due_requeue(struct store *st, struct store_file *f)
{
	struct store_file **head, **tail;

	if (store_due_fresh(st, f)) {
		f->due = STORE_DUE_FRESH;
		head = &st->fresh_head;
		tail = &st->fresh_tail;
	} else {
		f->due = STORE_DUE_HELD;
		head = &st->due_head;
		tail = &st->due_tail;
	}
	f->dnext = *head;
	*head = f;
	if (*tail == NULL)
		*tail = f;
}

void
store_due_unlink(struct store *st, struct store_file *f)
{
	struct store_file **pp, **head, **tail, *prev = NULL;

	if (f->due == 0)
		return;
	if (f->due == STORE_DUE_FRESH) {
		head = &st->fresh_head;
		tail = &st->fresh_tail;
	} else {
		head = &st->due_head;
		tail = &st->due_tail;
	}
	for (pp = head; *pp != NULL; pp = &(*pp)->dnext) {
		if (*pp == f) {
			*pp = f->dnext;
			if (*tail == f)
				*tail = prev;
			break;
		}
		prev = *pp;
	}
	f->dnext = NULL;
	f->due = 0;
}

time_t
store_due_oldest(const struct store *st)
{
	time_t a = st->due_head != NULL ? st->due_head->pending_since : 0;
	time_t b = st->fresh_head != NULL ? st->fresh_head->pending_since : 0;

	if (a == 0 || (b != 0 && b < a))
		return b;
	return a;
}

time_t
store_due_wake_at(const struct store *st, time_t at)
{
	time_t due;

	if (st->fresh_head != NULL && st->fresh_head->pending_since < at)
		at = st->fresh_head->pending_since;
	if (st->due_head != NULL) {
		due = st->due_head->pending_since + (time_t)st->delay;
		if (due < at)
			at = due;
	}
	return at;
}
