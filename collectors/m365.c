/*
 * Microsoft 365 licences: Microsoft Graph GET /v1.0/subscribedSkus over
 * HTTPS through the curl engine. The bearer token is read from a file, or
 * got from the tenant's OAuth2 token endpoint with the client-credentials
 * grant (client id in the configuration, secret from a file) and cached
 * until shortly before it expires. Each SKU is a series licence-<part
 * number> in the maturity perspective: issued (prepaid enabled), in_use
 * (consumed), warning and suspended. SKUs matching exclude_skus (free and
 * trial SKUs, say) are left out.
 */
#include <jansson.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "feedsrc.h"
#include "ident.h"
#include "itfollow/collector.h"
#include "parse_m365.h"
#include "secret.h"
#include "xmalloc.h"

#define M365_GRAPH_URL "https://graph.microsoft.com/v1.0/subscribedSkus"
#define M365_TOKEN_URL "https://login.microsoftonline.com/%s/oauth2/v2.0/token"
#define M365_SCOPE "https%3A%2F%2Fgraph.microsoft.com%2F.default"
#define M365_MAX_BYTES (8 * 1024 * 1024)
/* Refresh a token this long before it expires. */
#define M365_TOKEN_MARGIN 120

static const struct itf_key m365_keys[] = {
	{ "url", ITF_KEY_STRING },
	{ "token_url", ITF_KEY_STRING },
	{ "token_file", ITF_KEY_STRING },
	{ "tenant", ITF_KEY_STRING },
	{ "client_id", ITF_KEY_STRING },
	{ "client_secret_file", ITF_KEY_STRING },
	{ "exclude_skus", ITF_KEY_STRING },
	{ "skus", ITF_KEY_PAIR_LIST },
	{ "ca_file", ITF_KEY_STRING },
	{ "tls_verify", ITF_KEY_BOOL },
	{ NULL, 0 },
};

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
	time_t token_expires;

	struct itf_run *run;
	struct fetch *fetch;
};

static void m365_destroy(void *);

static int
m365_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct m365 *m;
	const char *s, *tenant = NULL;
	char errbuf[256], *cause = NULL, *secret;
	int errors = 0, rc;

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
	if (host->conf_string(inst, "token_file", &s)) {
		m->token_file = xstrdup(s);
		if ((secret = secret_read(s, &cause)) == NULL) {
			host->conf_error(inst, "token_file", "%s", cause);
			free(cause);
			errors++;
		}
		secret_free(secret);
	} else {
		host->conf_string(inst, "tenant", &tenant);
		if (host->conf_string(inst, "client_id", &s))
			m->client_id = xstrdup(s);
		if (host->conf_string(inst, "client_secret_file", &s))
			m->secret_file = xstrdup(s);
		if (m->client_id == NULL || m->secret_file == NULL ||
		    (tenant == NULL &&
		        !host->conf_string(inst, "token_url", &s))) {
			host->conf_error(inst, NULL,
			    "m365 needs token_file, "
			    "or tenant (or token_url), client_id and "
			    "client_secret_file");
			errors++;
		} else if ((secret = secret_read(m->secret_file, &cause)) ==
		    NULL) {
			host->conf_error(inst, "client_secret_file", "%s",
			    cause);
			free(cause);
			errors++;
		} else
			secret_free(secret);
		if (host->conf_string(inst, "token_url", &s))
			m->token_url = xstrdup(s);
		else if (tenant != NULL) {
			if (!ident_valid(tenant) &&
			    strchr(tenant, '/') != NULL) {
				host->conf_error(inst, "tenant", "bad tenant");
				errors++;
			} else
				xasprintf(&m->token_url, M365_TOKEN_URL,
				    tenant);
		}
	}
	if (host->conf_string(inst, "exclude_skus", &s)) {
		rc = regcomp(&m->exclude, s, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &m->exclude, errbuf, sizeof errbuf);
			host->conf_error(inst, "exclude_skus",
			    "bad regex "
			    "\"%s\": %s",
			    s, errbuf);
			errors++;
		} else
			m->has_exclude = 1;
	}
	if (errors != 0) {
		m365_destroy(m);
		return -1;
	}
	*statep = m;
	return 0;
}

static void
m365_end(struct m365 *m, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = m->run;

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

static void
m365_skus(struct m365 *m, const struct parse_m365 *parsed)
{
	const struct parse_m365 out = *parsed;
	const struct parse_m365_sku *k;
	const char *system, *dflt = m->host->instance_system(m->inst);
	char series[IDENT_MAX + 1];
	size_t i;

	for (i = 0; i < out.nerrors && i < 5; i++)
		m->host->log(m->inst, ITF_LOG_WARNING, "%s", out.errors[i]);
	if (!out.ok) {
		m->host->log(m->inst, ITF_LOG_WARNING, "subscribedSkus: %s",
		    out.error != NULL ? out.error : "unreadable");
		m365_end(m, ITF_STATUS_DOWN, ITF_REASON_PARSE_ERROR,
		    "unreadable subscribedSkus answer");
		return;
	}
	for (i = 0; i < out.nskus; i++) {
		k = &out.skus[i];
		if (k->part_number == NULL ||
		    (m->has_exclude &&
		        regexec(&m->exclude, k->part_number, 0, NULL, 0) == 0))
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

static void
m365_graph_cb(struct fetch *f, const struct fetch_result *r, void *arg)
{
	struct m365 *m = arg;

	m->fetch = NULL;
	if (!r->ok) {
		if (r->reason == ITF_REASON_AUTH) {
			/* A token the server no longer takes: get another. */
			secret_free(m->token);
			m->token = NULL;
		}
		m365_end(m, ITF_STATUS_DOWN, r->reason, r->msg);
		return;
	}
	m365_skus(m, r->parsed);
}

static void
m365_graph(struct m365 *m, const char *token)
{
	struct fetch_opts o;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	feedsrc_opts(&m->src, &o);
	o.url = m->url;
	o.argv = NULL;
	o.bearer = token;
	o.max_bytes = M365_MAX_BYTES;
	o.parse = m365_parse;
	o.parse_free = m365_parsed_free;
	o.timeout_ms = m->host->timeout_ms(m->inst);
	m->fetch =
	    fetch_start(m->host->event_base(), &o, m365_graph_cb, m, &cause);
	if (m->fetch == NULL) {
		m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL, cause);
		free(cause);
	}
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
	m->token_expires = time(NULL) + (time_t)expires;
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
	char *cause = NULL, *secret, *id, *sec, *body;

	m->run = run;
	if (m->token_file != NULL) {
		/* Read each run: whoever renews the file need not tell us. */
		if ((secret = secret_read(m->token_file, &cause)) == NULL) {
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
	if (m->token != NULL &&
	    time(NULL) < m->token_expires - M365_TOKEN_MARGIN) {
		m365_graph(m, m->token);
		return 0;
	}
	if ((secret = secret_read(m->secret_file, &cause)) == NULL) {
		m->host->log(m->inst, ITF_LOG_ERR, "%s", cause);
		free(cause);
		m365_end(m, ITF_STATUS_UNKNOWN, ITF_REASON_AUTH, "no secret");
		return 0;
	}
	id = feedsrc_escape(m->client_id);
	sec = feedsrc_escape(secret);
	secret_free(secret);
	xasprintf(&body,
	    "grant_type=client_credentials&client_id=%s"
	    "&client_secret=%s&scope=%s",
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
	free(m);
}

const struct itf_collector_ops collector_m365_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "m365",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = m365_keys,
	.configure = m365_configure,
	.start = m365_start,
	.cancel = m365_cancel,
	.destroy = m365_destroy,
	.default_interval = 3600,
};
