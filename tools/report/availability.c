/*
 * Availability figures from the journal (see availability.h for what each
 * one means). Everything is set arithmetic on spans of the period: the
 * time runs covered, the outages within it, the maintenance windows. The
 * figures of a system or a group are worked out from its seconds, so a
 * group, a total and the RRD fallback (rrdavail.c) all use the same rules.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "availability.h"
#include "conf.h"
#include "journal.h"
#include "maint.h"
#include "rrdavail.h"
#include "span.h"

void
availability_spans_free(struct avail_spans *s)
{
	span_free(&s->known);
	span_free(&s->maint);
	span_free(&s->down);
	span_free(&s->planned);
	span_free(&s->knm);
	span_free(&s->service);
}

int
availability_spans(const struct conf *c, const char *system,
    const struct period *p, struct avail_spans *s, char *err, size_t errlen)
{
	struct spans out = { 0 }, down = { 0 };
	struct journal_outage *o;
	size_t i, n;
	char *cause = NULL;

	memset(s, 0, sizeof *s);
	if (journal_read_system(c, system, p->from, p->to, &s->known, &o, &n,
	        &cause) != 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
		return -1;
	}
	maint_system_spans(c, system, p->from, p->to, &s->maint);
	for (i = 0; i < n; i++)
		span_add(&out, o[i].start, o[i].end != 0 ? o[i].end : p->to);
	free(o);
	span_clip(&out, p->from, p->to);
	span_norm(&out);
	span_intersect(&out, &s->known, &down);
	span_subtract(&s->known, &s->maint, &s->knm);
	span_subtract(&down, &s->maint, &s->down);
	span_intersect(&down, &s->maint, &s->planned);
	conf_service_spans(c, system, p->from, p->to, &s->service);
	span_free(&out);
	span_free(&down);
	return 0;
}

long
availability_within(const struct spans *s, time_t from, time_t to)
{
	size_t lo = 0, hi = s->n, mid;
	long total = 0;
	time_t a, b;

	/* The first span that ends after from. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (s->v[mid].end <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->n && s->v[lo].start < to; lo++) {
		a = s->v[lo].start > from ? s->v[lo].start : from;
		b = s->v[lo].end < to ? s->v[lo].end : to;
		if (b > a)
			total += (long)(b - a);
	}
	return total;
}

void
availability_zero(struct avail *a, const struct period *p)
{
	memset(a, 0, sizeof *a);
	a->from = p->from;
	a->to = p->to;
	a->source = "journal";
	availability_finish(a);
}

void
availability_add(struct avail *sum, const struct avail *a)
{
	sum->period_s += a->period_s;
	sum->known_s += a->known_s;
	sum->up_s += a->up_s;
	sum->known_nm_s += a->known_nm_s;
	sum->up_nm_s += a->up_nm_s;
	sum->down_nm_s += a->down_nm_s;
	sum->maintenance_s += a->maintenance_s;
	sum->outages += a->outages;
	if (a->longest_outage_s > sum->longest_outage_s)
		sum->longest_outage_s = a->longest_outage_s;
	sum->svc_s += a->svc_s;
	sum->svc_known_s += a->svc_known_s;
	sum->svc_known_nm_s += a->svc_known_nm_s;
	sum->svc_up_nm_s += a->svc_up_nm_s;
	sum->svc_down_nm_s += a->svc_down_nm_s;
	sum->service_outages += a->service_outages;
	sum->service_hours |= a->service_hours;
	if (a->source != NULL && strcmp(a->source, "rrd") == 0)
		sum->source = a->source;
}

void
availability_finish(struct avail *a)
{
	a->availability_pct =
	    a->known_nm_s > 0 ? 100.0 * a->up_nm_s / a->known_nm_s : NAN;
	a->raw_availability_pct =
	    a->known_s > 0 ? 100.0 * a->up_s / a->known_s : NAN;
	a->coverage_pct =
	    a->period_s > 0 ? 100.0 * a->known_s / a->period_s : NAN;
	a->unknown_s = a->period_s - a->known_s;
	a->mttr_s = a->outages > 0 ? (double)a->down_nm_s / a->outages : NAN;
	a->mtbf_s = a->outages > 0 ? (double)a->up_nm_s / a->outages : NAN;
	a->service_availability_pct = a->svc_known_nm_s > 0
	    ? 100.0 * a->svc_up_nm_s / a->svc_known_nm_s
	    : NAN;
	a->service_unknown_s = a->svc_s - a->svc_known_s;
	a->service_mttr_s = a->service_outages > 0
	    ? (double)a->svc_down_nm_s / a->service_outages
	    : NAN;
}

/* A system's seconds within its service hours (s->service). */
static void
availability_service(const struct avail_spans *s, struct avail *a)
{
	struct spans x = { 0 };
	size_t i;

	a->svc_s = span_total(&s->service);
	span_intersect(&s->known, &s->service, &x);
	a->svc_known_s = span_total(&x);
	span_intersect(&s->knm, &s->service, &x);
	a->svc_known_nm_s = span_total(&x);
	span_intersect(&s->down, &s->service, &x);
	a->svc_down_nm_s = span_total(&x);
	a->svc_up_nm_s = a->svc_known_nm_s - a->svc_down_nm_s;
	for (i = 0; i < s->down.n; i++) {
		if (availability_within(&s->service, s->down.v[i].start,
		        s->down.v[i].end) > 0)
			a->service_outages++;
	}
	span_free(&x);
}

int
availability_service_hours(const struct conf *c, const char *system)
{
	struct conf_system *sys = conf_find_system(c, system);
	const struct hours *w, *h;

	return hours_effective(sys != NULL ? &sys->hours : NULL, &c->hours, &w,
	    &h);
}

static int
availability_sum_system(const struct conf *c, const char *system,
    const struct period *p, struct avail *sum, char *err, size_t errlen)
{
	struct avail_spans s;
	struct avail a;
	size_t i;
	long len;

	if (availability_spans(c, system, p, &s, err, errlen) != 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.period_s = (long)(p->to - p->from);
	a.known_s = span_total(&s.known);
	a.maintenance_s = span_total(&s.maint);
	a.up_s = a.known_s - span_total(&s.down) - span_total(&s.planned);
	a.known_nm_s = span_total(&s.knm);
	a.down_nm_s = span_total(&s.down);
	a.up_nm_s = a.known_nm_s - a.down_nm_s;
	a.outages = (int)s.down.n;
	for (i = 0; i < s.down.n; i++) {
		len = (long)(s.down.v[i].end - s.down.v[i].start);
		if (len > a.longest_outage_s)
			a.longest_outage_s = len;
	}
	a.source = "journal";
	availability_service(&s, &a);
	a.service_hours = availability_service_hours(c, system);
	availability_add(sum, &a);
	availability_spans_free(&s);
	return 0;
}

int
availability_system(const struct conf *c, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	if (conf_find_system(c, system) == NULL) {
		snprintf(err, errlen, "unknown system \"%s\" (not in %s)",
		    system, c->file);
		return -1;
	}
	if (p->to <= p->from) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	availability_zero(out, p);
	if (availability_sum_system(c, system, p, out, err, errlen) != 0)
		return -1;
	availability_finish(out);
	return 0;
}

int
availability_group(const struct conf *c, const char *by, const char *value,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	const char *tag;
	size_t i, n = 0;

	if (strcmp(by, "category") != 0 && strcmp(by, "portfolio") != 0 &&
	    strcmp(by, "owner") != 0) {
		snprintf(err, errlen,
		    "bad --by \"%s\" (want category | portfolio | owner)", by);
		return -1;
	}
	if (p->to <= p->from) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	availability_zero(out, p);
	for (i = 0; i < c->nsystems; i++) {
		tag = conf_system_tag(c->systems[i], by);
		if (tag == NULL || strcmp(tag, value) != 0)
			continue;
		if (availability_sum_system(c, c->systems[i]->id, p, out, err,
		        errlen) != 0)
			return -1;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "no system has %s \"%s\" in %s", by,
		    value, c->file);
		return -1;
	}
	availability_finish(out);
	return 0;
}

int
availability_has_journal(const struct conf *c)
{
	return journal_exists(c);
}

int
availability_of(const struct conf *c, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	if (!availability_has_journal(c))
		return rrdavail_system(c, system, p, out, err, errlen);
	return availability_system(c, system, p, out, err, errlen);
}
