/*
 * A run's rows are kept in buckets, one per file and billing period (one
 * per file without billing periods), each holding its systems' daily sums
 * in millionths over the days its rows touch. Choosing the deliveries
 * marks buckets taken; a day's value is then the sum over taken buckets,
 * worked out when asked, so nothing is copied. Rows of one file come in
 * runs of one billing period: the file's last bucket is tried first.
 */
#include <stdlib.h>
#include <string.h>

#include "focus_sum.h"
#include "xmalloc.h"

/* One system's daily sums in a bucket: sums[0] is day base. */
struct focus_days {
	long long base;
	size_t n;
	long long *sums;
};

/* Days from .. to, both included. */
struct focus_range {
	long long from, to;
};

struct focus_bucket {
	size_t file;
	int has_bp;
	long long bp_start, bp_end;
	/* The days it covers: its billing period's and its rows', sorted
	 * and merged. */
	struct focus_range *ranges;
	size_t nranges;
	int taken;
	struct focus_days *days; /* by system, nsys of them */
	size_t nsys;
};

struct focus_file {
	char *name;
	long long mtime;
	size_t last; /* its last bucket + 1, 0: none yet */
};

struct focus_sum {
	struct focus_file *files;
	size_t nfiles;
	char **systems;
	size_t nsystems;
	struct focus_bucket *buckets;
	size_t nbuckets;
	/* After select: the days covered, first .. last. */
	long long first, last;
	unsigned char *covered;
};

struct focus_sum *
focus_sum_new(void)
{
	return xcalloc(1, sizeof(struct focus_sum));
}

void
focus_sum_free(struct focus_sum *s)
{
	size_t i, k;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfiles; i++)
		free(s->files[i].name);
	for (i = 0; i < s->nsystems; i++)
		free(s->systems[i]);
	for (i = 0; i < s->nbuckets; i++) {
		for (k = 0; k < s->buckets[i].nsys; k++)
			free(s->buckets[i].days[k].sums);
		free(s->buckets[i].days);
		free(s->buckets[i].ranges);
	}
	free(s->files);
	free(s->systems);
	free(s->buckets);
	free(s->covered);
	free(s);
}

size_t
focus_sum_file(struct focus_sum *s, const char *name, long long mtime)
{
	s->files = xreallocarray(s->files, s->nfiles + 1, sizeof *s->files);
	s->files[s->nfiles].name = xstrdup(name);
	s->files[s->nfiles].mtime = mtime;
	s->files[s->nfiles].last = 0;
	return s->nfiles++;
}

size_t
focus_sum_system(struct focus_sum *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nsystems; i++) {
		if (strcmp(s->systems[i], id) == 0)
			return i;
	}
	s->systems =
	    xreallocarray(s->systems, s->nsystems + 1, sizeof *s->systems);
	s->systems[s->nsystems] = xstrdup(id);
	return s->nsystems++;
}

size_t
focus_sum_nsystems(const struct focus_sum *s)
{
	return s->nsystems;
}

const char *
focus_sum_system_id(const struct focus_sum *s, size_t sys)
{
	return sys < s->nsystems ? s->systems[sys] : NULL;
}

static long long
focus_sum_floor_day(long long t)
{
	return t >= 0 ? t / FOCUS_SUM_DAY
	              : -((-t + FOCUS_SUM_DAY - 1) / FOCUS_SUM_DAY);
}

static long long
focus_sum_ceil_day(long long t)
{
	return -focus_sum_floor_day(-t);
}

/* a * b / c rounded half away from zero (c > 0). */
static long long
focus_sum_muldiv(long long a, long long b, long long c)
{
	__int128 p = (__int128)a * b;

	if (p >= 0)
		return (long long)((p + c / 2) / c);
	return -(long long)((-p + c / 2) / c);
}

long long
focus_sum_share(long long micros, long long start, long long end, long long day)
{
	long long total = end - start, before, after;

	if (total <= 0)
		return 0;
	before = day * FOCUS_SUM_DAY - start;
	after = before + FOCUS_SUM_DAY;
	before = before < 0 ? 0 : before > total ? total : before;
	after = after < 0 ? 0 : after > total ? total : after;
	return focus_sum_muldiv(micros, after, total) -
	    focus_sum_muldiv(micros, before, total);
}

/* The bucket of a row: its file's last one, or found, or made. */
static struct focus_bucket *
focus_sum_bucket(struct focus_sum *s, const struct focus_sum_row *r)
{
	struct focus_file *f = &s->files[r->file];
	struct focus_bucket *b;
	size_t i;

	if (f->last != 0) {
		b = &s->buckets[f->last - 1];
		if (!r->has_bp || b->bp_start == r->bp_start)
			return b;
	}
	for (i = 0; i < s->nbuckets; i++) {
		b = &s->buckets[i];
		if (b->file == r->file &&
		    (!r->has_bp || b->bp_start == r->bp_start)) {
			f->last = i + 1;
			return b;
		}
	}
	s->buckets =
	    xreallocarray(s->buckets, s->nbuckets + 1, sizeof *s->buckets);
	b = &s->buckets[s->nbuckets];
	memset(b, 0, sizeof *b);
	b->file = r->file;
	b->has_bp = r->has_bp;
	b->bp_start = r->bp_start;
	b->bp_end = r->bp_end;
	if (r->has_bp && r->bp_end > r->bp_start) {
		b->ranges = xcalloc(1, sizeof *b->ranges);
		b->ranges[0].from = focus_sum_floor_day(r->bp_start);
		b->ranges[0].to = focus_sum_ceil_day(r->bp_end) - 1;
		b->nranges = 1;
	}
	f->last = ++s->nbuckets;
	return b;
}

/* Days from .. to are covered by the bucket. */
static void
focus_sum_cover(struct focus_bucket *b, long long from, long long to)
{
	struct focus_range *r;
	size_t i, k;

	for (i = 0; i < b->nranges; i++) {
		if (from >= b->ranges[i].from && to <= b->ranges[i].to)
			return;
	}
	b->ranges = xreallocarray(b->ranges, b->nranges + 1, sizeof *b->ranges);
	for (i = b->nranges; i > 0 && b->ranges[i - 1].from > from; i--)
		b->ranges[i] = b->ranges[i - 1];
	b->ranges[i].from = from;
	b->ranges[i].to = to;
	b->nranges++;
	/* Merge what overlaps or touches. */
	for (i = 0, k = 0; i < b->nranges; i++) {
		r = &b->ranges[k];
		if (i > 0 && b->ranges[i].from <= r->to + 1) {
			if (b->ranges[i].to > r->to)
				r->to = b->ranges[i].to;
			continue;
		}
		if (i > 0)
			k++;
		b->ranges[k] = b->ranges[i];
	}
	b->nranges = k + 1;
}

static void
focus_sum_put(struct focus_days *d, long long day, long long micros)
{
	size_t grow;

	if (d->n == 0) {
		d->base = day;
		d->n = 1;
		d->sums = xcalloc(1, sizeof *d->sums);
	} else if (day < d->base) {
		grow = (size_t)(d->base - day);
		d->sums = xreallocarray(d->sums, d->n + grow, sizeof *d->sums);
		memmove(d->sums + grow, d->sums, d->n * sizeof *d->sums);
		memset(d->sums, 0, grow * sizeof *d->sums);
		d->n += grow;
		d->base = day;
	} else if (day >= d->base + (long long)d->n) {
		grow = (size_t)(day - d->base) + 1 - d->n;
		d->sums = xreallocarray(d->sums, d->n + grow, sizeof *d->sums);
		memset(d->sums + d->n, 0, grow * sizeof *d->sums);
		d->n += grow;
	}
	d->sums[day - d->base] += micros;
}

int
focus_sum_add(struct focus_sum *s, const struct focus_sum_row *r,
    long long *days)
{
	struct focus_bucket *b;
	struct focus_days *d;
	long long d0, d1, day;

	d0 = focus_sum_floor_day(r->start);
	d1 = focus_sum_ceil_day(r->end);
	*days = d1 - d0;
	if (*days < 1 || *days > FOCUS_SUM_MAX_DAYS)
		return -1;
	if (r->has_bp) {
		*days = focus_sum_ceil_day(r->bp_end) -
		    focus_sum_floor_day(r->bp_start);
		if (*days < 0 || *days > FOCUS_SUM_MAX_DAYS)
			return -2;
	}
	b = focus_sum_bucket(s, r);
	if (b->nsys < s->nsystems) {
		b->days = xreallocarray(b->days, s->nsystems, sizeof *b->days);
		memset(b->days + b->nsys, 0,
		    (s->nsystems - b->nsys) * sizeof *b->days);
		b->nsys = s->nsystems;
	}
	d = &b->days[r->sys];
	if (d1 - d0 == 1)
		focus_sum_put(d, d0, r->micros);
	else {
		for (day = d0; day < d1; day++)
			focus_sum_put(d, day,
			    focus_sum_share(r->micros, r->start, r->end, day));
	}
	focus_sum_cover(b, d0, d1 - 1);
	return 0;
}

/* 1 when file a is the newer delivery: modification time, then name. */
static int
focus_sum_newer(const struct focus_sum *s, size_t a, size_t b)
{
	const struct focus_file *fa = &s->files[a], *fb = &s->files[b];

	if (fa->mtime != fb->mtime)
		return fa->mtime > fb->mtime;
	return strcmp(fa->name, fb->name) > 0;
}

static void
focus_sum_choose(struct focus_sum *s,
    void (*note)(long long, const char *, const char *, void *), void *arg)
{
	size_t i, k, win;

	for (i = 0; i < s->nbuckets; i++) {
		if (!s->buckets[i].has_bp) {
			s->buckets[i].taken = 1;
			continue;
		}
		/* The first bucket of its period decides for all of them. */
		for (k = 0; k < i; k++) {
			if (s->buckets[k].has_bp &&
			    s->buckets[k].bp_start == s->buckets[i].bp_start)
				break;
		}
		if (k < i)
			continue;
		win = i;
		for (k = i + 1; k < s->nbuckets; k++) {
			if (s->buckets[k].has_bp &&
			    s->buckets[k].bp_start == s->buckets[i].bp_start &&
			    focus_sum_newer(s, s->buckets[k].file,
			        s->buckets[win].file))
				win = k;
		}
		s->buckets[win].taken = 1;
		for (k = i; note != NULL && k < s->nbuckets; k++) {
			if (k != win && s->buckets[k].has_bp &&
			    s->buckets[k].bp_start == s->buckets[i].bp_start)
				note(s->buckets[i].bp_start,
				    s->files[s->buckets[win].file].name,
				    s->files[s->buckets[k].file].name, arg);
		}
	}
}

int
focus_sum_select(struct focus_sum *s,
    void (*note)(long long, const char *, const char *, void *), void *arg,
    char **cause)
{
	const struct focus_bucket *b;
	long long d;
	size_t i, k;
	int any = 0;

	focus_sum_choose(s, note, arg);
	for (i = 0; i < s->nbuckets; i++) {
		b = &s->buckets[i];
		if (!b->taken || b->nranges == 0)
			continue;
		if (!any || b->ranges[0].from < s->first)
			s->first = b->ranges[0].from;
		if (!any || b->ranges[b->nranges - 1].to > s->last)
			s->last = b->ranges[b->nranges - 1].to;
		any = 1;
	}
	if (!any)
		return 0;
	if (s->last - s->first + 1 > FOCUS_SUM_MAX_SPAN) {
		xasprintf(cause,
		    "the deliveries span %lld days, more than %d: a date is wrong",
		    s->last - s->first + 1, FOCUS_SUM_MAX_SPAN);
		return -1;
	}
	s->covered = xcalloc((size_t)(s->last - s->first + 1), 1);
	for (i = 0; i < s->nbuckets; i++) {
		b = &s->buckets[i];
		for (k = 0; b->taken && k < b->nranges; k++) {
			for (d = b->ranges[k].from; d <= b->ranges[k].to; d++)
				s->covered[d - s->first] = 1;
		}
	}
	return 0;
}

int
focus_sum_range(const struct focus_sum *s, long long *first, long long *last)
{
	if (s->covered == NULL)
		return 0;
	*first = s->first;
	*last = s->last;
	return 1;
}

int
focus_sum_covered(const struct focus_sum *s, long long day)
{
	return s->covered != NULL && day >= s->first && day <= s->last &&
	    s->covered[day - s->first];
}

long long
focus_sum_value(const struct focus_sum *s, size_t sys, long long day)
{
	const struct focus_bucket *b;
	const struct focus_days *d;
	long long v = 0;
	size_t i;

	for (i = 0; i < s->nbuckets; i++) {
		b = &s->buckets[i];
		if (!b->taken || sys >= b->nsys)
			continue;
		d = &b->days[sys];
		if (d->n > 0 && day >= d->base &&
		    day < d->base + (long long)d->n)
			v += d->sums[day - d->base];
	}
	return v;
}
