/*
 * Sets of time spans [start, end), kept sorted and disjoint: what the
 * availability report and the maintenance windows compute with.
 */
#ifndef SPAN_H
#define SPAN_H

#include <stddef.h>
#include <time.h>

struct span {
	time_t start, end;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

/* Add [start, end) (ignored when empty); call span_norm before reading. */
void span_add(struct spans *, time_t start, time_t end);
/* Sort and merge overlapping or touching spans. */
void span_norm(struct spans *);
/* out = a ∩ b (both normalised); out is emptied first. */
void span_intersect(const struct spans *a, const struct spans *b,
    struct spans *out);
/* out = a − b (both normalised); out is emptied first. */
void span_subtract(const struct spans *a, const struct spans *b,
    struct spans *out);
/* Keep only what lies in [from, to). */
void span_clip(struct spans *, time_t from, time_t to);
/* Total seconds of a normalised set. */
long span_total(const struct spans *);
void span_clear(struct spans *);
void span_free(struct spans *);

#endif
