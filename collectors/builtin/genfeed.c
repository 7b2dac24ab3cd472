/*
 * Generic feeds: a JSON document (type "json") whose values are named by
 * RFC 6901 pointers, or a CSV file (type "csv") with a date column and
 * value columns, one row per time point (a JSON document may hold such a
 * list too: `rows`). Each configured value is a series
 * of the feed's system in the feed's perspective (e-service use in
 * external-benefit, service-desk counts in internal-benefit, ...), stored
 * with the feed's template (gauge by default; counter for totals that
 * only grow; daily for day-by-day rows; events for counts). Rows (CSV, or
 * JSON with `rows`) are written in time order, each at its own date; rows
 * already written are not sent again; with template events, whose rows
 * add up, not after a restart either (the last row's time is kept in the
 * feed's state file).
 *
 * With template events a value is a count: of the run (JSON without rows:
 * the events since the last run) or of its row's date, added to its day. With
 * cumulative = true a value is a running total instead (transactions
 * since launch), and what is counted is its growth since the value
 * before (kept in the state file): the first value only sets the start,
 * a value below the one before is a reset and counts whole.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feedsrc.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_csvfeed.h"
#include "parse_jsonfeed.h"
#include "parse_util.h"
#include "secret.h"
#include "xmalloc.h"

#define GENFEED_MAX_BYTES (64 * 1024 * 1024)

struct genfeed {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	int csv;
	struct feedsrc src;
	char **series; /* values: series -> pointer or column */
	char **where;
	size_t n;
	char *time_pointer; /* json */
	char *rows_pointer; /* json: the list of points, or NULL */
	char *date_column; /* csv */
	char *template_name;
	char *perspective;
	long long last; /* rows: the latest row written */
	int cumulative; /* values are running totals: count their growth */
	double *total; /* cumulative: each series' value before, NAN none */
	char state[4096]; /* the state file ("" none) */
	int state_loaded;
	struct itf_run *run;
	struct fetch *fetch;
};

static void genfeed_destroy(void *);

/* values = { SERIES = "column" | "/json/pointer"; ... }: the errors. */
static int
genfeed_values(struct genfeed *g)
{
	const struct itf_host_services *host = g->host;
	struct itf_instance *inst = g->inst;
	const char *const *names, *const *values;
	size_t n, i;
	int errors = 0;

	if (!host->conf_pairs(inst, "values", &names, &values, &n) || n == 0) {
		host->conf_error(inst, "values",
		    "give values = { SERIES = \"%s\"; ... };",
		    g->csv ? "column" : "/json/pointer");
		errors++;
		n = 0;
	}
	g->series = xcalloc(n + 1, sizeof *g->series);
	g->where = xcalloc(n + 1, sizeof *g->where);
	for (i = 0; i < n; i++) {
		if (!ident_valid(names[i])) {
			host->conf_error(inst, "values", "bad series id \"%s\"",
			    names[i]);
			errors++;
			continue;
		}
		if (!g->csv && !parse_jsonfeed_pointer_valid(values[i])) {
			host->conf_error(inst, "values",
			    "bad JSON pointer \"%s\" (RFC 6901: \"\" or \"/a/b\")",
			    values[i]);
			errors++;
			continue;
		}
		g->series[g->n] = xstrdup(names[i]);
		g->where[g->n++] = xstrdup(values[i]);
	}
	return errors;
}

/* A JSON feed's time and rows pointers; a CSV feed's date_column. */
static int
genfeed_pointers(struct genfeed *g)
{
	const struct itf_host_services *host = g->host;
	struct itf_instance *inst = g->inst;
	const char *s;
	int errors = 0;

	if (g->csv) {
		if (!host->conf_string(inst, "date_column", &s)) {
			host->conf_error(inst, NULL,
			    "a csv feed needs \"date_column\"");
			errors++;
		} else
			g->date_column = xstrdup(s);
		return errors;
	}
	if (host->conf_string(inst, "time", &s)) {
		if (!parse_jsonfeed_pointer_valid(s)) {
			host->conf_error(inst, "time",
			    "bad JSON pointer \"%s\"", s);
			errors++;
		} else
			g->time_pointer = xstrdup(s);
	}
	if (host->conf_string(inst, "rows", &s)) {
		if (!parse_jsonfeed_pointer_valid(s)) {
			host->conf_error(inst, "rows",
			    "bad JSON pointer \"%s\"", s);
			errors++;
		} else
			g->rows_pointer = xstrdup(s);
		if (g->time_pointer == NULL) {
			host->conf_error(inst, "rows",
			    "rows want a time: time = \"/pointer\" in each element");
			errors++;
		}
	}
	return errors;
}

static int
genfeed_configure(const struct itf_host_services *host,
    struct itf_instance *inst, void **statep, int csv)
{
	struct genfeed *g;
	const char *s;
	size_t i;
	int errors;

	g = xcalloc(1, sizeof *g);
	g->host = host;
	g->inst = inst;
	g->csv = csv;
	errors = feedsrc_configure(&g->src, host, inst, NULL, 0);
	if (host->instance_system(inst) == NULL) {
		host->conf_error(inst, NULL, "a %s feed needs a \"system\"",
		    csv ? "csv" : "json");
		errors++;
	}
	errors += genfeed_values(g);
	errors += genfeed_pointers(g);
	errors += feedsrc_configure_auth(&g->src, host, inst);
	g->template_name =
	    xstrdup(host->conf_string(inst, "template", &s) ? s : "gauge");
	if (host->conf_bool(inst, "cumulative", &g->cumulative) &&
	    g->cumulative && strcmp(g->template_name, "events") != 0) {
		host->conf_error(inst, "cumulative",
		    "cumulative counts growth: it wants template = \"events\"");
		errors++;
	}
	g->total = xcalloc(g->n + 1, sizeof *g->total);
	for (i = 0; i < g->n; i++)
		g->total[i] = NAN;
	g->perspective = xstrdup(host->conf_string(inst, "perspective", &s)
	        ? s
	        : "external-benefit");
	g->last = 0;
	if (errors != 0) {
		genfeed_destroy(g);
		return -1;
	}
	*statep = g;
	return 0;
}

static int
genfeed_configure_json(const struct itf_host_services *host,
    struct itf_instance *inst, void **statep)
{
	return genfeed_configure(host, inst, statep, 0);
}

static int
genfeed_configure_csv(const struct itf_host_services *host,
    struct itf_instance *inst, void **statep)
{
	return genfeed_configure(host, inst, statep, 1);
}

static void
genfeed_end(struct genfeed *g, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = g->run;

	g->run = NULL;
	g->fetch = NULL;
	g->host->run_done(run, status, reason, msg);
}

/*
 * A feed of rows of counts: its rows add up, so none may be sent twice,
 * and the last one sent is kept across restarts. (Rows of other
 * templates are sent again after a restart: a file made anew gets them
 * all.)
 */
static int
genfeed_counts(const struct genfeed *g)
{
	return (g->csv || g->rows_pointer != NULL) &&
	    strcmp(g->template_name, "events") == 0;
}

/*
 * State: "last TIME" (csv, events) and "total SERIES VALUE" (cumulative) lines,
 * read at the first run; a line that cannot be read is left out.
 */
static void
genfeed_state_load(struct genfeed *g)
{
	char line[256], name[128];
	long long t;
	double v;
	size_t i;
	FILE *f;

	g->state_loaded = 1;
	if (g->host->state_path(g->inst, g->state, sizeof g->state) != 0) {
		g->state[0] = '\0';
		return;
	}
	if ((f = fopen(g->state, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "last %lld", &t) == 1 && genfeed_counts(g))
			g->last = t;
		if (sscanf(line, "total %127s %lf", name, &v) != 2 ||
		    !isfinite(v))
			continue;
		for (i = 0; i < g->n; i++) {
			if (strcmp(g->series[i], name) == 0)
				g->total[i] = v;
		}
	}
	fclose(f);
}

static void
genfeed_state_save(struct genfeed *g)
{
	char tmp[4200];
	size_t i;
	FILE *f;

	if (g->state[0] == '\0' || (!genfeed_counts(g) && !g->cumulative))
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", g->state);
	if ((f = fopen(tmp, "w")) == NULL)
		goto fail;
	fprintf(f, "last %lld\n", g->last);
	for (i = 0; i < g->n; i++) {
		if (!isnan(g->total[i]))
			fprintf(f, "total %s %.17g\n", g->series[i],
			    g->total[i]);
	}
	if (fclose(f) != 0 || rename(tmp, g->state) != 0) {
		unlink(tmp);
		goto fail;
	}
	return;
fail:
	g->host->log(g->inst, ITF_LOG_ERR, "cannot save %s: %s", g->state,
	    strerror(errno));
}

static const char *genfeed_ds(const struct genfeed *);

/*
 * Emit value i at time t; a cumulative one as its growth since the value
 * before (nothing for the first, the whole value after a reset).
 */
static int
genfeed_emit(struct genfeed *g, const char *system, size_t i, double v,
    long long t)
{
	double prev;

	if (g->cumulative && !isnan(v)) {
		prev = g->total[i];
		g->total[i] = v;
		if (isnan(prev))
			return 0;
		v = v >= prev ? v - prev : v;
	}
	return g->host->emit_series(g->run, system, g->perspective,
	    g->series[i], g->template_name, genfeed_ds(g), v, t);
}

/* The data source of the template a value goes to: its first. */
static const char *
genfeed_ds(const struct genfeed *g)
{
	return strcmp(g->template_name, "events") == 0 ? "count" : "value";
}

static void genfeed_rows(struct genfeed *, const struct parse_csvfeed *,
    const char *);

/*
 * What a worker reads of a JSON document (offload): the configured
 * pointers, copied, in; the values found (or, with rows, the rows), out.
 * The document itself, which may hold millions of keys, is made and freed
 * on the worker.
 */
struct genfeed_json_ask {
	size_t n;
	char **where;
	char *time_pointer;
	char *rows_pointer;
};

struct genfeed_json_found {
	int too_large; /* more values than may be loaded */
	char *cause; /* not a JSON document (or too large) */
	long long t;
	char *time_cause;
	size_t n;
	double *v;
	char **why; /* per value: NULL, or why it is missing */
	struct parse_csvfeed *rows; /* with rows_pointer */
};

static void
genfeed_json_ask_free(void *arg)
{
	struct genfeed_json_ask *a = arg;
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->where[i]);
	free(a->where);
	free(a->time_pointer);
	free(a->rows_pointer);
	free(a);
}

static struct genfeed_json_ask *
genfeed_json_ask(const struct genfeed *g)
{
	struct genfeed_json_ask *a = xcalloc(1, sizeof *a);
	size_t i;

	a->n = g->n;
	a->where = xcalloc(g->n + 1, sizeof *a->where);
	for (i = 0; i < g->n; i++)
		a->where[i] = xstrdup(g->where[i]);
	if (g->time_pointer != NULL)
		a->time_pointer = xstrdup(g->time_pointer);
	if (g->rows_pointer != NULL)
		a->rows_pointer = xstrdup(g->rows_pointer);
	return a;
}

static void
genfeed_json_found_free(void *arg)
{
	struct genfeed_json_found *fd = arg;
	size_t i;

	if (fd == NULL)
		return;
	for (i = 0; i < fd->n; i++)
		free(fd->why[i]);
	free(fd->why);
	free(fd->v);
	free(fd->cause);
	free(fd->time_cause);
	if (fd->rows != NULL) {
		parse_csvfeed_free(fd->rows);
		free(fd->rows);
	}
	free(fd);
}

/* On a worker thread: load, read every pointer, free the document. */
static void *
genfeed_json_parse(const char *buf, size_t len, void *arg)
{
	const struct genfeed_json_ask *a = arg;
	struct genfeed_json_found *fd = xcalloc(1, sizeof *fd);
	struct parse_jsonfeed *doc;
	size_t i;

	fd->n = a->n;
	fd->v = xcalloc(a->n + 1, sizeof *fd->v);
	fd->why = xcalloc(a->n + 1, sizeof *fd->why);
	fd->too_large =
	    parse_util_json_values(buf, len) > PARSE_UTIL_JSON_MAX_VALUES;
	if ((doc = parse_jsonfeed_load(buf, len, &fd->cause)) == NULL)
		return fd;
	if (a->rows_pointer != NULL) {
		fd->rows = xmalloc(sizeof *fd->rows);
		parse_jsonfeed_rows(doc, a->rows_pointer, a->time_pointer,
		    (const char *const *)a->where, a->n, fd->rows);
		parse_jsonfeed_free(doc);
		return fd;
	}
	if (a->time_pointer != NULL &&
	    parse_jsonfeed_time(doc, a->time_pointer, &fd->t,
	        &fd->time_cause) != 0)
		fd->t = 0;
	for (i = 0; i < a->n; i++)
		parse_jsonfeed_number(doc, a->where[i], &fd->v[i], &fd->why[i]);
	parse_jsonfeed_free(doc);
	return fd;
}

static void
genfeed_json(struct genfeed *g, const struct genfeed_json_found *fd)
{
	const char *system = g->host->instance_system(g->inst);
	size_t i, bad = 0;

	if (fd->cause != NULL) {
		g->host->log(g->inst, ITF_LOG_WARNING, "%s", fd->cause);
		genfeed_end(g, ITF_STATUS_DOWN,
		    fd->too_large ? ITF_REASON_TOO_LARGE
		                  : ITF_REASON_PARSE_ERROR,
		    fd->too_large ? fd->cause : "not a JSON document");
		return;
	}
	if (fd->rows != NULL) {
		genfeed_rows(g, fd->rows, "no list of rows in the document");
		return;
	}
	if (fd->time_cause != NULL)
		g->host->log(g->inst, ITF_LOG_WARNING, "time %s: %s",
		    g->time_pointer, fd->time_cause);
	for (i = 0; i < g->n; i++) {
		if (fd->why[i] != NULL) {
			g->host->log(g->inst, ITF_LOG_WARNING, "%s %s: %s",
			    g->series[i], g->where[i], fd->why[i]);
			bad++;
			continue;
		}
		if (genfeed_emit(g, system, i, fd->v[i], fd->t) != 0)
			bad++;
	}
	if (bad == g->n)
		genfeed_end(g, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    "no configured value in the document");
	else {
		genfeed_state_save(g);
		genfeed_end(g, ITF_STATUS_UP, ITF_REASON_OK, NULL);
	}
}

/*
 * Rows read (CSV, or JSON with rows): their problems logged, the new ones
 * written in time order. A list that could not be read at all makes the
 * run down with down_msg. out stays the caller's (freed off the loop).
 */
static void
genfeed_rows(struct genfeed *g, const struct parse_csvfeed *out,
    const char *down_msg)
{
	const char *system = g->host->instance_system(g->inst);
	long long last = g->last;
	size_t r, i;

	for (i = 0; i < out->nerrors && i < 5; i++)
		g->host->log(g->inst, ITF_LOG_WARNING, "%s", out->errors[i]);
	if (out->nerrors > 5)
		g->host->log(g->inst, ITF_LOG_WARNING, "%zu more problems",
		    out->nerrors - 5);
	if (!out->ok) {
		g->host->log(g->inst, ITF_LOG_WARNING, "%s", out->error);
		genfeed_end(g, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    down_msg);
		return;
	}
	/* Rows come sorted by time: only the new ones are sent. */
	for (r = 0; r < out->nrows; r++) {
		if (out->rows[r].time <= g->last)
			continue;
		for (i = 0; i < g->n; i++)
			genfeed_emit(g, system, i, out->rows[r].values[i],
			    out->rows[r].time);
		last = out->rows[r].time;
	}
	g->last = last;
	genfeed_state_save(g);
	genfeed_end(g, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

/* What a worker needs to read a CSV feed (offload): the columns. */
struct genfeed_csv_ask {
	struct parse_csvfeed_opts o;
	char *date_column;
	char **columns;
};

static void
genfeed_csv_ask_free(void *arg)
{
	struct genfeed_csv_ask *a = arg;
	size_t i;

	for (i = 0; i < a->o.nvalues; i++)
		free(a->columns[i]);
	free(a->columns);
	free(a->date_column);
	free(a);
}

static struct genfeed_csv_ask *
genfeed_csv_ask(const struct genfeed *g)
{
	struct genfeed_csv_ask *a = xcalloc(1, sizeof *a);
	size_t i;

	a->date_column = xstrdup(g->date_column);
	a->columns = xcalloc(g->n + 1, sizeof *a->columns);
	for (i = 0; i < g->n; i++)
		a->columns[i] = xstrdup(g->where[i]);
	a->o.date_column = a->date_column;
	a->o.value_columns = (const char *const *)a->columns;
	a->o.nvalues = g->n;
	return a;
}

static void *
genfeed_csv_parse(const char *buf, size_t len, void *arg)
{
	const struct genfeed_csv_ask *a = arg;
	struct parse_csvfeed *out = xmalloc(sizeof *out);

	parse_csvfeed(buf, len, &a->o, out);
	return out;
}

static void
genfeed_csv_free(void *arg)
{
	parse_csvfeed_free(arg);
	free(arg);
}

static void
genfeed_done_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct genfeed *g = arg;

	g->fetch = NULL;
	if (!r->ok) {
		genfeed_end(g, ITF_STATUS_DOWN, r->reason, r->msg);
		return;
	}
	if (g->csv)
		genfeed_rows(g, r->parsed, "unreadable CSV");
	else
		genfeed_json(g, r->parsed);
}

static int
genfeed_start(void *arg, struct itf_run *run)
{
	struct genfeed *g = arg;
	struct fetch_opts o;
	char *cause = NULL, *secret = NULL;

	if (!g->state_loaded)
		genfeed_state_load(g);
	memset(&o, 0, sizeof o);
	feedsrc_opts(&g->src, &o);
	o.max_bytes = GENFEED_MAX_BYTES;
	o.timeout_ms = g->host->timeout_ms(g->inst);
	if (g->csv) {
		o.parse = genfeed_csv_parse;
		o.parse_free = genfeed_csv_free;
		o.parse_arg = genfeed_csv_ask(g);
		o.parse_arg_free = genfeed_csv_ask_free;
	} else {
		o.parse = genfeed_json_parse;
		o.parse_free = genfeed_json_found_free;
		o.parse_arg = genfeed_json_ask(g);
		o.parse_arg_free = genfeed_json_ask_free;
	}
	if (feedsrc_auth(&g->src, &o, &secret, &cause) != 0) {
		o.parse_arg_free(o.parse_arg);
		g->host->log(g->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		return -1;
	}
	g->run = run;
	g->fetch =
	    fetch_start(g->host->event_base(), &o, genfeed_done_cb, g, &cause);
	secret_free(secret);
	if (g->fetch == NULL) {
		g->host->log(g->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		g->run = NULL;
		return -1;
	}
	return 0;
}

static void
genfeed_cancel(void *arg, struct itf_run *run)
{
	struct genfeed *g = arg;

	if (g->run != run)
		return;
	if (g->fetch != NULL)
		fetch_cancel(g->fetch);
	genfeed_end(g, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
genfeed_destroy(void *arg)
{
	struct genfeed *g = arg;
	size_t i;

	if (g == NULL)
		return;
	feedsrc_free(&g->src);
	for (i = 0; i < g->n; i++) {
		free(g->series[i]);
		free(g->where[i]);
	}
	free(g->series);
	free(g->where);
	free(g->total);
	free(g->time_pointer);
	free(g->rows_pointer);
	free(g->date_column);
	free(g->template_name);
	free(g->perspective);
	free(g);
}

const struct itf_collector_ops collector_json_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "json",
	.perspective = "external-benefit",
	.template_name = "gauge",
	.keys = genfeed_type_json_keys,
	.configure = genfeed_configure_json,
	.start = genfeed_start,
	.cancel = genfeed_cancel,
	.destroy = genfeed_destroy,
	.default_interval = 300,
};

const struct itf_collector_ops collector_csv_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "csv",
	.perspective = "external-benefit",
	.template_name = "gauge",
	.keys = genfeed_type_csv_keys,
	.configure = genfeed_configure_csv,
	.start = genfeed_start,
	.cancel = genfeed_cancel,
	.destroy = genfeed_destroy,
	.default_interval = 3600,
};
