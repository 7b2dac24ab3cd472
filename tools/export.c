/*
 * itfollow export: the values of one series over a period at a chosen
 * step, as CSV or JSON, read back with librrd's fetch. Each row is one
 * step, its time the step's start (ISO 8601, UTC, as stored; the period
 * is local to daemon.timezone, and daily rows are those of its dates,
 * period_days); values are plain
 * decimals, unknown ones empty (CSV) or null (JSON). A step the file cannot
 * give (its archives are coarser) is refused rather than silently widened.
 * Cost series hold an amount per day, so daily rows sum to months and
 * quarters exactly; counts (ABSOLUTE data sources: events series) are
 * printed as the events of each row, which sum the same way. What cost
 * amounts are (the feeds' currency and cost column) follows the rows,
 * "# currency=SEK basis=EffectiveCost" in CSV, keys of each row in JSON.
 * "unallocated" is a system here too.
 */
#include <getopt.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "costs.h"
#include "ident.h"
#include "log.h"
#include "period.h"
#include "series.h"
#include "store_rrd.h"
#include "template.h"
#include "tool.h"
#include "xmalloc.h"

/* A plain decimal: no exponent, no trailing zeros. */
static void
export_num(double v, char *buf, size_t len)
{
	char *p;

	snprintf(buf, len, "%.6f", v);
	if ((p = strchr(buf, '.')) != NULL) {
		p += strlen(p) - 1;
		while (*p == '0')
			*p-- = '\0';
		if (*p == '.')
			*p = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

/*
 * Which data sources are counts (ABSOLUTE: librrd keeps count / step):
 * printed as the count of each row, so rows add up to a period's events.
 */
static double *
export_scales(const char *path, unsigned long nds, char **names,
    unsigned long step)
{
	double *scale = xcalloc(nds + 1, sizeof *scale);
	char type[16];
	unsigned long d;

	for (d = 0; d < nds; d++) {
		scale[d] = 1;
		if (series_ds_type(path, names[d], type, sizeof type) == 0 &&
		    strcmp(type, "ABSOLUTE") == 0)
			scale[d] = (double)step;
	}
	return scale;
}

/* What a cost row's amount is: keys of a JSON row. */
static void
export_basis_json(const struct cost_basis *b)
{
	if (b->currency[0] != '\0' && !b->mixed)
		printf(", \"currency\": \"%s\"", b->currency);
	else
		printf(", \"currency\": null");
	if (b->basis[0] != '\0' && !b->mixed)
		printf(", \"basis\": \"%s\"", b->basis);
	else
		printf(", \"basis\": null");
}

/* The rows of [from, to) as CSV or JSON. */
static void
export_rows(const char *path, const char *format, time_t start, time_t end,
    unsigned long step, time_t from, time_t to, unsigned long nds, char **names,
    const rrd_value_t *data, const struct cost_basis *basis)
{
	unsigned long i, d, rows = (unsigned long)(end - start) / step;
	int csv = strcmp(format, "csv") == 0, any = 0;
	double *scale = export_scales(path, nds, names, step), v;
	char when[32], num[64];
	time_t t;

	if (csv) {
		printf("time");
		for (d = 0; d < nds; d++)
			printf(",%s", names[d]);
		printf("\n");
	} else
		printf("[");
	for (i = 0; i < rows; i++) {
		t = start + (time_t)(i * step);
		if (t < from || t >= to)
			continue;
		period_iso(t, when, sizeof when);
		if (csv)
			printf("%s", when);
		else
			printf("%s\n  {\"time\": \"%s\"", any ? "," : "", when);
		any = 1;
		for (d = 0; d < nds; d++) {
			v = data[i * nds + d];
			num[0] = '\0';
			if (!isnan(v))
				export_num(v * scale[d], num, sizeof num);
			if (csv)
				printf(",%s", num);
			else
				printf(", \"%s\": %s", names[d],
				    num[0] ? num : "null");
		}
		if (basis != NULL && !csv)
			export_basis_json(basis);
		printf(csv ? "\n" : "}");
	}
	if (!csv)
		printf("\n]\n");
	else if (basis != NULL)
		printf("# currency=%s basis=%s\n",
		    basis->currency[0] && !basis->mixed ? basis->currency
		                                        : "unknown",
		    basis->basis[0] && !basis->mixed ? basis->basis
		                                     : "unknown");
	free(scale);
}

static void
export_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow export [-c file] --system ID [--perspective P] --series S PERIOD [--step 1d] [--format csv|json]\n  PERIOD: --from T --to T | --last 7d | --quarter 2026Q1 | --month 2026-02 | --year 2026\n  T: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH (UTC)\n  --perspective: default the configured series'\n");
}

/* What the command line asks of an export. */
struct export_args {
	const char *file, *system, *persp, *series, *format;
	unsigned long step;
	struct period_opts po;
};

/* Reads the command line into a; 0, or the exit status (2: usage). */
static int
export_options(int argc, char **argv, struct export_args *a)
{
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, 's' },
		{ "perspective", required_argument, NULL, 'p' },
		{ "series", required_argument, NULL, 'S' },
		PERIOD_LONGOPTS,
		{ "step", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	long long want;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			a->file = optarg;
			break;
		case 's':
			a->system = optarg;
			break;
		case 'p':
			a->persp = optarg;
			break;
		case 'S':
			a->series = optarg;
			break;
		case 'e':
			if ((want = template_duration(optarg)) <= 0) {
				fprintf(stderr, "itfollow: bad step \"%s\"\n",
				    optarg);
				return 2;
			}
			a->step = (unsigned long)want;
			break;
		case 'F':
			a->format = optarg;
			break;
		default:
			if (period_opt(&a->po, ch, optarg))
				break;
			export_usage();
			return 2;
		}
	}
	return 0;
}

/* Fetches path's rows of a's step from..to and prints them; exit status. */
static int
export_fetch(struct conf *conf, const struct export_args *a, const char *persp,
    const char *path, time_t from, time_t to)
{
	time_t start = from, end = to;
	unsigned long step = a->step, got = step, nds, d;
	char **names;
	rrd_value_t *data;
	struct cost_basis basis;
	int rc = 1, is_cost;

	/* rrd_fetch's rows end at their time: ask from the first step's end. */
	tool_flush(conf, path);
	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &end, &got, &nds, &names,
	        &data) != 0) {
		fprintf(stderr, "itfollow: %s: %s\n", path, rrd_get_error());
		return 1;
	}
	is_cost = strcmp(persp, "cost") == 0 && strcmp(a->series, "cost") == 0;
	if (is_cost)
		costs_basis(conf, &basis);
	if (got != step) {
		fprintf(stderr,
		    "itfollow: %s keeps no %lus rows for that period (it has %lus)\n",
		    path, step, got);
	} else {
		export_rows(path, a->format, start, end, step, from, to, nds,
		    names, data, is_cost ? &basis : NULL);
		rc = 0;
	}
	for (d = 0; d < nds; d++)
		free(names[d]);
	free(names);
	free(data);
	return rc;
}

int
tool_export(int argc, char **argv)
{
	struct export_args a = { .format = "csv", .step = 86400 };
	struct period per;
	char *path, err[256];
	struct conf *conf;
	int rc;

	log_open(1, LOG_WARNING);
	if ((rc = export_options(argc, argv, &a)) != 0)
		return rc;
	if (a.series == NULL && a.persp != NULL && strcmp(a.persp, "cost") == 0)
		a.series = "cost";
	if (a.system == NULL || a.series == NULL ||
	    (strcmp(a.format, "csv") != 0 && strcmp(a.format, "json") != 0)) {
		export_usage();
		return 2;
	}
	if ((conf = tool_load_conf(a.file)) == NULL)
		return 1;
	if (period_from_opts(&a.po, NULL, conf->tz, time(NULL), &per, err,
	        sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 2;
	}
	/* Daily rows (UTC days, as a FOCUS billing day) by their dates. */
	if (a.step % 86400 == 0)
		period_days(&per, conf->tz, &per);
	if (a.persp == NULL && strcmp(a.system, "unallocated") == 0 &&
	    strcmp(a.series, "cost") == 0)
		a.persp = "cost";
	rc = 2;
	if (a.persp == NULL &&
	    tool_perspective(conf, a.system, a.series, &a.persp) != 0)
		goto out;
	path = store_path(conf->data_dir, a.persp, a.system, a.series);
	if (path == NULL) {
		fprintf(stderr,
		    "itfollow: bad system, perspective or series\n");
		goto out;
	}
	rc = export_fetch(conf, &a, a.persp, path, per.from, per.to);
	free(path);
out:
	conf_free(conf);
	return rc;
}
