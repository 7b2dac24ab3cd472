/*
 * The availability preset. Where the journal exists every row is worked
 * out from its spans as the report works out a period (availability.h):
 * up time / known time, both outside maintenance windows, a group summing
 * its systems' seconds; a row nobody's runs covered is unknown, never
 * 100 %. Rows are as fine as the picture can show (GRAPH_ROWS over the
 * period, down to a second), and one system's rows carry what their time
 * was: an outage, a planned outage (down inside a window), a maintenance
 * window, or no data (the daemon was stopped, or had not run yet), each
 * drawn in its own colour. Without a journal the rows are the `up`
 * series' and rows below 100 % are shaded. Either way the figure printed
 * for the period is availability_of's, the scorecard's and the report's,
 * and where service hours leave time out, its figure within them too.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "availability.h"
#include "chart.h"
#include "conf.h"
#include "graphpriv.h"
#include "journal.h"
#include "period.h"
#include "series.h"
#include "xmalloc.h"

/* What one row of one system was, the worst first. */
static enum chart_band
graphavail_band(const struct avail_spans *s, time_t a, time_t b)
{
	if (availability_within(&s->down, a, b) > 0)
		return CHART_BAND_OUTAGE;
	if (availability_within(&s->planned, a, b) > 0)
		return CHART_BAND_PLANNED;
	if (availability_within(&s->maint, a, b) > 0)
		return CHART_BAND_MAINT;
	if (availability_within(&s->known, a, b) == 0)
		return CHART_BAND_UNKNOWN;
	return CHART_BAND_NONE;
}

/* One system's outages and windows, as notes under the graph. */
static void
graphavail_notes(struct graph_ctx *g, const char *system,
    const struct avail_spans *s)
{
	struct chart *c = g->c;
	struct journal_outage *o = NULL;
	struct spans known = { NULL, 0, 0 };
	const struct tz *z = g->conf->tz;
	char *cause = NULL, a[32], b[32];
	size_t n = 0, i;

	if (journal_read_system(g->conf, system, c->from, c->to, &known, &o, &n,
	        &cause) != 0) {
		chart_note(c, "journal: %s", cause);
		free(cause);
	}
	for (i = 0; i < n; i++) {
		tz_iso(z, o[i].start, a, sizeof a);
		if (o[i].end != 0)
			tz_iso(z, o[i].end, b, sizeof b);
		chart_note(c, "outage %s %s..%s (%s%s)", o[i].series, a,
		    o[i].end != 0 ? b : "open", o[i].reason,
		    o[i].planned ? ", planned" : "");
	}
	for (i = 0; i < s->maint.n; i++) {
		tz_iso(z, s->maint.v[i].start, a, sizeof a);
		tz_iso(z, s->maint.v[i].end, b, sizeof b);
		chart_note(c, "maintenance %s..%s", a, b);
	}
	free(o);
	span_free(&known);
}

/* The rows from the journal's spans of every member. */
static int
graphavail_journal(struct graph_ctx *g)
{
	struct chart *c = g->c;
	struct avail_spans *s = xcalloc(g->nm + 1, sizeof *s);
	struct period p = g->req->period;
	double *knm = xcalloc(g->ngroups + 1, sizeof *knm);
	double *dnm = xcalloc(g->ngroups + 1, sizeof *dnm);
	size_t i, r, k;
	int rc = 0;

	graph_time_rows(c, g->conf->tz, graph_want_step(g->req, 1));
	p.from = c->from;
	for (i = 0; i < g->nm && rc == 0; i++)
		rc = availability_spans(g->conf, g->m[i].system, &p, &s[i],
		    g->err, g->errlen);
	if (rc == 0 && g->req->system != NULL)
		c->bands = xcalloc(c->nrows + 1, 1);
	for (r = 0; rc == 0 && r < c->nrows; r++) {
		memset(knm, 0, g->ngroups * sizeof *knm);
		memset(dnm, 0, g->ngroups * sizeof *dnm);
		for (i = 0; i < g->nm; i++) {
			k = g->m[i].group;
			knm[k] += (double)availability_within(&s[i].knm,
			    c->starts[r], c->ends[r]);
			dnm[k] += (double)availability_within(&s[i].down,
			    c->starts[r], c->ends[r]);
		}
		for (k = 0; k < g->ngroups; k++) {
			if (knm[k] > 0)
				chart_set(c, r, k,
				    100.0 * (knm[k] - dnm[k]) / knm[k]);
		}
		if (c->bands != NULL && g->nm > 0)
			c->bands[r] = (unsigned char)graphavail_band(&s[0],
			    c->starts[r], c->ends[r]);
	}
	if (rc == 0 && g->req->system != NULL && g->nm > 0)
		graphavail_notes(g, g->m[0].system, &s[0]);
	for (i = 0; i < g->nm; i++)
		availability_spans_free(&s[i]);
	free(s);
	free(knm);
	free(dnm);
	return rc;
}

/* The rows of the `up` series, when there is no journal. */
static void
graphavail_rrd(struct graph_ctx *g, struct series_rows *rows,
    unsigned long step)
{
	struct chart *c = g->c;
	size_t r, k;

	graph_time_rows(c, g->conf->tz, step);
	for (r = 0; r < c->nrows; r++) {
		for (k = 0; k < g->ngroups; k++)
			chart_set(c, r, k,
			    graph_mean(g, rows, k, "up", c->starts[r], 100));
	}
	if (g->ngroups == 1)
		c->shade = 0;
}

/* The group's figure within service hours, and what they are. */
static void
graphavail_service_note(struct graph_ctx *g, size_t k, const struct avail *a)
{
	const struct conf_system *s = NULL;
	char num[64], what[256];
	size_t i;

	chart_fmt(g->c, a->service_availability_pct, num, sizeof num);
	for (i = 0; i < g->nm; i++) {
		if (g->m[i].group == k)
			s = conf_find_system(g->conf, g->m[i].system);
	}
	if (g->req->system != NULL && s != NULL)
		hours_describe(&s->hours, &g->conf->hours, what, sizeof what);
	else
		snprintf(what, sizeof what, "each system's");
	chart_note(g->c,
	    "service-hours availability %s: %s %% (%d outages; %s, %s)",
	    g->groups[k], num[0] ? num : "unknown", a->service_outages, what,
	    tz_name(g->conf->tz));
}

/* Each group's figure for the period: availability_of, summed. */
static int
graphavail_figures(struct graph_ctx *g)
{
	struct chart *c = g->c;
	struct avail a, sum;
	char num[64];
	size_t i, k;

	for (k = 0; k < g->ngroups; k++) {
		availability_zero(&sum, &g->req->period);
		for (i = 0; i < g->nm; i++) {
			if (g->m[i].group != k)
				continue;
			if (availability_of(g->conf, g->m[i].system,
			        &g->req->period, &a, g->err, g->errlen) != 0)
				return -1;
			availability_add(&sum, &a);
		}
		availability_finish(&sum);
		chart_fmt(c, sum.availability_pct, num, sizeof num);
		chart_note(c, "availability %s: %s %%", g->groups[k],
		    num[0] ? num : "unknown");
		chart_note(c, "coverage %s: %.2f %% of the period known",
		    g->groups[k],
		    isnan(sum.coverage_pct) ? 0.0 : sum.coverage_pct);
		if (sum.service_hours)
			graphavail_service_note(g, k, &sum);
	}
	return 0;
}

int
graphavail_build(struct graph_ctx *g, struct series_rows *rows,
    unsigned long step)
{
	struct chart *c = g->c;
	size_t k;

	c->percent = 1;
	c->decimals = 3;
	snprintf(c->vlabel, sizeof c->vlabel, "availability %%");
	for (k = 0; k < g->ngroups; k++)
		chart_add_col(c, g->groups[k], CHART_LINE);
	if (!availability_has_journal(g->conf))
		graphavail_rrd(g, rows, step);
	else if (graphavail_journal(g) != 0)
		return -1;
	return graphavail_figures(g);
}
