/*
 * Rows sent to rrdcached, kept a while per file (store_kept.h): blocks
 * of compact rows in sending order, each with its template and the time
 * it was sent. Memory only.
 */
#include <stdlib.h>
#include <string.h>

#include "store_kept.h"
#include "store_row.h"
#include "xmalloc.h"

/* Room beyond a block's expected rows, for a row's time taking more. */
#define STORE_KEPT_SLACK 16

/* Where the last block of the list at *head is linked (*: NULL, none). */
static struct store_kept **
store_kept_tail(struct store_kept **head)
{
	while (*head != NULL && (*head)->next != NULL)
		head = &(*head)->next;
	return head;
}

/* A new block for t's rows sent at at, room for cap bytes. */
static struct store_kept *
store_kept_block(struct tmpl *t, time_t at, uint64_t pos, time_t base,
    size_t cap)
{
	struct store_kept *k = xmalloc(sizeof *k + cap);

	k->next = NULL;
	k->t = template_ref(t);
	k->at = at;
	k->pos = pos;
	k->base = base;
	k->n = k->len = 0;
	k->cap = (uint32_t)cap;
	return k;
}

/*
 * The last block of *head if it has t, at (and base, when base is not
 * NULL) and room for need bytes, made so; else a new one after it, from
 * newbase. more: bytes expected after these, room made for them at once.
 */
static struct store_kept *
store_kept_room(struct store_kept **head, struct tmpl *t, time_t at,
    uint64_t pos, const time_t *base, time_t newbase, size_t need, size_t more)
{
	struct store_kept **pp = store_kept_tail(head), *k = *pp;
	size_t cap = need + more + STORE_KEPT_SLACK;

	if (k == NULL || k->t != t || k->at != at ||
	    (base != NULL && k->base != *base)) {
		k = store_kept_block(t, at, pos, newbase, cap);
		if (*pp == NULL)
			*pp = k;
		else
			(*pp)->next = k;
	} else if (k->len + need > k->cap) {
		cap += k->len;
		k = *pp = xrealloc(k, sizeof *k + cap);
		k->cap = (uint32_t)cap;
	}
	if (pos > k->pos)
		k->pos = pos;
	return k;
}

void
store_kept_add(struct store_kept **head, struct tmpl *t, time_t at,
    uint64_t pos, time_t tm, const double *v, size_t more)
{
	struct store_kept *k = store_kept_room(head, t, at, pos, NULL, tm,
	    STORE_ROW_MAX(t->nds), more);

	k->len +=
	    (uint32_t)store_row_put(k->rows + k->len, k->base, tm, v, t->nds);
	k->n++;
}

void
store_kept_copy(struct store_kept **head, struct tmpl *t, time_t at,
    uint64_t pos, time_t base, const unsigned char *row, size_t len,
    size_t more)
{
	struct store_kept *k =
	    store_kept_room(head, t, at, pos, &base, base, len, more);

	memcpy(k->rows + k->len, row, len);
	k->len += (uint32_t)len;
	k->n++;
}

void
store_kept_free(struct store_kept **head)
{
	struct store_kept *k;

	while ((k = *head) != NULL) {
		*head = k->next;
		template_unref(k->t);
		free(k);
	}
}

void
store_kept_expire(struct store_kept **head, time_t cutoff, uint64_t pos_cutoff)
{
	struct store_kept *k;

	while ((k = *head) != NULL && k->at < cutoff && k->pos < pos_cutoff) {
		*head = k->next;
		k->next = NULL;
		store_kept_free(&k);
	}
}

time_t
store_kept_last_at(const struct store_kept *head)
{
	while (head != NULL && head->next != NULL)
		head = head->next;
	return head == NULL ? 0 : head->at;
}

size_t
store_kept_count(const struct store_kept *head)
{
	size_t n = 0;

	for (; head != NULL; head = head->next)
		n += head->n;
	return n;
}

size_t
store_kept_row(const struct store_kept *k, size_t off, time_t *tm, double *v)
{
	if (off >= k->len)
		return 0;
	return store_row_get(k->rows + off, k->rows + k->len, k->base, tm, v,
	    k->t->nds);
}
