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
	    "usage: itfollow graph [-c file] PRESET (--system ID | --by category|portfolio|owner|perspective)\n"
	    "    [--series S] [--per month|quarter] [--last 24h|7d|30d|1y | --quarter 2014Q2 | --month 2014-05 |\n"
	    "    --year 2015 | --from T --to T] [-o FILE] [--format png|svg|pdf] [--table csv|json]\n"
	    "    [--width PX] [--height PX]\n"
	    "  PRESET: %s\n",
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
			if (cmd_graph_size(optarg,
			        ch == 'W' ? &width : &height) != 0) {
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
			cmd_graph_usage();
			return 2;
		}
	}
	if (argc - optind != 1 || (out == NULL && table == NULL)) {
		if (argc - optind == 1)
			fprintf(stderr, "itfollow: give -o FILE or --table\n");
		cmd_graph_usage();
		return 2;
	}
	req.preset = argv[optind];
	if (!graph_preset_valid(req.preset)) {
		fprintf(stderr,
		    "itfollow: unknown preset \"%s\" (availability, "
		    "response, licence, cost, cost-per-user, smoke, external-benefit, internal-benefit, learning)\n",
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
	if ((conf = tool_load_conf(file)) == NULL)
		return 1;
	if (period_from_opts(&po, graph_preset_bars(req.preset) ? "1y" : "7d",
	        conf->tz, time(NULL), &req.period, err, sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 2;
	}
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
		} else if (cmd_graph_write(out, img, len) != 0)
			rc = 1;
		free(img);
	}
done:
	chart_free(c);
	conf_free(conf);
	return rc;
}
