/*
 * Availability figures from the journal (see availability.h for what each
 * one means). Everything is set arithmetic on spans of the period: the
 * time runs covered, the outages within it, the maintenance windows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "conf.h"
#include "journal.h"
#include "maint.h"
#include "span.h"

/* Seconds of one system or summed over a group. */
struct availability_sum {
	long period_s;
	long known_s; /* covered by runs */
	long maint_s;
	long up_s; /* known, not down */
	long known_nm_s; /* known, outside maintenance */
	long up_nm_s; /* up, outside maintenance */
	long down_nm_s; /* down, outside maintenance */
	int outages;
	long longest_s;
};

static int
availability_sum_system(const struct conf *c, const char *system,
    const struct period *p, struct availability_sum *sum, char *err,
    size_t errlen)
{
	struct spans known = { 0 }, maint = { 0 }, out = { 0 }, down = { 0 };
	struct spans knm = { 0 }, dnm = { 0 };
	struct journal_outage *o;
	size_t i, n;
	char *cause = NULL;
	long len;

	if (journal_read_system(c, system, p->from, p->to, &known, &o, &n,
	        &cause) != 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
		return -1;
	}
	maint_system_spans(c, system, p->from, p->to, &maint);
	for (i = 0; i < n; i++)
		span_add(&out, o[i].start, o[i].end != 0 ? o[i].end : p->to);
	free(o);
	span_clip(&out, p->from, p->to);
	span_norm(&out);
	span_intersect(&out, &known, &down);
	span_subtract(&known, &maint, &knm);
	span_subtract(&down, &maint, &dnm);

	sum->period_s += (long)(p->to - p->from);
	sum->known_s += span_total(&known);
	sum->maint_s += span_total(&maint);
	sum->up_s += span_total(&known) - span_total(&down);
	sum->known_nm_s += span_total(&knm);
	sum->up_nm_s += span_total(&knm) - span_total(&dnm);
	sum->down_nm_s += span_total(&dnm);
	sum->outages += (int)dnm.n;
	for (i = 0; i < dnm.n; i++) {
		len = (long)(dnm.v[i].end - dnm.v[i].start);
		if (len > sum->longest_s)
			sum->longest_s = len;
	}
	span_free(&known);
	span_free(&maint);
	span_free(&out);
	span_free(&down);
	span_free(&knm);
	span_free(&dnm);
	return 0;
}

static void
availability_from_sum(const struct availability_sum *s, const struct period *p,
    struct avail *out)
{
	memset(out, 0, sizeof *out);
	out->from = p->from;
	out->to = p->to;
	out->availability_pct =
	    s->known_nm_s > 0 ? 100.0 * s->up_nm_s / s->known_nm_s : NAN;
	out->raw_availability_pct =
	    s->known_s > 0 ? 100.0 * s->up_s / s->known_s : NAN;
	out->unknown_s = s->period_s - s->known_s;
	out->maintenance_s = s->maint_s;
	out->outages = s->outages;
	out->longest_outage_s = s->longest_s;
	out->mttr_s = s->outages > 0 ? (double)s->down_nm_s / s->outages : NAN;
	out->mtbf_s = s->outages > 0 ? (double)s->up_nm_s / s->outages : NAN;
}

int
availability_system(const struct conf *c, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	struct availability_sum sum;

	if (conf_find_system(c, system) == NULL) {
		snprintf(err, errlen, "unknown system \"%s\" (not in %s)",
		    system, c->file);
		return -1;
	}
	if (p->to <= p->from) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	memset(&sum, 0, sizeof sum);
	if (availability_sum_system(c, system, p, &sum, err, errlen) != 0)
		return -1;
	availability_from_sum(&sum, p, out);
	return 0;
}

int
availability_group(const struct conf *c, const char *by, const char *value,
    const struct period *p, struct avail *out, char *err, size_t errlen)
{
	struct availability_sum sum;
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
	memset(&sum, 0, sizeof sum);
	for (i = 0; i < c->nsystems; i++) {
		tag = conf_system_tag(c->systems[i], by);
		if (tag == NULL || strcmp(tag, value) != 0)
			continue;
		if (availability_sum_system(c, c->systems[i]->id, p, &sum, err,
		        errlen) != 0)
			return -1;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "no system has %s \"%s\" in %s", by,
		    value, c->file);
		return -1;
	}
	availability_from_sum(&sum, p, out);
	return 0;
}
