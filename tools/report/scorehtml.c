/*
 * The scorecard as one HTML document to send on: what the figures mean
 * and in which unit, the table (unallocated and total rows included), and
 * bar charts drawn from the table's own rows, so a chart can never say
 * other than the table: availability with the coverage it rests on,
 * cost with unallocated and the total, cost per user, licence
 * utilisation. The charts are PNG data: URIs; nothing else is linked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "conf.h"
#include "costs.h"
#include "html.h"
#include "period.h"
#include "scorecard.h"
#include "xmalloc.h"

#define SCOREHTML_W 900
#define SCOREHTML_H 380

/* The table's head: each column with its unit. */
static void
scorehtml_head(FILE *f, const char *by, const char *unit)
{
	fprintf(f, "<table>\n<tr><th>");
	html_text(f, by ? by : "system");
	fprintf(f,
	    "</th><th>systems</th><th>availability %%</th><th>coverage %% (time known)</th><th>outages</th><th>cost, ");
	html_text(f, unit);
	fprintf(f, "</th><th>cost per user, ");
	html_text(f, unit);
	fprintf(f,
	    "</th><th>systems without users</th><th>licence utilisation %%</th><th>external benefit</th><th>internal benefit</th><th>availability within service hours %%</th><th>outages in service hours</th></tr>\n");
}

static void
scorehtml_table(FILE *f, const char *by, const char *unit,
    const struct scorecard_row *rows, size_t n)
{
	static const char *const cls[] = { "", " class=\"unallocated\"",
		" class=\"total\"" };
	char fig[SC_N][48];
	size_t i;
	int k;

	scorehtml_head(f, by, unit);
	for (i = 0; i < n; i++) {
		scorecard_figures(&rows[i], 1, fig);
		fprintf(f, "<tr%s><td>", cls[rows[i].kind]);
		html_text(f, rows[i].name);
		fprintf(f, "</td><td>%zu</td>", rows[i].nsystems);
		for (k = 0; k < SC_N; k++)
			fprintf(f, "<td>%s</td>", fig[k][0] ? fig[k] : "-");
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
}

/* A bar chart of one column of the table; cost adds unallocated. */
static struct chart *
scorehtml_chart(const struct scorecard_row *rows, size_t n, int col,
    const char *title, const char *vlabel, const struct period *p)
{
	struct chart *c = chart_new(title, p->from, p->to);
	char fig[SC_N][48], shown[160];
	size_t i, r;

	c->bars = 1;
	c->stack = 1;
	c->percent = col == SC_AVAIL || col == SC_SVC_AVAIL || col == SC_LIC;
	c->decimals = col == SC_AVAIL || col == SC_SVC_AVAIL ? 3 : 2;
	snprintf(c->vlabel, sizeof c->vlabel, "%.*s", (int)sizeof c->vlabel - 1,
	    vlabel);
	chart_add_col(c, vlabel, CHART_AREA);
	for (i = 0; i < n; i++) {
		if (rows[i].kind == SCORECARD_TOTAL ||
		    (rows[i].kind == SCORECARD_UNALLOCATED && col != SC_COST))
			continue;
		scorecard_figures(&rows[i], 0, fig);
		r = chart_add_row(c, rows[i].name, p->from, p->to);
		if (fig[col][0] != '\0')
			chart_set(c, r, 0, strtod(fig[col], NULL));
		if (col == SC_AVAIL) {
			snprintf(shown, sizeof shown, "%s (%s %% known)",
			    rows[i].name,
			    fig[SC_COVERAGE][0] ? fig[SC_COVERAGE] : "0");
			chart_set_display(c, r, shown);
		}
	}
	return c;
}

static void
scorehtml_charts(FILE *f, const struct tz *z, const char *by, const char *unit,
    const struct scorecard_row *rows, size_t n, const struct period *p)
{
	static const struct {
		int col;
		const char *what;
	} charts[] = { { SC_AVAIL, "Availability" },
		{ SC_SVC_AVAIL, "Availability within service hours" },
		{ SC_COST, "Cost" }, { SC_CPU, "Cost per user" },
		{ SC_LIC, "Licence utilisation" } };
	char title[512], when[96], vlabel[200], fig[SC_N][48];
	char *cause = NULL;
	struct chart *c;
	void *img;
	size_t i, len;
	int svc = 0;

	period_title(p, z, when, sizeof when);
	for (i = 0; i < n; i++)
		svc |= rows[i].avail.service_hours;
	for (i = 0; i < sizeof charts / sizeof charts[0]; i++) {
		/* Without service hours it would be the first chart again. */
		if (charts[i].col == SC_SVC_AVAIL && !svc)
			continue;
		if (charts[i].col == SC_COST || charts[i].col == SC_CPU) {
			snprintf(title, sizeof title, "%s by %s, %s, %s",
			    charts[i].what, by ? by : "system", when, unit);
			snprintf(vlabel, sizeof vlabel, "%s%s", unit,
			    charts[i].col == SC_CPU ? " per user" : "");
		} else {
			snprintf(title, sizeof title, "%s by %s, %s",
			    charts[i].what, by ? by : "system", when);
			snprintf(vlabel, sizeof vlabel, "%%");
		}
		c = scorehtml_chart(rows, n, charts[i].col, title, vlabel, p);
		if (charts[i].col == SC_COST && n > 0) {
			scorecard_figures(&rows[n - 1], 1, fig);
			chart_note(c, "total: %s %s",
			    fig[SC_COST][0] ? fig[SC_COST] : "no data", unit);
		}
		if (chart_render(c, "PNG", SCOREHTML_W, SCOREHTML_H, &img, &len,
		        &cause) == 0)
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

int
scorecard_html(const char *file, const struct conf *conf, const char *by,
    const struct period *p, const struct cost_basis *b,
    const struct scorecard_row *rows, size_t n)
{
	char title[160], when[96], from[32], to[32], unit[160];
	FILE *f;

	if ((f = fopen(file, "w")) == NULL) {
		fprintf(stderr, "itfollow: cannot write %s\n", file);
		return -1;
	}
	period_title(p, conf->tz, when, sizeof when);
	tz_iso(conf->tz, p->from, from, sizeof from);
	tz_iso(conf->tz, p->to, to, sizeof to);
	costs_unit(b, unit, sizeof unit);
	snprintf(title, sizeof title, "Scorecard %s", when);
	html_head(f, title, 0);
	fprintf(f, "<p>From %s to %s (%s). Amounts in ", from, to,
	    tz_name(conf->tz));
	html_text(f, unit);
	fprintf(f,
	    ". Availability: up time / known time, both outside maintenance windows; coverage: the share of the period that is known (runs recorded). A group's availability sums its systems' seconds. Within service hours: the same, counting only the time inside each system's service hours (its weekly local hours, not on its holidays), and the outages that had any. Cost per user: the cost of the systems with a users figure / the sum of their mean daily users. Cost is the FOCUS billing days (UTC days) of the period's dates. Unallocated: cost the feeds could not put on a system; the total is every row's.</p>\n");
	scorehtml_table(f, by, unit, rows, n);
	scorehtml_charts(f, conf->tz, by, unit, rows, n, p);
	html_foot(f);
	if (fclose(f) != 0) {
		fprintf(stderr, "itfollow: cannot write %s\n", file);
		return -1;
	}
	return 0;
}
