/*
 * itfollow report scorecard: for a quarter (or any period) one row per
 * system, or per group with --by, with the five perspectives' key figures
 * side by side, then a row of what the cost feeds could not map to a
 * system (unallocated) and a total row:
 *
 *   quality           availability % and outages (availability_of: the
 *                     journal's, maintenance and unknown time left out,
 *                     or the `up` series'), and the coverage they rest on
 *                     (known time / the period); the same availability
 *                     and outages within service hours
 *   cost              the period's cost (daily rows summed exactly,
 *                     costs.h) in the feeds' currency and basis; cost per
 *                     user: the cost of the systems with a users figure /
 *                     the sum of their mean daily users, and how many
 *                     systems have none
 *   maturity          licence utilisation %: in use / issued, summed over
 *                     the rows where both are known and over every
 *                     licence-* series (the mean in use / the mean issued)
 *   external-benefit  per series in that perspective its first data
 *   internal-benefit  source: a rate (COUNTER, DERIVE, ABSOLUTE) as its
 *                     total over the period, a gauge as its mean; summed
 *                     over the system's series
 *
 * A group's and the total's availability sum their systems' seconds (as
 * `report availability --by`); their other figures are sums. The total's
 * cost is every system's and unallocated's: what the feeds hold for the
 * period. Periods and times are local to daemon.timezone; daily rows
 * (cost, events) count by their dates (period_days). Text, CSV, JSON;
 * HTML (scorehtml.c) with the charts.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "availability.h"
#include "chart.h"
#include "conf.h"
#include "costs.h"
#include "ident.h"
#include "log.h"
#include "period.h"
#include "scorecard.h"
#include "series.h"
#include "store_rrd.h"
#include "xmalloc.h"

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

/* A system's cost and users (costs.h) into its row. */
static int
scorecard_cost(const struct conf *conf, const char *id, const struct period *p,
    struct scorecard_row *row, char *err, size_t errlen)
{
	struct cost_fig f;

	if (costs_system(conf, id, p, &f, err, errlen) != 0)
		return -1;
	row->cost_micros += f.micros;
	row->cost_days += f.days;
	if (strcmp(id, "unallocated") == 0)
		return 0;
	if (!costs_has_users(&f)) {
		row->no_users++;
		return 0;
	}
	if (f.days == 0)
		return 0; /* its users have no cost to share */
	row->cpu_micros += f.micros;
	row->cpu_days += f.days;
	row->users += f.users;
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
	struct period days, both;
	char **ids, *path;
	size_t i, n, k;
	double v;
	int rc;

	/* Daily rows count by their dates, others by their times. */
	period_days(p, conf->tz, &days);
	both = *p;
	both.from = days.from < p->from ? days.from : p->from;
	both.to = days.to > p->to ? days.to : p->to;

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
		rc = scorecard_fetch(path, 86400, &both, &r, err, errlen);
		if (rc == 0 && r.nds > 0) {
			int rate = scorecard_is_rate(path, r.names[0]);

			v = scorecard_sum(&r, 0,
			    r.step % 86400 == 0 ? &days : p, &k, rate);
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
	struct avail a;

	row->nsystems++;
	if (availability_of(conf, sys->id, p, &a, err, errlen) != 0)
		return -1;
	availability_add(&row->avail, &a);
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

static struct scorecard_row *
scorecard_row_new(struct scorecard_row **rows, size_t *n, const char *name,
    enum scorecard_kind kind, const struct period *p)
{
	struct scorecard_row *r;

	*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
	r = &(*rows)[(*n)++];
	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	r->kind = kind;
	availability_zero(&r->avail, p);
	return r;
}

void
scorecard_rows_free(struct scorecard_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
}

/* Add row a's figures to the total t. */
static void
scorecard_total_add(struct scorecard_row *t, const struct scorecard_row *a)
{
	int i;

	t->nsystems += a->nsystems;
	availability_add(&t->avail, &a->avail);
	t->cost_micros += a->cost_micros;
	t->cost_days += a->cost_days;
	t->cpu_micros += a->cpu_micros;
	t->cpu_days += a->cpu_days;
	t->users += a->users;
	t->no_users += a->no_users;
	t->lic_used += a->lic_used;
	t->lic_issued += a->lic_issued;
	for (i = 0; i < 2; i++) {
		t->benefit[i] += a->benefit[i];
		t->benefit_n[i] += a->benefit_n[i];
	}
}

/*
 * The rows of the scorecard: systems or groups sorted by name, then
 * unallocated and the total. NULL with err on failure.
 */
struct scorecard_row *
scorecard_build(const struct conf *conf, const char *by, const struct period *p,
    size_t *nrows, char *err, size_t errlen)
{
	struct scorecard_row *rows = NULL, *r;
	const char *g;
	size_t i, k, n = 0;

	for (i = 0; i < conf->nsystems; i++) {
		g = scorecard_group_of(conf->systems[i], by);
		for (k = 0; k < n && strcmp(rows[k].name, g) != 0; k++)
			;
		r = k < n ? &rows[k]
		          : scorecard_row_new(&rows, &n, g, SCORECARD_ROW, p);
		if (scorecard_system(conf, conf->systems[i], p, r, err,
		        errlen) != 0)
			goto fail;
	}
	if (n > 0)
		qsort(rows, n, sizeof *rows, scorecard_row_cmp);
	r = scorecard_row_new(&rows, &n, "unallocated", SCORECARD_UNALLOCATED,
	    p);
	if (scorecard_cost(conf, "unallocated", p, r, err, errlen) != 0)
		goto fail;
	r = scorecard_row_new(&rows, &n, "total", SCORECARD_TOTAL, p);
	for (i = 0; i + 1 < n; i++)
		scorecard_total_add(r, &rows[i]);
	for (i = 0; i < n; i++)
		availability_finish(&rows[i].avail);
	*nrows = n;
	return rows;
fail:
	scorecard_rows_free(rows, n);
	return NULL;
}

const char *const scorecard_cols[SC_N] = { "availability_pct",
	"availability_coverage_pct", "outages", "cost", "cost_per_user",
	"systems_without_users", "licence_utilisation_pct", "external_benefit",
	"internal_benefit", "service_availability_pct", "service_outages" };

/*
 * The figures of a row, as CSV and JSON print them ("" when unknown);
 * grouped: with thousands separators, as text and HTML print them.
 */
void
scorecard_figures(const struct scorecard_row *r, int grouped,
    char out[SC_N][48])
{
	const struct avail *a = &r->avail;
	int i, sys = r->kind != SCORECARD_UNALLOCATED;

	for (i = 0; i < SC_N; i++)
		out[i][0] = '\0';
	if (sys && !isnan(a->availability_pct))
		snprintf(out[SC_AVAIL], 48, "%.3f", a->availability_pct);
	if (sys && !isnan(a->coverage_pct) && r->nsystems > 0)
		snprintf(out[SC_COVERAGE], 48, "%.2f", a->coverage_pct);
	if (sys)
		snprintf(out[SC_OUTAGES], 48, "%d", a->outages);
	if (sys && !isnan(a->service_availability_pct))
		snprintf(out[SC_SVC_AVAIL], 48, "%.3f",
		    a->service_availability_pct);
	if (sys)
		snprintf(out[SC_SVC_OUTAGES], 48, "%d", a->service_outages);
	if (r->cost_days > 0)
		chart_fmt_amount((double)r->cost_micros / 1e6, 2, grouped,
		    out[SC_COST], 48);
	if (sys && r->cpu_days > 0 && r->users > 0)
		chart_fmt_amount((double)r->cpu_micros / 1e6 / r->users, 2,
		    grouped, out[SC_CPU], 48);
	if (sys)
		snprintf(out[SC_NOUSERS], 48, "%zu", r->no_users);
	if (sys && r->lic_issued > 0)
		snprintf(out[SC_LIC], 48, "%.2f",
		    r->lic_used / r->lic_issued * 100);
	for (i = 0; sys && i < 2; i++) {
		if (r->benefit_n[i] > 0)
			chart_fmt_amount(r->benefit[i], 2, grouped,
			    out[SC_EXT + i], 48);
	}
}

/* A JSON string, escaped by jansson. */
static void
scorecard_json_string(FILE *f, const char *v)
{
	json_t *j = v != NULL ? json_string(v) : json_null();
	char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(out ? out : "null", f);
	free(out);
	json_decref(j);
}

void
scorecard_json(FILE *f, const struct tz *z, const char *by,
    const struct period *p, const struct cost_basis *b,
    const struct scorecard_row *rows, size_t n)
{
	static const char *const kinds[] = { "row", "unallocated", "total" };
	char fig[SC_N][48], from[32], to[32];
	size_t i;
	int k;

	tz_iso(z, p->from, from, sizeof from);
	tz_iso(z, p->to, to, sizeof to);
	fprintf(f, "{\"period\": ");
	scorecard_json_string(f, p->label);
	fprintf(f,
	    ", \"from\": \"%s\", \"to\": \"%s\", \"timezone\": \"%s\", \"by\": \"%s\",\n",
	    from, to, tz_name(z), by ? by : "system");
	fprintf(f, " \"currency\": ");
	scorecard_json_string(f,
	    b->currency[0] && !b->mixed ? b->currency : NULL);
	fprintf(f, ", \"basis\": ");
	scorecard_json_string(f, b->basis[0] && !b->mixed ? b->basis : NULL);
	fprintf(f, ",\n \"rows\": [");
	for (i = 0; i < n; i++) {
		scorecard_figures(&rows[i], 0, fig);
		fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
		scorecard_json_string(f, rows[i].name);
		fprintf(f, ", \"kind\": \"%s\", \"systems\": %zu",
		    kinds[rows[i].kind], rows[i].nsystems);
		for (k = 0; k < SC_N; k++)
			fprintf(f, ", \"%s\": %s", scorecard_cols[k],
			    fig[k][0] ? fig[k] : "null");
		fprintf(f, "}");
	}
	fprintf(f, "\n]}\n");
}

void
scorecard_csv(FILE *f, const char *by, const struct cost_basis *b,
    const struct scorecard_row *rows, size_t n)
{
	char fig[SC_N][48];
	const char *s;
	size_t i;
	int k;

	fprintf(f, "%s,systems", by ? by : "system");
	for (k = 0; k < SC_N; k++)
		fprintf(f, ",%s", scorecard_cols[k]);
	fprintf(f, "\n");
	for (i = 0; i < n; i++) {
		scorecard_figures(&rows[i], 0, fig);
		if (strpbrk(rows[i].name, ",\"\n") != NULL) {
			fputc('"', f);
			for (s = rows[i].name; *s != '\0'; s++)
				fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
			fputc('"', f);
		} else
			fputs(rows[i].name, f);
		fprintf(f, ",%zu", rows[i].nsystems);
		for (k = 0; k < SC_N; k++)
			fprintf(f, ",%s", fig[k]);
		fprintf(f, "\n");
	}
	fprintf(f, "# currency=%s basis=%s\n",
	    b->currency[0] && !b->mixed ? b->currency : "unknown",
	    b->basis[0] && !b->mixed ? b->basis : "unknown");
}

void
scorecard_text(FILE *f, const struct tz *z, const char *by,
    const struct period *p, const struct cost_basis *b,
    const struct scorecard_row *rows, size_t n)
{
	char fig[SC_N][48], from[32], to[32], unit[160];
	size_t i;
	int k;

	tz_iso(z, p->from, from, sizeof from);
	tz_iso(z, p->to, to, sizeof to);
	costs_unit(b, unit, sizeof unit);
	fprintf(f, "scorecard %s (%s to %s, %s); amounts in %s\n", p->label,
	    from, to, tz_name(z), unit);
	fprintf(f,
	    "%-20s %7s %8s %9s %7s %14s %11s %8s %9s %14s %14s %9s %7s\n",
	    by ? by : "system", "systems", "avail %", "covered %", "outages",
	    "cost", "cost/user", "no users", "licence %", "ext.benefit",
	    "int.benefit", "svc avl %", "svc out");
	for (i = 0; i < n; i++) {
		scorecard_figures(&rows[i], 1, fig);
		for (k = 0; k < SC_N; k++) {
			if (fig[k][0] == '\0')
				snprintf(fig[k], 48, "-");
		}
		fprintf(f,
		    "%-20s %7zu %8s %9s %7s %14s %11s %8s %9s %14s %14s %9s %7s\n",
		    rows[i].name, rows[i].nsystems, fig[SC_AVAIL],
		    fig[SC_COVERAGE], fig[SC_OUTAGES], fig[SC_COST],
		    fig[SC_CPU], fig[SC_NOUSERS], fig[SC_LIC], fig[SC_EXT],
		    fig[SC_INT], fig[SC_SVC_AVAIL], fig[SC_SVC_OUTAGES]);
	}
}
