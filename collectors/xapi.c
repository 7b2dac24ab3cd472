/*
 * Learning completions from an xAPI Learning Record Store (IEEE 9274.1.1):
 * GET /statements?verb=...&since=... answers {"statements": [...], "more":
 * "..."}. Each run asks for each configured verb, follows "more" pages,
 * and counts the statements per course (object.id, mapped to a series by
 * the courses pairs; others to "other") whose stored time is after the
 * last one counted. That time is kept in a state file, so a statement is
 * never counted twice, also across restarts. Counts go to events series
 * <course>-<verb> in the maturity perspective; a run that fails counts
 * nothing and moves nothing on.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedsrc.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "parse_xapi.h"
#include "secret.h"
#include "xmalloc.h"

#define XAPI_MAX_BYTES (32 * 1024 * 1024)
#define XAPI_MAX_PAGES 1000 /* per verb and run */
#define XAPI_VERSION "1.0.3"

static const struct itf_key xapi_keys[] = {
	{ "url", ITF_KEY_STRING },
	{ "verbs", ITF_KEY_PAIR_LIST },
	{ "courses", ITF_KEY_PAIR_LIST },
	FEEDSRC_AUTH_KEYS,
	{ "version", ITF_KEY_STRING },
	{ "ca_file", ITF_KEY_STRING },
	{ "tls_verify", ITF_KEY_BOOL },
	{ NULL, 0 },
};

struct xapi_verb {
	char *iri;
	char *name;
	long long last_ns; /* the last stored time counted */
	char *last; /* the same, as the store gave it */
};

struct xapi {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	struct feedsrc src; /* ca_file, tls_verify */
	char *url;
	char *origin; /* scheme://host[:port] of url, for "more" */
	char *version_header;
	struct xapi_verb *verbs;
	size_t nverbs;
	char **course_iri;
	char **course_series;
	size_t ncourses;
	char state[4096];
	int state_loaded;

	/* The run. */
	struct itf_run *run;
	struct fetch *fetch;
	size_t verb; /* asking for this one */
	size_t pages;
	size_t *counts; /* [verb][course + 1]: the last is "other" */
	long long *new_ns;
	char **new_last;
};

static void xapi_destroy(void *);

static int
xapi_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct xapi *x;
	const char *const *from, *const *to, *s;
	char *p;
	size_t n, i;
	int errors = 0;

	x = xcalloc(1, sizeof *x);
	x->host = host;
	x->inst = inst;
	errors += feedsrc_configure(&x->src, host, inst, NULL, 1);
	if (!host->conf_string(inst, "url", &s) ||
	    (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)) {
		host->conf_error(inst, "url",
		    "an xapi feed needs the http(s) "
		    "url of the record store's statements resource");
		errors++;
	} else {
		x->url = xstrdup(s);
		x->origin = xstrdup(s);
		p = strchr(x->origin + (s[4] == 's' ? 8 : 7), '/');
		if (p != NULL)
			*p = '\0';
	}
	if (host->instance_system(inst) == NULL) {
		host->conf_error(inst, NULL, "an xapi feed needs a \"system\"");
		errors++;
	}
	if (!host->conf_pair_list(inst, "verbs", &from, &to, &n) || n == 0) {
		host->conf_error(inst, "verbs",
		    "give verbs = ( (\"http://"
		    "adlnet.gov/expapi/verbs/completed\", \"completed\") );");
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
		x->verbs[x->nverbs++].name = xstrdup(to[i]);
	}
	if (host->conf_pair_list(inst, "courses", &from, &to, &n)) {
		x->course_iri = xcalloc(n + 1, sizeof *x->course_iri);
		x->course_series = xcalloc(n + 1, sizeof *x->course_series);
		for (i = 0; i < n; i++) {
			if (!ident_valid(to[i]) ||
			    strcmp(to[i], "other") == 0) {
				host->conf_error(inst, "courses",
				    "bad course "
				    "series \"%s\"",
				    to[i]);
				errors++;
				continue;
			}
			x->course_iri[x->ncourses] = xstrdup(from[i]);
			x->course_series[x->ncourses++] = xstrdup(to[i]);
		}
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

/* State: a line per verb, "NAME NS STORED". */
static void
xapi_state_load(struct xapi *x)
{
	char line[1024], name[128], stored[512];
	long long ns;
	size_t i;
	FILE *f;

	x->state_loaded = 1;
	if (x->host->state_path(x->inst, x->state, sizeof x->state) != 0) {
		x->state[0] = '\0';
		return;
	}
	if ((f = fopen(x->state, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "%127s %lld %511s", name, &ns, stored) != 3)
			continue;
		for (i = 0; i < x->nverbs; i++) {
			if (strcmp(x->verbs[i].name, name) != 0)
				continue;
			x->verbs[i].last_ns = ns;
			free(x->verbs[i].last);
			x->verbs[i].last = xstrdup(stored);
		}
	}
	fclose(f);
}

static int
xapi_state_save(struct xapi *x)
{
	char tmp[4200];
	size_t i;
	FILE *f;

	if (x->state[0] == '\0')
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp", x->state);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	for (i = 0; i < x->nverbs; i++) {
		if (x->verbs[i].last != NULL)
			fprintf(f, "%s %lld %s\n", x->verbs[i].name,
			    x->verbs[i].last_ns, x->verbs[i].last);
	}
	if (fclose(f) != 0 || rename(tmp, x->state) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
xapi_run_free(struct xapi *x)
{
	size_t i;

	for (i = 0; x->new_last != NULL && i < x->nverbs; i++)
		free(x->new_last[i]);
	free(x->new_last);
	free(x->new_ns);
	free(x->counts);
	x->new_last = NULL;
	x->new_ns = NULL;
	x->counts = NULL;
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

/* All verbs asked: store the counts and move the last times on. */
static void
xapi_finish(struct xapi *x)
{
	const char *system = x->host->instance_system(x->inst);
	char series[IDENT_MAX + 1];
	size_t v, c;

	for (v = 0; v < x->nverbs; v++) {
		for (c = 0; c <= x->ncourses; c++) {
			snprintf(series, sizeof series, "%.40s-%.20s",
			    c < x->ncourses ? x->course_series[c] : "other",
			    x->verbs[v].name);
			x->host->emit_series(x->run, system, "maturity", series,
			    "events", "count",
			    (double)x->counts[v * (x->ncourses + 1) + c], 0);
		}
		if (x->new_last[v] != NULL) {
			free(x->verbs[v].last);
			x->verbs[v].last = x->new_last[v];
			x->verbs[v].last_ns = x->new_ns[v];
			x->new_last[v] = NULL;
		}
	}
	if (xapi_state_save(x) != 0)
		x->host->log(x->inst, ITF_LOG_ERR, "cannot save %s: %s",
		    x->state, strerror(errno));
	xapi_end(x, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

static void xapi_ask(struct xapi *, const char *url);

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
xapi_page(struct xapi *x, const struct parse_xapi *parsed)
{
	const struct parse_xapi out = *parsed;
	struct xapi_verb *verb = &x->verbs[x->verb];
	const struct parse_xapi_statement *st;
	char *next;
	size_t i;

	for (i = 0; i < out.nerrors && i < 3; i++)
		x->host->log(x->inst, ITF_LOG_WARNING, "%s", out.errors[i]);
	if (!out.ok) {
		x->host->log(x->inst, ITF_LOG_WARNING, "statements: %s",
		    out.error != NULL ? out.error : "unreadable");
		xapi_end(x, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    "unreadable statements page");
		return;
	}
	for (i = 0; i < out.n; i++) {
		st = &out.statements[i];
		/* The store filters by verb; a store that does not is
		 * filtered here. Counted once: only what is newer. */
		if (strcmp(st->verb, verb->iri) != 0 || st->stored_ns == 0 ||
		    st->stored_ns <= verb->last_ns)
			continue;
		x->counts[x->verb * (x->ncourses + 1) +
		    xapi_course(x, st->object)]++;
		if (st->stored_ns > x->new_ns[x->verb]) {
			x->new_ns[x->verb] = st->stored_ns;
			free(x->new_last[x->verb]);
			x->new_last[x->verb] = xstrdup(st->stored);
		}
	}
	if (out.more != NULL && out.more[0] != '\0' &&
	    ++x->pages < XAPI_MAX_PAGES) {
		if (out.more[0] == '/')
			xasprintf(&next, "%s%s", x->origin, out.more);
		else
			next = xstrdup(out.more);
		xapi_ask(x, next);
		free(next);
		return;
	}
	if (++x->verb < x->nverbs) {
		x->pages = 0;
		xapi_ask(x, NULL);
		return;
	}
	xapi_finish(x);
}

static void
xapi_done_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct xapi *x = arg;

	x->fetch = NULL;
	if (!r->ok) {
		xapi_end(x, ITF_STATUS_DOWN, r->reason, r->msg);
		return;
	}
	xapi_page(x, r->parsed);
}

/* Ask for url, or (NULL) the first page of the current verb. */
static void
xapi_ask(struct xapi *x, const char *url)
{
	struct xapi_verb *verb = &x->verbs[x->verb];
	const char *headers[2] = { x->version_header, NULL };
	struct fetch_opts o;
	char *cause = NULL, *secret = NULL, *first = NULL, *iri, *since;

	if (url == NULL) {
		iri = feedsrc_escape(verb->iri);
		if (verb->last != NULL) {
			since = feedsrc_escape(verb->last);
			xasprintf(&first, "%s%sverb=%s&since=%s", x->url,
			    strchr(x->url, '?') != NULL ? "&" : "?", iri,
			    since);
			free(since);
		} else
			xasprintf(&first, "%s%sverb=%s", x->url,
			    strchr(x->url, '?') != NULL ? "&" : "?", iri);
		free(iri);
		url = first;
	}
	memset(&o, 0, sizeof o);
	feedsrc_opts(&x->src, &o);
	o.url = url;
	o.argv = NULL;
	o.headers = headers;
	o.max_bytes = XAPI_MAX_BYTES;
	o.parse = xapi_parse;
	o.parse_free = xapi_parsed_free;
	o.timeout_ms = x->host->timeout_ms(x->inst);
	if (feedsrc_auth(&x->src, &o, &secret, &cause) != 0) {
		x->host->log(x->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		free(first);
		xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_AUTH, "no secret");
		return;
	}
	x->fetch =
	    fetch_start(x->host->event_base(), &o, xapi_done_cb, x, &cause);
	secret_free(secret);
	free(first);
	if (x->fetch == NULL) {
		xapi_end(x, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL, cause);
		free(cause);
	}
}

static int
xapi_start(void *arg, struct itf_run *run)
{
	struct xapi *x = arg;

	if (!x->state_loaded)
		xapi_state_load(x);
	x->run = run;
	x->verb = 0;
	x->pages = 0;
	x->counts = xcalloc(x->nverbs * (x->ncourses + 1), sizeof *x->counts);
	x->new_ns = xcalloc(x->nverbs, sizeof *x->new_ns);
	x->new_last = xcalloc(x->nverbs, sizeof *x->new_last);
	xapi_ask(x, NULL);
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
	free(x->url);
	free(x->origin);
	free(x->version_header);
	for (i = 0; i < x->nverbs; i++) {
		free(x->verbs[i].iri);
		free(x->verbs[i].name);
		free(x->verbs[i].last);
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
	.keys = xapi_keys,
	.configure = xapi_configure,
	.start = xapi_start,
	.cancel = xapi_cancel,
	.destroy = xapi_destroy,
	.default_interval = 3600,
};
