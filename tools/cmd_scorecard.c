/*
 * itfollow report scorecard: a quarter's key figures per system or group
 * (scorecard.c), as text, CSV, JSON or HTML with charts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "availability.h"
#include "chart.h"
#include "conf.h"
#include "costs.h"
#include "log.h"
#include "period.h"
#include "scorecard.h"
#include "tool.h"
#include "xmalloc.h"

static void
cmd_scorecard_usage(void)
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
	struct cost_basis b;
	struct scorecard_row *rows;
	const char *file = NULL, *by = NULL, *format = "text", *html = NULL;
	char err[512];
	size_t n = 0;
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
			cmd_scorecard_usage();
			return 2;
		}
	}
	if (optind != argc ||
	    (strcmp(format, "text") != 0 && strcmp(format, "csv") != 0 &&
	        strcmp(format, "json") != 0)) {
		cmd_scorecard_usage();
		return 2;
	}
	if (by != NULL && !conf_is_tag(by)) {
		fprintf(stderr,
		    "itfollow: unknown grouping \"%s\" (category, "
		    "portfolio, owner)\n",
		    by);
		return 2;
	}
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	if (period_from_opts(&po, NULL, conf->tz, time(NULL), &p, err,
	        sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 2;
	}
	if ((rows = scorecard_build(conf, by, &p, &n, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 1;
	}
	costs_basis(conf, &b);
	if (b.mixed)
		fprintf(stderr,
		    "itfollow: warning: the cost feeds differ in currency or "
		    "basis: sums over them are not one amount\n");
	if (strcmp(format, "json") == 0)
		scorecard_json(stdout, conf->tz, by, &p, &b, rows, n);
	else if (strcmp(format, "csv") == 0)
		scorecard_csv(stdout, by, &b, rows, n);
	else
		scorecard_text(stdout, conf->tz, by, &p, &b, rows, n);
	if (html != NULL) {
		chart_check_fonts();
		if (scorecard_html(html, conf, by, &p, &b, rows, n) != 0)
			rc = 1;
	}
	scorecard_rows_free(rows, n);
	conf_free(conf);
	return rc;
}
