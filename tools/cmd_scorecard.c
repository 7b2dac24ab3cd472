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
	    "usage: itfollow report scorecard [-c file] --quarter 2026Q1 (or --year, --month, --from/--to)\n    [--by category|portfolio|owner] [--format text|csv|json] [--html FILE]\n");
}

/* What the command line asks for. */
struct cmd_scorecard_opts {
	struct period_opts po;
	const char *file, *by, *format, *html;
};

/* The command line: 0, or 2 (said why). */
static int
cmd_scorecard_args(int argc, char **argv, struct cmd_scorecard_opts *o)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'F' },
		{ "html", required_argument, NULL, 'H' },
		PERIOD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->format = "text";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->file = optarg;
			break;
		case 'b':
			o->by = optarg;
			break;
		case 'F':
			o->format = optarg;
			break;
		case 'H':
			o->html = optarg;
			break;
		default:
			if (period_opt(&o->po, ch, optarg))
				break;
			cmd_scorecard_usage();
			return 2;
		}
	}
	if (optind != argc ||
	    (strcmp(o->format, "text") != 0 && strcmp(o->format, "csv") != 0 &&
	        strcmp(o->format, "json") != 0)) {
		cmd_scorecard_usage();
		return 2;
	}
	if (o->by != NULL && !conf_is_tag(o->by)) {
		fprintf(stderr,
		    "itfollow: unknown grouping \"%s\" (category, portfolio, owner)\n",
		    o->by);
		return 2;
	}
	return 0;
}

/* The rows printed in the format asked, and the HTML page: 0, or 1. */
static int
cmd_scorecard_output(const struct cmd_scorecard_opts *o,
    const struct conf *conf, const struct period *p,
    const struct scorecard_row *rows, size_t n)
{
	struct cost_basis b;

	costs_basis(conf, &b);
	if (b.mixed)
		fprintf(stderr,
		    "itfollow: warning: the cost feeds differ in currency or basis: sums over them are not one amount\n");
	if (strcmp(o->format, "json") == 0)
		scorecard_json(stdout, conf->tz, o->by, p, &b, rows, n);
	else if (strcmp(o->format, "csv") == 0)
		scorecard_csv(stdout, o->by, &b, rows, n);
	else
		scorecard_text(stdout, conf->tz, o->by, p, &b, rows, n);
	if (o->html != NULL) {
		chart_check_fonts();
		if (scorecard_html(o->html, conf, o->by, p, &b, rows, n) != 0)
			return 1;
	}
	return 0;
}

int
tool_scorecard(int argc, char **argv)
{
	struct cmd_scorecard_opts o;
	struct period p;
	struct conf *conf;
	struct scorecard_row *rows;
	char err[512];
	size_t n = 0;
	int rc;

	log_open(1, LOG_WARNING);
	if ((rc = cmd_scorecard_args(argc, argv, &o)) != 0)
		return rc;
	if ((conf = tool_load_conf(o.file)) == NULL)
		return 1;
	if (period_from_opts(&o.po, NULL, conf->tz, time(NULL), &p, err,
	        sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 2;
	}
	if ((rows = scorecard_build(conf, o.by, &p, &n, err, sizeof err)) ==
	    NULL) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 1;
	}
	rc = cmd_scorecard_output(&o, conf, &p, rows, n);
	scorecard_rows_free(rows, n);
	conf_free(conf);
	return rc;
}
