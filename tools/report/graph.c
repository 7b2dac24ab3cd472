/*
 * Graph presets. Each one reads a system's (or every system's) stored
 * series over the period, groups systems when asked, and fills a chart:
 *
 *   availability   `up` as percent per row; a group is the mean of its
 *                  systems; the period's availability (mean of the known
 *                  rows) printed; rows below 100 % shaded (one system)
 *   response       one system: dns, connect, tls and first byte stacked,
 *                  total as a line (ms); a group: mean total per group
 *   licence        one system: in_use and issued summed over its licence
 *                  series; a group: utilisation % (in use / issued)
 *   cost           daily amounts summed per month or quarter (bars); a
 *                  group sums its systems
 *   cost-per-user  per quarter: the quarter's cost / the mean of the daily
 *                  `users` series over the quarter
 *   smoke          one system's icmp series as Smokeping draws it: the
 *                  round trips' spread (min, p10, p25, p75, p90, max)
 *                  shaded, the median as a line coloured by the loss
 *   external-benefit, internal-benefit, learning
 *                  the series of that perspective (learning: maturity's
 *                  that are no licences) summed per month or quarter
 *                  (bars, graphbenefit.c)
 *
 * Every number is computed here from fetched rows; librrd only draws.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "chart.h"
#include "conf.h"
#include "graph.h"
#include "graphpriv.h"
#include "ident.h"
#include "journal.h"
#include "span.h"
#include "series.h"
#include "store_rrd.h"
#include "log.h"
#include "xmalloc.h"

/*
 * The presets: what each draws, from which perspective, and how. Usage
 * texts and messages list the names from here.
 */
static const struct graph_preset graph_presets[] = {
	{ "availability", "Availability", "quality", GRAPH_AVAILABILITY, 0, 0 },
	{ "response", "Response time", "quality", GRAPH_RESPONSE, 0, 0 },
	{ "licence", "Licences", "maturity", GRAPH_LICENCE, 0, 0 },
	{ "cost", "Cost", "cost", GRAPH_COST, 1, 0 },
	{ "cost-per-user", "Cost per user", "cost", GRAPH_COST, 1, 0 },
	{ "smoke", "smoke", "quality", GRAPH_SMOKE, 0, 1 },
	{ "external-benefit", "External benefit", "external-benefit",
	    GRAPH_BENEFIT, 1, 0 },
	{ "internal-benefit", "Internal benefit", "internal-benefit",
	    GRAPH_BENEFIT, 1, 0 },
	{ "learning", "Learning", "maturity", GRAPH_BENEFIT, 1, 0 },
};
#define GRAPH_NPRESETS (sizeof graph_presets / sizeof graph_presets[0])

const struct graph_preset *
graph_preset_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < GRAPH_NPRESETS; i++) {
		if (strcmp(name, graph_presets[i].name) == 0)
			return &graph_presets[i];
	}
	return NULL;
}

void
graph_preset_names(char *buf, size_t len)
{
	size_t i, off = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < GRAPH_NPRESETS && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		    graph_presets[i].name);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

int
graph_preset_valid(const char *name)
{
	return graph_preset_find(name) != NULL;
}

int
graph_preset_bars(const char *name)
{
	const struct graph_preset *p = graph_preset_find(name);

	return p != NULL && p->bars;
}

static enum graph_kind
graph_kind(const struct graph_req *req)
{
	return graph_preset_find(req->preset)->kind;
}

char *
graph_quality_series(const struct conf *conf, const char *system,
    const char *want_tmpl)
{
	struct conf_system *s = conf_find_system(conf, system);
	struct itf_instance *first = NULL, *in;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < s->ninsts; i++) {
		in = s->insts[i];
		if (strcmp(in->perspective, "quality") != 0)
			continue;
		if (want_tmpl != NULL && in->tmpl != NULL &&
		    strcmp(in->tmpl->name, want_tmpl) == 0)
			return xstrdup(in->series);
		if (first == NULL)
			first = in;
	}
	return first ? xstrdup(first->series) : NULL;
}

/* The group of a system under req->by (its own id without grouping). */
static const char *
graph_group_of(const struct graph_ctx *g, const struct conf_system *s)
{
	const char *by = g->req->by;

	if (by == NULL)
		return s->id;
	if (conf_is_tag(by))
		return conf_system_tag(s, by);
	return graph_preset_find(g->req->preset)->perspective;
}

size_t
graph_group(struct graph_ctx *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->ngroups; i++) {
		if (strcmp(g->groups[i], name) == 0)
			return i;
	}
	g->groups = xreallocarray(g->groups, g->ngroups + 1, sizeof *g->groups);
	g->groups[g->ngroups] = xstrdup(name);
	return g->ngroups++;
}

static void
graph_add_member(struct graph_ctx *g, const struct conf_system *s,
    const char *persp, const char *series)
{
	char *path = store_path(g->conf->data_dir, persp, s->id, series);

	if (path == NULL)
		return;
	g->m = xreallocarray(g->m, g->nm + 1, sizeof *g->m);
	g->m[g->nm].system = s->id;
	g->m[g->nm].path = path;
	g->m[g->nm].group = graph_group(g, graph_group_of(g, s));
	g->nm++;
}

/* The cost of no system (the cost feeds' "unallocated"), when there is. */
static void
graph_add_unallocated(struct graph_ctx *g)
{
	struct stat sb;
	char *path =
	    store_path(g->conf->data_dir, "cost", "unallocated", "cost");

	if (path == NULL)
		return;
	if (g->req->system == NULL && stat(path, &sb) != 0) {
		free(path);
		return;
	}
	g->m = xreallocarray(g->m, g->nm + 1, sizeof *g->m);
	g->m[g->nm].system = "unallocated";
	g->m[g->nm].path = path;
	g->m[g->nm].group = graph_group(g, "unallocated");
	g->nm++;
}

/* Is series a series of the system: configured, or a file on disk? */
static int
graph_has_series(const struct graph_ctx *g, const struct conf_system *s,
    const char *persp, const char *series)
{
	char **ids;
	size_t i, n;
	int found = 0;

	for (i = 0; i < s->ninsts; i++) {
		if (strcmp(s->insts[i]->series, series) == 0)
			return 1;
	}
	n = series_list(g->conf->data_dir, persp, s->id, series, &ids);
	for (i = 0; i < n; i++) {
		if (strcmp(ids[i], series) == 0)
			found = 1;
		free(ids[i]);
	}
	free(ids);
	return found;
}

/* The smoke preset's series: the system's first icmp one. */
static int
graph_smoke_member(struct graph_ctx *g, const struct conf_system *s)
{
	char *series = graph_quality_series(g->conf, s->id, "icmp");
	struct itf_instance *in = NULL;
	size_t i;

	for (i = 0; series != NULL && i < s->ninsts; i++) {
		if (strcmp(s->insts[i]->series, series) == 0)
			in = s->insts[i];
	}
	if (in == NULL || in->tmpl == NULL ||
	    strcmp(in->tmpl->name, "icmp") != 0) {
		snprintf(g->err, g->errlen, "system %s has no icmp series",
		    s->id);
		free(series);
		return -1;
	}
	graph_add_member(g, s, "quality", series);
	free(series);
	return 0;
}

/* The files of one system for the preset. */
static int
graph_members_of(struct graph_ctx *g, const struct conf_system *s)
{
	const struct graph_preset *preset = graph_preset_find(g->req->preset);
	const char *persp = preset->perspective;
	char *series, **ids;
	size_t i, n;

	if (g->req->series != NULL) {
		if (!graph_has_series(g, s, persp, g->req->series)) {
			if (g->req->by != NULL)
				return 0;
			snprintf(g->err, g->errlen,
			    "system %s has no %s series \"%s\"", s->id, persp,
			    g->req->series);
			return -1;
		}
		graph_add_member(g, s, persp, g->req->series);
		return 0;
	}
	if (preset->kind == GRAPH_SMOKE)
		return graph_smoke_member(g, s);
	if (preset->kind == GRAPH_BENEFIT) {
		graphbenefit_members(g, s, graph_group_of(g, s));
		return 0;
	}
	if (strcmp(persp, "quality") == 0) {
		series = graph_quality_series(g->conf, s->id,
		    preset->kind == GRAPH_RESPONSE ? "http" : NULL);
		if (series != NULL)
			graph_add_member(g, s, persp, series);
		free(series);
	} else if (strcmp(persp, "maturity") == 0) {
		n = series_list(g->conf->data_dir, persp, s->id, "licence-",
		    &ids);
		for (i = 0; i < n; i++) {
			graph_add_member(g, s, persp, ids[i]);
			free(ids[i]);
		}
		free(ids);
	} else
		graph_add_member(g, s, persp, "cost");
	/* A system with nothing still has its group (an empty column). */
	graph_group(g, graph_group_of(g, s));
	return 0;
}

static int
graph_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
graph_members(struct graph_ctx *g)
{
	const struct graph_req *req = g->req;
	struct conf_system *s;
	size_t i;

	if (req->system != NULL && strncmp(req->preset, "cost", 4) == 0 &&
	    strcmp(req->system, "unallocated") == 0) {
		graph_add_unallocated(g);
		return 0;
	}
	if (req->system != NULL) {
		if ((s = conf_find_system(g->conf, req->system)) == NULL) {
			snprintf(g->err, g->errlen,
			    "unknown system \"%s\" (not in %s)", req->system,
			    g->conf->file);
			return -1;
		}
		return graph_members_of(g, s);
	}
	for (i = 0; i < g->conf->nsystems; i++) {
		if (graph_members_of(g, g->conf->systems[i]) != 0)
			return -1;
	}
	/* What no system was charged for: its own group, so the stacks add
	 * up to what the feeds hold. */
	if (strcmp(req->preset, "cost") == 0)
		graph_add_unallocated(g);
	return 0;
}

/* Groups in name order, members renumbered to match. */
static void
graph_sort_groups(struct graph_ctx *g)
{
	char **old = xcalloc(g->ngroups + 1, sizeof *old);
	size_t i, k;

	memcpy(old, g->groups, g->ngroups * sizeof *old);
	qsort(g->groups, g->ngroups, sizeof *g->groups, graph_cmp_str);
	for (i = 0; i < g->nm; i++) {
		for (k = 0; k < g->ngroups; k++) {
			if (g->groups[k] == old[g->m[i].group]) {
				g->m[i].group = k;
				break;
			}
		}
	}
	free(old);
}

int
graph_fetch_all(struct graph_ctx *g, const char *cf, unsigned long want,
    int exact, struct series_rows *rows, unsigned long *step)
{
	char *cause = NULL;
	size_t i;
	int r;

	*step = 0;
	for (i = 0; i < g->nm; i++) {
		r = series_fetch(g->m[i].path, cf, g->req->period.from,
		    g->req->period.to, *step ? *step : want, &rows[i], &cause);
		if (r < 0) {
			snprintf(g->err, g->errlen, "%s", cause);
			free(cause);
			return -1;
		}
		if (r == 1 || rows[i].nrows == 0)
			continue;
		series_fill_last(g->m[i].path, &rows[i]);
		if (*step == 0 && (!exact || rows[i].step == want))
			*step = rows[i].step;
		if (rows[i].step != (*step ? *step : want)) {
			chart_note(g->c, "%s left out: it keeps no %lus rows",
			    g->m[i].path, *step ? *step : want);
			series_rows_free(&rows[i]);
		}
	}
	if (*step == 0)
		*step = want;
	return 0;
}

void
graph_time_rows(struct chart *c, const struct tz *z, unsigned long step)
{
	time_t t;
	char when[32];

	c->from -= c->from % (time_t)step;
	for (t = c->from; t < c->to; t += (time_t)step) {
		tz_iso(z, t, when, sizeof when);
		chart_add_row(c, when, t, t + (time_t)step);
	}
}

unsigned long
graph_want_step(const struct graph_req *req, unsigned long min)
{
	unsigned long want =
	    (unsigned long)(req->period.to - req->period.from) /
	    (req->rows > 0 ? req->rows : GRAPH_ROWS);

	return want < min ? min : want;
}

double
graph_mean(const struct graph_ctx *g, const struct series_rows *rows,
    size_t group, const char *ds, time_t t, double k)
{
	double sum = 0, v;
	size_t i, n = 0;

	for (i = 0; i < g->nm; i++) {
		if (g->m[i].group != group)
			continue;
		v = series_at(&rows[i], series_ds(&rows[i], ds), t);
		if (!isnan(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum / (double)n * k : NAN;
}

static double
graph_sum(const struct graph_ctx *g, const struct series_rows *rows,
    size_t group, const char *ds, time_t t)
{
	double sum = 0, v;
	size_t i, n = 0;

	for (i = 0; i < g->nm; i++) {
		if (g->m[i].group != group)
			continue;
		v = series_at(&rows[i], series_ds(&rows[i], ds), t);
		if (!isnan(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum : NAN;
}

static void
graph_response(struct graph_ctx *g, struct series_rows *rows)
{
	static const char *const phases[] = { "dns", "connect", "tls", "ttfb",
		"total" };
	struct chart *c = g->c;
	size_t r, k;

	c->decimals = 3;
	snprintf(c->vlabel, sizeof c->vlabel, "milliseconds");
	for (r = 0; r < c->nrows; r++) {
		for (k = 0; k < c->ncols; k++) {
			chart_set(c, r, k,
			    graph_mean(g, rows, g->req->by ? k : 0,
			        g->req->by ? "total" : phases[k], c->starts[r],
			        1000));
		}
	}
}

static void
graph_licence(struct graph_ctx *g, struct series_rows *rows)
{
	struct chart *c = g->c;
	double used, issued, su, si;
	size_t r, k;
	char num[64];

	c->decimals = g->req->by ? 3 : 2;
	if (g->req->by != NULL) {
		c->percent = 1;
		snprintf(c->vlabel, sizeof c->vlabel, "utilisation %%");
	} else
		snprintf(c->vlabel, sizeof c->vlabel, "licences");
	for (k = 0; k < g->ngroups; k++) {
		su = si = 0;
		for (r = 0; r < c->nrows; r++) {
			used = graph_sum(g, rows, k, "in_use", c->starts[r]);
			issued = graph_sum(g, rows, k, "issued", c->starts[r]);
			if (g->req->by != NULL)
				chart_set(c, r, k,
				    issued > 0 ? used / issued * 100 : NAN);
			else {
				chart_set(c, r, 0, used);
				chart_set(c, r, 1, issued);
			}
			if (!isnan(used) && !isnan(issued)) {
				su += used;
				si += issued;
			}
		}
		c->decimals = 3;
		chart_fmt(c, si > 0 ? su / si * 100 : NAN, num, sizeof num);
		c->decimals = g->req->by ? 3 : 2;
		chart_note(c, "utilisation %s: %s %%", g->groups[k],
		    num[0] ? num : "unknown");
	}
}

/*
 * Smokeping's picture of one icmp series: the spread shaded from min to
 * max, the median over it coloured by the loss (chart.c draws both from
 * the columns' styles). Round trips in ms; each row the mean of the runs
 * it holds, figure by figure.
 */
static void
graph_smoke(struct graph_ctx *g, struct series_rows *rows)
{
	static const char *const ds[] = { "min", "p10", "p25", "median", "p75",
		"p90", "max", "loss" };
	struct chart *c = g->c;
	double v, sum[2] = { 0, 0 };
	size_t r, k, n[2] = { 0, 0 };
	char num[64];

	c->decimals = 3;
	snprintf(c->vlabel, sizeof c->vlabel, "milliseconds");
	for (r = 0; r < c->nrows; r++) {
		for (k = 0; k < 8; k++) {
			v = graph_mean(g, rows, 0, ds[k], c->starts[r],
			    k == 7 ? 1 : 1000);
			chart_set(c, r, k, v);
			if (!isnan(v) && (k == 3 || k == 7)) {
				sum[k == 7] += v;
				n[k == 7]++;
			}
		}
	}
	chart_fmt(c, n[0] ? sum[0] / (double)n[0] : NAN, num, sizeof num);
	chart_note(c, "median %s: %s ms (mean of the known rows)", g->groups[0],
	    n[0] ? num : "unknown");
	chart_fmt(c, n[1] ? sum[1] / (double)n[1] : NAN, num, sizeof num);
	chart_note(c, "loss %s: %s %% (mean of the known rows)", g->groups[0],
	    n[1] ? num : "unknown");
}

static void
graph_columns(struct graph_ctx *g)
{
	enum graph_kind kind = graph_kind(g->req);
	size_t k;

	if (kind == GRAPH_RESPONSE && g->req->by == NULL) {
		chart_add_col(g->c, "dns", CHART_AREA);
		chart_add_col(g->c, "connect", CHART_STACK);
		chart_add_col(g->c, "tls", CHART_STACK);
		chart_add_col(g->c, "ttfb", CHART_STACK);
		chart_add_col(g->c, "total", CHART_LINE);
		return;
	}
	if (kind == GRAPH_SMOKE) {
		chart_add_col(g->c, "min", CHART_SMOKE);
		chart_add_col(g->c, "p10", CHART_SMOKE);
		chart_add_col(g->c, "p25", CHART_SMOKE);
		chart_add_col(g->c, "median", CHART_LOSS_LINE);
		chart_add_col(g->c, "p75", CHART_SMOKE);
		chart_add_col(g->c, "p90", CHART_SMOKE);
		chart_add_col(g->c, "max", CHART_SMOKE);
		chart_add_col(g->c, "loss", CHART_LOSS);
		return;
	}
	if (kind == GRAPH_LICENCE && g->req->by == NULL) {
		chart_add_col(g->c, "in_use", CHART_AREA);
		chart_add_col(g->c, "issued", CHART_LINE);
		return;
	}
	for (k = 0; k < g->ngroups; k++)
		chart_add_col(g->c, g->groups[k], CHART_LINE);
}

/* "Availability of portal, 2026 Q1" or "Licences by owner, ...". */
static void
graph_title(const struct graph_req *req, const struct tz *z, char *buf,
    size_t len)
{
	const char *name = graph_preset_find(req->preset)->title;
	char when[96];

	if (graph_kind(req) == GRAPH_LICENCE && req->by != NULL)
		name = "Licence utilisation";
	period_title(&req->period, z, when, sizeof when);
	snprintf(buf, len, "%s %s %s, %s", name, req->system ? "of" : "by",
	    req->system ? req->system : req->by, when);
}

static int
graph_check(const struct graph_req *req, char *err, size_t errlen)
{
	static const char *const bys[] = { "category", "portfolio", "owner",
		"perspective", NULL };
	size_t i;

	const struct graph_preset *p = graph_preset_find(req->preset);
	char names[256];

	if (p == NULL) {
		graph_preset_names(names, sizeof names);
		snprintf(err, errlen, "unknown preset \"%s\" (%s)",
		    req->preset ? req->preset : "", names);
		return -1;
	}
	if (p->one_system && req->by != NULL) {
		snprintf(err, errlen,
		    "smoke draws one system's icmp series: give --system");
		return -1;
	}
	if ((req->system == NULL) == (req->by == NULL)) {
		snprintf(err, errlen, "give --system ID or --by GROUPING");
		return -1;
	}
	for (i = 0; req->by != NULL && bys[i] != NULL; i++) {
		if (strcmp(req->by, bys[i]) == 0)
			break;
	}
	if (req->by != NULL && bys[i] == NULL) {
		snprintf(err, errlen,
		    "unknown grouping \"%s\" (category, portfolio, owner, perspective)",
		    req->by);
		return -1;
	}
	if (req->per != NULL && strcmp(req->per, "month") != 0 &&
	    strcmp(req->per, "quarter") != 0) {
		snprintf(err, errlen, "--per is month or quarter, not \"%s\"",
		    req->per);
		return -1;
	}
	if (req->series != NULL && !ident_valid(req->series)) {
		snprintf(err, errlen, "bad series id \"%s\"", req->series);
		return -1;
	}
	if (req->period.to <= req->period.from) {
		snprintf(err, errlen, "the period ends before it starts");
		return -1;
	}
	return 0;
}

static void
graph_ctx_free(struct graph_ctx *g, struct series_rows *a,
    struct series_rows *b)
{
	size_t i;

	for (i = 0; i < g->nm; i++) {
		if (a != NULL)
			series_rows_free(&a[i]);
		if (b != NULL)
			series_rows_free(&b[i]);
		free(g->m[i].path);
	}
	free(a);
	free(b);
	free(g->m);
	for (i = 0; i < g->ngroups; i++)
		free(g->groups[i]);
	free(g->groups);
}

int
graph_build(const struct conf *conf, const struct graph_req *req,
    struct chart **out, char *err, size_t errlen)
{
	struct graph_ctx g;
	struct graph_req day;
	struct series_rows *rows = NULL;
	const char *p = req->preset;
	enum graph_kind kind;
	char title[200];
	unsigned long step;
	int rc = GRAPH_FAIL;

	*out = NULL;
	if (graph_check(req, err, errlen) != 0)
		return GRAPH_BADREQ;
	kind = graph_kind(req);
	memset(&g, 0, sizeof g);
	g.conf = conf;
	g.req = req;
	/* Cost and benefit are by the day: whole local days, so buckets are
	 * whole days too (and hold the billing days of their dates,
	 * costs.h). */
	if (graph_preset_bars(p)) {
		day = *req;
		period_whole_days(&req->period, conf->tz, &day.period);
		g.req = req = &day;
	}
	g.err = err;
	g.errlen = errlen;
	if (graph_members(&g) != 0) {
		graph_ctx_free(&g, NULL, NULL);
		return GRAPH_BADREQ;
	}
	graph_sort_groups(&g);
	graph_title(req, conf->tz, title, sizeof title);
	g.c = chart_new(title, req->period.from, req->period.to);
	if (conf->tz != NULL)
		chart_note(g.c, "times in %s", tz_name(conf->tz));
	if (graph_preset_bars(p)) {
		if ((kind == GRAPH_BENEFIT ? graphbenefit_build(&g)
		                           : graphcost_build(&g)) == 0) {
			*out = g.c;
			g.c = NULL;
			rc = GRAPH_OK;
		}
		goto out;
	}
	rows = xcalloc(g.nm + 1, sizeof *rows);
	if (graph_fetch_all(&g, "AVERAGE", graph_want_step(req, 60), 0, rows,
	        &step) != 0)
		goto out;
	if (kind == GRAPH_AVAILABILITY) {
		if (graphavail_build(&g, rows, step) != 0)
			goto out;
	} else {
		graph_columns(&g);
		graph_time_rows(g.c, conf->tz, step);
		if (kind == GRAPH_RESPONSE)
			graph_response(&g, rows);
		else if (kind == GRAPH_SMOKE)
			graph_smoke(&g, rows);
		else
			graph_licence(&g, rows);
	}
	*out = g.c;
	g.c = NULL;
	rc = GRAPH_OK;
out:
	chart_free(g.c);
	graph_ctx_free(&g, rows, NULL);
	return rc;
}
