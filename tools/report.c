/*
 * itfollow report availability: the figures of availability.h for one
 * system (--system ID) or for every value of a tag (--by category |
 * portfolio | owner, a row per value), over a period, as a text table,
 * CSV or JSON. With --by the first column is "group" (the tag's value)
 * instead of "system"; the other keys are the same. Within service
 * hours the figures come again (service_*), next to the all-hours ones.
 * Times are local to daemon.timezone, with their offset. Exit 2 on bad
 * input (unknown system, bad period), 1 when the journal cannot be read.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "availability.h"
#include "conf.h"
#include "log.h"
#include "period.h"
#include "tool.h"
#include "xmalloc.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON };

struct report_row {
	char *name;
	struct avail a;
};

static void
report_usage(void)
{
	fprintf(stderr,
	    "usage: itfollow report availability [-c file] (--system ID | --by category|portfolio|owner)\n       (--quarter 2014Q2 | --month 2014-05 | --year 2014 | --last 30d | --from T --to T)\n       [--format text|csv|json]\n  T: YYYY-MM-DD (local midnight), YYYY-MM-DDTHH:MM:SSZ or @EPOCH\n");
}

/* A number for CSV and JSON: NAN is empty (CSV) or null (JSON). */
static void
report_num(double v, int json, int decimals, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "%s", json ? "null" : "");
	else
		snprintf(buf, len, "%.*f", decimals, v);
}

/* 3725 -> "1h02m05s"; for the text table. */
static void
report_dur(double s, char *buf, size_t len)
{
	long v;

	if (isnan(s)) {
		snprintf(buf, len, "-");
		return;
	}
	v = lround(s);
	if (v >= 86400)
		snprintf(buf, len, "%ldd%02ldh%02ldm", v / 86400,
		    v % 86400 / 3600, v % 3600 / 60);
	else if (v >= 3600)
		snprintf(buf, len, "%ldh%02ldm%02lds", v / 3600, v % 3600 / 60,
		    v % 60);
	else if (v >= 60)
		snprintf(buf, len, "%ldm%02lds", v / 60, v % 60);
	else
		snprintf(buf, len, "%lds", v);
}

static void
report_text(const struct tz *z, const char *key, struct report_row *rows,
    size_t n)
{
	char from[32], to[32], av[16], raw[16], sv[16], d[6][32];
	int w = z != NULL ? 25 : 20;
	size_t i;

	printf(
	    "%-20s %-*s %-*s %8s %8s %10s %10s %7s %10s %10s %10s %8s %7s %10s\n",
	    strcmp(key, "system") == 0 ? "SYSTEM" : "GROUP", w, "FROM", w, "TO",
	    "AVAIL%", "RAW%", "UNKNOWN", "MAINT", "OUTAGES", "LONGEST", "MTTR",
	    "MTBF", "SVC%", "SVC-OUT", "SVC-MTTR");
	for (i = 0; i < n; i++) {
		struct avail *a = &rows[i].a;

		tz_iso(z, a->from, from, sizeof from);
		tz_iso(z, a->to, to, sizeof to);
		report_num(a->availability_pct, 0, 3, av, sizeof av);
		report_num(a->raw_availability_pct, 0, 3, raw, sizeof raw);
		report_num(a->service_availability_pct, 0, 3, sv, sizeof sv);
		report_dur((double)a->unknown_s, d[0], sizeof d[0]);
		report_dur((double)a->maintenance_s, d[1], sizeof d[1]);
		report_dur((double)a->longest_outage_s, d[2], sizeof d[2]);
		report_dur(a->mttr_s, d[3], sizeof d[3]);
		report_dur(a->mtbf_s, d[4], sizeof d[4]);
		report_dur(a->service_mttr_s, d[5], sizeof d[5]);
		printf(
		    "%-20s %-*s %-*s %8s %8s %10s %10s %7d %10s %10s %10s %8s %7d %10s\n",
		    rows[i].name, w, from, w, to, av[0] != '\0' ? av : "-",
		    raw[0] != '\0' ? raw : "-", d[0], d[1], a->outages, d[2],
		    d[3], d[4], sv[0] != '\0' ? sv : "-", a->service_outages,
		    d[5]);
	}
}

/* Under the text table: the zone, and one system's service hours. */
static void
report_text_notes(const struct conf *c, const char *system,
    struct report_row *rows, size_t n)
{
	const struct conf_system *s =
	    system != NULL ? conf_find_system(c, system) : NULL;
	char what[512];
	size_t i;
	int any = 0;

	for (i = 0; i < n; i++)
		any |= rows[i].a.service_hours;
	if (c->tz != NULL)
		printf("times in %s\n", tz_name(c->tz));
	if (!any)
		return;
	if (s == NULL) {
		printf("SVC: within each system's service hours (%s)\n",
		    tz_name(c->tz));
		return;
	}
	hours_describe(&s->hours, &c->hours, what, sizeof what);
	printf("SVC: within service hours, %s (%s)\n", what, tz_name(c->tz));
}

static void
report_csv(const struct tz *z, const char *key, struct report_row *rows,
    size_t n)
{
	char from[32], to[32], v[6][32];
	const char *p;
	size_t i;

	printf(
	    "%s,from,to,availability_pct,raw_availability_pct,unknown_s,maintenance_s,outages,longest_outage_s,mttr_s,mtbf_s,service_availability_pct,service_outages,service_mttr_s,service_s,service_unknown_s\n",
	    key);
	for (i = 0; i < n; i++) {
		struct avail *a = &rows[i].a;

		tz_iso(z, a->from, from, sizeof from);
		tz_iso(z, a->to, to, sizeof to);
		report_num(a->availability_pct, 0, 4, v[0], sizeof v[0]);
		report_num(a->raw_availability_pct, 0, 4, v[1], sizeof v[1]);
		report_num(a->mttr_s, 0, 1, v[2], sizeof v[2]);
		report_num(a->mtbf_s, 0, 1, v[3], sizeof v[3]);
		report_num(a->service_availability_pct, 0, 4, v[4],
		    sizeof v[4]);
		report_num(a->service_mttr_s, 0, 1, v[5], sizeof v[5]);
		/* Quoted, quotes doubled: an owner may hold a comma. */
		putchar('"');
		for (p = rows[i].name; *p != '\0'; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		printf("\",%s,%s,%s,%s,%ld,%ld,%d,%ld,%s,%s,%s,%d,%s,%ld,%ld\n",
		    from, to, v[0], v[1], a->unknown_s, a->maintenance_s,
		    a->outages, a->longest_outage_s, v[2], v[3], v[4],
		    a->service_outages, v[5], a->svc_s, a->service_unknown_s);
	}
}

static void
report_json(const struct tz *z, const char *key, struct report_row *rows,
    size_t n)
{
	char from[32], to[32], v[6][32];
	const char *p;
	size_t i;

	printf("[");
	for (i = 0; i < n; i++) {
		struct avail *a = &rows[i].a;

		tz_iso(z, a->from, from, sizeof from);
		tz_iso(z, a->to, to, sizeof to);
		report_num(a->availability_pct, 1, 4, v[0], sizeof v[0]);
		report_num(a->raw_availability_pct, 1, 4, v[1], sizeof v[1]);
		report_num(a->mttr_s, 1, 1, v[2], sizeof v[2]);
		report_num(a->mtbf_s, 1, 1, v[3], sizeof v[3]);
		report_num(a->service_availability_pct, 1, 4, v[4],
		    sizeof v[4]);
		report_num(a->service_mttr_s, 1, 1, v[5], sizeof v[5]);
		printf("%s\n  {\"%s\": \"", i > 0 ? "," : "", key);
		for (p = rows[i].name; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				putchar('\\');
			if ((unsigned char)*p >= 0x20)
				putchar(*p);
		}
		printf(
		    "\", \"from\": \"%s\", \"to\": \"%s\", \"availability_pct\": %s, \"raw_availability_pct\": %s, \"unknown_s\": %ld, \"maintenance_s\": %ld, \"outages\": %d, \"longest_outage_s\": %ld, \"mttr_s\": %s, \"mtbf_s\": %s, \"service_availability_pct\": %s, \"service_outages\": %d, \"service_mttr_s\": %s, \"service_s\": %ld, \"service_unknown_s\": %ld, \"timezone\": \"%s\"}",
		    from, to, v[0], v[1], a->unknown_s, a->maintenance_s,
		    a->outages, a->longest_outage_s, v[2], v[3], v[4],
		    a->service_outages, v[5], a->svc_s, a->service_unknown_s,
		    tz_name(z));
	}
	printf("%s]\n", n > 0 ? "\n" : "");
}

/* The distinct values of tag by, in configuration order. */
static size_t
report_groups(const struct conf *c, const char *by, char ***out)
{
	const char *v;
	size_t i, k, n = 0;

	*out = xcalloc(c->nsystems + 1, sizeof **out);
	for (i = 0; i < c->nsystems; i++) {
		v = conf_system_tag(c->systems[i], by);
		for (k = 0; k < n && strcmp((*out)[k], v) != 0; k++)
			;
		if (k == n)
			(*out)[n++] = xstrdup(v);
	}
	return n;
}

static int
report_availability(const struct conf *c, const char *system, const char *by,
    const struct period *p, enum report_format fmt)
{
	struct report_row *rows;
	char err[512], **groups = NULL;
	size_t i, n;
	int rc = 0;

	if (system != NULL) {
		n = 1;
		rows = xcalloc(1, sizeof *rows);
		rows[0].name = xstrdup(system);
		if (availability_system(c, system, p, &rows[0].a, err,
		        sizeof err) != 0) {
			fprintf(stderr, "itfollow: %s\n", err);
			rc = conf_find_system(c, system) == NULL ? 2 : 1;
		}
	} else {
		n = report_groups(c, by, &groups);
		rows = xcalloc(n + 1, sizeof *rows);
		for (i = 0; i < n && rc == 0; i++) {
			rows[i].name = groups[i];
			if (availability_group(c, by, groups[i], p, &rows[i].a,
			        err, sizeof err) != 0) {
				fprintf(stderr, "itfollow: %s\n", err);
				rc = 1;
			}
		}
		free(groups);
	}
	if (rc == 0) {
		if (fmt == REPORT_CSV)
			report_csv(c->tz, system != NULL ? "system" : "group",
			    rows, n);
		else if (fmt == REPORT_JSON)
			report_json(c->tz, system != NULL ? "system" : "group",
			    rows, n);
		else {
			report_text(c->tz, system != NULL ? "system" : "group",
			    rows, n);
			report_text_notes(c, system, rows, n);
		}
	}
	for (i = 0; i < n; i++)
		free(rows[i].name);
	free(rows);
	return rc;
}

/* What the command line asks for. */
struct report_opts {
	struct period_opts po;
	enum report_format fmt;
	const char *file, *system, *by;
};

/* --format: 0, or -1 (said why). */
static int
report_format_of(const char *s, enum report_format *fmt)
{
	if (strcmp(s, "text") == 0)
		*fmt = REPORT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*fmt = REPORT_CSV;
	else if (strcmp(s, "json") == 0)
		*fmt = REPORT_JSON;
	else {
		fprintf(stderr,
		    "itfollow: bad --format \"%s\" (want text | csv | json)\n",
		    s);
		return -1;
	}
	return 0;
}

/* The options after "availability": 0, or 2 (said why). */
static int
report_opts(int argc, char **argv, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, 's' },
		{ "by", required_argument, NULL, 'b' },
		PERIOD_LONGOPTS,
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	memset(o, 0, sizeof *o);
	o->fmt = REPORT_TEXT;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->file = optarg;
			break;
		case 's':
			o->system = optarg;
			break;
		case 'b':
			o->by = optarg;
			break;
		case 'F':
			if (report_format_of(optarg, &o->fmt) != 0)
				return 2;
			break;
		default:
			if (period_opt(&o->po, ch, optarg))
				break;
			report_usage();
			return 2;
		}
	}
	if (optind != argc || (o->system == NULL) == (o->by == NULL)) {
		if (optind == argc)
			fprintf(stderr,
			    "itfollow: give one of --system or --by\n");
		report_usage();
		return 2;
	}
	if (o->by != NULL && !conf_is_tag(o->by)) {
		fprintf(stderr,
		    "itfollow: bad --by \"%s\" (want category | portfolio | owner)\n",
		    o->by);
		return 2;
	}
	return 0;
}

int
tool_report(int argc, char **argv)
{
	struct report_opts o;
	struct period p;
	struct conf *conf;
	char err[256];
	int rc;

	log_open(1, LOG_WARNING);
	if (argc < 2 || strcmp(argv[1], "availability") != 0) {
		report_usage();
		return 2;
	}
	if ((rc = report_opts(argc - 1, argv + 1, &o)) != 0)
		return rc;
	if ((conf = tool_load_conf(o.file)) == NULL)
		return 1;
	if (period_from_opts(&o.po, NULL, conf->tz, time(NULL), &p, err,
	        sizeof err) != 0) {
		fprintf(stderr, "itfollow: %s\n", err);
		conf_free(conf);
		return 2;
	}
	rc = report_availability(conf, o.system, o.by, &p, o.fmt);
	conf_free(conf);
	return rc;
}
