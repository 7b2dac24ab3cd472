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
#include "ident.h"
#include "journal.h"
#include "span.h"
#include "series.h"
#include "store_rrd.h"
#include "log.h"
#include "tool.h"
#include "xmalloc.h"

/* Rows a time chart aims for: one per pixel or two of a wide graph. */
#define GRAPH_ROWS 600

static const char *const graph_presets[] = { "availability", "response",
	"licence", "cost", "cost-per-user", NULL };

/* One system's series file, and the group its values go to. */
struct graph_member {
	const char *system;
	char *path;
	size_t group;
};

struct graph_ctx {
	const struct conf *conf;
	const struct graph_req *req;
	struct chart *c;
	char **groups;
	size_t ngroups;
	struct graph_member *m;
	size_t nm;
	char *err;
	size_t errlen;
};

int
graph_preset_valid(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && graph_presets[i] != NULL; i++) {
		if (strcmp(name, graph_presets[i]) == 0)
			return 1;
	}
	return 0;
}

static const char *
graph_perspective(const char *preset)
{
	if (strcmp(preset, "availability") == 0 ||
	    strcmp(preset, "response") == 0)
		return "quality";
	if (strcmp(preset, "licence") == 0)
		return "maturity";
	return "cost";
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
	return graph_perspective(g->req->preset);
}

static size_t
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

/* The files of one system for the preset. */
static int
graph_members_of(struct graph_ctx *g, const struct conf_system *s)
{
	const char *preset = g->req->preset, *persp;
	char *series, **ids;
	size_t i, n;

	persp = graph_perspective(preset);
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
	if (strcmp(persp, "quality") == 0) {
		series = graph_quality_series(g->conf, s->id,
		    strcmp(preset, "response") == 0 ? "http" : NULL);
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

/*
 * Fetch every member at one step. The first file decides the step; a file
 * that cannot give it is left out with a warning in the chart's notes.
 */
static int
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

/* Rows [t, t + step) over the period, labelled with their start. */
static void
graph_time_rows(struct chart *c, unsigned long step)
{
	time_t t;
	char when[32];

	c->from -= c->from % (time_t)step;
	for (t = c->from; t < c->to; t += (time_t)step) {
		period_iso(t, when, sizeof when);
		chart_add_row(c, when, t, t + (time_t)step);
	}
}

static unsigned long
graph_want_step(const struct period *p)
{
	unsigned long want = (unsigned long)(p->to - p->from) / GRAPH_ROWS;

	return want < 60 ? 60 : want;
}

/* Mean over the row's known values of ds in the group's members, times k. */
static double
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

/*
 * One system's outages from the journal, when there is one: its rows
 * that meet an outage are shaded, and each outage is a note.
 */
static void
graph_journal_outages(struct graph_ctx *g)
{
	struct chart *c = g->c;
	struct journal_outage *o = NULL;
	struct spans known = { NULL, 0, 0 };
	char *cause = NULL, a[32], b[32];
	size_t n = 0, i, r;
	time_t end;

	if (!journal_exists(g->conf))
		return;
	if (journal_read_system(g->conf, g->req->system, c->from, c->to, &known,
	        &o, &n, &cause) != 0) {
		chart_note(c, "journal: %s", cause);
		free(cause);
		span_free(&known);
		return;
	}
	c->outage = xcalloc(c->nrows + 1, 1);
	for (i = 0; i < n; i++) {
		end = o[i].end != 0 ? o[i].end : time(NULL);
		for (r = 0; r < c->nrows; r++) {
			if (c->starts[r] < end && o[i].start < c->ends[r])
				c->outage[r] = 1;
		}
		period_iso(o[i].start, a, sizeof a);
		if (o[i].end != 0)
			period_iso(o[i].end, b, sizeof b);
		chart_note(c, "outage %s %s..%s (%s%s)", o[i].series, a,
		    o[i].end != 0 ? b : "open", o[i].reason,
		    o[i].planned ? ", planned" : "");
	}
	free(o);
	span_free(&known);
}

static void
graph_availability(struct graph_ctx *g, struct series_rows *rows)
{
	struct chart *c = g->c;
	size_t r, k, n;
	double sum, v;
	char num[64];

	c->percent = 1;
	c->decimals = 3;
	snprintf(c->vlabel, sizeof c->vlabel, "availability %%");
	for (r = 0; r < c->nrows; r++) {
		for (k = 0; k < g->ngroups; k++) {
			chart_set(c, r, k,
			    graph_mean(g, rows, k, "up", c->starts[r], 100));
		}
	}
	if (g->ngroups == 1)
		c->shade = 0;
	if (g->req->system != NULL)
		graph_journal_outages(g);
	for (k = 0; k < g->ngroups; k++) {
		sum = 0;
		n = 0;
		for (r = 0; r < c->nrows; r++) {
			if (!isnan(v = chart_get(c, r, k))) {
				sum += v;
				n++;
			}
		}
		chart_fmt(c, n ? sum / (double)n : NAN, num, sizeof num);
		chart_note(c, "availability %s: %s %%", g->groups[k],
		    n ? num : "unknown");
	}
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

/* The calendar buckets (months or quarters) that meet the period. */
static void
graph_buckets(struct chart *c, int quarters)
{
	struct tm tm;
	time_t t = c->from, end;
	int y, m;
	char label[32];

	c->bars = 1;
	while (t < c->to) {
		gmtime_r(&t, &tm);
		y = tm.tm_year + 1900;
		m = quarters ? tm.tm_mon / 3 * 3 + 1 : tm.tm_mon + 1;
		if (quarters)
			snprintf(label, sizeof label, "%dQ%d", y, (m + 2) / 3);
		else
			snprintf(label, sizeof label, "%d-%02d", y, m);
		m += quarters ? 3 : 1;
		end = period_days_from_civil(m > 12 ? y + 1 : y,
		    m > 12 ? m - 12 : m, 1);
		if (end > c->to)
			end = c->to;
		chart_add_row(c, label, t, end);
		t = end;
	}
}

/* Sum of the known daily values of ds of one member in [from, to). */
static double
graph_days(const struct series_rows *rows, const char *ds, time_t from,
    time_t to, size_t *known)
{
	double sum = 0, v;
	time_t t;
	int idx = series_ds(rows, ds);

	*known = 0;
	for (t = from; t < to; t += 86400) {
		if (!isnan(v = series_at(rows, idx, t))) {
			sum += v;
			(*known)++;
		}
	}
	return sum;
}

static void
graph_cost(struct graph_ctx *g, struct series_rows *cost,
    struct series_rows *users)
{
	struct chart *c = g->c;
	double *sums = xcalloc(g->ngroups, sizeof *sums);
	double *heads = xcalloc(g->ngroups, sizeof *heads), v;
	size_t *known = xcalloc(g->ngroups, sizeof *known), r, i, k, n;
	char num[64];

	snprintf(c->vlabel, sizeof c->vlabel,
	    users != NULL ? "cost per user" : "cost");
	for (r = 0; r < c->nrows; r++) {
		memset(sums, 0, g->ngroups * sizeof *sums);
		memset(heads, 0, g->ngroups * sizeof *heads);
		memset(known, 0, g->ngroups * sizeof *known);
		for (i = 0; i < g->nm; i++) {
			k = g->m[i].group;
			v = graph_days(&cost[i], "cost", c->starts[r],
			    c->ends[r], &n);
			sums[k] += v;
			known[k] += n;
			if (users == NULL)
				continue;
			v = graph_days(&users[i], "users", c->starts[r],
			    c->ends[r], &n);
			if (n > 0)
				heads[k] += v / (double)n;
		}
		for (k = 0; k < g->ngroups; k++) {
			if (known[k] == 0)
				continue;
			if (users == NULL)
				chart_set(c, r, k, sums[k]);
			else if (heads[k] > 0)
				chart_set(c, r, k, sums[k] / heads[k]);
		}
	}
	for (k = 0; users == NULL && k < g->ngroups; k++) {
		v = 0;
		n = 0;
		for (r = 0; r < c->nrows; r++) {
			if (!isnan(chart_get(c, r, k))) {
				v += chart_get(c, r, k);
				n++;
			}
		}
		chart_fmt(c, n ? v : NAN, num, sizeof num);
		chart_note(c, "total %s: %s", g->groups[k],
		    n ? num : "unknown");
	}
	if (users != NULL)
		chart_note(c,
		    "cost per user: the quarter's cost / the mean "
		    "of its daily users");
	free(sums);
	free(heads);
	free(known);
}

static void
graph_columns(struct graph_ctx *g)
{
	const char *p = g->req->preset;
	size_t k;

	if (strcmp(p, "response") == 0 && g->req->by == NULL) {
		chart_add_col(g->c, "dns", CHART_AREA);
		chart_add_col(g->c, "connect", CHART_STACK);
		chart_add_col(g->c, "tls", CHART_STACK);
		chart_add_col(g->c, "ttfb", CHART_STACK);
		chart_add_col(g->c, "total", CHART_LINE);
		return;
	}
	if (strcmp(p, "licence") == 0 && g->req->by == NULL) {
		chart_add_col(g->c, "in_use", CHART_AREA);
		chart_add_col(g->c, "issued", CHART_LINE);
		return;
	}
	for (k = 0; k < g->ngroups; k++) {
		if (strncmp(p, "cost", 4) == 0)
			chart_add_col(g->c, g->groups[k],
			    k && strcmp(p, "cost") == 0 ? CHART_STACK
			                                : CHART_AREA);
		else
			chart_add_col(g->c, g->groups[k], CHART_LINE);
	}
	/* Cost per user of several groups: side by side as lines. */
	if (strcmp(p, "cost-per-user") == 0 && g->ngroups > 1) {
		for (k = 0; k < g->ngroups; k++)
			g->c->styles[k] = CHART_LINE;
	}
}

static int
graph_check(const struct graph_req *req, char *err, size_t errlen)
{
	static const char *const bys[] = { "category", "portfolio", "owner",
		"perspective", NULL };
	size_t i;

	if (!graph_preset_valid(req->preset)) {
		snprintf(err, errlen,
		    "unknown preset \"%s\" (availability, response, licence, "
		    "cost, cost-per-user)",
		    req->preset ? req->preset : "");
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
		    "unknown grouping \"%s\" (category, portfolio, owner, "
		    "perspective)",
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

/* The users series beside each member's cost series. */
static int
graph_users(struct graph_ctx *g, struct series_rows *users)
{
	char *cause = NULL, *path;
	size_t i;
	int r;

	for (i = 0; i < g->nm; i++) {
		path = store_path(g->conf->data_dir, "cost", g->m[i].system,
		    "users");
		r = series_fetch(path, "AVERAGE", g->req->period.from,
		    g->req->period.to, 86400, &users[i], &cause);
		free(path);
		if (r < 0) {
			snprintf(g->err, g->errlen, "%s", cause);
			free(cause);
			return -1;
		}
		if (r == 0 && users[i].step != 86400)
			series_rows_free(&users[i]);
	}
	return 0;
}

int
graph_build(const struct conf *conf, const struct graph_req *req,
    struct chart **out, char *err, size_t errlen)
{
	struct graph_ctx g;
	struct graph_req day;
	struct series_rows *rows = NULL, *users = NULL;
	const char *p = req->preset;
	char title[160];
	unsigned long step;
	int cost, rc = GRAPH_FAIL;

	*out = NULL;
	if (graph_check(req, err, errlen) != 0)
		return GRAPH_BADREQ;
	memset(&g, 0, sizeof g);
	g.conf = conf;
	g.req = req;
	/* Cost is by the day: whole days, so buckets are whole days too. */
	if (strncmp(p, "cost", 4) == 0) {
		day = *req;
		day.period.from -= day.period.from % 86400;
		if (day.period.to % 86400 != 0)
			day.period.to += 86400 - day.period.to % 86400;
		g.req = req = &day;
	}
	g.err = err;
	g.errlen = errlen;
	if (graph_members(&g) != 0) {
		graph_ctx_free(&g, NULL, NULL);
		return GRAPH_BADREQ;
	}
	graph_sort_groups(&g);
	snprintf(title, sizeof title, "%s of %s%s %s", p,
	    req->system ? req->system : "systems by ",
	    req->system ? "," : req->by, req->period.label);
	g.c = chart_new(title, req->period.from, req->period.to);
	cost = strncmp(p, "cost", 4) == 0;
	rows = xcalloc(g.nm + 1, sizeof *rows);
	if (graph_fetch_all(&g, "AVERAGE",
	        cost ? 86400 : graph_want_step(&req->period), cost, rows,
	        &step) != 0)
		goto out;
	graph_columns(&g);
	if (cost) {
		graph_buckets(g.c,
		    strcmp(p, "cost-per-user") == 0 ||
		        (req->per != NULL && strcmp(req->per, "quarter") == 0));
		if (strcmp(p, "cost-per-user") == 0) {
			users = xcalloc(g.nm + 1, sizeof *users);
			if (graph_users(&g, users) != 0)
				goto out;
		}
		graph_cost(&g, rows, users);
	} else {
		graph_time_rows(g.c, step);
		if (strcmp(p, "availability") == 0)
			graph_availability(&g, rows);
		else if (strcmp(p, "response") == 0)
			graph_response(&g, rows);
		else
			graph_licence(&g, rows);
	}
	*out = g.c;
	g.c = NULL;
	rc = GRAPH_OK;
out:
	chart_free(g.c);
	graph_ctx_free(&g, rows, users);
	return rc;
}

static void
graph_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow graph [-c file] PRESET (--system ID | --by "
	    "category|portfolio|owner|perspective)\n"
	    "    [--series S] [--per month|quarter] [--last 24h|7d|30d|1y | "
	    "--quarter 2014Q2 | --month 2014-05 |\n"
	    "    --year 2015 | --from T --to T] [-o FILE] [--format "
	    "png|svg|pdf] [--table csv|json]\n"
	    "    [--width PX] [--height PX]\n"
	    "  PRESET: availability, response, licence, cost, cost-per-user\n");
}

static int
graph_write(const char *file, const void *buf, size_t len)
{
	FILE *f = strcmp(file, "-") == 0 ? stdout : fopen(file, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len) {
		fprintf(stderr, "itfollow: cannot write %s\n", file);
		if (f != NULL && f != stdout)
			fclose(f);
		return -1;
	}
	if (f != stdout && fclose(f) != 0) {
		fprintf(stderr, "itfollow: cannot write %s\n", file);
		return -1;
	}
	return 0;
}

static int
graph_size(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 100 || v > 10000)
		return -1;
	*out = (int)v;
	return 0;
}

int
tool_graph(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, 's' },
		{ "by", required_argument, NULL, 'b' },
		{ "series", required_argument, NULL, 'S' },
		{ "per", required_argument, NULL, 'P' },
		PERIOD_LONGOPTS,
		{ "format", required_argument, NULL, 'F' },
		{ "table", required_argument, NULL, 'T' },
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct period_opts po;
	struct graph_req req;
	struct conf *conf;
	struct chart *c = NULL;
	const char *file = NULL, *out = NULL, *format = NULL, *table = NULL;
	char err[512], *cause = NULL;
	int ch, width = 800, height = 300, rc;
	void *img = NULL;
	size_t len;

	log_open(1, LOG_WARNING);
	memset(&po, 0, sizeof po);
	memset(&req, 0, sizeof req);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			req.system = optarg;
			break;
		case 'b':
			req.by = optarg;
			break;
		case 'S':
			req.series = optarg;
			break;
		case 'P':
			req.per = optarg;
			break;
		case 'F':
			if ((format = chart_format(optarg)) == NULL) {
				fprintf(stderr,
				    "itfollow: --format is png, svg or pdf, "
				    "not \"%s\"\n",
				    optarg);
				return 2;
			}
			break;
		case 'T':
			table = optarg;
			if (strcmp(table, "csv") != 0 &&
			    strcmp(table, "json") != 0) {
				fprintf(stderr,
				    "itfollow: --table is csv or json, not "
				    "\"%s\"\n",
				    table);
				return 2;
			}
			break;
		case 'W':
		case 'H':
			if (graph_size(optarg, ch == 'W' ? &width : &height) !=
			    0) {
				fprintf(stderr,
				    "itfollow: bad size \"%s\" (100 to "
				    "10000 pixels)\n",
				    optarg);
				return 2;
			}
			break;
		default:
			if (period_opt(&po, ch, optarg))
				break;
			graph_usage();
			return 2;
		}
	}
	if (argc - optind != 1 || (out == NULL && table == NULL)) {
		if (argc - optind == 1)
			fprintf(stderr, "itfollow: give -o FILE or --table\n");
		graph_usage();
		return 2;
	}
	req.preset = argv[optind];
	if (!graph_preset_valid(req.preset)) {
		fprintf(stderr,
		    "itfollow: unknown preset \"%s\" (availability, "
		    "response, licence, cost, cost-per-user)\n",
		    req.preset);
		return 2;
	}
	if (format == NULL && out != NULL && strcmp(out, "-") != 0 &&
	    (format = chart_format_of(out)) == NULL) {
		fprintf(stderr,
		    "itfollow: %s: give --format png|svg|pdf or a file "
		    "ending .png, .svg or .pdf\n",
		    out);
		return 2;
	}
	if (format == NULL)
		format = "PNG";
	if (period_from_opts(&po,
	        strncmp(req.preset, "cost", 4) == 0 ? "1y" : "7d", time(NULL),
	        &req.period, err, sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		return 2;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	rc = graph_build(conf, &req, &c, err, sizeof err);
	if (rc != GRAPH_OK) {
		fprintf(stderr, "itfollow: %s\n", err);
		goto done;
	}
	if (table != NULL)
		chart_table(c, table, stdout);
	if (out != NULL) {
		chart_check_fonts();
		if (chart_render(c, format, width, height, &img, &len,
		        &cause) != 0) {
			fprintf(stderr, "itfollow: %s\n", cause);
			free(cause);
			rc = 1;
		} else if (graph_write(out, img, len) != 0)
			rc = 1;
		free(img);
	}
done:
	chart_free(c);
	conf_free(conf);
	return rc;
}
