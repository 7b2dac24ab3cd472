/*
 * itfollow report scorecard: for a quarter (or any period) one row per
 * system, or per group with --by, with the five perspectives' key figures
 * side by side:
 *
 *   quality           availability % (up / known time) and outages
 *   cost              the period's cost (daily rows summed) and cost per
 *                     user (that / the mean of the daily users series)
 *   maturity          licence utilisation %: in use / issued, summed over
 *                     the rows where both are known and over every
 *                     licence-* series (the mean in use / the mean issued)
 *   external-benefit  per series in that perspective its first data
 *   internal-benefit  source: a rate (COUNTER, DERIVE, ABSOLUTE) as its
 *                     total over the period, a gauge as its mean; summed
 *                     over the system's series
 *
 * A group's availability is the mean of its systems' (those known), its
 * other figures sums (cost per user: the group's cost / its users).
 * Availability and outages come from the outage journal where it exists
 * (availability_system: maintenance and unknown time left out), else from
 * the `up` series (rrdavail.h). Text, CSV, JSON, and HTML with the graphs embedded.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "conf.h"
#include "graph.h"
#include "html.h"
#include "ident.h"
#include "log.h"
#include "period.h"
#include "rrdavail.h"
#include "series.h"
#include "store_rrd.h"
#include "tool.h"
#include "xmalloc.h"

struct scorecard_row {
	char *name;
	size_t nsystems;
	double avail_sum;
	size_t avail_n;
	unsigned outages;
	double cost;
	size_t cost_n; /* known days */
	double users; /* mean users, summed over systems */
	size_t users_n;
	double lic_used, lic_issued;
	double benefit[2]; /* external, internal */
	size_t benefit_n[2];
};

static const char *const scorecard_benefits[] = { "external-benefit",
	"internal-benefit" };

/* Sum of the known values of ds over [from, to); how many in *n. */
static double
scorecard_sum(const struct series_rows *r, int ds, const struct period *p,
    size_t *n, int times_step)
{
	double sum = 0, v;
	time_t t;

	*n = 0;
	for (t = r->start; t < p->to; t += (time_t)r->step) {
		if (t < p->from || isnan(v = series_at(r, ds, t)))
			continue;
		sum += times_step ? v * (double)r->step : v;
		(*n)++;
	}
	return sum;
}

/* Is the data source a rate (its total over a period is the mean times
 * the period)? */
static int
scorecard_is_rate(const char *path, const char *ds)
{
	rrd_info_t *info, *i;
	char key[64];
	int rate = 0;

	snprintf(key, sizeof key, "ds[%s].type", ds);
	rrd_clear_error();
	if ((info = rrd_info_r(path)) == NULL)
		return 0;
	for (i = info; i != NULL; i = i->next) {
		if (strcmp(i->key, key) == 0 && i->type == RD_I_STR)
			rate = strcmp(i->value.u_str, "GAUGE") != 0;
	}
	rrd_info_free(info);
	return rate;
}

static int
scorecard_fetch(const char *path, unsigned long want, const struct period *p,
    struct series_rows *r, char *err, size_t errlen)
{
	char *cause = NULL;
	int rc;

	rc = series_fetch(path, "AVERAGE", p->from, p->to, want, r, &cause);
	if (rc < 0) {
		snprintf(err, errlen, "%s", cause);
		free(cause);
	}
	return rc;
}

static int
scorecard_cost(const struct conf *conf, const char *id, const struct period *p,
    struct scorecard_row *row, char *err, size_t errlen)
{
	struct series_rows r;
	char *path;
	size_t n;
	double v;
	int rc;

	path = store_path(conf->data_dir, "cost", id, "cost");
	rc = scorecard_fetch(path, 86400, p, &r, err, errlen);
	free(path);
	if (rc < 0)
		return -1;
	if (rc == 0 && r.step == 86400) {
		row->cost += scorecard_sum(&r, series_ds(&r, "cost"), p, &n, 0);
		row->cost_n += n;
	}
	series_rows_free(&r);
	path = store_path(conf->data_dir, "cost", id, "users");
	rc = scorecard_fetch(path, 86400, p, &r, err, errlen);
	free(path);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		v = scorecard_sum(&r, series_ds(&r, "users"), p, &n, 0);
		if (n > 0) {
			row->users += v / (double)n;
			row->users_n++;
		}
	}
	series_rows_free(&r);
	return 0;
}

static int
scorecard_licence(const struct conf *conf, const char *id,
    const struct period *p, struct scorecard_row *row, char *err, size_t errlen)
{
	struct series_rows r;
	char **ids, *path;
	size_t i, n;
	double u, s;
	time_t t;
	int rc = 0, r1;
	unsigned long want = (unsigned long)(p->to - p->from) / 2000;

	n = series_list(conf->data_dir, "maturity", id, "licence-", &ids);
	for (i = 0; i < n; i++) {
		path = store_path(conf->data_dir, "maturity", id, ids[i]);
		r1 = scorecard_fetch(path, want, p, &r, err, errlen);
		free(path);
		if (r1 < 0)
			rc = -1;
		for (t = r.start; r1 == 0 && t < p->to; t += (time_t)r.step) {
			u = series_at(&r, series_ds(&r, "in_use"), t);
			s = series_at(&r, series_ds(&r, "issued"), t);
			if (t >= p->from && !isnan(u) && !isnan(s)) {
				row->lic_used += u;
				row->lic_issued += s;
			}
		}
		series_rows_free(&r);
		free(ids[i]);
	}
	free(ids);
	return rc;
}

static int
scorecard_has(char **ids, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(ids[i], id) == 0)
			return 1;
	}
	return 0;
}

static int
scorecard_benefit(const struct conf *conf, const struct conf_system *sys,
    int which, const struct period *p, struct scorecard_row *row, char *err,
    size_t errlen)
{
	const char *persp = scorecard_benefits[which];
	struct series_rows r;
	char **ids, *path;
	size_t i, n, k;
	double v;
	int rc;

	n = series_list(conf->data_dir, persp, sys->id, "", &ids);
	for (i = 0; i < sys->ninsts; i++) {
		if (strcmp(sys->insts[i]->perspective, persp) != 0 ||
		    scorecard_has(ids, n, sys->insts[i]->series))
			continue;
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = xstrdup(sys->insts[i]->series);
	}
	for (i = 0; i < n; i++) {
		path = store_path(conf->data_dir, persp, sys->id, ids[i]);
		rc = scorecard_fetch(path, 86400, p, &r, err, errlen);
		if (rc == 0 && r.nds > 0) {
			int rate = scorecard_is_rate(path, r.names[0]);

			v = scorecard_sum(&r, 0, p, &k, rate);
			if (k > 0) {
				row->benefit[which] += rate ? v : v / (double)k;
				row->benefit_n[which]++;
			}
		}
		series_rows_free(&r);
		free(path);
		if (rc < 0)
			break;
	}
	for (k = 0; k < n; k++)
		free(ids[k]);
	free(ids);
	return i < n ? -1 : 0;
}

static int
scorecard_system(const struct conf *conf, const struct conf_system *sys,
    const struct period *p, struct scorecard_row *row, char *err, size_t errlen)
{
	struct rrdavail a;
	const char *source;

	row->nsystems++;
	if (rrdavail_any(conf, sys->id, p, &a, &source, err, errlen) != 0)
		return -1;
	if (!isnan(a.availability_pct)) {
		row->avail_sum += a.availability_pct;
		row->avail_n++;
	}
	row->outages += a.outages;
	if (scorecard_cost(conf, sys->id, p, row, err, errlen) != 0 ||
	    scorecard_licence(conf, sys->id, p, row, err, errlen) != 0 ||
	    scorecard_benefit(conf, sys, 0, p, row, err, errlen) != 0 ||
	    scorecard_benefit(conf, sys, 1, p, row, err, errlen) != 0)
		return -1;
	return 0;
}

static const char *
scorecard_group_of(const struct conf_system *s, const char *by)
{
	return by == NULL ? s->id : conf_system_tag(s, by);
}

static int
scorecard_row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct scorecard_row *)a)->name,
	    ((const struct scorecard_row *)b)->name);
}

/* The rows of the scorecard, sorted by name; NULL with err on failure. */
static struct scorecard_row *
scorecard_build(const struct conf *conf, const char *by, const struct period *p,
    size_t *nrows, char *err, size_t errlen)
{
	struct scorecard_row *rows = NULL;
	const char *g;
	size_t i, k, n = 0;

	for (i = 0; i < conf->nsystems; i++) {
		g = scorecard_group_of(conf->systems[i], by);
		for (k = 0; k < n && strcmp(rows[k].name, g) != 0; k++)
			;
		if (k == n) {
			rows = xreallocarray(rows, n + 1, sizeof *rows);
			memset(&rows[n], 0, sizeof *rows);
			rows[n++].name = xstrdup(g);
		}
		if (scorecard_system(conf, conf->systems[i], p, &rows[k], err,
		        errlen) != 0) {
			for (k = 0; k < n; k++)
				free(rows[k].name);
			free(rows);
			return NULL;
		}
	}
	if (n > 0)
		qsort(rows, n, sizeof *rows, scorecard_row_cmp);
	*nrows = n;
	return rows;
}

enum { SC_AVAIL, SC_OUTAGES, SC_COST, SC_CPU, SC_LIC, SC_EXT, SC_INT, SC_N };
static const char *const scorecard_cols[SC_N] = { "availability_pct", "outages",
	"cost", "cost_per_user", "licence_utilisation_pct", "external_benefit",
	"internal_benefit" };

/* The figures of a row, as printed ("" when unknown). */
static void
scorecard_figures(const struct scorecard_row *r, char out[SC_N][32])
{
	int i;

	for (i = 0; i < SC_N; i++)
		out[i][0] = '\0';
	if (r->avail_n > 0)
		snprintf(out[SC_AVAIL], 32, "%.3f",
		    r->avail_sum / (double)r->avail_n);
	snprintf(out[SC_OUTAGES], 32, "%u", r->outages);
	if (r->cost_n > 0)
		snprintf(out[SC_COST], 32, "%.2f", r->cost);
	if (r->cost_n > 0 && r->users > 0)
		snprintf(out[SC_CPU], 32, "%.2f", r->cost / r->users);
	if (r->lic_issued > 0)
		snprintf(out[SC_LIC], 32, "%.2f",
		    r->lic_used / r->lic_issued * 100);
	for (i = 0; i < 2; i++) {
		if (r->benefit_n[i] > 0)
			snprintf(out[SC_EXT + i], 32, "%.2f", r->benefit[i]);
	}
}

static void
scorecard_print(FILE *f, const char *format, const char *by,
    const struct period *p, const struct scorecard_row *rows, size_t n)
{
	char fig[SC_N][32];
	size_t i;
	int k, json = strcmp(format, "json") == 0;
	int csv = strcmp(format, "csv") == 0;

	if (json)
		fprintf(f, "{\"period\": \"%s\", \"by\": \"%s\", \"rows\": [",
		    p->label, by ? by : "system");
	else if (csv) {
		fprintf(f, "%s,systems", by ? by : "system");
		for (k = 0; k < SC_N; k++)
			fprintf(f, ",%s", scorecard_cols[k]);
		fprintf(f, "\n");
	} else {
		fprintf(f,
		    "scorecard %s\n%-20s %7s %9s %7s %12s %10s %9s "
		    "%12s %12s\n",
		    p->label, by ? by : "system", "systems", "avail %",
		    "outages", "cost", "cost/user", "licence %", "ext.benefit",
		    "int.benefit");
	}
	for (i = 0; i < n; i++) {
		scorecard_figures(&rows[i], fig);
		if (json) {
			json_t *j = json_string(rows[i].name);
			char *name = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

			fprintf(f, "%s\n  {\"name\": %s, \"systems\": %zu",
			    i ? "," : "", name ? name : "\"\"",
			    rows[i].nsystems);
			free(name);
			json_decref(j);
			for (k = 0; k < SC_N; k++)
				fprintf(f, ", \"%s\": %s", scorecard_cols[k],
				    fig[k][0] ? fig[k] : "null");
			fprintf(f, "}");
		} else if (csv) {
			fprintf(f, "%s,%zu", rows[i].name, rows[i].nsystems);
			for (k = 0; k < SC_N; k++)
				fprintf(f, ",%s", fig[k]);
			fprintf(f, "\n");
		} else {
			fprintf(f, "%-20s %7zu", rows[i].name,
			    rows[i].nsystems);
			fprintf(f, " %9s %7s %12s %10s %9s %12s %12s\n",
			    fig[0][0] ? fig[0] : "-", fig[1],
			    fig[2][0] ? fig[2] : "-", fig[3][0] ? fig[3] : "-",
			    fig[4][0] ? fig[4] : "-", fig[5][0] ? fig[5] : "-",
			    fig[6][0] ? fig[6] : "-");
		}
	}
	if (json)
		fprintf(f, "\n]}\n");
}

/* The graphs of the report, embedded as PNG data: URIs. */
static void
scorecard_graphs(FILE *f, const struct conf *conf, const char *by,
    const struct period *p)
{
	static const char *const presets[] = { "availability", "cost",
		"cost-per-user", "licence" };
	struct graph_req req;
	struct chart *c;
	char err[512], *cause = NULL;
	void *img;
	size_t i, len;

	for (i = 0; i < sizeof presets / sizeof presets[0]; i++) {
		memset(&req, 0, sizeof req);
		req.preset = presets[i];
		req.by = by != NULL ? by : "portfolio";
		req.period = *p;
		if (graph_build(conf, &req, &c, err, sizeof err) != GRAPH_OK) {
			fprintf(f, "<p>%s: ", presets[i]);
			html_text(f, err);
			fprintf(f, "</p>\n");
			continue;
		}
		if (chart_render(c, "PNG", 800, 300, &img, &len, &cause) == 0)
			html_img_data(f, "image/png", img, len, c->title);
		else {
			fprintf(f, "<p>");
			html_text(f, cause);
			fprintf(f, "</p>\n");
			free(cause);
			cause = NULL;
		}
		free(img);
		chart_free(c);
	}
}

static int
scorecard_html(const char *file, const struct conf *conf, const char *by,
    const struct period *p, const struct scorecard_row *rows, size_t n)
{
	char fig[SC_N][32], title[128];
	FILE *f;
	size_t i;
	int k;

	if ((f = fopen(file, "w")) == NULL) {
		fprintf(stderr, "itfollow: cannot write %s\n", file);
		return -1;
	}
	snprintf(title, sizeof title, "Scorecard %s", p->label);
	html_head(f, title, 0);
	fprintf(f, "<table>\n<tr><th>%s</th><th>systems</th>",
	    by ? by : "system");
	for (k = 0; k < SC_N; k++)
		fprintf(f, "<th>%s</th>", scorecard_cols[k]);
	fprintf(f, "</tr>\n");
	for (i = 0; i < n; i++) {
		scorecard_figures(&rows[i], fig);
		fprintf(f, "<tr><td>");
		html_text(f, rows[i].name);
		fprintf(f, "</td><td>%zu</td>", rows[i].nsystems);
		for (k = 0; k < SC_N; k++)
			fprintf(f, "<td>%s</td>", fig[k][0] ? fig[k] : "-");
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
	scorecard_graphs(f, conf, by, p);
	html_foot(f);
	if (fclose(f) != 0) {
		fprintf(stderr, "itfollow: cannot write %s\n", file);
		return -1;
	}
	return 0;
}

static void
scorecard_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow report scorecard [-c file] --quarter 2026Q1 "
	    "(or --year, --month, --from/--to)\n"
	    "    [--by category|portfolio|owner] [--format text|csv|json] "
	    "[--html FILE]\n");
}

int
tool_scorecard(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "html", required_argument, NULL, 'H' },
		PERIOD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct period_opts po;
	struct period p;
	struct conf *conf;
	struct scorecard_row *rows;
	const char *file = NULL, *by = NULL, *format = "text", *html = NULL;
	char err[512];
	size_t n = 0, i;
	int ch, rc = 0;

	log_open(1, LOG_WARNING);
	memset(&po, 0, sizeof po);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'b':
			by = optarg;
			break;
		case 'F':
			format = optarg;
			break;
		case 'H':
			html = optarg;
			break;
		default:
			if (period_opt(&po, ch, optarg))
				break;
			scorecard_usage();
			return 2;
		}
	}
	if (optind != argc ||
	    (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0 &&
	        strcmp(format, "json") != 0)) {
		scorecard_usage();
		return 2;
	}
	if (by != NULL && !conf_is_tag(by)) {
		fprintf(stderr,
		    "itfollow: unknown grouping \"%s\" (category, "
		    "portfolio, owner)\n",
		    by);
		return 2;
	}
	if (period_from_opts(&po, NULL, time(NULL), &p, err, sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		return 2;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	if ((rows = scorecard_build(conf, by, &p, &n, err, sizeof err)) ==
	        NULL &&
	    conf->nsystems > 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 1;
	}
	scorecard_print(stdout, format, by, &p, rows, n);
	if (html != NULL) {
		chart_check_fonts();
		if (scorecard_html(html, conf, by, &p, rows, n) != 0)
			rc = 1;
	}
	for (i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
	conf_free(conf);
	return rc;
}
