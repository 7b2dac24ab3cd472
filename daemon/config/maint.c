/*
 * Maintenance windows: one-off windows are spans as they are; a weekly
 * window recurs each week from its day and start (UTC) for its duration,
 * so a window that starts late on Sunday runs into Monday.
 */
#include "maint.h"

#define MAINT_WEEK (7 * 86400L)

/* The Monday 00:00 UTC at or before t (1970-01-01 was a Thursday). */
static time_t
maint_week_start(time_t t)
{
	long long days = (long long)t / 86400;

	if ((long long)t % 86400 < 0)
		days--;
	return (time_t)((days - ((days + 3) % 7 + 7) % 7) * 86400);
}

void
maint_spans(const struct conf_maint *w, size_t n, time_t from, time_t to,
    struct spans *out)
{
	time_t week, start;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!w[i].weekly) {
			span_add(out, w[i].from > from ? w[i].from : from,
			    w[i].to < to ? w[i].to : to);
			continue;
		}
		/* A week back: a window begun before from may reach in. */
		week = maint_week_start(from) - MAINT_WEEK;
		for (; week < to; week += MAINT_WEEK) {
			start = week + w[i].day * 86400L + w[i].start;
			span_add(out, start > from ? start : from,
			    start + w[i].duration < to ? start + w[i].duration
			                               : to);
		}
	}
	span_norm(out);
}

int
maint_covers(const struct conf_maint *w, size_t n, time_t t)
{
	struct spans s = { NULL, 0, 0 };
	int hit;

	maint_spans(w, n, t, t + 1, &s);
	hit = s.n > 0;
	span_free(&s);
	return hit;
}

int
maint_system_covers(const struct conf *c, const char *system, time_t t)
{
	struct conf_system *sys = conf_find_system(c, system);

	if (maint_covers(c->maint, c->nmaint, t))
		return 1;
	return sys != NULL && maint_covers(sys->maint, sys->nmaint, t);
}

void
maint_system_spans(const struct conf *c, const char *system, time_t from,
    time_t to, struct spans *out)
{
	struct conf_system *sys = conf_find_system(c, system);

	maint_spans(c->maint, c->nmaint, from, to, out);
	if (sys != NULL)
		maint_spans(sys->maint, sys->nmaint, from, to, out);
	span_norm(out);
}
