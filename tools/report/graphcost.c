/*
 * The cost presets, as bar charts: per calendar month or quarter, each
 * group's cost (its systems' daily rows summed exactly, costs.h, as the
 * scorecard sums them), stacked, with what no system was charged for as
 * its own group; or per quarter each group's cost per user, side by side:
 * the cost of the group's systems that have a users figure / the sum of
 * their mean daily users (the others are counted in a note, never divided
 * by another system's users). A bucket with no known day has no value:
 * "no data", not 0. The amounts' currency and cost column (costs_basis)
 * are on the axis and in the title.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "conf.h"
#include "costs.h"
#include "graphpriv.h"
#include "period.h"
#include "xmalloc.h"

/* A group's figures over one bucket. */
struct graphcost_sum {
	long long micros, cpu_micros;
	size_t days, cpu_days;
	double users;
};

/* The calendar buckets (local months or quarters) that meet the period. */
void
graphcost_buckets(struct chart *c, const struct tz *z, int quarters)
{
	struct tm tm;
	time_t t = c->from, end;
	int y, m;
	char label[32], shown[32];
	size_t r;

	c->bars = 1;
	while (t < c->to) {
		tz_local(z, t, &tm);
		y = tm.tm_year + 1900;
		m = quarters ? tm.tm_mon / 3 * 3 + 1 : tm.tm_mon + 1;
		if (quarters) {
			snprintf(label, sizeof label, "%dQ%d", y, (m + 2) / 3);
			snprintf(shown, sizeof shown, "%d Q%d", y, (m + 2) / 3);
		} else {
			snprintf(label, sizeof label, "%d-%02d", y, m);
			snprintf(shown, sizeof shown, "%d-%02d", y, m);
		}
		m += quarters ? 3 : 1;
		end = tz_utc(z, m > 12 ? y + 1 : y, m > 12 ? m - 12 : m, 1, 0);
		if (end > c->to)
			end = c->to;
		r = chart_add_row(c, label, t, end);
		chart_set_display(c, r, shown);
		t = end;
	}
}

/* Every member's figures over one bucket, summed by group. */
static int
graphcost_bucket(struct graph_ctx *g, size_t r, struct graphcost_sum *sums)
{
	struct chart *c = g->c;
	struct cost_fig f;
	struct period p;
	size_t i, k;

	memset(&p, 0, sizeof p);
	p.from = c->starts[r];
	p.to = c->ends[r];
	memset(sums, 0, g->ngroups * sizeof *sums);
	for (i = 0; i < g->nm; i++) {
		k = g->m[i].group;
		if (costs_system(g->conf, g->m[i].system, &p, &f, g->err,
		        g->errlen) != 0)
			return -1;
		sums[k].micros += f.micros;
		sums[k].days += f.days;
		if (costs_has_users(&f) && f.days > 0) {
			sums[k].cpu_micros += f.micros;
			sums[k].cpu_days += f.days;
			sums[k].users += f.users;
		}
	}
	return 0;
}

/* Per group: how many of its systems have no users figure in the period. */
static int
graphcost_no_users(struct graph_ctx *g)
{
	const struct graph_req *req = g->req;
	size_t *none = xcalloc(g->ngroups + 1, sizeof *none);
	size_t *all = xcalloc(g->ngroups + 1, sizeof *all);
	struct cost_fig f;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < g->nm && rc == 0; i++) {
		k = g->m[i].group;
		all[k]++;
		if (costs_system(g->conf, g->m[i].system, &req->period, &f,
		        g->err, g->errlen) != 0)
			rc = -1;
		else if (!costs_has_users(&f))
			none[k]++;
	}
	for (k = 0; rc == 0 && k < g->ngroups; k++) {
		if (none[k] > 0)
			chart_note(g->c,
			    "%s: %zu of %zu systems have no users figure and are left out",
			    g->groups[k], none[k], all[k]);
	}
	free(none);
	free(all);
	return rc;
}

static void
graphcost_totals(struct graph_ctx *g, const char *unit)
{
	struct chart *c = g->c;
	char num[64];
	double v, all = 0;
	size_t r, k, n, nall = 0;

	for (k = 0; k < g->ngroups; k++) {
		v = 0;
		n = 0;
		for (r = 0; r < c->nrows; r++) {
			if (!isnan(chart_get(c, r, k))) {
				v += chart_get(c, r, k);
				n++;
			}
		}
		all += v;
		nall += n;
		chart_fmt(c, n ? v : NAN, num, sizeof num);
		chart_note(c, "total %s: %s", g->groups[k],
		    n ? num : "unknown");
	}
	if (g->ngroups > 1) {
		chart_fmt(c, nall ? all : NAN, num, sizeof num);
		chart_note(c, "total: %s", nall ? num : "unknown");
	}
	chart_note(c, "amounts in %s", unit);
}

int
graphcost_build(struct graph_ctx *g)
{
	struct chart *c = g->c;
	struct graphcost_sum *sums;
	struct cost_basis b;
	char unit[96];
	int cpu = strcmp(g->req->preset, "cost-per-user") == 0, rc = 0;
	size_t r, k, len;

	costs_basis(g->conf, &b);
	costs_unit(&b, unit, sizeof unit);
	/* "Cost by portfolio, 2026 Q1" becomes "..., SEK (EffectiveCost)". */
	len = strlen(c->title);
	if (len + 2 + strlen(unit) < sizeof c->title) {
		memcpy(c->title + len, ", ", 2);
		memcpy(c->title + len + 2, unit, strlen(unit) + 1);
	}
	len = strlen(unit);
	memcpy(c->vlabel, unit, len + 1);
	if (cpu)
		memcpy(c->vlabel + len, " per user", sizeof " per user");
	for (k = 0; k < g->ngroups; k++)
		chart_add_col(c, g->groups[k], CHART_AREA);
	c->stack = !cpu;
	graphcost_buckets(c, g->conf->tz,
	    cpu ||
	        (g->req->per != NULL && strcmp(g->req->per, "quarter") == 0));
	sums = xcalloc(g->ngroups + 1, sizeof *sums);
	for (r = 0; r < c->nrows && rc == 0; r++) {
		if ((rc = graphcost_bucket(g, r, sums)) != 0)
			break;
		for (k = 0; k < g->ngroups; k++) {
			if (!cpu && sums[k].days > 0)
				chart_set(c, r, k,
				    (double)sums[k].micros / 1e6);
			else if (cpu && sums[k].cpu_days > 0 &&
			    sums[k].users > 0)
				chart_set(c, r, k,
				    (double)sums[k].cpu_micros / 1e6 /
				        sums[k].users);
		}
	}
	free(sums);
	if (rc != 0)
		return -1;
	if (!cpu)
		graphcost_totals(g, unit);
	else {
		chart_note(c,
		    "cost per user: the cost of the systems with a users figure / the sum of their mean daily users");
		if (graphcost_no_users(g) != 0)
			return -1;
	}
	return 0;
}
