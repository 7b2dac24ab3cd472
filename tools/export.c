/*
 * itfollow export: the values of one series over a period at a chosen
 * step, as CSV or JSON, read back with librrd's fetch. Each row is one
 * step, its time the step's start (ISO 8601, UTC); values are plain
 * decimals, unknown ones empty (CSV) or null (JSON). A step the file cannot
 * give (its archives are coarser) is refused rather than silently widened.
 * Cost series hold an amount per day, so daily rows sum to months and
 * quarters exactly; what the amounts are (the feeds' currency and cost
 * column) follows the rows, "# currency=SEK basis=EffectiveCost" in CSV,
 * keys of each row in JSON. "unallocated" is a system here too.
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
#include "store_rrd.h"
#include "template.h"
#include "tool.h"

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

/* The perspective of a configured series (or NULL). */
static const char *
export_perspective(const struct conf *conf, const char *system,
    const char *series)
{
	struct conf_system *s = conf_find_system(conf, system);
	size_t i;

	for (i = 0; s != NULL && i < s->ninsts; i++) {
		if (strcmp(s->insts[i]->series, series) == 0)
			return s->insts[i]->perspective;
	}
	return NULL;
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

static void
export_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow export [-c file] --system ID "
	    "[--perspective P] --series S PERIOD [--step 1d] "
	    "[--format csv|json]\n"
	    "  PERIOD: --from T --to T | --last 7d | --quarter 2026Q1 | "
	    "--month 2026-02 | --year 2026\n"
	    "  T: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH (UTC)\n"
	    "  --perspective: default the configured series'\n");
}

int
tool_export(int argc, char **argv)
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
	const char *file = NULL, *system = NULL, *persp = NULL, *series = NULL;
	const char *format = "csv";
	struct period_opts po;
	struct period per;
	time_t from, to, start, end;
	unsigned long step = 86400, got, nds, i, d, rows;
	long long want;
	char **names, *path, when[32], num[64], err[256];
	rrd_value_t *data;
	struct conf *conf;
	struct cost_basis basis;
	int ch, rc = 1, is_cost = 0;

	log_open(1, LOG_WARNING);
	memset(&po, 0, sizeof po);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 's':
			system = optarg;
			break;
		case 'p':
			persp = optarg;
			break;
		case 'S':
			series = optarg;
			break;
		case 'e':
			if ((want = template_duration(optarg)) <= 0) {
				fprintf(stderr, "itfollow: bad step \"%s\"\n",
				    optarg);
				return 2;
			}
			step = (unsigned long)want;
			break;
		case 'F':
			format = optarg;
			break;
		default:
			if (period_opt(&po, ch, optarg))
				break;
			export_usage();
			return 2;
		}
	}
	if (series == NULL && persp != NULL && strcmp(persp, "cost") == 0)
		series = "cost";
	if (system == NULL || series == NULL ||
	    (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)) {
		export_usage();
		return 2;
	}
	if (period_from_opts(&po, NULL, time(NULL), &per, err, sizeof err) !=
	    0) {
		fprintf(stderr, "itfollow: %s\n", err);
		return 2;
	}
	from = per.from;
	to = per.to;
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	if (persp == NULL && strcmp(system, "unallocated") == 0 &&
	    strcmp(series, "cost") == 0)
		persp = "cost";
	if (persp == NULL &&
	    (persp = export_perspective(conf, system, series)) == NULL) {
		fprintf(stderr,
		    "itfollow: no series %s of system %s in %s: give "
		    "--perspective\n",
		    series, system, conf->file);
		rc = 2;
		goto out;
	}
	path = store_path(conf->data_dir, persp, system, series);
	if (path == NULL) {
		fprintf(stderr,
		    "itfollow: bad system, perspective or series\n");
		rc = 2;
		goto out;
	}
	/* rrd_fetch's rows end at their time: ask from the first step's end. */
	start = from;
	end = to;
	got = step;
	tool_flush(conf, path);
	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &end, &got, &nds, &names,
	        &data) != 0) {
		fprintf(stderr, "itfollow: %s: %s\n", path, rrd_get_error());
		free(path);
		goto out;
	}
	is_cost = strcmp(persp, "cost") == 0 && strcmp(series, "cost") == 0;
	if (is_cost)
		costs_basis(conf, &basis);
	if (got != step) {
		fprintf(stderr,
		    "itfollow: %s keeps no %lus rows for that period "
		    "(it has %lus)\n",
		    path, step, got);
	} else {
		rows = (unsigned long)(end - start) / step;
		if (strcmp(format, "csv") == 0) {
			printf("time");
			for (d = 0; d < nds; d++)
				printf(",%s", names[d]);
			printf("\n");
		} else
			printf("[");
		for (i = 0; i < rows; i++) {
			time_t t = start + (time_t)(i * step);

			if (t < from || t >= to)
				continue;
			period_iso(t, when, sizeof when);
			if (strcmp(format, "csv") == 0)
				printf("%s", when);
			else
				printf("%s\n  {\"time\": \"%s\"",
				    rc == 2 ? "," : "", when);
			rc = 2;
			for (d = 0; d < nds; d++) {
				double v = data[i * nds + d];

				if (isnan(v))
					num[0] = '\0';
				else
					export_num(v, num, sizeof num);
				if (strcmp(format, "csv") == 0)
					printf(",%s", num);
				else
					printf(", \"%s\": %s", names[d],
					    num[0] ? num : "null");
			}
			if (is_cost && strcmp(format, "json") == 0)
				export_basis_json(&basis);
			printf(strcmp(format, "csv") == 0 ? "\n" : "}");
		}
		if (strcmp(format, "json") == 0)
			printf("\n]\n");
		else if (is_cost)
			printf("# currency=%s basis=%s\n",
			    basis.currency[0] && !basis.mixed ? basis.currency
			                                      : "unknown",
			    basis.basis[0] && !basis.mixed ? basis.basis
			                                   : "unknown");
		rc = 0;
	}
	for (d = 0; d < nds; d++)
		free(names[d]);
	free(names);
	free(data);
	free(path);
out:
	conf_free(conf);
	return rc;
}
