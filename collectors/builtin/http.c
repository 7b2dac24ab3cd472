/*
 * HTTP(S) availability probe. Each run is one libcurl easy handle on the
 * shared multi engine: a fresh connection, one absolute timeout, no
 * retries. It records up, the phase times (dns, connect, tls, time to first
 * byte), the total, the status code (also when the code made it fail), the
 * days left on the server certificate, and why it ended. Phases the probe
 * never reached are left unknown, never 0.
 */
#include <curl/curl.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curlev.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_status.h"
#include "secret.h"
#include "xmalloc.h"

#define HTTP_MAX_BODY_DEFAULT (1024 * 1024)
/*
 * curl's receive buffer, allocated for every transfer in flight: its
 * default of 16 KiB is 5 MiB for the few hundred probes a 10,000-probe
 * daemon has in flight (a hanging target holds one for its timeout).
 * A probe reads a status line, headers and a small body.
 */
#define HTTP_RECV_BUFFER 4096

struct http_state {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	char *url;
	char *method;
	char *body;
	struct curl_slist *headers;
	const struct status_ranges *expect; /* http_2xx, or its own */
	/* Allocated for the probes that have one: 64 bytes. */
	regex_t *regex;
	int has_regex;
	int follow;
	long max_redirects;
	char *username;
	char *secret_file; /* read at each run (host->secret) */
	int auth; /* 0 none, 1 basic, 2 bearer */
	int tls_verify;
	char *ca_file;
	long ipresolve;
	size_t max_body;

	/* The run in flight. */
	struct itf_run *run;
	CURL *easy;
	char *errbuf; /* the handle's */
	char *buf;
	size_t len;
	size_t total;
	int too_large;
	int https; /* of the configuration, beside too_large: no padding */
	/* Credentials keep to the URL's origin: 1.3 KB, made for the probes
	 * with credentials only, at their first run. */
	struct curlev_pin *pin;
};

/* What a probe expects unless told otherwise: shared, not copied into
 * each of many thousand probes. */
static const struct status_ranges http_2xx = { 1, { { 200, 299 } } };

static void http_destroy(void *);

/* url, method, headers, body. Returns the number of errors. */
static int
http_configure_request(struct http_state *st,
    const struct itf_host_services *host, struct itf_instance *inst)
{
	const char *s, *const *list;
	size_t i, count;
	int errors = 0;

	if (!host->conf_string(inst, "url", &s)) {
		host->conf_error(inst, NULL, "http collector needs a \"url\"");
		errors++;
	} else if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0) {
		host->conf_error(inst, "url",
		    "url \"%s\" is not http:// or https://", s);
		errors++;
	} else {
		st->url = xstrdup(s);
		st->https = strncasecmp(s, "https://", 8) == 0;
	}
	if (host->conf_string(inst, "method", &s)) {
		if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(s) ||
		    *s == '\0') {
			host->conf_error(inst, "method", "bad method \"%s\"",
			    s);
			errors++;
		} else
			st->method = xstrdup(s);
	}
	if (host->conf_string(inst, "body", &s))
		st->body = xstrdup(s);
	if (!host->conf_strings(inst, "headers", &list, &count))
		return errors;
	for (i = 0; i < count; i++) {
		if (strchr(list[i], ':') == NULL ||
		    strpbrk(list[i], "\r\n") != NULL) {
			host->conf_error(inst, "headers",
			    "bad header \"%s\" (want \"Name: value\")",
			    list[i]);
			errors++;
			continue;
		}
		st->headers = curl_slist_append(st->headers, list[i]);
	}
	return errors;
}

/* expect_status and body_regex. Returns the number of errors. */
static int
http_configure_expect(struct http_state *st,
    const struct itf_host_services *host, struct itf_instance *inst)
{
	struct status_ranges *expect;
	const char *s;
	char *cause = NULL, errbuf[256];
	int errors = 0, rc;

	st->expect = &http_2xx;
	if (host->conf_string(inst, "expect_status", &s)) {
		expect = xmalloc(sizeof *expect);
		if (parse_status_ranges(s, expect, &cause) != 0) {
			host->conf_error(inst, "expect_status", "%s", cause);
			free(cause);
			free(expect);
			errors++;
		} else
			st->expect = expect;
	}
	if (host->conf_string(inst, "body_regex", &s)) {
		st->regex = xmalloc(sizeof *st->regex);
		if ((rc = regcomp(st->regex, s, REG_EXTENDED | REG_NOSUB)) !=
		    0) {
			regerror(rc, st->regex, errbuf, sizeof errbuf);
			host->conf_error(inst, "body_regex",
			    "bad body_regex \"%s\": %s", s, errbuf);
			free(st->regex);
			st->regex = NULL;
			errors++;
		} else
			st->has_regex = 1;
	}
	return errors;
}

/*
 * The file of a secret, needed by the auth in force: only its mode is
 * checked here; the secret is read at each run (host->secret). Returns
 * the number of errors.
 */
static int
http_configure_secret(struct http_state *st,
    const struct itf_host_services *host, struct itf_instance *inst,
    const char *key)
{
	const char *s;
	char *cause = NULL;

	if (!host->conf_string(inst, key, &s)) {
		host->conf_error(inst, "auth", "%s auth needs \"%s\"",
		    http_type_auths[st->auth - 1], key);
		return 1;
	}
	if (secret_check(s, &cause) != 0) {
		host->conf_error(inst, key, "%s", cause);
		free(cause);
		return 1;
	}
	st->secret_file = xstrdup(s);
	return 0;
}

/* auth, username, password_file, token_file. */
static int
http_configure_auth(struct http_state *st, const struct itf_host_services *host,
    struct itf_instance *inst)
{
	const char *s;
	size_t i;
	int errors = 0;

	if (!host->conf_string(inst, "auth", &s))
		return 0;
	for (i = 0; http_type_auths[i] != NULL; i++) {
		if (strcmp(s, http_type_auths[i]) == 0)
			st->auth = (int)i + 1;
	}
	if (st->auth == 1) {
		if (!host->conf_string(inst, "username", &s)) {
			host->conf_error(inst, "auth",
			    "basic auth needs \"username\"");
			errors++;
		} else
			st->username = xstrdup(s);
		errors +=
		    http_configure_secret(st, host, inst, "password_file");
	} else if (st->auth == 2)
		errors += http_configure_secret(st, host, inst, "token_file");
	return errors;
}

static int
http_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct http_state *st;
	const char *s;
	long long n;
	int b, errors = 0;

	st = xcalloc(1, sizeof *st);
	st->host = host;
	st->inst = inst;
	st->follow = 1;
	st->max_redirects = 5;
	st->tls_verify = 1;
	st->ipresolve = CURL_IPRESOLVE_WHATEVER;
	st->max_body = HTTP_MAX_BODY_DEFAULT;
	errors += http_configure_request(st, host, inst);
	errors += http_configure_expect(st, host, inst);
	errors += http_configure_auth(st, host, inst);
	if (host->conf_bool(inst, "follow_redirects", &b))
		st->follow = b;
	if (host->conf_int(inst, "max_redirects", &n))
		st->max_redirects = (long)n;
	if (host->conf_bool(inst, "tls_verify", &b))
		st->tls_verify = b;
	if (host->conf_string(inst, "ca_file", &s))
		st->ca_file = xstrdup(s);
	if (host->conf_int(inst, "max_body", &n))
		st->max_body = (size_t)n;
	if (host->conf_int(inst, "ip_version", &n)) {
		if (n == 4 || n == 6)
			st->ipresolve =
			    n == 4 ? CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6;
		else if (n != 0) {
			host->conf_error(inst, "ip_version",
			    "ip_version must be 4, 6 or 0 (either)");
			errors++;
		}
	}
	if (errors != 0) {
		http_destroy(st);
		return -1;
	}
	*statep = st;
	return 0;
}

static size_t
http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_state *st = arg;
	size_t n = size * nmemb, keep;

	if (st->total + n > st->max_body) {
		st->too_large = 1;
		return 0; /* aborts the transfer */
	}
	st->total += n;
	if (st->has_regex) {
		keep = n;
		st->buf = xrealloc(st->buf, st->len + keep + 1);
		memcpy(st->buf + st->len, data, keep);
		st->len += keep;
		st->buf[st->len] = '\0';
	}
	return n;
}

static enum itf_reason
http_reason(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return ITF_REASON_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return ITF_REASON_DNS;
	case CURLE_COULDNT_CONNECT:
		return ITF_REASON_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CLIENTCERT:
		return ITF_REASON_TLS;
	case CURLE_SEND_ERROR:
		return ITF_REASON_SEND;
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return ITF_REASON_RECV;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_TOO_MANY_REDIRECTS:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return ITF_REASON_PROTOCOL;
	case CURLE_LOGIN_DENIED:
		return ITF_REASON_AUTH;
	default:
		return ITF_REASON_INTERNAL;
	}
}

/* Days until the first (server) certificate expires; NAN if unknown. */
static double
http_cert_days(CURL *easy)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *sl;
	struct tm tm;
	const char *v;
	time_t expire;

	if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return NAN;
	for (sl = ci->certinfo[0]; sl != NULL; sl = sl->next) {
		if (strncmp(sl->data, "Expire date:", 12) != 0)
			continue;
		v = sl->data + 12;
		memset(&tm, 0, sizeof tm);
		if (strptime(v, "%b %d %H:%M:%S %Y GMT", &tm) == NULL)
			return NAN;
		expire = timegm(&tm);
		return (double)(expire - time(NULL)) / 86400.0;
	}
	return NAN;
}

static double
http_secs(curl_off_t us)
{
	return (double)us / 1e6;
}

/* What a finished transfer says: its status, reason and message. */
static enum itf_status
http_outcome(struct http_state *st, CURLcode rc, long code,
    enum itf_reason *reason, char *msg, size_t len)
{
	*reason = ITF_REASON_OK;
	msg[0] = '\0';
	if (rc == CURLE_WRITE_ERROR && st->too_large) {
		*reason = ITF_REASON_TOO_LARGE;
		snprintf(msg, len, "body over %zu bytes", st->max_body);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK && st->pin != NULL &&
	    st->pin->refused) {
		*reason = ITF_REASON_HTTP_STATUS;
		snprintf(msg, len,
		    "status %ld: a redirect to %.100s not followed: the probe carries credentials",
		    code, st->pin->to);
	} else if (rc != CURLE_OK) {
		*reason = http_reason(rc);
		snprintf(msg, len, "%s", curl_easy_strerror(rc));
		/* A resolver that does not answer: the name, not the time. */
		if (rc == CURLE_OPERATION_TIMEDOUT &&
		    strncmp(st->errbuf, "Resolving timed out", 19) == 0) {
			*reason = ITF_REASON_DNS;
			snprintf(msg, len, "%s", st->errbuf);
		}
	} else if (!parse_status_match(st->expect, code)) {
		*reason = ITF_REASON_HTTP_STATUS;
		snprintf(msg, len, "status %ld", code);
	} else if (st->has_regex &&
	    regexec(st->regex, st->buf != NULL ? st->buf : "", 0, NULL, 0) !=
	        0) {
		*reason = ITF_REASON_BODY_MISMATCH;
		snprintf(msg, len, "body does not match");
	} else
		return ITF_STATUS_UP;
	return ITF_STATUS_DOWN;
}

/* The phases' times, the code and the certificate's days left. */
static void
http_emit_phases(struct http_state *st, CURLcode rc, long code)
{
	const struct itf_host_services *host = st->host;
	struct itf_run *run = st->run;
	curl_off_t nl = 0, conn = 0, app = 0, pre = 0, start = 0, total = 0;
	int answered;

	curl_easy_getinfo(st->easy, CURLINFO_NAMELOOKUP_TIME_T, &nl);
	curl_easy_getinfo(st->easy, CURLINFO_CONNECT_TIME_T, &conn);
	curl_easy_getinfo(st->easy, CURLINFO_APPCONNECT_TIME_T, &app);
	curl_easy_getinfo(st->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
	curl_easy_getinfo(st->easy, CURLINFO_STARTTRANSFER_TIME_T, &start);
	curl_easy_getinfo(st->easy, CURLINFO_TOTAL_TIME_T, &total);

	/* A phase counts only when it was reached; else it stays U. */
	answered = rc == CURLE_OK || (code > 0 && start > 0);
	if (nl > 0 || conn > 0)
		host->emit(run, "dns", http_secs(nl));
	if (conn > 0)
		host->emit(run, "connect", http_secs(conn - nl));
	if (st->https && app > 0)
		host->emit(run, "tls", http_secs(app - conn));
	/* curl marks a transfer started on EOF too: no byte, no ttfb. */
	if (start > 0 && rc != CURLE_GOT_NOTHING)
		host->emit(run, "ttfb",
		    http_secs(start - (pre > 0 ? pre : conn)));
	if (answered)
		host->emit(run, "total", http_secs(total));
	if (code > 0)
		host->emit(run, "code", (double)code);
	if (st->https && app > 0)
		host->emit(run, "cert_days", http_cert_days(st->easy));
}

static void
http_finish(struct http_state *st, CURLcode rc)
{
	const struct itf_host_services *host = st->host;
	struct itf_run *run = st->run;
	enum itf_status status;
	enum itf_reason reason;
	char msg[CURL_ERROR_SIZE + 64];
	long code = 0;

	curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &code);
	status = http_outcome(st, rc, code, &reason, msg, sizeof msg);
	http_emit_phases(st, rc, code);

	curlev_easy_release(st->easy);
	st->easy = NULL;
	st->errbuf = NULL;
	free(st->buf);
	st->buf = NULL;
	st->run = NULL;
	host->run_done(run, status, reason, msg[0] != '\0' ? msg : NULL);
}

static void
http_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	http_finish(arg, rc);
}

/* The credentials of this run, secret read now (curl keeps a copy). */
static void
http_auth(struct http_state *st, CURL *e, const char *secret)
{
	if (st->auth == 1) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, st->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD, secret);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, secret);
	}
}

/* What every run of the probe asks of curl, but its credentials. */
static void
http_setopts(struct http_state *st, CURL *e)
{
	/*
	 * A resolver that does not answer must not stop the loop: without
	 * this, curl joins its resolver thread when the transfer ends.
	 */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
	curl_easy_setopt(e, CURLOPT_URL, st->url);
	curl_easy_setopt(e, CURLOPT_BUFFERSIZE, (long)HTTP_RECV_BUFFER);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	/* Every probe a whole TLS handshake, as from a new client: the
	 * handle may have been another probe's. */
	curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)st->host->timeout_ms(st->inst));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, st);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "itfollowd/" ITF_VERSION);
	curl_easy_setopt(e, CURLOPT_IPRESOLVE, st->ipresolve);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, (long)st->follow);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, st->max_redirects);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, (long)st->tls_verify);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, st->tls_verify ? 2L : 0L);
	if (st->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, st->ca_file);
	if (st->https)
		curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
	if (st->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, st->headers);
	if (st->method != NULL) {
		if (strcmp(st->method, "HEAD") == 0)
			curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		else
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, st->method);
	}
	if (st->body != NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, st->body);
}

static int
http_start(void *arg, struct itf_run *run)
{
	struct http_state *st = arg;
	char *secret = NULL, *cause = NULL;
	CURL *e;

	/* Read at each run: a renewed file counts at once. One that cannot
	 * be read ends the run unknown (auth), naming it. */
	if (st->auth != 0 &&
	    (secret = st->host->secret(st->inst, st->secret_file, &cause)) ==
	        NULL) {
		st->host->log(st->inst, ITF_LOG_ERR, "%s", cause);
		st->host->run_done(run, ITF_STATUS_UNKNOWN, ITF_REASON_AUTH,
		    cause);
		free(cause);
		return 0;
	}
	if ((e = curlev_easy(&st->errbuf)) == NULL) {
		secret_free(secret);
		return -1;
	}
	st->run = run;
	st->easy = e;
	st->len = st->total = 0;
	st->too_large = 0;
	http_setopts(st, e);
	if (st->auth != 0)
		http_auth(st, e, secret);
	secret_free(secret);
	if (st->auth != 0 && st->follow) {
		if (st->pin == NULL)
			st->pin = xcalloc(1, sizeof *st->pin);
		st->pin->refused = 0;
		curlev_pin(e, st->pin, st->url);
	}
	if (curlev_add(st->host->event_base(), e, http_done_cb, st) != 0) {
		curlev_easy_release(e);
		st->easy = NULL;
		st->errbuf = NULL;
		st->run = NULL;
		return -1;
	}
	return 0;
}

static void
http_cancel(void *arg, struct itf_run *run)
{
	struct http_state *st = arg;

	if (st->run != run || st->easy == NULL)
		return;
	curlev_remove(st->easy);
	curlev_easy_release(st->easy);
	st->easy = NULL;
	st->errbuf = NULL;
	free(st->buf);
	st->buf = NULL;
	st->run = NULL;
	st->host->run_done(run, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
http_destroy(void *arg)
{
	struct http_state *st = arg;

	if (st == NULL)
		return;
	free(st->url);
	free(st->method);
	free(st->body);
	curl_slist_free_all(st->headers);
	if (st->has_regex)
		regfree(st->regex);
	free(st->regex);
	free(st->username);
	free(st->secret_file);
	free(st->ca_file);
	free(st->pin);
	if (st->expect != &http_2xx)
		free((void *)st->expect);
	free(st);
}

const struct itf_collector_ops collector_http_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "http",
	.perspective = "quality",
	.template_name = "http",
	.keys = http_type_keys,
	.configure = http_configure,
	.start = http_start,
	.cancel = http_cancel,
	.destroy = http_destroy,
};
