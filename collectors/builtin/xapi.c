/*
 * Learning completions from an xAPI Learning Record Store (IEEE 9274.1.1):
 * GET /statements?verb=...&since=...&ascending=true answers {"statements":
 * [...], "more": "..."}. Each run asks for each configured verb, follows
 * "more" pages, and counts the statements per course (object.id, mapped to
 * a series by the courses pairs; others to "other"), each at the time the
 * LRS stored it: events series <course>-<verb> in the maturity perspective
 * (template events: counts per UTC day, see rrd-templates/events.tmpl).
 *
 * A statement may become visible after statements stored later than it
 * were counted. So each query starts before what was counted: from the
 * verb's floor, which is the LRS's X-Experience-API-Consistent-Through
 * (every statement stored before it is visible), or without it the last
 * stored time seen, less `overlap` seconds. The statements seen after the
 * floor are remembered by id, across restarts too (xapi_state.h), so
 * each is counted exactly once.
 *
 * Credentials go only to the configured URL's origin: a "more" link or a
 * redirect to another origin ends the run down. So does a paging loop or
 * a page that brings again what the run saw; a run that fails counts
 * nothing and moves nothing on. A 429 is waited out (feedwait.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedsrc.h"
#include "feedwait.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_time.h"
#include "parse_xapi.h"
#include "secret.h"
#include "xapi_state.h"
#include "xmalloc.h"

#define XAPI_MAX_BYTES (32 * 1024 * 1024)
#define XAPI_MAX_PAGES 1000 /* per verb and run */
#define XAPI_MAX_IDS 100000 /* remembered per verb */
#define XAPI_OVERLAP 300 /* seconds, by default */
#define XAPI_VERSION "1.0.3"
#define XAPI_CT_HEADER "X-Experience-API-Consistent-Through"
#define XAPI_NS 1000000000LL

struct xapi_verb {
	char *iri;
	char *name;
	long long floor; /* ns: counted, or never will be, up to here */
	struct xapi_ids *ids; /* counted after the floor */
};

/* A statement this run counts, once the run succeeds. */
struct xapi_new {
	size_t verb, course;
	long long stored_ns;
	char *key;
};

/* The query of one verb in a run. */
struct xapi_query {
	char **visited; /* the pages asked for */
	size_t nvisited;
	struct xapi_ids *seen; /* its statements, this run */
	long long ct; /* the earliest Consistent-Through, ns (0: none) */
	long long max_seen; /* the latest stored time seen */
	int ascending; /* stored times came in order */
	int truncated; /* stopped at XAPI_MAX_PAGES */
};

struct xapi {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	struct feedsrc src; /* ca_file, tls_verify, auth */
	char *url;
	char *version_header;
	long long overlap; /* ns */
	struct xapi_verb *verbs;
	size_t nverbs;
	char **course_iri;
	char **course_series;
	size_t ncourses;
	char state[4096];
	int state_loaded;
	struct feedwait wait;

	/* The run. */
	struct itf_run *run;
	struct fetch *fetch;
	char *page; /* the URL asked for */
	size_t verb; /* asking for this one */
	struct xapi_query q;
	long long *floors; /* the verbs' floors once the run is done */
	struct xapi_new *news;
	size_t nnews;
};

static void xapi_destroy(void *);

static int
xapi_configure_verbs(struct xapi *x, const struct itf_host_services *host,
    struct itf_instance *inst)
{
	const char *const *from, *const *to;
	size_t n, i;
	int errors = 0;

	if (!host->conf_pair_list(inst, "verbs", &from, &to, &n) || n == 0) {
		host->conf_error(inst, "verbs",
		    "give verbs = ( (\"http://adlnet.gov/expapi/verbs/completed\", \"completed\") );");
		errors++;
		n = 0;
	}
	x->verbs = xcalloc(n + 1, sizeof *x->verbs);
	for (i = 0; i < n; i++) {
		if (!ident_valid(to[i])) {
			host->conf_error(inst, "verbs", "bad verb name \"%s\"",
			    to[i]);
			errors++;
			continue;
		}
		x->verbs[x->nverbs].iri = xstrdup(from[i]);
		x->verbs[x->nverbs].ids = xapi_ids_new();
		x->verbs[x->nverbs++].name = xstrdup(to[i]);
	}
	if (!host->conf_pair_list(inst, "courses", &from, &to, &n))
		return errors;
	x->course_iri = xcalloc(n + 1, sizeof *x->course_iri);
	x->course_series = xcalloc(n + 1, sizeof *x->course_series);
	for (i = 0; i < n; i++) {
		if (!ident_valid(to[i]) || strcmp(to[i], "other") == 0) {
			host->conf_error(inst, "courses",
			    "bad course series \"%s\"", to[i]);
			errors++;
			continue;
		}
		x->course_iri[x->ncourses] = xstrdup(from[i]);
		x->course_series[x->ncourses++] = xstrdup(to[i]);
	}
	return errors;
}

static int
xapi_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct xapi *x;
	const char *s;
	long long n;
	int errors = 0;

	x = xcalloc(1, sizeof *x);
	x->host = host;
	x->inst = inst;
	errors += feedsrc_configure(&x->src, host, inst, NULL, 1);
	if (!host->conf_string(inst, "url", &s) ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0) ||
	    !fetch_same_origin(s, s)) {
		host->conf_error(inst, "url",
		    "an xapi feed needs the http(s) url of the record store's statements resource");
		errors++;
	} else
		x->url = xstrdup(s);
	if (host->instance_system(inst) == NULL) {
		host->conf_error(inst, NULL, "an xapi feed needs a \"system\"");
		errors++;
	}
	errors += xapi_configure_verbs(x, host, inst);
	x->overlap = XAPI_OVERLAP * XAPI_NS;
	if (host->conf_int(inst, "overlap", &n)) {
		if (n < 0 || n > 7 * 86400) {
			host->conf_error(inst, "overlap",
			    "overlap is seconds from 0 to 604800 (a week)");
			errors++;
		}
		x->overlap = n * XAPI_NS;
	}
	errors += feedsrc_configure_auth(&x->src, host, inst);
	xasprintf(&x->version_header, "X-Experience-API-Version: %s",
	    host->conf_string(inst, "version", &s) ? s : XAPI_VERSION);
	if (errors != 0) {
		xapi_destroy(x);
		return -1;
	}
	*statep = x;
	return 0;
}

/* The verbs as the state file sees them (the caller frees the array). */
static struct xapi_state_verb *
xapi_state_verbs(struct xapi *x)
{
	struct xapi_state_verb *sv = xcalloc(x->nverbs + 1, sizeof *sv);
	size_t i;

	for (i = 0; i < x->nverbs; i++) {
		sv[i].name = x->verbs[i].name;
		sv[i].floor = x->verbs[i].floor;
		sv[i].ids = x->verbs[i].ids;
	}
	return sv;
}

static void
xapi_state_load_all(struct xapi *x)
{
	struct xapi_state_verb *sv;
	size_t i;

	x->state_loaded = 1;
	if (x->host->state_path(x->inst, x->state, sizeof x->state) != 0) {
		x->state[0] = '\0';
		return;
	}
	sv = xapi_state_verbs(x);
	if (xapi_state_load(x->state, sv, x->nverbs) != 0)
		x->host->log(x->inst, ITF_LOG_ERR,
		    "cannot read %s: %s; counting from the start", x->state,
		    strerror(errno));
	for (i = 0; i < x->nverbs; i++)
		x->verbs[i].floor = sv[i].floor;
	free(sv);
}

static int
xapi_state_save_all(struct xapi *x)
{
	struct xapi_state_verb *sv;
	int rc;

	if (x->state[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	sv = xapi_state_verbs(x);
	rc = xapi_state_save(x->state, sv, x->nverbs);
	free(sv);
	return rc;
}

static void
xapi_query_free(struct xapi_query *q)
{
	size_t i;

	for (i = 0; i < q->nvisited; i++)
		free(q->visited[i]);
	free(q->visited);
	xapi_ids_free(q->seen);
	memset(q, 0, sizeof *q);
}

static void
xapi_run_free(struct xapi *x)
{
	size_t i;

	xapi_query_free(&x->q);
	for (i = 0; i < x->nnews; i++)
		free(x->news[i].key);
	free(x->news);
	free(x->floors);
	free(x->page);
	x->news = NULL;
	x->nnews = 0;
	x->floors = NULL;
	x->page = NULL;
}

static void
xapi_end(struct xapi *x, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = x->run;

	xapi_run_free(x);
	x->run = NULL;
	x->fetch = NULL;
	x->host->run_done(run, status, reason, msg);
}

/* Down with a reason that says what the store did wrong. */
static void xapi_fail(struct xapi *x, enum itf_reason reason, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
xapi_fail(struct xapi *x, enum itf_reason reason, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	x->host->log(x->inst, ITF_LOG_WARNING, "%s", msg);
	xapi_end(x, ITF_STATUS_DOWN, reason, msg);
}

/*
 * Every verb asked: count the new statements at their stored times, mark
 * the run's day as counted (0) in every series, move the floors on and
 * remember what may come again.
 */
static void
xapi_finish(struct xapi *x)
{
	const char *system = x->host->instance_system(x->inst);
	char series[IDENT_MAX + 1];
	const struct xapi_new *n;
	size_t v, c, i;

	for (v = 0; v < x->nverbs; v++) {
		for (c = 0; c <= x->ncourses; c++) {
			snprintf(series, sizeof series, "%.40s-%.20s",
			    c < x->ncourses ? x->course_series[c] : "other",
			    x->verbs[v].name);
			x->host->emit_series(x->run, system, "maturity", series,
			    "events", "count", 0, 0);
		}
	}
	for (i = 0; i < x->nnews; i++) {
		n = &x->news[i];
		snprintf(series, sizeof series, "%.40s-%.20s",
		    n->course < x->ncourses ? x->course_series[n->course]
		                            : "other",
		    x->verbs[n->verb].name);
		x->host->emit_series(x->run, system, "maturity", series,
		    "events", "count", 1, n->stored_ns / XAPI_NS);
		xapi_ids_add(x->verbs[n->verb].ids, n->key, n->stored_ns);
	}
	for (v = 0; v < x->nverbs; v++) {
		x->verbs[v].floor = x->floors[v];
		xapi_ids_prune(x->verbs[v].ids, &x->verbs[v].floor,
		    XAPI_MAX_IDS);
	}
	if (xapi_state_save_all(x) != 0)
		x->host->log(x->inst, ITF_LOG_ERR, "cannot save %s: %s",
		    x->state, strerror(errno));
	xapi_end(x, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

static size_t
xapi_course(const struct xapi *x, const char *object)
{
	size_t c;

	for (c = 0; c < x->ncourses; c++) {
		if (strcmp(x->course_iri[c], object) == 0)
			return c;
	}
	return x->ncourses;
}

/*
 * The verb's query is over: where its floor goes. Every statement stored
 * before the horizon has been seen: Consistent-Through says so, or
 * without it the last stored time seen is taken for it. A query cut at
 * the page cap saw everything up to its last statement only if they came
 * in stored order.
 */
static void
xapi_query_done(struct xapi *x)
{
	const struct xapi_query *q = &x->q;
	long long floor = x->verbs[x->verb].floor, h = 0;

	if (q->ct > 0)
		h = q->ct;
	else if (q->max_seen > 0)
		h = q->max_seen;
	if (q->truncated && !q->ascending)
		h = 0;
	else if (q->truncated && q->max_seen < h)
		h = q->max_seen;
	/* What is stored at the horizon itself may come yet. */
	if (h > 0 && h - 1 - x->overlap > floor)
		floor = h - 1 - x->overlap;
	x->floors[x->verb] = floor;
}

static void xapi_ask(struct xapi *, char *url);
static void xapi_ask_verb(struct xapi *);

/* The verb's next page, or the next verb, or the end. */
static void
xapi_next(struct xapi *x, const char *more)
{
	char *next, *origin;
	size_t i;

	if (more != NULL && more[0] != '\0') {
		if ((next = fetch_resolve(x->page, more)) == NULL) {
			xapi_fail(x, ITF_REASON_PROTOCOL,
			    "a \"more\" link that is not a URL");
			return;
		}
		if (!fetch_same_origin(x->url, next)) {
			origin = fetch_origin(next);
			xapi_fail(x, ITF_REASON_PROTOCOL,
			    "a \"more\" link to another origin (%s) refused; the credentials are for %s only",
			    origin != NULL ? origin : "not http(s)", x->url);
			free(origin);
			free(next);
			return;
		}
		for (i = 0; i < x->q.nvisited; i++) {
			if (strcmp(x->q.visited[i], next) == 0) {
				free(next);
				xapi_fail(x, ITF_REASON_PROTOCOL,
				    "paging loop: \"more\" leads back to page %zu of verb %s",
				    i + 1, x->verbs[x->verb].name);
				return;
			}
		}
		if (x->q.nvisited < XAPI_MAX_PAGES) {
			xapi_ask(x, next);
			return;
		}
		free(next);
		x->q.truncated = 1;
		x->host->log(x->inst, ITF_LOG_WARNING,
		    "verb %s: more than %d pages; the rest next run",
		    x->verbs[x->verb].name, XAPI_MAX_PAGES);
	}
	xapi_query_done(x);
	if (++x->verb < x->nverbs)
		xapi_ask_verb(x);
	else
		xapi_finish(x);
}

/*
 * One statement of the page: 1 when it is new to this run (counted when
 * no earlier run did), 0 when it is not for this query, -1 when the run
 * saw it before.
 */
static int
xapi_statement(struct xapi *x, const struct parse_xapi_statement *st)
{
	struct xapi_verb *verb = &x->verbs[x->verb];
	struct xapi_new *n;
	char key[XAPI_STATE_KEY_MAX + 2];

	/* The store filters by verb and since; one that does not is
	 * filtered here. */
	if (strcmp(st->verb, verb->iri) != 0 || st->stored_ns <= 0 ||
	    st->stored_ns <= verb->floor)
		return 0;
	xapi_state_key(st->id, st->stored, st->verb, st->object, key,
	    sizeof key);
	if (xapi_ids_has(x->q.seen, key))
		return -1;
	xapi_ids_add(x->q.seen, key, st->stored_ns);
	if (st->stored_ns < x->q.max_seen)
		x->q.ascending = 0;
	else
		x->q.max_seen = st->stored_ns;
	if (xapi_ids_has(verb->ids, key))
		return 1;
	if ((x->nnews & (x->nnews - 1)) == 0)
		x->news = xreallocarray(x->news,
		    x->nnews == 0 ? 1 : x->nnews * 2, sizeof *x->news);
	n = &x->news[x->nnews++];
	n->verb = x->verb;
	n->course = xapi_course(x, st->object);
	n->stored_ns = st->stored_ns;
	n->key = xstrdup(key);
	return 1;
}

/* On a worker (offload): a page parsed; freed off the loop too. */
static void *
xapi_parse(const char *buf, size_t len, void *arg)
{
	struct parse_xapi *out = xmalloc(sizeof *out);

	parse_xapi(buf, len, out);
	return out;
}

static void
xapi_parsed_free(void *arg)
{
	parse_xapi_free(arg);
	free(arg);
}

static void
xapi_page(struct xapi *x, const struct parse_xapi *out)
{
	size_t i, fresh = 0, again = 0;
	int rc;

	for (i = 0; i < out->nerrors && i < 3; i++)
		x->host->log(x->inst, ITF_LOG_WARNING, "%s", out->errors[i]);
	if (!out->ok) {
		x->host->log(x->inst, ITF_LOG_WARNING, "statements: %s",
		    out->error != NULL ? out->error : "unreadable");
		xapi_end(x, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    "unreadable statements page");
		return;
	}
	for (i = 0; i < out->n; i++) {
		rc = xapi_statement(x, &out->statements[i]);
		fresh += rc == 1;
		again += rc == -1;
	}
	if (again > 0 && fresh == 0) {
		xapi_fail(x, ITF_REASON_PROTOCOL,
		    "page %zu of verb %s brought only statements this run had seen: the same page twice",
		    x->q.nvisited, x->verbs[x->verb].name);
		return;
	}
	xapi_next(x, out->more);
}

/* X-Experience-API-Consistent-Through: the earliest of the query's. */
static void
xapi_consistent(struct xapi *x, struct fetch *f)
{
	const char *ct = fetch_header(f, XAPI_CT_HEADER);
	long long ns;

	if (ct == NULL)
		return;
	if (parse_time(ct, strlen(ct), &ns) != 0 || ns <= 0) {
		x->host->log(x->inst, ITF_LOG_WARNING,
		    "%s: not a timestamp; not used", XAPI_CT_HEADER);
		return;
	}
	if (x->q.ct == 0 || ns < x->q.ct)
		x->q.ct = ns;
}

static void xapi_fetch(struct xapi *);

static void
xapi_retry_cb(void *arg)
{
	xapi_fetch(arg);
}

static void
xapi_done_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct xapi *x = arg;
	char msg[256];
	int rc;

	x->fetch = NULL;
	if (r->ok) {
		xapi_consistent(x, f);
		if (r->url != NULL && strcmp(r->url, x->page) != 0) {
			free(x->page);
			x->page =
			    xstrdup(r->url); /* "more" is relative to it */
		}
		xapi_page(x, r->parsed);
		return;
	}
	rc = feedwait_answer(&x->wait, r, x->host->event_base(), xapi_retry_cb,
	    x, msg, sizeof msg);
	if (rc == 1)
		return;
	if (rc == 0)
		xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_RATE_LIMITED, msg);
	else if (r->reason == ITF_REASON_PROTOCOL)
		xapi_fail(x, r->reason, "%s", r->msg); /* a refused redirect */
	else
		xapi_end(x, ITF_STATUS_DOWN, r->reason, r->msg);
}

/* Fetch x->page, with the credentials (same origin only). */
static void
xapi_fetch(struct xapi *x)
{
	const char *headers[2] = { x->version_header, NULL };
	struct fetch_opts o;
	char *cause = NULL, *secret = NULL;

	memset(&o, 0, sizeof o);
	feedsrc_opts(&x->src, &o);
	o.url = x->page;
	o.argv = NULL;
	o.headers = headers;
	o.max_bytes = XAPI_MAX_BYTES;
	o.same_origin = 1;
	o.parse = xapi_parse;
	o.parse_free = xapi_parsed_free;
	if ((o.timeout_ms = feedwait_left_ms(&x->wait)) == 0) {
		xapi_end(x, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT,
		    "no time left for the next page");
		return;
	}
	if (feedsrc_auth(&x->src, &o, &secret, &cause) != 0) {
		x->host->log(x->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_AUTH, "no secret");
		return;
	}
	x->fetch =
	    fetch_start(x->host->event_base(), &o, xapi_done_cb, x, &cause);
	secret_free(secret);
	if (x->fetch == NULL) {
		xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL, cause);
		free(cause);
	}
}

/* Ask for url (owned from here), a page of the current verb's query. */
static void
xapi_ask(struct xapi *x, char *url)
{
	x->q.visited = xreallocarray(x->q.visited, x->q.nvisited + 1,
	    sizeof *x->q.visited);
	x->q.visited[x->q.nvisited++] = url;
	free(x->page);
	x->page = xstrdup(url);
	xapi_fetch(x);
}

/* A floor as a `since` the store reads: UTC, milliseconds (down). */
static void
xapi_since(long long ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / XAPI_NS);
	struct tm tm;
	char day[32];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03lldZ", day, ns % XAPI_NS / 1000000);
}

/* The first page of the current verb's query. */
static void
xapi_ask_verb(struct xapi *x)
{
	struct xapi_verb *verb = &x->verbs[x->verb];
	char *iri, *url, since[64];

	xapi_query_free(&x->q);
	x->q.seen = xapi_ids_new();
	x->q.ascending = 1;
	iri = feedsrc_escape(verb->iri);
	if (verb->floor > 0) {
		xapi_since(verb->floor, since, sizeof since);
		xasprintf(&url, "%s%sverb=%s&ascending=true&since=%s", x->url,
		    strchr(x->url, '?') != NULL ? "&" : "?", iri, since);
	} else
		xasprintf(&url, "%s%sverb=%s&ascending=true", x->url,
		    strchr(x->url, '?') != NULL ? "&" : "?", iri);
	free(iri);
	xapi_ask(x, url);
}

static int
xapi_start(void *arg, struct itf_run *run)
{
	struct xapi *x = arg;
	char msg[256];
	size_t v;

	if (!x->state_loaded)
		xapi_state_load_all(x);
	x->run = run;
	if (feedwait_pending(&x->wait, msg, sizeof msg)) {
		xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_RATE_LIMITED, msg);
		return 0;
	}
	feedwait_start(&x->wait, x->host->timeout_ms(x->inst));
	x->verb = 0;
	x->floors = xcalloc(x->nverbs, sizeof *x->floors);
	for (v = 0; v < x->nverbs; v++)
		x->floors[v] = x->verbs[v].floor;
	xapi_ask_verb(x);
	return 0;
}

static void
xapi_cancel(void *arg, struct itf_run *run)
{
	struct xapi *x = arg;

	if (x->run != run)
		return;
	if (x->fetch != NULL)
		fetch_cancel(x->fetch);
	feedwait_cancel(&x->wait);
	xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
xapi_destroy(void *arg)
{
	struct xapi *x = arg;
	size_t i;

	if (x == NULL)
		return;
	feedsrc_free(&x->src);
	feedwait_free(&x->wait);
	free(x->url);
	free(x->version_header);
	for (i = 0; i < x->nverbs; i++) {
		free(x->verbs[i].iri);
		free(x->verbs[i].name);
		xapi_ids_free(x->verbs[i].ids);
	}
	free(x->verbs);
	for (i = 0; i < x->ncourses; i++) {
		free(x->course_iri[i]);
		free(x->course_series[i]);
	}
	free(x->course_iri);
	free(x->course_series);
	free(x);
}

const struct itf_collector_ops collector_xapi_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "xapi",
	.perspective = "maturity",
	.template_name = "events",
	.keys = xapi_type_keys,
	.configure = xapi_configure,
	.start = xapi_start,
	.cancel = xapi_cancel,
	.destroy = xapi_destroy,
	.default_interval = 3600,
};
