/*
 * FinOps FOCUS cost feeds (type "focus"). The CSV is fetched by URL and
 * parsed as it streams in, so memory stays flat whatever its size. Each
 * row's cost (EffectiveCost, or BilledCost) goes to a system: the row's
 * key (a key of its Tags JSON, or a column) looked up in `map`, else the
 * key itself when it is a configured system's id, else "unallocated", so
 * the totals always reconcile with the file. A row whose charge period
 * spans several UTC days is spread evenly over them (to the millionth, the
 * remainder on the first days). Amounts are summed as integers; a row in
 * another currency than the feed's is rejected and reported. The days the
 * file covers replace what each series held for them (template "cost",
 * mode replace): late rows and corrections make the series true again.
 * A file:// URL naming a directory reads every *.csv in it, by name, as
 * one input: a file that cannot be read or is not FOCUS fails the run,
 * naming the file, and nothing stored changes.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedsrc.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "parse_focus.h"
#include "secret.h"
#include "xmalloc.h"

#define FOCUS_DAY 86400LL
/* A file covering more days than this is refused: 10 years. */
#define FOCUS_MAX_DAYS 3660

static const struct itf_key focus_keys[] = {
	FEEDSRC_KEYS,
	FEEDSRC_AUTH_KEYS,
	{ "map", ITF_KEY_PAIR_LIST },
	{ "cost_column", ITF_KEY_STRING },
	{ "system_key", ITF_KEY_STRING },
	{ "currency", ITF_KEY_STRING },
	{ NULL, 0 },
};

/* One system's daily sums in this run, in millionths. */
struct focus_sys {
	char *id;
	long long base; /* the day of sums[0] */
	size_t ndays;
	long long *sums;
};

struct focus {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	struct feedsrc src;
	char *cost_column;
	char *system_key;
	char *currency; /* configured, or NULL: the first row's */

	/* Systems ever written: a run writes every one of them, so a cost
	 * that moved away is 0 where it was. */
	char **known;
	size_t nknown;

	/* The run. */
	struct itf_run *run;
	struct fetch *fetch;
	struct parse_focus *parser;
	/* A directory's *.csv files, by name, read one after another into
	 * the same sums; none for a single file. */
	char **files;
	size_t nfiles, file;
	const char *prefix; /* "NAME: " of the file being read, or "" */
	char prefix_buf[300];
	size_t rows; /* of every file so far */
	struct focus_sys *sys;
	size_t nsys;
	char *run_currency;
	long long min_day, max_day;
	size_t other_currency;
	size_t too_long;
	/* Keys already routed: key -> index in sys (open addressing). */
	struct focus_route {
		char *key;
		size_t sys;
	} * routes;
	size_t nroutes, routes_cap;
};

static void focus_destroy(void *);

static int
focus_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct focus *fo;
	const char *s;
	int errors;

	fo = xcalloc(1, sizeof *fo);
	fo->host = host;
	fo->inst = inst;
	errors = feedsrc_configure(&fo->src, host, inst, "map", 0);
	errors += feedsrc_configure_auth(&fo->src, host, inst);
	if (fo->src.argv != NULL) {
		host->conf_error(inst, "command",
		    "a focus feed is read by "
		    "\"url\" (file://, http://, https://)");
		errors++;
	}
	fo->cost_column = xstrdup(
	    host->conf_string(inst, "cost_column", &s) ? s : "EffectiveCost");
	if (strcmp(fo->cost_column, "EffectiveCost") != 0 &&
	    strcmp(fo->cost_column, "BilledCost") != 0) {
		host->conf_error(inst, "cost_column",
		    "cost_column must be "
		    "EffectiveCost or BilledCost");
		errors++;
	}
	fo->system_key = xstrdup(host->conf_string(inst, "system_key", &s)
	        ? s
	        : "tag:itfollow-system");
	if ((strncmp(fo->system_key, "tag:", 4) != 0 &&
	        strncmp(fo->system_key, "column:", 7) != 0) ||
	    strchr(fo->system_key, ':')[1] == '\0') {
		host->conf_error(inst, "system_key",
		    "system_key must be "
		    "\"tag:KEY\" or \"column:NAME\"");
		errors++;
	}
	if (host->conf_string(inst, "currency", &s))
		fo->currency = xstrdup(s);
	if (errors != 0) {
		focus_destroy(fo);
		return -1;
	}
	*statep = fo;
	return 0;
}

static size_t
focus_sys_index(struct focus *fo, const char *id)
{
	size_t i;

	for (i = 0; i < fo->nsys; i++) {
		if (strcmp(fo->sys[i].id, id) == 0)
			return i;
	}
	fo->sys = xreallocarray(fo->sys, fo->nsys + 1, sizeof *fo->sys);
	memset(&fo->sys[fo->nsys], 0, sizeof *fo->sys);
	fo->sys[fo->nsys].id = xstrdup(id);
	return fo->nsys++;
}

static uint32_t
focus_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
focus_routes_grow(struct focus *fo)
{
	struct focus_route *old = fo->routes;
	size_t oldcap = fo->routes_cap, i, b;

	fo->routes_cap = oldcap ? oldcap * 2 : 1024;
	fo->routes = xcalloc(fo->routes_cap, sizeof *fo->routes);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		b = focus_hash(old[i].key) & (fo->routes_cap - 1);
		while (fo->routes[b].key != NULL)
			b = (b + 1) & (fo->routes_cap - 1);
		fo->routes[b] = old[i];
	}
	free(old);
}

/*
 * Where a row's key goes: map, a configured system, or unallocated. Each
 * distinct key is worked out once per run; rows then find it hashed.
 */
static size_t
focus_route(struct focus *fo, const char *key)
{
	const char *id;
	size_t b;

	if (key == NULL || *key == '\0')
		return focus_sys_index(fo, "unallocated");
	if (fo->nroutes * 2 >= fo->routes_cap)
		focus_routes_grow(fo);
	b = focus_hash(key) & (fo->routes_cap - 1);
	for (; fo->routes[b].key != NULL; b = (b + 1) & (fo->routes_cap - 1)) {
		if (strcmp(fo->routes[b].key, key) == 0)
			return fo->routes[b].sys;
	}
	id = feedsrc_map(&fo->src, key, NULL);
	if (id == NULL && ident_valid(key) &&
	    fo->host->system_exists(fo->inst, key))
		id = key;
	fo->routes[b].key = xstrdup(key);
	fo->routes[b].sys =
	    focus_sys_index(fo, id != NULL ? id : "unallocated");
	fo->nroutes++;
	return fo->routes[b].sys;
}

static void
focus_add(struct focus_sys *s, long long day, long long micros)
{
	size_t i, grow;

	if (s->ndays == 0) {
		s->base = day;
		s->ndays = 1;
		s->sums = xcalloc(1, sizeof *s->sums);
	} else if (day < s->base) {
		grow = (size_t)(s->base - day);
		s->sums =
		    xreallocarray(s->sums, s->ndays + grow, sizeof *s->sums);
		memmove(s->sums + grow, s->sums, s->ndays * sizeof *s->sums);
		for (i = 0; i < grow; i++)
			s->sums[i] = 0;
		s->ndays += grow;
		s->base = day;
	} else if (day >= s->base + (long long)s->ndays) {
		grow = (size_t)(day - s->base) + 1 - s->ndays;
		s->sums =
		    xreallocarray(s->sums, s->ndays + grow, sizeof *s->sums);
		for (i = 0; i < grow; i++)
			s->sums[s->ndays + i] = 0;
		s->ndays += grow;
	}
	s->sums[day - s->base] += micros;
}

static long long
focus_floor_day(long long t)
{
	return t >= 0 ? t / FOCUS_DAY : -((-t + FOCUS_DAY - 1) / FOCUS_DAY);
}

static void
focus_row_cb(const struct parse_focus_row *r, void *arg)
{
	struct focus *fo = arg;
	const char *want;
	long long d0, d1, n, per, rem, d;
	struct focus_sys *s;

	want = fo->currency != NULL ? fo->currency : fo->run_currency;
	if (r->currency[0] != '\0') {
		if (want == NULL)
			want = fo->run_currency = xstrdup(r->currency);
		if (strcmp(want, r->currency) != 0) {
			if (fo->other_currency++ < 5)
				fo->host->log(fo->inst, ITF_LOG_WARNING,
				    "%srow %zu: "
				    "currency %s, not %s: rejected",
				    fo->prefix, r->row, r->currency, want);
			return;
		}
	}
	d0 = focus_floor_day(r->start);
	d1 = -focus_floor_day(-r->end); /* ceil: end is exclusive */
	n = d1 - d0;
	if (n < 1 || n > FOCUS_MAX_DAYS) {
		if (fo->too_long++ < 5)
			fo->host->log(fo->inst, ITF_LOG_WARNING,
			    "%srow %zu: a "
			    "charge period of %lld days: rejected",
			    fo->prefix, r->row, n);
		return;
	}
	d = (long long)focus_route(fo, r->key); /* may move fo->sys */
	s = &fo->sys[d];
	per = r->micros / n;
	rem = r->micros - per * n;
	for (d = 0; d < n; d++) {
		/* The remainder, a millionth at a time, on the first days. */
		focus_add(s, d0 + d,
		    per +
		        (d < (rem < 0 ? -rem : rem) ? (rem < 0 ? -1 : 1) : 0));
	}
	if (fo->min_day > d0 || fo->max_day < fo->min_day)
		fo->min_day = d0;
	if (fo->max_day < d1 - 1)
		fo->max_day = d1 - 1;
}

static void
focus_data_cb(const char *buf, size_t len, void *arg)
{
	struct focus *fo = arg;

	parse_focus_feed(fo->parser, buf, len);
}

static void
focus_remember(struct focus *fo, const char *id)
{
	size_t i;

	for (i = 0; i < fo->nknown; i++) {
		if (strcmp(fo->known[i], id) == 0)
			return;
	}
	fo->known = xreallocarray(fo->known, fo->nknown + 1, sizeof *fo->known);
	fo->known[fo->nknown++] = xstrdup(id);
}

static void
focus_run_free(struct focus *fo)
{
	size_t i;

	for (i = 0; i < fo->nsys; i++) {
		free(fo->sys[i].id);
		free(fo->sys[i].sums);
	}
	free(fo->sys);
	fo->sys = NULL;
	fo->nsys = 0;
	parse_focus_free(fo->parser);
	fo->parser = NULL;
	free(fo->run_currency);
	fo->run_currency = NULL;
	for (i = 0; i < fo->routes_cap; i++)
		free(fo->routes[i].key);
	free(fo->routes);
	fo->routes = NULL;
	fo->nroutes = fo->routes_cap = 0;
	for (i = 0; i < fo->nfiles; i++)
		free(fo->files[i]);
	free(fo->files);
	fo->files = NULL;
	fo->nfiles = fo->file = 0;
}

static void
focus_end(struct focus *fo, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = fo->run;

	focus_run_free(fo);
	fo->run = NULL;
	fo->fetch = NULL;
	fo->host->run_done(run, status, reason, msg);
}

/* Every system the feed knows, every day the file covers: 0 if none. */
static void
focus_store(struct focus *fo)
{
	struct focus_sys *s;
	long long d, v;
	size_t i, k;

	for (i = 0; i < fo->nsys; i++)
		focus_remember(fo, fo->sys[i].id);
	for (k = 0; k < fo->nknown; k++) {
		i = focus_sys_index(fo, fo->known[k]); /* may move fo->sys */
		s = &fo->sys[i];
		for (d = fo->min_day; d <= fo->max_day; d++) {
			v = d >= s->base && d < s->base + (long long)s->ndays
			    ? s->sums[d - s->base]
			    : 0;
			fo->host->emit_series(fo->run, s->id, "cost", "cost",
			    "cost", "cost", (double)v / PARSE_FOCUS_MICROS,
			    (d + 1) * FOCUS_DAY);
		}
	}
}

static int focus_fetch(struct focus *, char **);

static void
focus_done_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct focus *fo = arg;
	char *cause = NULL, *const * errors, msg[512];
	size_t n, i;

	fo->fetch = NULL;
	if (!r->ok) {
		/* Nothing already stored changes. */
		snprintf(msg, sizeof msg, "%s%s", fo->prefix, r->msg);
		focus_end(fo, ITF_STATUS_DOWN, r->reason, msg);
		return;
	}
	if (parse_focus_finish(fo->parser, &cause) != 0) {
		fo->host->log(fo->inst, ITF_LOG_ERR, "%s%s", fo->prefix, cause);
		snprintf(msg, sizeof msg, "%snot FOCUS: %s", fo->prefix, cause);
		free(cause);
		focus_end(fo, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR, msg);
		return;
	}
	errors = parse_focus_errors(fo->parser, &n);
	for (i = 0; i < n && i < 10; i++)
		fo->host->log(fo->inst, ITF_LOG_WARNING, "%s%s", fo->prefix,
		    errors[i]);
	fo->host->log(fo->inst, ITF_LOG_INFO,
	    "%s%zu rows, %zu rejected, %zu "
	    "in another currency",
	    fo->prefix, parse_focus_rows(fo->parser),
	    parse_focus_rejected(fo->parser), fo->other_currency);
	fo->rows += parse_focus_rows(fo->parser);
	if (fo->nfiles > 0 && ++fo->file < fo->nfiles) {
		/* The next file of the directory, into the same sums. */
		parse_focus_free(fo->parser);
		fo->parser = NULL;
		if (focus_fetch(fo, &cause) != 0) {
			snprintf(msg, sizeof msg, "%s", cause);
			free(cause);
			focus_end(fo, ITF_STATUS_DOWN, ITF_REASON_CONNECT, msg);
		}
		return;
	}
	if (fo->rows > 0)
		focus_store(fo);
	focus_end(fo, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

static int
focus_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * When the URL is a file:// directory: its *.csv files, sorted by name.
 * Returns 1 (a directory, fo->files set), 0 (not one), or -1 with *cause
 * (unreadable, or no *.csv in it).
 */
static int
focus_dir(struct focus *fo, char **cause)
{
	const char *path = fo->src.url + 7;
	struct dirent *de;
	struct stat sb;
	size_t len;
	DIR *d;

	if (strncasecmp(fo->src.url, "file://", 7) != 0)
		return 0;
	if (strncasecmp(path, "localhost/", 10) == 0)
		path += 9;
	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return 0;
	if ((d = opendir(path)) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		fo->files =
		    xreallocarray(fo->files, fo->nfiles + 1, sizeof *fo->files);
		xasprintf(&fo->files[fo->nfiles++], "file://%s%s%s", path,
		    path[strlen(path) - 1] == '/' ? "" : "/", de->d_name);
	}
	closedir(d);
	if (fo->nfiles == 0) {
		xasprintf(cause, "no *.csv file in %s", path);
		return -1;
	}
	qsort(fo->files, fo->nfiles, sizeof *fo->files, focus_name_cmp);
	return 1;
}

/* Fetch the URL, or the directory's current file, into a new parser. */
static int
focus_fetch(struct focus *fo, char **cause)
{
	struct fetch_opts o;
	char *secret = NULL;

	memset(&o, 0, sizeof o);
	feedsrc_opts(&fo->src, &o);
	o.timeout_ms = fo->host->timeout_ms(fo->inst);
	o.on_data = focus_data_cb;
	o.on_data_arg = fo;
	fo->prefix = "";
	if (fo->nfiles > 0) {
		o.url = fo->files[fo->file];
		snprintf(fo->prefix_buf, sizeof fo->prefix_buf,
		    "%s: ", strrchr(o.url, '/') + 1);
		fo->prefix = fo->prefix_buf;
	}
	if (feedsrc_auth(&fo->src, &o, &secret, cause) != 0)
		return -1;
	fo->parser =
	    parse_focus_new(fo->cost_column, fo->system_key, focus_row_cb, fo);
	fo->fetch =
	    fetch_start(fo->host->event_base(), &o, focus_done_cb, fo, cause);
	secret_free(secret);
	return fo->fetch != NULL ? 0 : -1;
}

static int
focus_start(void *arg, struct itf_run *run)
{
	struct focus *fo = arg;
	char *cause = NULL;

	fo->run = run;
	fo->min_day = 1;
	fo->max_day = 0;
	fo->rows = 0;
	fo->other_currency = fo->too_long = 0;
	if (focus_dir(fo, &cause) < 0) {
		/* Nothing already stored changes. */
		fo->host->log(fo->inst, ITF_LOG_ERR, "%s", cause);
		focus_end(fo, ITF_STATUS_DOWN, ITF_REASON_CONNECT, cause);
		free(cause);
		return 0;
	}
	if (focus_fetch(fo, &cause) != 0) {
		fo->host->log(fo->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		focus_run_free(fo);
		fo->run = NULL;
		return -1;
	}
	return 0;
}

static void
focus_cancel(void *arg, struct itf_run *run)
{
	struct focus *fo = arg;

	if (fo->run != run)
		return;
	if (fo->fetch != NULL)
		fetch_cancel(fo->fetch);
	focus_end(fo, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
focus_destroy(void *arg)
{
	struct focus *fo = arg;
	size_t i;

	if (fo == NULL)
		return;
	feedsrc_free(&fo->src);
	free(fo->cost_column);
	free(fo->system_key);
	free(fo->currency);
	for (i = 0; i < fo->nknown; i++)
		free(fo->known[i]);
	free(fo->known);
	free(fo);
}

const struct itf_collector_ops collector_focus_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "focus",
	.perspective = "cost",
	.template_name = "cost",
	.keys = focus_keys,
	.configure = focus_configure,
	.start = focus_start,
	.cancel = focus_cancel,
	.destroy = focus_destroy,
	.default_interval = 86400,
};
