/*
 * Microsoft 365 licences: Microsoft Graph GET /v1.0/subscribedSkus over
 * HTTPS through the curl engine. The bearer token is read from a file, or
 * got from the tenant's OAuth2 token endpoint with the client-credentials
 * grant (client id in the configuration, secret from a file) and cached
 * until shortly before it expires. Each SKU is a series licence-<part
 * number> in the maturity perspective: issued (prepaid enabled), in_use
 * (consumed), warning and suspended. SKUs matching exclude_skus (a regex,
 * case-insensitive: free and trial SKUs, say) are left out.
 *
 * A list Graph pages is followed through @odata.nextLink, only within the
 * origin of the configured URL (the token goes nowhere else), at most
 * M365_MAX_PAGES pages; a page that fails, a loop or a page of SKUs seen
 * already makes the run down and nothing of it is stored. A 429 is waited
 * out within the run (Retry-After) or the run ends rate_limited.
 */
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedsrc.h"
#include "feedwait.h"
#include "fetch.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_m365.h"
#include "secret.h"
#include "xmalloc.h"

#define M365_GRAPH_URL "https://graph.microsoft.com/v1.0/subscribedSkus"
#define M365_TOKEN_URL "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
#define M365_SCOPE "https%3A%2F%2Fgraph.microsoft.com%2F.default"
#define M365_MAX_BYTES (8 * 1024 * 1024)
#define M365_MAX_PAGES 100
/* Refresh a token this long before it expires, at most: a tenth of its
 * lifetime, so a short-lived token is not got anew every run. */
#define M365_TOKEN_MARGIN 120

struct m365 {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	struct feedsrc src; /* ca_file, tls_verify, the skus map */
	char *url;
	char *token_url;
	char *token_file;
	char *client_id;
	char *secret_file;
	int has_exclude;
	regex_t exclude;

	char *token; /* cached */
	time_t token_refresh; /* get another from then on */
	struct feedwait wait;

	/* The run. */
	struct itf_run *run;
	struct fetch *fetch;
	char *bearer; /* the run's token */
	char *page; /* the URL asked for */
	char **visited; /* the pages asked for */
	size_t nvisited;
	struct parse_m365_sku *skus; /* of every page so far */
	size_t nskus;
};

static void m365_destroy(void *);

/*
 * Its credentials: a token file, or a client (tenant or token_url,
 * client_id, client_secret_file). Only the files' modes are checked: the
 * secret is read at each use. Returns the errors.
 */
static int
m365_credentials(struct m365 *m)
{
	const struct itf_host_services *host = m->host;
	struct itf_instance *inst = m->inst;
	const char *s, *tenant = NULL;
	char *cause = NULL;
	int errors = 0;

	if (host->conf_string(inst, "token_file", &s)) {
		m->token_file = xstrdup(s);
		/* Only its mode: the secret is read at each use. */
		if (secret_check(s, &cause) != 0) {
			host->conf_error(inst, "token_file", "%s", cause);
			free(cause);
			errors++;
		}
		return errors;
	}
	host->conf_string(inst, "tenant", &tenant);
	if (host->conf_string(inst, "client_id", &s))
		m->client_id = xstrdup(s);
	if (host->conf_string(inst, "client_secret_file", &s))
		m->secret_file = xstrdup(s);
	if (m->client_id == NULL || m->secret_file == NULL ||
	    (tenant == NULL && !host->conf_string(inst, "token_url", &s))) {
		host->conf_error(inst, NULL,
		    "m365 needs token_file, or tenant (or token_url), client_id and client_secret_file");
		errors++;
	} else if (secret_check(m->secret_file, &cause) != 0) {
		host->conf_error(inst, "client_secret_file", "%s", cause);
		free(cause);
		errors++;
	}
	if (host->conf_string(inst, "token_url", &s))
		m->token_url = xstrdup(s);
	else if (tenant != NULL) {
		if (!ident_valid(tenant) && strchr(tenant, '/') != NULL) {
			host->conf_error(inst, "tenant", "bad tenant");
			errors++;
		} else
			xasprintf(&m->token_url, M365_TOKEN_URL, tenant);
	}
	return errors;
}

/* exclude_skus: an extended regular expression, case ignored. */
static int
m365_exclude(struct m365 *m)
{
	const char *s;
	char errbuf[256];
	int rc;

	if (!m->host->conf_string(m->inst, "exclude_skus", &s))
		return 0;
	rc = regcomp(&m->exclude, s, REG_EXTENDED | REG_NOSUB | REG_ICASE);
	if (rc != 0) {
		regerror(rc, &m->exclude, errbuf, sizeof errbuf);
		m->host->conf_error(m->inst, "exclude_skus",
		    "bad regex \"%s\": %s", s, errbuf);
		return 1;
	}
	m->has_exclude = 1;
	return 0;
}

static int
m365_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct m365 *m;
	const char *s;
	int errors = 0;

	m = xcalloc(1, sizeof *m);
	m->host = host;
	m->inst = inst;
	/* Only its map, TLS keys: the URLs are m365's own. */
	errors += feedsrc_configure(&m->src, host, inst, "skus", 1);
	m->url =
	    xstrdup(host->conf_string(inst, "url", &s) ? s : M365_GRAPH_URL);
	if (!fetch_url_valid(m->url)) {
		host->conf_error(inst, "url", "bad url \"%s\"", m->url);
		errors++;
	}
	if (host->instance_system(inst) == NULL) {
		host->conf_error(inst, NULL, "an m365 feed needs a \"system\"");
		errors++;
	}
	errors += m365_credentials(m);
	errors += m365_exclude(m);
	if (errors != 0) {
		m365_destroy(m);
		return -1;
	}
	*statep = m;
	return 0;
}

static void
m365_run_free(struct m365 *m)
{
	size_t i;

	for (i = 0; i < m->nvisited; i++)
		free(m->visited[i]);
	free(m->visited);
	for (i = 0; i < m->nskus; i++) {
		free(m->skus[i].sku_id);
		free(m->skus[i].part_number);
	}
	free(m->skus);
	secret_free(m->bearer);
	free(m->page);
	m->visited = NULL;
	m->nvisited = 0;
	m->skus = NULL;
	m->nskus = 0;
	m->bearer = NULL;
	m->page = NULL;
}

static void
m365_end(struct m365 *m, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = m->run;

	m365_run_free(m);
	m->run = NULL;
	m->fetch = NULL;
	m->host->run_done(run, status, reason, msg);
}

/* On a worker (offload): the answer parsed; freed off the loop too. */
static void *
m365_parse(const char *buf, size_t len, void *arg)
{
	struct parse_m365 *out = xmalloc(sizeof *out);

	parse_m365(buf, len, out);
	return out;
}

static void
m365_parsed_free(void *arg)
{
	parse_m365_free(arg);
	free(arg);
}

/* Down, with a warning that says what the server did wrong. */
static void
m365_fail(struct m365 *m, enum itf_reason reason, const char *msg)
{
	m->host->log(m->inst, ITF_LOG_WARNING, "%s", msg);
	m365_end(m, ITF_STATUS_DOWN, reason, msg);
}

/* Every page read: store the SKUs not excluded. */
static void
m365_store(struct m365 *m)
{
	const struct parse_m365_sku *k;
	const char *system, *dflt = m->host->instance_system(m->inst);
	char series[IDENT_MAX + 1];
	size_t i;

	for (i = 0; i < m->nskus; i++) {
		k = &m->skus[i];
		if (m->has_exclude &&
		    regexec(&m->exclude, k->part_number, 0, NULL, 0) == 0)
			continue;
		ident_from_name("licence-", k->part_number, series);
		system = feedsrc_map(&m->src, k->part_number, dflt);
		m->host->emit_series(m->run, system, "maturity", series,
		    "licence", "issued", k->enabled, 0);
		m->host->emit_series(m->run, system, "maturity", series,
		    "licence", "in_use", k->consumed, 0);
		m->host->emit_series(m->run, system, "maturity", series,
		    "licence", "warning", k->warning, 0);
		m->host->emit_series(m->run, system, "maturity", series,
		    "licence", "suspended", k->suspended, 0);
	}
	m365_end(m, ITF_STATUS_UP, ITF_REASON_OK, NULL);
}

/*
 * Take a page's SKUs (moved out of out): a part number an earlier page
 * gave is reported and dropped. Returns how many were new.
 */
static size_t
m365_take(struct m365 *m, struct parse_m365 *out)
{
	struct parse_m365_sku *k;
	size_t i, j, fresh = 0;

	m->skus =
	    xreallocarray(m->skus, m->nskus + out->nskus + 1, sizeof *m->skus);
	for (i = 0; i < out->nskus; i++) {
		k = &out->skus[i];
		for (j = 0; j < m->nskus; j++) {
			if (strcmp(m->skus[j].part_number, k->part_number) == 0)
				break;
		}
		if (j < m->nskus) {
			m->host->log(m->inst, ITF_LOG_WARNING,
			    "page %zu: part number %.64s given by an earlier page, dropped",
			    m->nvisited, k->part_number);
			continue;
		}
		m->skus[m->nskus++] = *k;
		memset(k, 0, sizeof *k);
		fresh++;
	}
	return fresh;
}

static void m365_ask(struct m365 *, char *url);

/* The next page named by link, or the end. */
static void
m365_next(struct m365 *m, const char *link)
{
	char msg[512], *next, *origin;
	size_t i;

	if (link == NULL || link[0] == '\0') {
		m365_store(m);
		return;
	}
	if ((next = fetch_resolve(m->page, link)) == NULL) {
		m365_fail(m, ITF_REASON_PROTOCOL,
		    "an @odata.nextLink that is not a URL");
		return;
	}
	if (!fetch_same_origin(m->url, next)) {
		origin = fetch_origin(next);
		snprintf(msg, sizeof msg,
		    "an @odata.nextLink to another origin (%s) refused; the token is for %s only",
		    origin != NULL ? origin : "not http(s)", m->url);
		free(origin);
		free(next);
		m365_fail(m, ITF_REASON_PROTOCOL, msg);
		return;
	}
	for (i = 0; i < m->nvisited; i++) {
		if (strcmp(m->visited[i], next) == 0) {
			snprintf(msg, sizeof msg,
			    "paging loop: @odata.nextLink leads back to page %zu",
			    i + 1);
			free(next);
			m365_fail(m, ITF_REASON_PROTOCOL, msg);
			return;
		}
	}
	if (m->nvisited == M365_MAX_PAGES) {
		free(next);
		snprintf(msg, sizeof msg,
		    "more than %d pages of SKUs; none stored", M365_MAX_PAGES);
		m365_fail(m, ITF_REASON_TOO_LARGE, msg);
		return;
	}
	m365_ask(m, next);
}

/* A page parsed (off the loop); its SKUs are moved out of it. */
static void
m365_page(struct m365 *m, struct parse_m365 *out)
{
	char msg[256];
	size_t i;

	for (i = 0; i < out->nerrors && i < 5; i++)
		m->host->log(m->inst, ITF_LOG_WARNING, "%s", out->errors[i]);
	if (!out->ok) {
		m->host->log(m->inst, ITF_LOG_WARNING, "subscribedSkus: %s",
		    out->error != NULL ? out->error : "unreadable");
		m365_end(m, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    "unreadable subscribedSkus answer");
		return;
	}
	if (m365_take(m, out) == 0 && out->nskus > 0) {
		snprintf(msg, sizeof msg,
		    "page %zu brought only SKUs of earlier pages: the same page twice",
		    m->nvisited);
		m365_fail(m, ITF_REASON_PROTOCOL, msg);
		return;
	}
	m365_next(m, out->next_link);
}

static void m365_fetch(struct m365 *);

static void
m365_retry_cb(void *arg)
{
	m365_fetch(arg);
}

static void
m365_graph_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct m365 *m = arg;
	char msg[256];
	int rc;

	m->fetch = NULL;
	if (r->ok) {
		if (r->url != NULL && strcmp(r->url, m->page) != 0) {
			free(m->page);
			m->page =
			    xstrdup(r->url); /* links are relative to it */
		}
		m365_page(m, r->parsed);
		return;
	}
	if (r->reason == ITF_REASON_AUTH) {
		/* A token the server no longer takes: get another. */
		secret_free(m->token);
		m->token = NULL;
	}
	rc = feedwait_answer(&m->wait, r, m->host->event_base(), m365_retry_cb,
	    m, msg, sizeof msg);
	if (rc == 1)
		return;
	if (rc == 0)
		m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_RATE_LIMITED, msg);
	else if (r->reason == ITF_REASON_PROTOCOL)
		m365_fail(m, r->reason, r->msg); /* a refused redirect */
	else
		m365_end(m, ITF_STATUS_DOWN, r->reason, r->msg);
}

/* Fetch m->page with the run's token (same origin only). */
static void
m365_fetch(struct m365 *m)
{
	struct fetch_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	feedsrc_opts(&m->src, &o);
	o.url = m->page;
	o.argv = NULL;
	o.bearer = m->bearer;
	o.max_bytes = M365_MAX_BYTES;
	o.same_origin = 1;
	o.parse = m365_parse;
	o.parse_free = m365_parsed_free;
	if ((o.timeout_ms = feedwait_left_ms(&m->wait)) == 0) {
		m365_end(m, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT,
		    "no time left for the next page");
		return;
	}
	m->fetch =
	    fetch_start(m->host->event_base(), &o, m365_graph_cb, m, &cause);
	if (m->fetch == NULL) {
		m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL, cause);
		free(cause);
	}
}

/* Ask for url (owned from here), the run's next page. */
static void
m365_ask(struct m365 *m, char *url)
{
	m->visited =
	    xreallocarray(m->visited, m->nvisited + 1, sizeof *m->visited);
	m->visited[m->nvisited++] = url;
	free(m->page);
	m->page = xstrdup(url);
	m365_fetch(m);
}

/* The first page, with token. */
static void
m365_graph(struct m365 *m, const char *token)
{
	secret_free(m->bearer);
	m->bearer = xstrdup(token);
	m365_ask(m, xstrdup(m->url));
}

/* The token endpoint's answer: access_token and expires_in. */
static int
m365_token_parse(struct m365 *m, const char *buf, size_t len)
{
	json_t *root, *tok, *exp;
	json_error_t err;
	long long expires = 3600;

	root = json_loadb(buf, len, 0, &err);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return -1;
	}
	tok = json_object_get(root, "access_token");
	exp = json_object_get(root, "expires_in");
	if (!json_is_string(tok) || json_string_length(tok) == 0) {
		json_decref(root);
		return -1;
	}
	if (json_is_integer(exp))
		expires = json_integer_value(exp);
	else if (json_is_string(exp))
		expires = strtoll(json_string_value(exp), NULL, 10);
	if (expires <= 0 || expires > 86400 * 30)
		expires = 3600;
	secret_free(m->token);
	m->token = xstrdup(json_string_value(tok));
	m->token_refresh = time(NULL) + (time_t)expires -
	    (time_t)(expires / 10 < M365_TOKEN_MARGIN ? expires / 10
	                                              : M365_TOKEN_MARGIN);
	json_decref(root);
	return 0;
}

static void
m365_token_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct m365 *m = arg;

	m->fetch = NULL;
	if (!r->ok) {
		m365_end(m, ITF_STATUS_DOWN, r->reason, r->msg);
		return;
	}
	if (m365_token_parse(m, r->body, r->len) != 0) {
		m365_end(m, ITF_STATUS_DOWN, ITF_REASON_AUTH,
		    "the token endpoint gave no access_token");
		return;
	}
	m365_graph(m, m->token);
}

static int
m365_start(void *arg, struct itf_run *run)
{
	struct m365 *m = arg;
	struct fetch_opts o;
	char *cause = NULL, *secret, *id, *sec, *body, msg[256];

	m->run = run;
	if (feedwait_pending(&m->wait, msg, sizeof msg)) {
		m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_RATE_LIMITED, msg);
		return 0;
	}
	feedwait_start(&m->wait, m->host->timeout_ms(m->inst));
	if (m->token_file != NULL) {
		/* Read each run: whoever renews the file need not tell us. */
		if ((secret = m->host->secret(m->inst, m->token_file,
		         &cause)) == NULL) {
			m->host->log(m->inst, ITF_LOG_ERR, "%s", cause);
			free(cause);
			m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_AUTH,
			    "no token");
			return 0;
		}
		m365_graph(m, secret);
		secret_free(secret);
		return 0;
	}
	if (m->token != NULL && time(NULL) < m->token_refresh) {
		m365_graph(m, m->token);
		return 0;
	}
	if ((secret = m->host->secret(m->inst, m->secret_file, &cause)) ==
	    NULL) {
		m->host->log(m->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_AUTH, "no secret");
		return 0;
	}
	id = feedsrc_escape(m->client_id);
	sec = feedsrc_escape(secret);
	secret_free(secret);
	xasprintf(&body,
	    "grant_type=client_credentials&client_id=%s&client_secret=%s&scope=%s",
	    id, sec, M365_SCOPE);
	free(id);
	secret_free(sec);
	memset(&o, 0, sizeof o);
	feedsrc_opts(&m->src, &o);
	o.url = m->token_url;
	o.argv = NULL;
	o.post = body;
	o.max_bytes = 64 * 1024;
	o.timeout_ms = m->host->timeout_ms(m->inst);
	m->fetch =
	    fetch_start(m->host->event_base(), &o, m365_token_cb, m, &cause);
	secret_free(body);
	if (m->fetch == NULL) {
		m->host->log(m->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		m->run = NULL;
		return -1;
	}
	return 0;
}

static void
m365_cancel(void *arg, struct itf_run *run)
{
	struct m365 *m = arg;

	if (m->run != run)
		return;
	if (m->fetch != NULL)
		fetch_cancel(m->fetch);
	feedwait_cancel(&m->wait);
	m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
m365_destroy(void *arg)
{
	struct m365 *m = arg;

	if (m == NULL)
		return;
	feedsrc_free(&m->src);
	free(m->url);
	free(m->token_url);
	free(m->token_file);
	free(m->client_id);
	free(m->secret_file);
	if (m->has_exclude)
		regfree(&m->exclude);
	secret_free(m->token);
	feedwait_free(&m->wait);
	free(m);
}

const struct itf_collector_ops collector_m365_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "m365",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = m365_type_keys,
	.configure = m365_configure,
	.start = m365_start,
	.cancel = m365_cancel,
	.destroy = m365_destroy,
	.default_interval = 3600,
};
