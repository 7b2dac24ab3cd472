/*
 * itfollow graph: a preset graph (graph.c) of a system or of groups over a
 * period, as PNG, SVG or PDF, and its table.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "chart.h"
#include "conf.h"
#include "graph.h"
#include "log.h"
#include "period.h"
#include "tool.h"
#include "xmalloc.h"

static void
cmd_graph_usage(void)
{
	char names[256];

	graph_preset_names(names, sizeof names);
	fprintf(stderr,
	    "usage: itfollow graph [-c file] PRESET (--system ID | --by category|portfolio|owner|perspective)\n    [--series S] [--per month|quarter] [--last 24h|7d|30d|1y | --quarter 2014Q2 | --month 2014-05 |\n    --year 2015 | --from T --to T] [-o FILE] [--format png|svg|pdf] [--table csv|json]\n    [--width PX] [--height PX]\n  PRESET: %s\n",
	    names);
}

static int
cmd_graph_write(const char *file, const void *buf, size_t len)
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
cmd_graph_size(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 100 || v > 10000)
		return -1;
	*out = (int)v;
	return 0;
}

/* What the command line asks for. */
struct cmd_graph_opts {
	struct period_opts po;
	struct graph_req req;
	const char *file, *out, *format, *table;
	int width, height;
};

/* One option: 0, or 2 (said why). */
static int
cmd_graph_opt(struct cmd_graph_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		o->file = arg;
		break;
	case 'o':
		o->out = arg;
		break;
	case 's':
		o->req.system = arg;
		break;
	case 'b':
		o->req.by = arg;
		break;
	case 'S':
		o->req.series = arg;
		break;
	case 'P':
		o->req.per = arg;
		break;
	case 'F':
		if ((o->format = chart_format(arg)) == NULL) {
			fprintf(stderr,
			    "itfollow: --format is png, svg or pdf, not \"%s\"\n",
			    arg);
			return 2;
		}
		break;
	case 'T':
		o->table = arg;
		if (strcmp(arg, "csv") != 0 && strcmp(arg, "json") != 0) {
			fprintf(stderr,
			    "itfollow: --table is csv or json, not \"%s\"\n",
			    arg);
			return 2;
		}
		break;
	case 'W':
	case 'H':
		if (cmd_graph_size(arg, ch == 'W' ? &o->width : &o->height) !=
		    0) {
			fprintf(stderr,
			    "itfollow: bad size \"%s\" (100 to 10000 pixels)\n",
			    arg);
			return 2;
		}
		break;
	default:
		if (period_opt(&o->po, ch, arg))
			break;
		cmd_graph_usage();
		return 2;
	}
	return 0;
}

/* The command line: 0, or 2 (said why). */
static int
cmd_graph_args(int argc, char **argv, struct cmd_graph_opts *o)
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
	char names[256];
	int ch;

	memset(o, 0, sizeof *o);
	o->width = 800;
	o->height = 300;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:o:", longopts, NULL)) != -1) {
		if (cmd_graph_opt(o, ch, optarg) != 0)
			return 2;
	}
	if (argc - optind != 1 || (o->out == NULL && o->table == NULL)) {
		if (argc - optind == 1)
			fprintf(stderr, "itfollow: give -o FILE or --table\n");
		cmd_graph_usage();
		return 2;
	}
	o->req.preset = argv[optind];
	if (!graph_preset_valid(o->req.preset)) {
		graph_preset_names(names, sizeof names);
		fprintf(stderr, "itfollow: unknown preset \"%s\" (%s)\n",
		    o->req.preset, names);
		return 2;
	}
	if (o->format == NULL && o->out != NULL && strcmp(o->out, "-") != 0 &&
	    (o->format = chart_format_of(o->out)) == NULL) {
		fprintf(stderr,
		    "itfollow: %s: give --format png|svg|pdf or a file ending .png, .svg or .pdf\n",
		    o->out);
		return 2;
	}
	if (o->format == NULL)
		o->format = "PNG";
	return 0;
}

/* The chart as a table and as a picture, as asked: 0, or 1. */
static int
cmd_graph_output(const struct cmd_graph_opts *o, const struct chart *c)
{
	char *cause = NULL;
	void *img = NULL;
	size_t len;
	int rc = 0;

	if (o->table != NULL)
		chart_table(c, o->table, stdout);
	if (o->out != NULL) {
		chart_check_fonts();
		if (chart_render(c, o->format, o->width, o->height, &img, &len,
		        &cause) != 0) {
			fprintf(stderr, "itfollow: %s\n", cause);
			free(cause);
			rc = 1;
		} else if (cmd_graph_write(o->out, img, len) != 0)
			rc = 1;
		free(img);
	}
	return rc;
}

int
tool_graph(int argc, char **argv)
{
	struct cmd_graph_opts o;
	struct conf *conf;
	struct chart *c = NULL;
	char err[512];
	int rc;

	log_open(1, LOG_WARNING);
	if ((rc = cmd_graph_args(argc, argv, &o)) != 0)
		return rc;
	if (o.out != NULL)
		chart_check_fonts_start();
	/* A system's graph reads its collectors, not the others'. */
	if ((conf = tool_load_conf_system(o.file, o.req.system)) == NULL)
		return 1;
	if (period_from_opts(&o.po,
	        graph_preset_bars(o.req.preset) ? "1y" : "7d", conf->tz,
	        time(NULL), &o.req.period, err, sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 2;
	}
	rc = graph_build(conf, &o.req, &c, err, sizeof err);
	if (rc != GRAPH_OK)
		fprintf(stderr, "itfollow: %s\n", err);
	else
		rc = cmd_graph_output(&o, c);
	chart_free(c);
	conf_free(conf);
	return rc;
}
