/*
 * The presets of what systems give and how they are used: external-
 * benefit (e-service use), internal-benefit (service-desk volumes, ...)
 * and learning (the maturity series that are no licences: a learning
 * record store's course completions). Bars per calendar month (or
 * quarter, --per), as the cost presets have them: one system's series
 * stacked, or each group's systems summed. A count (an events series,
 * or any rate: ABSOLUTE, COUNTER, DERIVE) is summed over the bucket's
 * days, exactly as the scorecard sums a quarter's benefit; a gauge is its
 * mean over the days it is known. A bucket with no known day has no
 * value ("no data"), never 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "conf.h"
#include "graphpriv.h"
#include "series.h"
#include "store_rrd.h"
#include "xmalloc.h"

#define GRAPHBENEFIT_DAY 86400

/* Is series one of the preset's? Learning: no licence series. */
static int
graphbenefit_wanted(const char *preset, const char *series)
{
	return strcmp(preset, "learning") != 0 ||
	    strncmp(series, "licence-", 8) != 0;
}

/*
 * The system's series of the preset, each a member: grouped by series
 * for one system, else by the group the system is in (group).
 */
void
graphbenefit_members(struct graph_ctx *g, const struct conf_system *s,
    const char *group)
{
	const char *persp = graph_preset_find(g->req->preset)->perspective;
	char **ids;
	size_t i, n;

	n = series_list(g->conf->data_dir, persp, s->id, "", &ids);
	for (i = 0; i < n; i++) {
		if (graphbenefit_wanted(g->req->preset, ids[i]) &&
		    (g->req->series == NULL ||
		        strcmp(g->req->series, ids[i]) == 0)) {
			g->m = xreallocarray(g->m, g->nm + 1, sizeof *g->m);
			g->m[g->nm].system = s->id;
			g->m[g->nm].path =
			    store_path(g->conf->data_dir, persp, s->id, ids[i]);
			g->m[g->nm].group =
			    graph_group(g, g->req->system ? ids[i] : group);
			if (g->m[g->nm].path != NULL)
				g->nm++;
		}
		free(ids[i]);
	}
	free(ids);
}

/* 1 when the file's first data source is a rate (its steps add up). */
static int
graphbenefit_counts(const char *path, const struct series_rows *r)
{
	char type[32];

	if (r->nds == 0 ||
	    series_ds_type(path, r->names[0], type, sizeof type) != 0)
		return 0;
	return strcmp(type, "GAUGE") != 0;
}

/* Member i's figure over [a, b): a sum of counts or a mean; NAN unknown. */
static double
graphbenefit_figure(const struct series_rows *r, int counts, time_t a, time_t b)
{
	double v, sum = 0;
	size_t n = 0;
	time_t t;

	for (t = a; t < b; t += GRAPHBENEFIT_DAY) {
		v = series_at(r, 0, t);
		if (isnan(v))
			continue;
		sum += counts ? v * (double)r->step : v;
		n++;
	}
	if (n == 0)
		return NAN;
	return counts ? sum : sum / (double)n;
}

/* The period's total (counts) or mean (gauges) of each column. */
static void
graphbenefit_notes(struct graph_ctx *g, const int *counts)
{
	struct chart *c = g->c;
	double v, sum;
	size_t r, k, n;
	char num[64];

	for (k = 0; k < g->ngroups; k++) {
		sum = 0;
		n = 0;
		for (r = 0; r < c->nrows; r++) {
			if (!isnan(v = chart_get(c, r, k))) {
				sum += v;
				n++;
			}
		}
		if (n == 0) {
			chart_note(c, "%s: no data", g->groups[k]);
			continue;
		}
		chart_fmt(c, counts[k] ? sum : sum / (double)n, num,
		    sizeof num);
		chart_note(c, "%s %s: %s", counts[k] ? "total" : "mean",
		    g->groups[k], num);
	}
}

int
graphbenefit_build(struct graph_ctx *g)
{
	struct chart *c = g->c;
	struct series_rows *rows;
	struct period p, days;
	unsigned long step;
	double v, cell;
	int *counts, *mcounts, quarters, rc = -1;
	size_t i, r, k;

	quarters = g->req->per != NULL && strcmp(g->req->per, "quarter") == 0;
	rows = xcalloc(g->nm + 1, sizeof *rows);
	counts = xcalloc(g->ngroups + 1, sizeof *counts);
	mcounts = xcalloc(g->nm + 1, sizeof *mcounts);
	if (graph_fetch_all(g, "AVERAGE", GRAPHBENEFIT_DAY, 1, rows, &step) !=
	    0)
		goto out;
	c->decimals = 0;
	snprintf(c->vlabel, sizeof c->vlabel, "per %s",
	    quarters ? "quarter" : "month");
	for (k = 0; k < g->ngroups; k++)
		chart_add_col(c, g->groups[k], CHART_AREA);
	c->stack = 1;
	graphcost_buckets(c, g->conf->tz, quarters);
	for (i = 0; i < g->nm; i++) {
		mcounts[i] = graphbenefit_counts(g->m[i].path, &rows[i]);
		counts[g->m[i].group] |= mcounts[i];
	}
	for (r = 0; r < c->nrows; r++) {
		/* Daily rows by their dates, as cost's billing days. */
		memset(&p, 0, sizeof p);
		p.from = c->starts[r];
		p.to = c->ends[r];
		period_days(&p, g->conf->tz, &days);
		for (i = 0; i < g->nm; i++) {
			v = graphbenefit_figure(&rows[i], mcounts[i], days.from,
			    days.to);
			k = g->m[i].group;
			cell = chart_get(c, r, k);
			if (!isnan(v))
				chart_set(c, r, k, isnan(cell) ? v : cell + v);
		}
	}
	graphbenefit_notes(g, counts);
	rc = 0;
out:
	for (i = 0; i < g->nm; i++)
		series_rows_free(&rows[i]);
	free(rows);
	free(counts);
	free(mcounts);
	return rc;
}
