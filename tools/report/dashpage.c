/*
 * Dashboard pages. Each system shows its current state and its last
 * measured value with the unit (dashvalue.h), its availability over 24
 * hours and 30 days (availability_of: the outage journal where it exists,
 * else the `up` series, as the report and the scorecard), its last 24
 * hours as a sparkline, and on its own page the graphs of what it has:
 * availability, response, licences, learning, benefit, cost. A portfolio
 * page shows its systems; a perspective page the perspective's graphs of
 * every system by portfolio, and its series with their last values. Open
 * outages are known to the running daemon only (d->outage); the static
 * pages say n/a.
 */
#include <jansson.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "availability.h"
#include "chart.h"
#include "conf.h"
#include "dashpage.h"
#include "dashvalue.h"
#include "graph.h"
#include "html.h"
#include "ident.h"
#include "period.h"
#include "series.h"
#include "store_rrd.h"
#include "xmalloc.h"

/* The overview's sparklines, and the graphs of the other pages. */
#define DASHPAGE_SPARK_W 360
#define DASHPAGE_SPARK_H 100
#define DASHPAGE_GRAPH_W 800
#define DASHPAGE_GRAPH_H 250
#define DASHPAGE_BARS_H 360

static const char *const dashpage_lasts[] = { "24h", "7d", "30d", "1y", NULL };
static const char *const dashpage_bys[] = { "category", "portfolio", "owner",
	"perspective", NULL };

static int
dashpage_in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

void
dashpage_graph_path(const struct dashpage_graph *g, int live, char *buf,
    size_t len)
{
	snprintf(buf, len, "%sgraph/%s/%s/%s/%s/%dx%d.png", live ? "/" : "",
	    g->preset, g->scope, g->id, g->last, g->width, g->height);
}

static int
dashpage_size(const char *s, int *w, int *h)
{
	char *end;
	long a, b;

	a = strtol(s, &end, 10);
	if (end == s || *end != 'x')
		return -1;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || strcmp(end, ".png") != 0 || a < 100 || a > 2000 ||
	    b < 100 || b > 2000)
		return -1;
	*w = (int)a;
	*h = (int)b;
	return 0;
}

int
dashpage_parse_graph(const char *path, int live, struct dashpage_graph *out)
{
	char buf[256], *part[7], *p, *save = NULL;
	int n = 0;

	memset(out, 0, sizeof *out);
	if (live && *path++ != '/')
		return -1;
	if (strlen(path) >= sizeof buf || strstr(path, "//") != NULL)
		return -1;
	snprintf(buf, sizeof buf, "%s", path);
	for (p = strtok_r(buf, "/", &save); p != NULL;
	     p = strtok_r(NULL, "/", &save)) {
		if (n == 6)
			return -1;
		part[n++] = p;
	}
	if (n != 6 || strcmp(part[0], "graph") != 0 ||
	    !graph_preset_valid(part[1]) || !ident_valid(part[3]) ||
	    !dashpage_in(part[4], dashpage_lasts) ||
	    dashpage_size(part[5], &out->width, &out->height) != 0)
		return -1;
	if (strcmp(part[2], "by") == 0) {
		if (!dashpage_in(part[3], dashpage_bys))
			return -1;
	} else if (strcmp(part[2], "system") != 0)
		return -1;
	snprintf(out->preset, sizeof out->preset, "%s", part[1]);
	snprintf(out->scope, sizeof out->scope, "%s", part[2]);
	snprintf(out->id, sizeof out->id, "%s", part[3]);
	snprintf(out->last, sizeof out->last, "%s", part[4]);
	/* One spelling per graph ("+100x0100.png" or a trailing '/' is
	 * not it): an alias would miss the cache and render again. */
	dashpage_graph_path(out, 0, buf, sizeof buf);
	if (strcmp(buf, path) != 0)
		return -1;
	return 0;
}

/* Bars of whole quarters: from the start of the first one the period
 * meets. */
static void
dashpage_whole_quarters(struct period *p, const struct tz *z)
{
	struct tm tm;

	tz_local(z, p->from, &tm);
	p->from = tz_utc(z, tm.tm_year + 1900, tm.tm_mon / 3 * 3 + 1, 1, 0);
}

int
dashpage_chart(const struct conf *conf, const struct dashpage_graph *g,
    time_t now, struct chart **out, char *err, size_t errlen)
{
	struct graph_req req;

	*out = NULL;
	memset(&req, 0, sizeof req);
	req.preset = g->preset;
	if (strcmp(g->scope, "system") == 0)
		req.system = g->id;
	else
		req.by = g->id;
	if (strncmp(g->preset, "cost", 4) == 0)
		req.per = "quarter";
	if (period_last(g->last, conf->tz, now, &req.period) != 0) {
		snprintf(err, errlen, "bad period %s", g->last);
		return -1;
	}
	if (graph_preset_bars(g->preset))
		dashpage_whole_quarters(&req.period, conf->tz);
	/* A sparkline's rows are a few pixels wide: a short outage shows. */
	if (g->height < DASHPAGE_COMPACT_H)
		req.rows = (unsigned)g->width / 3;
	if (graph_build(conf, &req, out, err, errlen) != GRAPH_OK)
		return -1;
	(*out)->compact = g->height < DASHPAGE_COMPACT_H;
	return 0;
}

void
dashpage_free(struct dashpage *d)
{
	free(d->graphs);
	d->graphs = NULL;
	d->ngraphs = 0;
}

static void
dashpage_img(struct dashpage *d, FILE *f, const char *preset, const char *scope,
    const char *id, const char *last, int w, int h)
{
	struct dashpage_graph g;
	char path[256], alt[160];
	size_t i;

	memset(&g, 0, sizeof g);
	snprintf(g.preset, sizeof g.preset, "%s", preset);
	snprintf(g.scope, sizeof g.scope, "%s", scope);
	snprintf(g.id, sizeof g.id, "%s", id);
	snprintf(g.last, sizeof g.last, "%s", last);
	g.width = w;
	g.height = h;
	for (i = 0; i < d->ngraphs; i++) {
		if (memcmp(&d->graphs[i], &g, sizeof g) == 0)
			break;
	}
	if (i == d->ngraphs) {
		d->graphs =
		    xreallocarray(d->graphs, d->ngraphs + 1, sizeof *d->graphs);
		d->graphs[d->ngraphs++] = g;
	}
	dashpage_graph_path(&g, d->live, path, sizeof path);
	snprintf(alt, sizeof alt, "%s of %s%s, last %s", preset,
	    strcmp(scope, "by") == 0 ? "systems by " : "", id, last);
	/* Drawn when scrolled to: a page of a thousand systems asks for the
	 * few graphs on screen first. */
	fprintf(f,
	    "<img src=\"%s\" width=\"%d\" height=\"%d\" loading=\"lazy\" alt=\"",
	    path, w, h);
	html_text(f, alt);
	fprintf(f, "\">\n");
}

static void
dashpage_link(const struct dashpage *d, FILE *f, const char *kind,
    const char *id, const char *text)
{
	if (d->live)
		fprintf(f, "<a href=\"/%s/%s\">", kind, id);
	else
		fprintf(f, "<a href=\"%s-%s.html\">", kind, id);
	html_text(f, text);
	fprintf(f, "</a>");
}

static void
dashpage_nav(const struct dashpage *d, FILE *f)
{
	size_t i;

	fprintf(f, "<p><a href=\"%s\">all systems</a>",
	    d->live ? "/" : "index.html");
	for (i = 0; ident_perspectives[i] != NULL; i++) {
		fprintf(f, " | ");
		dashpage_link(d, f, "perspective", ident_perspectives[i],
		    ident_perspectives[i]);
	}
	fprintf(f, "<br>portfolios:");
	for (i = 0; ident_portfolios[i] != NULL; i++) {
		fprintf(f, " ");
		dashpage_link(d, f, "portfolio", ident_portfolios[i],
		    ident_portfolios[i]);
	}
	fprintf(f, "</p>\n");
}

/*
 * Availability over the last 24 h or 30 d: availability_of, as the report
 * has it; the period and the coverage in the cell's title (and data-
 * attributes), so the figure can be checked against the report.
 */
static void
dashpage_avail(const struct dashpage *d, FILE *f, const char *id,
    const char *last)
{
	struct avail a;
	struct period p;
	char err[256], from[32], to[32];

	if (period_last(last, d->conf->tz, d->now, &p) != 0 ||
	    availability_of(d->conf, id, &p, &a, err, sizeof err) != 0) {
		fprintf(f, "<td>-</td>");
		return;
	}
	tz_iso(d->conf->tz, p.from, from, sizeof from);
	tz_iso(d->conf->tz, p.to, to, sizeof to);
	fprintf(f,
	    "<td class=\"avail\" data-from=\"%lld\" data-to=\"%lld\" title=\"%s to %s (%s); %.2f %% of the time known",
	    (long long)p.from, (long long)p.to, from, to, tz_name(d->conf->tz),
	    isnan(a.coverage_pct) ? 0.0 : a.coverage_pct);
	if (a.service_hours && !isnan(a.service_availability_pct))
		fprintf(f, "; %.3f %% within service hours",
		    a.service_availability_pct);
	fprintf(f, "\">");
	if (isnan(a.availability_pct))
		fprintf(f, "-</td>");
	else
		fprintf(f, "%.3f %%</td>", a.availability_pct);
}

static void
dashpage_row(struct dashpage *d, FILE *f, const struct conf_system *s)
{
	struct dashvalue v;
	const char *state;
	char when[32] = "nothing stored";

	state = dashvalue_system(d->conf, s->id, d->now, &v);
	if (v.when > 0)
		tz_iso(d->conf->tz, v.when, when, sizeof when);
	fprintf(f, "<tr><td>");
	dashpage_link(d, f, "system", s->id, s->name ? s->name : s->id);
	fprintf(f, "</td><td>");
	html_text(f, s->owner ? s->owner : "-");
	fprintf(f,
	    "</td><td class=\"%s\">%s</td><td class=\"value\" title=\"%s\">",
	    state, state, when);
	html_text(f, v.text);
	fprintf(f, "</td>");
	dashpage_avail(d, f, s->id, "24h");
	dashpage_avail(d, f, s->id, "30d");
	if (d->outage == NULL)
		fprintf(f,
		    "<td title=\"open outages are known to the running daemon\">n/a</td><td>");
	else {
		const char *o = d->outage(d, s->id);

		fprintf(f, "<td class=\"%s\">", o ? "down" : "up");
		html_text(f, o ? o : "none");
		fprintf(f, "</td><td>");
	}
	dashpage_img(d, f, "availability", "system", s->id, "24h",
	    DASHPAGE_SPARK_W, DASHPAGE_SPARK_H);
	fprintf(f, "</td></tr>\n");
}

static const char dashpage_thead[] =
    "<table>\n<tr><th>system</th><th>owner</th><th>state</th><th>last value</th><th>availability 24 h</th><th>availability 30 d</th><th>open outages</th><th>last 24 h</th></tr>\n";

/* A portfolio's systems, a table per category (none: nothing). */
static void
dashpage_tables(struct dashpage *d, FILE *f, const char *portfolio)
{
	const struct conf_system *s;
	size_t c, i;
	int any;

	for (c = 0; ident_categories[c] != NULL; c++) {
		any = 0;
		for (i = 0; i < d->conf->nsystems; i++) {
			s = d->conf->systems[i];
			if (strcmp(s->portfolio, portfolio) ||
			    strcmp(s->category, ident_categories[c]))
				continue;
			if (!any) {
				fprintf(f, "<h2>");
				dashpage_link(d, f, "portfolio", portfolio,
				    portfolio);
				fprintf(f, ": %s</h2>\n%s", ident_categories[c],
				    dashpage_thead);
			}
			any = 1;
			dashpage_row(d, f, s);
		}
		if (any)
			fprintf(f, "</table>\n");
	}
}

void
dashpage_index(struct dashpage *d, FILE *f)
{
	size_t p;

	html_head(f, "itfollow: every system", d->live ? d->refresh : 0);
	dashpage_nav(d, f);
	for (p = 0; ident_portfolios[p] != NULL; p++)
		dashpage_tables(d, f, ident_portfolios[p]);
	html_foot(f);
}

/* How many series system id has in persp ("learning": maturity's that
 * are no licences), prefix ("" all) matched. */
static size_t
dashpage_count(const struct dashpage *d, const char *persp, const char *id,
    const char *prefix)
{
	int learning = strcmp(persp, "learning") == 0;
	char **ids;
	size_t i, n, k = 0;

	n = series_list(d->conf->data_dir, learning ? "maturity" : persp, id,
	    prefix, &ids);
	for (i = 0; i < n; i++) {
		if (!learning || strncmp(ids[i], "licence-", 8) != 0)
			k++;
		free(ids[i]);
	}
	free(ids);
	return k;
}

/* Does any system have series of persp? */
static int
dashpage_any(const struct dashpage *d, const char *persp)
{
	size_t i;

	for (i = 0; i < d->conf->nsystems; i++) {
		if (dashpage_count(d, persp, d->conf->systems[i]->id, "") > 0)
			return 1;
	}
	return 0;
}

/* Does the system's response graph have times: an http or tcp probe? */
static int
dashpage_has_response(const struct dashpage *d, const struct conf_system *s)
{
	char *series = graph_quality_series(d->conf, s->id, "http");
	size_t i;
	int yes = 0;

	for (i = 0; series != NULL && i < s->ninsts; i++) {
		if (strcmp(s->insts[i]->series, series) == 0 &&
		    s->insts[i]->tmpl != NULL &&
		    (strcmp(s->insts[i]->tmpl->name, "http") == 0 ||
		        strcmp(s->insts[i]->tmpl->name, "tcp") == 0))
			yes = 1;
	}
	free(series);
	return yes;
}

/* The graphs of one system, each only when the system has its series. */
static void
dashpage_system_graphs(struct dashpage *d, FILE *f, const struct conf_system *s,
    int all)
{
	static const char *const benefits[] = { "learning", "external-benefit",
		"internal-benefit" };
	char *q = graph_quality_series(d->conf, s->id, NULL);
	size_t i;

	if (q != NULL && all) {
		dashpage_img(d, f, "availability", "system", s->id, "24h",
		    DASHPAGE_GRAPH_W, DASHPAGE_GRAPH_H);
		dashpage_img(d, f, "availability", "system", s->id, "30d",
		    DASHPAGE_GRAPH_W, DASHPAGE_GRAPH_H);
	}
	free(q);
	if (dashpage_has_response(d, s))
		dashpage_img(d, f, "response", "system", s->id, "24h",
		    DASHPAGE_GRAPH_W, DASHPAGE_GRAPH_H);
	if (all && dashpage_count(d, "maturity", s->id, "licence-") > 0)
		dashpage_img(d, f, "licence", "system", s->id, "24h",
		    DASHPAGE_GRAPH_W, DASHPAGE_GRAPH_H);
	for (i = 0; all && i < sizeof benefits / sizeof benefits[0]; i++) {
		if (dashpage_count(d, benefits[i], s->id, "") > 0)
			dashpage_img(d, f, benefits[i], "system", s->id, "1y",
			    DASHPAGE_GRAPH_W, DASHPAGE_BARS_H);
	}
	if (dashpage_count(d, "cost", s->id, "cost") == 0)
		return;
	dashpage_img(d, f, "cost", "system", s->id, "1y", DASHPAGE_GRAPH_W,
	    DASHPAGE_BARS_H);
	if (all && dashpage_count(d, "cost", s->id, "users") > 0)
		dashpage_img(d, f, "cost-per-user", "system", s->id, "1y",
		    DASHPAGE_GRAPH_W, DASHPAGE_BARS_H);
}

int
dashpage_system(struct dashpage *d, FILE *f, const char *id)
{
	const struct conf_system *s;
	char title[128];
	size_t i;

	if (!ident_valid(id) || (s = conf_find_system(d->conf, id)) == NULL)
		return -1;
	snprintf(title, sizeof title, "itfollow: %s", s->name ? s->name : id);
	html_head(f, title, d->live ? d->refresh : 0);
	dashpage_nav(d, f);
	fprintf(f, "<p>id %s, portfolio ", s->id);
	dashpage_link(d, f, "portfolio", s->portfolio, s->portfolio);
	fprintf(f, ", category %s, owner ", s->category);
	html_text(f, s->owner ? s->owner : "-");
	fprintf(f, "</p>\n%s", dashpage_thead);
	dashpage_row(d, f, s);
	fprintf(f, "</table>\n<p>series:");
	for (i = 0; i < s->ninsts; i++)
		fprintf(f, " %s (%s)", s->insts[i]->series,
		    s->insts[i]->perspective);
	fprintf(f, "</p>\n");
	dashpage_system_graphs(d, f, s, 1);
	html_foot(f);
	return 0;
}

int
dashpage_portfolio(struct dashpage *d, FILE *f, const char *p)
{
	const struct conf_system *s;
	char title[128];
	size_t i;

	if (!ident_valid_portfolio(p))
		return -1;
	snprintf(title, sizeof title, "itfollow: portfolio %s", p);
	html_head(f, title, d->live ? d->refresh : 0);
	dashpage_nav(d, f);
	dashpage_tables(d, f, p);
	for (i = 0; i < d->conf->nsystems; i++) {
		s = d->conf->systems[i];
		if (strcmp(s->portfolio, p) != 0)
			continue;
		fprintf(f, "<h3>");
		dashpage_link(d, f, "system", s->id, s->name ? s->name : s->id);
		fprintf(f, "</h3>\n");
		dashpage_system_graphs(d, f, s, 0);
	}
	html_foot(f);
	return 0;
}

/* Every series of a perspective with its last values. */
static void
dashpage_series_table(struct dashpage *d, FILE *f, const char *persp)
{
	char **ids, *path, **names, **data, num[64];
	unsigned long nds, k;
	size_t i, j, n;
	time_t t;

	fprintf(f,
	    "<table>\n<tr><th>system</th><th>series</th><th>last values</th></tr>\n");
	for (i = 0; i < d->conf->nsystems; i++) {
		n = series_list(d->conf->data_dir, persp,
		    d->conf->systems[i]->id, "", &ids);
		for (j = 0; j < n; j++) {
			path = store_path(d->conf->data_dir, persp,
			    d->conf->systems[i]->id, ids[j]);
			fprintf(f, "<tr><td>");
			dashpage_link(d, f, "system", d->conf->systems[i]->id,
			    d->conf->systems[i]->id);
			fprintf(f, "</td><td>%s</td><td>", ids[j]);
			rrd_clear_error();
			if (rrd_lastupdate_r(path, &t, &nds, &names, &data) ==
			    0) {
				for (k = 0; k < nds; k++) {
					dashvalue_fmt(data[k], num, sizeof num);
					fprintf(f, "%s=", names[k]);
					html_text(f, num);
					fprintf(f, " ");
					free(names[k]);
					free(data[k]);
				}
				free(names);
				free(data);
			}
			fprintf(f, "</td></tr>\n");
			free(path);
			free(ids[j]);
		}
		free(ids);
	}
	fprintf(f, "</table>\n");
}

/* A perspective's graphs, every system by portfolio. */
static void
dashpage_perspective_graphs(struct dashpage *d, FILE *f, const char *p)
{
	if (strcmp(p, "quality") == 0) {
		dashpage_img(d, f, "availability", "by", "portfolio", "7d",
		    DASHPAGE_GRAPH_W, DASHPAGE_BARS_H);
		dashpage_img(d, f, "response", "by", "portfolio", "24h",
		    DASHPAGE_GRAPH_W, DASHPAGE_GRAPH_H);
	} else if (strcmp(p, "maturity") == 0) {
		dashpage_img(d, f, "licence", "by", "portfolio", "24h",
		    DASHPAGE_GRAPH_W, DASHPAGE_GRAPH_H);
		if (dashpage_any(d, "learning"))
			dashpage_img(d, f, "learning", "by", "portfolio", "1y",
			    DASHPAGE_GRAPH_W, DASHPAGE_BARS_H);
	} else if (strcmp(p, "cost") == 0) {
		dashpage_img(d, f, "cost", "by", "portfolio", "1y",
		    DASHPAGE_GRAPH_W, DASHPAGE_BARS_H);
		dashpage_img(d, f, "cost-per-user", "by", "portfolio", "1y",
		    DASHPAGE_GRAPH_W, DASHPAGE_BARS_H);
	} else if (dashpage_any(d, p))
		dashpage_img(d, f, p, "by", "portfolio", "1y", DASHPAGE_GRAPH_W,
		    DASHPAGE_BARS_H);
}

int
dashpage_perspective(struct dashpage *d, FILE *f, const char *p)
{
	char title[128];

	if (!ident_valid_perspective(p))
		return -1;
	snprintf(title, sizeof title, "itfollow: %s", p);
	html_head(f, title, d->live ? d->refresh : 0);
	dashpage_nav(d, f);
	dashpage_perspective_graphs(d, f, p);
	dashpage_series_table(d, f, p);
	html_foot(f);
	return 0;
}

/* A number of the API: six decimals, or null. */
static json_t *
dashpage_num(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 1e6) / 1e6);
}

static json_t *
dashpage_api_period(const struct conf *conf, const char *id, const char *last,
    time_t now)
{
	struct period p;
	struct avail a;
	char err[256], from[32], to[32];
	json_t *o = json_object();

	if (period_last(last, conf->tz, now, &p) != 0 ||
	    availability_of(conf, id, &p, &a, err, sizeof err) != 0) {
		json_object_set_new(o, "error", json_string(err));
		return o;
	}
	tz_iso(conf->tz, p.from, from, sizeof from);
	tz_iso(conf->tz, p.to, to, sizeof to);
	json_object_set_new(o, "from", json_string(from));
	json_object_set_new(o, "to", json_string(to));
	json_object_set_new(o, "availability_pct",
	    dashpage_num(a.availability_pct));
	json_object_set_new(o, "coverage_pct", dashpage_num(a.coverage_pct));
	json_object_set_new(o, "outages", json_integer(a.outages));
	json_object_set_new(o, "unknown_s", json_integer(a.unknown_s));
	json_object_set_new(o, "maintenance_s", json_integer(a.maintenance_s));
	json_object_set_new(o, "source", json_string(a.source));
	json_object_set_new(o, "service_availability_pct",
	    dashpage_num(a.service_availability_pct));
	json_object_set_new(o, "service_outages",
	    json_integer(a.service_outages));
	json_object_set_new(o, "service_mttr_s",
	    dashpage_num(a.service_mttr_s));
	return o;
}

void
dashpage_api_availability(const struct conf *conf, time_t now, FILE *f)
{
	json_t *root = json_object(), *list = json_array(), *o;
	char *text;
	size_t i;

	for (i = 0; i < conf->nsystems; i++) {
		o = json_object();
		json_object_set_new(o, "id", json_string(conf->systems[i]->id));
		json_object_set_new(o, "24h",
		    dashpage_api_period(conf, conf->systems[i]->id, "24h",
		        now));
		json_object_set_new(o, "30d",
		    dashpage_api_period(conf, conf->systems[i]->id, "30d",
		        now));
		json_array_append_new(list, o);
	}
	json_object_set_new(root, "systems", list);
	json_object_set_new(root, "timezone", json_string(tz_name(conf->tz)));
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
	fprintf(f, "%s\n", text ? text : "{}");
	free(text);
	json_decref(root);
}
