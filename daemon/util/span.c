/*
 * Sorted, disjoint sets of time spans. Sets are small (a quarter's
 * outages, a period's maintenance windows, the stretches a daemon ran), so
 * the operations are plain merges.
 */
#include <stdlib.h>

#include "span.h"
#include "xmalloc.h"

void
span_add(struct spans *s, time_t start, time_t end)
{
	if (end <= start)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 16 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n].start = start;
	s->v[s->n].end = end;
	s->n++;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

void
span_norm(struct spans *s)
{
	size_t i, k = 0;

	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof *s->v, span_cmp);
	for (i = 1; i < s->n; i++) {
		if (s->v[i].start <= s->v[k].end) {
			if (s->v[i].end > s->v[k].end)
				s->v[k].end = s->v[i].end;
		} else
			s->v[++k] = s->v[i];
	}
	s->n = k + 1;
}

void
span_intersect(const struct spans *a, const struct spans *b, struct spans *out)
{
	size_t i = 0, k = 0;
	time_t lo, hi;

	out->n = 0;
	while (i < a->n && k < b->n) {
		lo = a->v[i].start > b->v[k].start ? a->v[i].start
		                                   : b->v[k].start;
		hi = a->v[i].end < b->v[k].end ? a->v[i].end : b->v[k].end;
		span_add(out, lo, hi);
		if (a->v[i].end < b->v[k].end)
			i++;
		else
			k++;
	}
}

void
span_subtract(const struct spans *a, const struct spans *b, struct spans *out)
{
	size_t i, k = 0;
	time_t cur;

	out->n = 0;
	for (i = 0; i < a->n; i++) {
		cur = a->v[i].start;
		while (k < b->n && b->v[k].end <= cur)
			k++;
		while (k < b->n && b->v[k].start < a->v[i].end) {
			span_add(out, cur, b->v[k].start);
			if (b->v[k].end > cur)
				cur = b->v[k].end;
			if (b->v[k].end >= a->v[i].end)
				break;
			k++;
		}
		span_add(out, cur, a->v[i].end);
	}
}

void
span_clip(struct spans *s, time_t from, time_t to)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].start < from)
			s->v[i].start = from;
		if (s->v[i].end > to)
			s->v[i].end = to;
		if (s->v[i].end > s->v[i].start)
			s->v[k++] = s->v[i];
	}
	s->n = k;
}

long
span_total(const struct spans *s)
{
	long t = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		t += (long)(s->v[i].end - s->v[i].start);
	return t;
}

void
span_clear(struct spans *s)
{
	s->n = 0;
}

void
span_free(struct spans *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
