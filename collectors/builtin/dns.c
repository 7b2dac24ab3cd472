/*
 * DNS probe: one query (name, qtype) to one name server (or the system's
 * resolvers), over UDP with a fall back to TCP when the answer comes
 * truncated, or over TCP only, sent and read on the event loop by c-ares
 * through a channel shared with the probes that ask the same server the
 * same way (aresev.c), which hands back the answer as it came (also a
 * SERVFAIL or REFUSED one, with no other server tried, one try); it is
 * read by parse_dns.c, its answer code checked against the expected ones,
 * each expected regex matched against the answers' data, and the answers'
 * smallest TTL against min_ttl.
 *
 * Stores the time from query to answer, the answer code, the number of
 * answer records and their smallest TTL. Reasons: timeout, connect
 * (refused), protocol (an answer that does not parse), dns_rcode,
 * answer_mismatch.
 */
#include <ares.h>
#include <arpa/inet.h>
#include <event2/event.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aresev.h"
#include "itfollow/collector.h"
#include "types.h"
#include "parse_dns.h"
#include "xmalloc.h"

struct dns_state {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	char *name;
	int qtype;
	char *server; /* for ares_set_servers_ports_csv; NULL: system's */
	int tcp;
	int rd;
	uint32_t rcodes; /* bit r: rcode r is expected */
	char **re_text; /* compiled for each answer: see dns_match */
	size_t nre;
	long long min_ttl; /* -1: not checked */
	struct aresev_chan *chan; /* from the first run on */

	/* The run in flight. */
	struct itf_run *run;
	struct aresev_query *query;
	struct event *deadline;
	struct timespec t0;
};

static void dns_destroy(void *);

/* "192.0.2.1", "192.0.2.1:5353", "2001:db8::1" or "[2001:db8::1]:5353". */
static int
dns_server_ok(const char *s)
{
	unsigned char a[16];
	char host[64], *end;
	const char *colon = strrchr(s, ':');
	long port;
	size_t n;

	if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
		return 1;
	if (colon == NULL || colon == s)
		return 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535)
		return 0;
	n = (size_t)(colon - s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']' || n - 2 >= sizeof host)
			return 0;
		memcpy(host, s + 1, n - 2);
		host[n - 2] = '\0';
		return inet_pton(AF_INET6, host, a) == 1;
	}
	if (n >= sizeof host)
		return 0;
	memcpy(host, s, n);
	host[n] = '\0';
	return inet_pton(AF_INET, host, a) == 1;
}

/* "NOERROR", "NOERROR, NXDOMAIN": the bits of st->rcodes. */
static int
dns_conf_rcodes(struct dns_state *st, const char *s)
{
	char *copy = xstrdup(s), *p = copy, *w;
	int r, rc = 0;

	st->rcodes = 0;
	while ((w = strsep(&p, ", ")) != NULL) {
		if (*w == '\0')
			continue;
		if ((r = parse_dns_rcode(w)) < 0) {
			st->host->conf_error(st->inst, "expect_rcode",
			    "unknown answer code \"%s\" (NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ..., RCODE0 to RCODE15)",
			    w);
			rc = -1;
		} else
			st->rcodes |= 1u << r;
	}
	if (rc == 0 && st->rcodes == 0) {
		st->host->conf_error(st->inst, "expect_rcode",
		    "expect_rcode is empty");
		rc = -1;
	}
	free(copy);
	return rc;
}

static int
dns_conf_regexes(struct dns_state *st)
{
	const char *const *list;
	char err[256];
	regex_t re;
	size_t n, i;
	int rc = 0, e;

	if (!st->host->conf_strings(st->inst, "expect_answer", &list, &n))
		return 0;
	st->re_text = xcalloc(n + 1, sizeof *st->re_text);
	for (i = 0; i < n; i++) {
		e = regcomp(&re, list[i], REG_EXTENDED | REG_NOSUB);
		if (e != 0) {
			regerror(e, &re, err, sizeof err);
			st->host->conf_error(st->inst, "expect_answer",
			    "bad regex \"%s\": %s", list[i], err);
			rc = -1;
			continue;
		}
		regfree(&re);
		st->re_text[st->nre++] = xstrdup(list[i]);
	}
	return rc;
}

static int
dns_conf_query(struct dns_state *st)
{
	const struct itf_host_services *host = st->host;
	unsigned char *q;
	const char *s;
	int len;

	st->qtype = 1;
	if (host->conf_string(st->inst, "qtype", &s) &&
	    (st->qtype = parse_dns_type(s)) < 0) {
		host->conf_error(st->inst, "qtype",
		    "unknown qtype \"%s\" (A, AAAA, MX, TXT, NS, SOA, CNAME, PTR, SRV, CAA, ..., TYPE1 to TYPE65535)",
		    s);
		return -1;
	}
	if (!host->conf_string(st->inst, "name", &s) || *s == '\0') {
		host->conf_error(st->inst, NULL,
		    "dns collector needs a \"name\"");
		return -1;
	}
	if (strstr(s, "://") != NULL || strchr(s, '/') != NULL ||
	    ares_create_query(s, 1, st->qtype, 0, 1, &q, &len, 0) !=
	        ARES_SUCCESS) {
		host->conf_error(st->inst, "name",
		    "name \"%s\" is not a domain name", s);
		return -1;
	}
	ares_free_string(q);
	st->name = xstrdup(s);
	return 0;
}

static int
dns_conf_transport(struct dns_state *st)
{
	const struct itf_host_services *host = st->host;
	const char *s;
	long long n;
	int b;

	if (host->conf_string(st->inst, "server", &s)) {
		if (!dns_server_ok(s)) {
			host->conf_error(st->inst, "server",
			    "server \"%s\" is not an address, address:port or [IPv6 address]:port",
			    s);
			return -1;
		}
		st->server = xstrdup(s);
	}
	if (host->conf_string(st->inst, "transport", &s)) {
		if (strcmp(s, "tcp") != 0 && strcmp(s, "udp") != 0) {
			host->conf_error(st->inst, "transport",
			    "transport is \"udp\" (falling back to TCP when truncated) or \"tcp\", not \"%s\"",
			    s);
			return -1;
		}
		st->tcp = strcmp(s, "tcp") == 0;
	}
	st->rd = 1;
	if (host->conf_bool(st->inst, "recursion", &b))
		st->rd = b;
	st->min_ttl = -1;
	if (host->conf_int(st->inst, "min_ttl", &n)) {
		if (n < 0 || n > 2147483647) {
			host->conf_error(st->inst, "min_ttl",
			    "min_ttl must be 0 to 2147483647 seconds");
			return -1;
		}
		st->min_ttl = n;
	}
	return 0;
}

static int
dns_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct dns_state *st;
	const char *s;
	int errors = 0;

	st = xcalloc(1, sizeof *st);
	st->host = host;
	st->inst = inst;
	errors += dns_conf_query(st) != 0;
	errors += dns_conf_transport(st) != 0;
	if (!host->conf_string(inst, "expect_rcode", &s))
		s = "NOERROR";
	errors += dns_conf_rcodes(st, s) != 0;
	errors += dns_conf_regexes(st) != 0;
	if (errors != 0) {
		dns_destroy(st);
		return -1;
	}
	*statep = st;
	return 0;
}

static void
dns_end(struct dns_state *st, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = st->run;

	if (st->deadline != NULL)
		event_free(st->deadline);
	st->deadline = NULL;
	st->run = NULL;
	st->host->run_done(run, status, reason, msg);
}

/*
 * Does an answer's data match pattern? Compiled here and freed: glibc
 * keeps some 18 KB of matching state in a regex once it has been used,
 * 90 MB over 5,000 probes kept compiled; compiling a few bytes of pattern
 * again costs microseconds a run.
 */
static int
dns_match(const char *pattern, const struct parse_dns *d)
{
	regex_t re;
	size_t i;
	int found = 0;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return 0; /* checked in configure */
	for (i = 0; i < d->nanswers && !found; i++)
		found = regexec(&re, d->answers[i].data, 0, NULL, 0) == 0;
	regfree(&re);
	return found;
}

/* Check the answers: every regex matches one, the TTL is high enough. */
static int
dns_check_answers(struct dns_state *st, const struct parse_dns *d, char *msg,
    size_t len)
{
	uint32_t ttl = UINT32_MAX;
	size_t i, k;

	for (k = 0; k < st->nre; k++) {
		if (!dns_match(st->re_text[k], d)) {
			snprintf(msg, len,
			    "no answer of %zu matches \"%s\"%s%s", d->nanswers,
			    st->re_text[k], d->nanswers ? "; first: " : "",
			    d->nanswers ? d->answers[0].data : "");
			return -1;
		}
	}
	if (st->min_ttl < 0)
		return 0;
	for (i = 0; i < d->nanswers; i++) {
		if (d->answers[i].ttl < ttl)
			ttl = d->answers[i].ttl;
	}
	if (d->nanswers == 0) {
		snprintf(msg, len, "no answer to check min_ttl %lld against",
		    st->min_ttl);
		return -1;
	}
	if ((long long)ttl < st->min_ttl) {
		snprintf(msg, len, "smallest TTL %u below min_ttl %lld", ttl,
		    st->min_ttl);
		return -1;
	}
	return 0;
}

/* "MX", "TYPE65280"; "NXDOMAIN", "RCODE12": for messages. */
static void
dns_names(int qtype, int rcode, char tname[16], char rname[16])
{
	const char *t = parse_dns_type_name((uint16_t)qtype);
	const char *r = parse_dns_rcode_name(rcode);

	if (t != NULL)
		snprintf(tname, 16, "%s", t);
	else
		snprintf(tname, 16, "TYPE%d", qtype);
	if (r != NULL)
		snprintf(rname, 16, "%s", r);
	else
		snprintf(rname, 16, "RCODE%d", rcode);
}

/* An answer came: what it says. */
static void
dns_answer(struct dns_state *st, const unsigned char *abuf, int alen)
{
	struct parse_dns d;
	uint32_t ttl = UINT32_MAX;
	char *cause = NULL, msg[512], tname[16], rname[16];
	size_t i;

	if (parse_dns(abuf, (size_t)alen, &d, &cause) != 0) {
		snprintf(msg, sizeof msg, "bad answer: %s", cause);
		free(cause);
		parse_dns_free(&d);
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_PROTOCOL, msg);
		return;
	}
	st->host->emit(st->run, "rcode", d.rcode);
	st->host->emit(st->run, "answers", (double)d.nanswers);
	for (i = 0; i < d.nanswers; i++) {
		if (d.answers[i].ttl < ttl)
			ttl = d.answers[i].ttl;
	}
	if (d.nanswers > 0)
		st->host->emit(st->run, "ttl", ttl);
	if (!(st->rcodes & (1u << d.rcode))) {
		dns_names(st->qtype, d.rcode, tname, rname);
		snprintf(msg, sizeof msg, "%s %s: answer code %s", st->name,
		    tname, rname);
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_DNS_RCODE, msg);
	} else if (dns_check_answers(st, &d, msg, sizeof msg) != 0)
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_ANSWER_MISMATCH, msg);
	else
		dns_end(st, ITF_STATUS_UP, ITF_REASON_OK, NULL);
	parse_dns_free(&d);
}

static void
dns_query_cb(void *arg, int status, const unsigned char *abuf, int alen)
{
	struct dns_state *st = arg;
	struct timespec now;
	char msg[160];

	st->query = NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (status == ARES_SUCCESS && abuf != NULL) {
		st->host->emit(st->run, "time",
		    (double)(now.tv_sec - st->t0.tv_sec) +
		        (double)(now.tv_nsec - st->t0.tv_nsec) / 1e9);
		dns_answer(st, abuf, alen);
		return;
	}
	snprintf(msg, sizeof msg, "%s: %s",
	    st->server ? st->server : "resolver", ares_strerror(status));
	switch (status) {
	case ARES_ETIMEOUT:
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT, msg);
		break;
	case ARES_ECONNREFUSED:
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_CONNECT, msg);
		break;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_PROTOCOL, msg);
		break;
	default:
		dns_end(st, ITF_STATUS_DOWN, ITF_REASON_INTERNAL, msg);
	}
}

/* Give the query in flight up: c-ares ends it alone, unheard. */
static void
dns_stop(struct dns_state *st)
{
	aresev_forget(st->query);
	st->query = NULL;
}

static void
dns_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_state *st = arg;

	dns_stop(st);
	dns_end(st, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT, "no answer in time");
}

static int
dns_start(void *arg, struct itf_run *run)
{
	struct dns_state *st = arg;
	struct timeval tv;
	unsigned char *q;
	char *cause = NULL;
	uint64_t ms = st->host->timeout_ms(st->inst);
	int len;

	st->run = run;
	if (st->chan == NULL &&
	    (st->chan = aresev_get(st->host->event_base(), st->server, st->tcp,
	         ms, &cause)) == NULL) {
		dns_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_INTERNAL, cause);
		free(cause);
		return 0;
	}
	if (ares_create_query(st->name, 1, st->qtype, 0, st->rd, &q, &len, 0) !=
	    ARES_SUCCESS) {
		st->run = NULL;
		return -1;
	}
	st->deadline = evtimer_new(st->host->event_base(), dns_deadline_cb, st);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_add(st->deadline, &tv);
	clock_gettime(CLOCK_MONOTONIC, &st->t0);
	/* May end (a refused TCP connection, say) before it returns. */
	st->query = aresev_send(st->chan, q, len, dns_query_cb, st);
	ares_free_string(q);
	return 0;
}

static void
dns_cancel(void *arg, struct itf_run *run)
{
	struct dns_state *st = arg;

	if (st->run != run)
		return;
	dns_stop(st);
	dns_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
dns_destroy(void *arg)
{
	struct dns_state *st = arg;
	size_t i;

	if (st == NULL)
		return;
	dns_stop(st);
	aresev_put(st->chan);
	for (i = 0; i < st->nre; i++)
		free(st->re_text[i]);
	free(st->re_text);
	free(st->name);
	free(st->server);
	free(st);
}

const struct itf_collector_ops collector_dns_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "dns",
	.perspective = "quality",
	.template_name = "dns",
	.keys = dns_type_keys,
	.configure = dns_configure,
	.start = dns_start,
	.cancel = dns_cancel,
	.destroy = dns_destroy,
};
