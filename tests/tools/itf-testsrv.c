/*
 * itf-testsrv: the local target server of the itfollow tests and benchmark.
 *
 * One process, one libevent loop, listeners on 127.0.0.1 only.  It serves a
 * fixed set of HTTP paths over plain HTTP and HTTPS (evhttp; TLS through
 * bufferevent_openssl) and has three raw TCP modes that misbehave on purpose
 * (garbage instead of HTTP, close at once, accept and stay silent), so that
 * every outcome a probe can meet can be produced on demand and cheaply: the
 * benchmark sends it thousands of requests a second.  usage() lists the
 * command line and the paths.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

/* The kernel caps it at somaxconn; evhttp's own 128 drops bursts. */
#define LISTEN_BACKLOG 4096
/*
 * Idle and read/write limit of an HTTP connection.  evhttp's default (50 s)
 * would answer /hang by closing it; an hour is "never" for any test.
 */
#define HTTP_CONN_TIMEOUT_S 3600
/* How long a garbage connection waits for the peer to close after our FIN. */
#define GARBAGE_LINGER_S 10
/* Pause before accepting again after accept() failed (e.g. EMFILE). */
#define ACCEPT_RETRY_MS 100
#define ENDLESS_CHUNK (16 * 1024)
#define SLOW_MAX_MS (3600 * 1000UL)
#define REDIRECT_MAX 1000000UL

#define BODY_OK "itfollow-ok\n"
#define BODY_WRONG "something else entirely\n"
#define GARBAGE "this is not HTTP\r\n\r\n"
#define BASIC_TOKEN "aXRmOnMzY3JldA==" /* base64 of "itf:s3cret" */
#define BEARER_TOKEN "tok3n"

/* A listener and the timer that re-enables it after an accept error. */
struct listener {
	struct evconnlistener *lev;
	struct event *retry;
	int port;
	int owned; /* freed by us, not by evhttp_free() */
};

/* A raw connection we keep: a garbage one draining, or a silent one. */
struct rawconn {
	LIST_ENTRY(rawconn) entry;
	struct bufferevent *bev; /* garbage */
	struct event *ev; /* silent */
	evutil_socket_t fd; /* silent */
};

/* A request answered later (/slow), in pieces (/endless) or never (/hang). */
struct pending {
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
	struct event *timer; /* /slow only */
};

static struct {
	struct event_base *base;
	struct evhttp *http;
	struct evhttp *https;
	SSL_CTX *ssl_ctx;
	struct listener lis[5];
	int nlis;
	LIST_HEAD(, rawconn) rawconns;
	struct event *sigterm;
	struct event *sigint;
	const char *pidfile;
	int pidfile_written;
	const char *xapi_dir; /* --xapi: pages of statements */
	unsigned long tokens; /* /oauth/token answers given */
	/* The backend reports a peer's FIN edge-triggered (epoll). */
	int early_close;
} srv;

/* --silent-dns: the UDP socket's event, NULL if none. */
static struct event *silent_dns_ev;
/* --log: every HTTP(S) request, "EPOCH.MS URI" a line, NULL if none. */
static FILE *request_log;

static char endless_block[ENDLESS_CHUNK];

static void
usage(void)
{
	fprintf(stderr,
	    "usage: itf-testsrv [--http PORT] [--https PORT --cert FILE "
	    "--key FILE]\n"
	    "                   [--garbage PORT] [--close PORT] "
	    "[--silent PORT] [--pidfile FILE]\n"
	    "                   [--silent-dns ADDR] (UDP ADDR:53, never "
	    "answers)\n"
	    "Every listener is on 127.0.0.1.  Raw modes: garbage writes\n"
	    "\"this is not HTTP\" and closes, close closes at once, silent\n"
	    "accepts and never answers.  HTTP and HTTPS paths:\n"
	    "  /ok[?...]  /status/NNN  /wrongbody  /hang  /slow/MS  /endless\n"
	    "  /redirect/N  /auth/basic (itf:s3cret)  /auth/bearer (tok3n)\n"
	    "  /echo-headers  /flip?file=PATH (503 while PATH exists)\n"
	    "  /hook?file=PATH (a POST's X-Token and body appended to PATH,\n"
	    "  one line; 500 and nothing kept while PATH.fail exists)\n"
	    "  /cycle?start=EPOCH&period=S&down=S&fail=status|body (fails,\n"
	    "  503 or a wrong body, the first down seconds of every period\n"
	    "  from start)  /wave?min=MS&max=MS&period=S (answers after a\n"
	    "  delay that rises from min to max and back each period)\n"
	    "--log FILE appends each request's time and URI to FILE.\n");
}

/* Strict decimal: digits only, no sign, no blanks, at most max. */
static int
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_port(const char *s)
{
	unsigned long v;

	if (parse_ulong(s, 65535, &v) == -1 || v == 0)
		return -1;
	return (int)v;
}

/* 1xx, 204 and 304 carry no body; evhttp would send one anyway. */
static int
status_has_body(int code)
{
	return code >= 200 && code != 204 && code != 304;
}

static void reply(struct evhttp_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reply(struct evhttp_request *req, int code, const char *fmt, ...)
{
	struct evbuffer *buf;
	va_list ap;

	buf = evbuffer_new();
	if (buf != NULL && status_has_body(code)) {
		va_start(ap, fmt);
		evbuffer_add_vprintf(buf, fmt, ap);
		va_end(ap);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", "text/plain");
	}
	/* A NULL reason makes evhttp use the standard phrase. */
	evhttp_send_reply(req, code, NULL, buf);
	if (buf != NULL)
		evbuffer_free(buf);
}

static void
pending_free(struct pending *p)
{
	if (p->timer != NULL)
		event_free(p->timer);
	free(p);
}

/*
 * The connection of a pending request is going away: the client left, the
 * idle limit struck, or we are shutting down.  A request evhttp has not
 * seen answered is detached from a failed connection and left to us; one
 * still attached (shutdown) is freed with its connection.
 */
static void
pending_closed(struct evhttp_connection *evcon, void *arg)
{
	struct pending *p = arg;

	(void)evcon;
	if (evhttp_request_get_connection(p->req) == NULL)
		evhttp_request_free(p->req);
	pending_free(p);
}

static struct pending *
pending_new(struct evhttp_request *req)
{
	struct bufferevent *bev;
	bufferevent_data_cb writecb;
	bufferevent_event_cb eventcb;
	struct pending *p;
	void *cbarg;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->req = req;
	p->evcon = evhttp_request_get_connection(req);
	evhttp_connection_set_closecb(p->evcon, pending_closed, p);

	/*
	 * evhttp stops reading once it has a request, so a client that leaves
	 * would go unnoticed until we answer, and /hang never does.  Read on
	 * with no read callback, as evhttp itself does while it writes: data
	 * is only buffered, while EOF or an error reaches evhttp's event
	 * callback, which drops the connection and so calls pending_closed().
	 */
	bev = evhttp_connection_get_bufferevent(p->evcon);
	bufferevent_getcb(bev, NULL, &writecb, &eventcb, &cbarg);
	bufferevent_setcb(bev, NULL, writecb, eventcb, cbarg);
	bufferevent_enable(bev, EV_READ);
	return p;
}

/* Answered at last: the connection may live on, so forget our closecb. */
static void
pending_done(struct pending *p)
{
	evhttp_connection_set_closecb(p->evcon, NULL, NULL);
	pending_free(p);
}

static void
slow_fire(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;
	struct evhttp_request *req = p->req;

	(void)fd;
	(void)what;
	pending_done(p);
	reply(req, 200, "%s", BODY_OK);
}

/* Answer 200 after ms milliseconds. */
static void
reply_after(struct evhttp_request *req, unsigned long ms)
{
	struct pending *p;
	struct timeval tv;

	if ((p = pending_new(req)) == NULL ||
	    (p->timer = evtimer_new(srv.base, slow_fire, p)) == NULL) {
		if (p != NULL)
			pending_done(p);
		reply(req, 500, "out of memory\n");
		return;
	}
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(p->timer, &tv);
}

static void
serve_slow(struct evhttp_request *req, const char *arg)
{
	unsigned long ms;

	if (parse_ulong(arg, SLOW_MAX_MS, &ms) == -1) {
		reply(req, 404, "not found\n");
		return;
	}
	reply_after(req, ms);
}

static void
serve_hang(struct evhttp_request *req)
{
	/* Nothing more: pending_closed() cleans up when the client leaves. */
	if (pending_new(req) == NULL)
		reply(req, 500, "out of memory\n");
}

/* Called each time the previous chunk has left the output buffer. */
static void
endless_more(struct evhttp_connection *evcon, void *arg)
{
	struct pending *p = arg;
	struct evbuffer *buf;

	(void)evcon;
	if ((buf = evbuffer_new()) == NULL)
		return; /* stalls; the client's timeout ends it */
	evbuffer_add_reference(buf, endless_block, sizeof(endless_block), NULL,
	    NULL);
	evhttp_send_reply_chunk_with_cb(p->req, buf, endless_more, p);
	evbuffer_free(buf);
}

static void
serve_endless(struct evhttp_request *req)
{
	struct pending *p;

	if ((p = pending_new(req)) == NULL) {
		reply(req, 500, "out of memory\n");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/octet-stream");
	evhttp_send_reply_start(req, 200, NULL);
	endless_more(p->evcon, p);
}

static void
serve_status(struct evhttp_request *req, const char *arg)
{
	unsigned long code;

	/* 1xx is never a final answer; curl would wait for the real one. */
	if (parse_ulong(arg, 599, &code) == -1 || code < 200) {
		reply(req, 404, "not found\n");
		return;
	}
	reply(req, (int)code, "status %lu\n", code);
}

static void
serve_redirect(struct evhttp_request *req, const char *arg)
{
	char loc[64];
	unsigned long n;

	if (parse_ulong(arg, REDIRECT_MAX, &n) == -1) {
		reply(req, 404, "not found\n");
		return;
	}
	if (n == 0)
		snprintf(loc, sizeof(loc), "/ok");
	else
		snprintf(loc, sizeof(loc), "/redirect/%lu", n - 1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location",
	    loc);
	reply(req, 302, "redirect to %s\n", loc);
}

/* "Scheme token" with any case of scheme and blanks around the token. */
static int
auth_matches(struct evhttp_request *req, const char *scheme, const char *token)
{
	const char *h, *p;
	size_t slen = strlen(scheme), tlen = strlen(token);

	h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (h == NULL || strncasecmp(h, scheme, slen) != 0 ||
	    (h[slen] != ' ' && h[slen] != '\t'))
		return 0;
	p = h + slen;
	p += strspn(p, " \t");
	if (strncmp(p, token, tlen) != 0)
		return 0;
	p += tlen;
	return p[strspn(p, " \t")] == '\0';
}

static void
serve_auth(struct evhttp_request *req, const char *scheme, const char *token)
{
	char challenge[64];

	if (auth_matches(req, scheme, token)) {
		reply(req, 200, "%s", BODY_OK);
		return;
	}
	snprintf(challenge, sizeof(challenge), "%s realm=\"itfollow\"", scheme);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "WWW-Authenticate", challenge);
	reply(req, 401, "unauthorized\n");
}

static void
serve_echo_headers(struct evhttp_request *req)
{
	struct evkeyvalq *hdrs = evhttp_request_get_input_headers(req);
	struct evkeyval *kv;
	struct evbuffer *buf;

	if ((buf = evbuffer_new()) == NULL) {
		reply(req, 500, "out of memory\n");
		return;
	}
	for (kv = TAILQ_FIRST(hdrs); kv != NULL; kv = TAILQ_NEXT(kv, next))
		evbuffer_add_printf(buf, "%s: %s\n", kv->key, kv->value);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain");
	evhttp_send_reply(req, 200, NULL, buf);
	evbuffer_free(buf);
}

static void
serve_flip(struct evhttp_request *req, const struct evhttp_uri *uri)
{
	struct evkeyvalq params;
	const char *query, *file;

	TAILQ_INIT(&params);
	query = evhttp_uri_get_query(uri);
	if (query == NULL || evhttp_parse_query_str(query, &params) == -1 ||
	    (file = evhttp_find_header(&params, "file")) == NULL ||
	    *file == '\0') {
		evhttp_clear_headers(&params);
		reply(req, 400, "flip needs ?file=PATH\n");
		return;
	}
	if (access(file, F_OK) == 0)
		reply(req, 503, "status 503\n");
	else
		reply(req, 200, "%s", BODY_OK);
	evhttp_clear_headers(&params);
}

/* A query parameter of the request, or NULL; *params to be cleared. */
static const char *
query_param(const struct evhttp_uri *uri, struct evkeyvalq *params,
    const char *name)
{
	const char *query = evhttp_uri_get_query(uri);

	TAILQ_INIT(params);
	if (query == NULL || evhttp_parse_query_str(query, params) == -1)
		return NULL;
	return evhttp_find_header(params, name);
}

/* A number parameter of the request: 0, or -1 when missing or bad. */
static int
query_ulong(const struct evhttp_uri *uri, const char *name, unsigned long max,
    unsigned long *out)
{
	struct evkeyvalq params;
	const char *v = query_param(uri, &params, name);
	int rc = v != NULL ? parse_ulong(v, max, out) : -1;

	evhttp_clear_headers(&params);
	return rc;
}

/*
 * A target that fails on a schedule of the wall clock: the first down
 * seconds of every period from start, with a 503 or (fail=body) a 200 of
 * the wrong body; up before start.
 */
static void
serve_cycle(struct evhttp_request *req, const struct evhttp_uri *uri)
{
	struct evkeyvalq params;
	unsigned long start, period, down;
	const char *fail;
	time_t now = time(NULL);
	int body;

	fail = query_param(uri, &params, "fail");
	body = fail != NULL && strcmp(fail, "body") == 0;
	if ((fail != NULL && !body && strcmp(fail, "status") != 0) ||
	    query_ulong(uri, "start", (unsigned long)LONG_MAX, &start) != 0 ||
	    query_ulong(uri, "period", 86400 * 7, &period) != 0 ||
	    query_ulong(uri, "down", 86400 * 7, &down) != 0 || period == 0) {
		evhttp_clear_headers(&params);
		reply(req, 400,
		    "cycle needs ?start=EPOCH&period=S&down=S"
		    "[&fail=status|body]\n");
		return;
	}
	evhttp_clear_headers(&params);
	if (now < (time_t)start ||
	    (unsigned long)(now - (time_t)start) % period >= down)
		reply(req, 200, "%s", BODY_OK);
	else if (body)
		reply(req, 200, "%s", BODY_WRONG);
	else
		reply(req, 503, "status 503\n");
}

/* A slow target whose delay rises from min to max and back each period. */
static void
serve_wave(struct evhttp_request *req, const struct evhttp_uri *uri)
{
	unsigned long lo, hi, period, at;

	if (query_ulong(uri, "min", SLOW_MAX_MS, &lo) != 0 ||
	    query_ulong(uri, "max", SLOW_MAX_MS, &hi) != 0 ||
	    query_ulong(uri, "period", 86400 * 7, &period) != 0 ||
	    period == 0 || hi < lo) {
		reply(req, 400, "wave needs ?min=MS&max=MS&period=S\n");
		return;
	}
	at = (unsigned long)time(NULL) % period;
	if (at > period / 2)
		at = period - at;
	reply_after(req, lo + (hi - lo) * at * 2 / period);
}

/* Send a file as the body (truncate: only its first half). */
static void
send_file(struct evhttp_request *req, const char *path, int truncate)
{
	struct evbuffer *buf;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		reply(req, 404, "no such file\n");
		return;
	}
	buf = evbuffer_new();
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		evbuffer_add(buf, chunk, n);
	fclose(f);
	if (truncate) {
		/* Keep the first half only. */
		struct evbuffer *half = evbuffer_new();

		evbuffer_remove_buffer(buf, half, evbuffer_get_length(buf) / 2);
		evbuffer_free(buf);
		buf = half;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, 200, NULL, buf);
	evbuffer_free(buf);
}

/* The connection of a server that died: both directions shut. */
static void
die_fire(evutil_socket_t unused, short what, void *arg)
{
	(void)unused;
	(void)what;
	shutdown((int)(intptr_t)arg, SHUT_RDWR);
}

/*
 * A server that dies mid-transfer: the headers (chunked), the first half
 * of the file, then, once that is out, the connection cut without the
 * last chunk.
 */
static void
send_file_die(struct evhttp_request *req, const char *path)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	struct timeval tv = { 0, 300 * 1000 };
	struct evbuffer *buf, *half;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		reply(req, 404, "no such file\n");
		return;
	}
	buf = evbuffer_new();
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		evbuffer_add(buf, chunk, n);
	fclose(f);
	half = evbuffer_new();
	evbuffer_remove_buffer(buf, half, evbuffer_get_length(buf) / 2);
	evbuffer_free(buf);
	evhttp_send_reply_start(req, 200, "OK");
	evhttp_send_reply_chunk(req, half);
	evbuffer_free(half);
	/* A timer's callback gets no fd: it goes in the argument. */
	event_base_once(srv.base, -1, EV_TIMEOUT, die_fire,
	    (void *)(intptr_t)bufferevent_getfd(
	        evhttp_connection_get_bufferevent(c)),
	    &tv);
}

/*
 * /file?path=P[&auth=bearer][&truncate=1|&die=1]: a file, behind the
 * bearer token when asked; truncate serves its first half only (a cut
 * transfer as far as a JSON parser can tell), die sends the first half
 * and cuts the connection (a cut transfer as far as HTTP can tell).
 */
static void
serve_file(struct evhttp_request *req, const struct evhttp_uri *uri)
{
	struct evkeyvalq params;
	const char *path, *auth;
	int truncate;

	path = query_param(uri, &params, "path");
	auth = evhttp_find_header(&params, "auth");
	truncate = evhttp_find_header(&params, "truncate") != NULL;
	if (path == NULL)
		reply(req, 400, "file needs ?path=PATH\n");
	else if (auth != NULL && !auth_matches(req, "Bearer", BEARER_TOKEN))
		reply(req, 401, "{\"error\":\"unauthorized\"}\n");
	else if (evhttp_find_header(&params, "die") != NULL)
		send_file_die(req, path);
	else
		send_file(req, path, truncate);
	evhttp_clear_headers(&params);
}

/*
 * /hook?file=PATH: a webhook receiver. Each POST appends one line to
 * PATH: "token=<X-Token header> <body>". While PATH.fail exists it
 * answers 500 and keeps nothing, so a sender's retries can be seen.
 */
static void
serve_hook(struct evhttp_request *req, const struct evhttp_uri *uri)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq params;
	const char *path, *token;
	char fail[4096];
	size_t len;
	FILE *f;

	path = query_param(uri, &params, "file");
	if (path == NULL ||
	    evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		reply(req, 400, "hook needs a POST and ?file=PATH\n");
		evhttp_clear_headers(&params);
		return;
	}
	snprintf(fail, sizeof fail, "%s.fail", path);
	if (access(fail, F_OK) == 0) {
		reply(req, 500, "failing on purpose\n");
		evhttp_clear_headers(&params);
		return;
	}
	token = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Token");
	if ((f = fopen(path, "a")) == NULL) {
		reply(req, 500, "cannot open %s\n", path);
		evhttp_clear_headers(&params);
		return;
	}
	len = evbuffer_get_length(in);
	fprintf(f, "token=%s ", token != NULL ? token : "");
	fwrite(evbuffer_pullup(in, -1), 1, len, f);
	fputc('\n', f);
	fclose(f);
	reply(req, 200, "ok\n");
	evhttp_clear_headers(&params);
}

/*
 * /oauth/token: the OAuth2 client-credentials grant, for client itf-client
 * with secret s3cret; /oauth/count says how many tokens it gave.
 */
static void
serve_token(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char body[1024];
	size_t n;

	n = evbuffer_copyout(in, body, sizeof body - 1);
	body[n] = '\0';
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST ||
	    strstr(body, "grant_type=client_credentials") == NULL ||
	    strstr(body, "client_id=itf-client") == NULL ||
	    strstr(body, "client_secret=s3cret") == NULL) {
		reply(req, 401, "{\"error\":\"invalid_client\"}\n");
		return;
	}
	srv.tokens++;
	reply(req, 200,
	    "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	    "\"access_token\":\"%s\"}\n",
	    BEARER_TOKEN);
}

/*
 * /xapi/statements: an xAPI record store's pages (--xapi DIR), behind basic
 * auth and the X-Experience-API-Version header: page 1, or page 2 when
 * the query has "more".
 */
static void
serve_xapi(struct evhttp_request *req, const struct evhttp_uri *uri)
{
	struct evkeyvalq params;
	char path[4096];
	int more;

	more = query_param(uri, &params, "more") != NULL;
	evhttp_clear_headers(&params);
	if (srv.xapi_dir == NULL)
		reply(req, 404, "no --xapi\n");
	else if (evhttp_find_header(evhttp_request_get_input_headers(req),
	             "X-Experience-API-Version") == NULL)
		reply(req, 400, "X-Experience-API-Version missing\n");
	else if (!auth_matches(req, "Basic", BASIC_TOKEN))
		reply(req, 401, "unauthorized\n");
	else {
		snprintf(path, sizeof path, "%s/xapi_statements_page%d.json",
		    srv.xapi_dir, more ? 2 : 1);
		send_file(req, path, 0);
	}
}

/* The rest of path after prefix, or NULL if path does not start so. */
static const char *
after(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 ? path + n : NULL;
}

static void
http_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *rest;

	(void)arg;
	if (request_log != NULL) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(request_log, "%lld.%03ld %s\n", (long long)ts.tv_sec,
		    ts.tv_nsec / 1000000, evhttp_request_get_uri(req));
		fflush(request_log);
	}
	if (path == NULL)
		reply(req, 404, "not found\n");
	else if (strcmp(path, "/ok") == 0)
		reply(req, 200, "%s", BODY_OK);
	else if ((rest = after(path, "/status/")) != NULL)
		serve_status(req, rest);
	else if (strcmp(path, "/wrongbody") == 0)
		reply(req, 200, "%s", BODY_WRONG);
	else if (strcmp(path, "/hang") == 0)
		serve_hang(req);
	else if ((rest = after(path, "/slow/")) != NULL)
		serve_slow(req, rest);
	else if (strcmp(path, "/endless") == 0)
		serve_endless(req);
	else if ((rest = after(path, "/redirect/")) != NULL)
		serve_redirect(req, rest);
	else if (strcmp(path, "/auth/basic") == 0)
		serve_auth(req, "Basic", BASIC_TOKEN);
	else if (strcmp(path, "/auth/bearer") == 0)
		serve_auth(req, "Bearer", BEARER_TOKEN);
	else if (strcmp(path, "/echo-headers") == 0)
		serve_echo_headers(req);
	else if (strcmp(path, "/flip") == 0)
		serve_flip(req, uri);
	else if (strcmp(path, "/cycle") == 0)
		serve_cycle(req, uri);
	else if (strcmp(path, "/wave") == 0)
		serve_wave(req, uri);
	else if (strcmp(path, "/hook") == 0)
		serve_hook(req, uri);
	else if (strcmp(path, "/file") == 0)
		serve_file(req, uri);
	else if (strcmp(path, "/oauth/token") == 0)
		serve_token(req);
	else if (strcmp(path, "/oauth/count") == 0)
		reply(req, 200, "%lu\n", srv.tokens);
	else if (strcmp(path, "/xapi/statements") == 0)
		serve_xapi(req, uri);
	else
		reply(req, 404, "not found\n");
}

static struct bufferevent *
https_bev(struct event_base *base, void *arg)
{
	struct bufferevent *bev;
	SSL *ssl;

	(void)arg;
	if ((ssl = SSL_new(srv.ssl_ctx)) == NULL)
		return NULL;
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		SSL_free(ssl);
		return NULL;
	}
	/* Clients that hang up without close_notify are not our concern. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static void
rawconn_free(struct rawconn *rc)
{
	LIST_REMOVE(rc, entry);
	if (rc->bev != NULL)
		bufferevent_free(rc->bev);
	if (rc->ev != NULL) {
		event_free(rc->ev);
		evutil_closesocket(rc->fd);
	}
	free(rc);
}

static struct rawconn *
rawconn_new(void)
{
	struct rawconn *rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	rc->fd = -1;
	LIST_INSERT_HEAD(&srv.rawconns, rc, entry);
	return rc;
}

/*
 * The garbage is out: send our FIN, but read on until the peer's.  Closing
 * with the request unread would make the kernel send a RST, which can
 * destroy the garbage before the client has read it.
 */
static void
garbage_written(struct bufferevent *bev, void *arg)
{
	(void)arg;
	shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void
garbage_read(struct bufferevent *bev, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);

	(void)arg;
	evbuffer_drain(in, evbuffer_get_length(in));
}

static void
garbage_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	rawconn_free(arg);
}

static void
garbage_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	const struct timeval linger = { GARBAGE_LINGER_S, 0 };
	struct rawconn *rc;

	(void)lev;
	(void)sa;
	(void)salen;
	(void)arg;
	if ((rc = rawconn_new()) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	rc->bev = bufferevent_socket_new(srv.base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (rc->bev == NULL) {
		evutil_closesocket(fd);
		rawconn_free(rc);
		return;
	}
	bufferevent_setcb(rc->bev, garbage_read, garbage_written, garbage_event,
	    rc);
	bufferevent_set_timeouts(rc->bev, &linger, &linger);
	bufferevent_write(rc->bev, GARBAGE, strlen(GARBAGE));
	bufferevent_enable(rc->bev, EV_READ | EV_WRITE);
}

static void
close_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	(void)lev;
	(void)sa;
	(void)salen;
	(void)arg;
	evutil_closesocket(fd);
}

/*
 * A silent connection is watched only to learn when the peer goes.  With
 * epoll the watch is edge-triggered and peeks, so data we leave unread does
 * not wake us again and again; a FIN comes as EV_CLOSED, a RST as a read
 * whose peek fails.  Other backends get the request drained instead.
 */
static void
silent_event(evutil_socket_t fd, short what, void *arg)
{
	struct rawconn *rc = arg;
	char buf[4096];
	ssize_t n;

	if (what & EV_CLOSED) {
		rawconn_free(rc);
		return;
	}
	if (srv.early_close)
		n = recv(fd, buf, 1, MSG_PEEK | MSG_DONTWAIT);
	else
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 ||
	    (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	        errno != EINTR))
		rawconn_free(rc);
}

static void
silent_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	short what = EV_READ | EV_PERSIST;
	struct rawconn *rc;

	(void)lev;
	(void)sa;
	(void)salen;
	(void)arg;
	if ((rc = rawconn_new()) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	if (srv.early_close)
		what |= EV_CLOSED | EV_ET;
	if ((rc->ev = event_new(srv.base, fd, what, silent_event, rc)) ==
	    NULL) {
		evutil_closesocket(fd);
		rawconn_free(rc);
		return;
	}
	rc->fd = fd;
	event_add(rc->ev, NULL);
}

static void
accept_retry(evutil_socket_t fd, short what, void *arg)
{
	struct listener *l = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(l->lev);
}

/*
 * accept() failed, most likely out of descriptors.  The listening socket
 * stays readable, so pause it instead of spinning; say so at most once a
 * second.  The callback's argument is evhttp's for HTTP listeners, so the
 * listener is looked up instead.
 */
static void
accept_error(struct evconnlistener *lev, void *arg)
{
	static time_t last;
	const struct timeval tv = { 0, ACCEPT_RETRY_MS * 1000 };
	int err = EVUTIL_SOCKET_ERROR();
	time_t now = time(NULL);
	int i;

	(void)arg;
	for (i = 0; i < srv.nlis; i++) {
		if (srv.lis[i].lev != lev)
			continue;
		if (now != last) {
			fprintf(stderr, "itf-testsrv: accept on port %d: %s\n",
			    srv.lis[i].port,
			    evutil_socket_error_to_string(err));
			last = now;
		}
		evconnlistener_disable(lev);
		evtimer_add(srv.lis[i].retry, &tv);
		return;
	}
}

/* A listener on 127.0.0.1:port; owned ones are not handed to evhttp. */
static struct evconnlistener *
listen_on(int port, evconnlistener_cb cb, int owned)
{
	struct listener *l = &srv.lis[srv.nlis];
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l->lev = evconnlistener_new_bind(srv.base, cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    LISTEN_BACKLOG, (struct sockaddr *)&sin, sizeof(sin));
	if (l->lev == NULL) {
		fprintf(stderr,
		    "itf-testsrv: cannot listen on 127.0.0.1:%d: %s\n", port,
		    strerror(errno));
		return NULL;
	}
	l->port = port;
	l->owned = owned;
	srv.nlis++;
	if ((l->retry = evtimer_new(srv.base, accept_retry, l)) == NULL) {
		l->owned = 1;
		return NULL;
	}
	evconnlistener_set_error_cb(l->lev, accept_error);
	return l->lev;
}

static struct evhttp *
http_on(int port)
{
	struct evconnlistener *lev;
	struct evhttp *http;

	if ((http = evhttp_new(srv.base)) == NULL) {
		fprintf(stderr, "itf-testsrv: evhttp_new failed\n");
		return NULL;
	}
	evhttp_set_timeout(http, HTTP_CONN_TIMEOUT_S);
	evhttp_set_gencb(http, http_request, NULL);
	if ((lev = listen_on(port, NULL, 0)) == NULL) {
		evhttp_free(http);
		return NULL;
	}
	if (evhttp_bind_listener(http, lev) == NULL) {
		fprintf(stderr, "itf-testsrv: evhttp_bind_listener failed\n");
		srv.lis[srv.nlis - 1].owned = 1;
		evhttp_free(http);
		return NULL;
	}
	return http;
}

static SSL_CTX *
tls_context(const char *cert, const char *key)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		goto fail;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		fprintf(stderr, "itf-testsrv: cannot load certificate %s\n",
		    cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		fprintf(stderr, "itf-testsrv: cannot load key %s\n", key);
		goto fail;
	}
	return ctx;
fail:
	ERR_print_errors_fp(stderr);
	SSL_CTX_free(ctx);
	return NULL;
}

/* Written whole under another name, so a reader never sees half a file. */
static int
write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	event_base_loopbreak(srv.base);
}

/* Many hung or silent connections need descriptors: take all we may. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
cleanup(void)
{
	int i;

	/* Frees the connections (and so the pending requests) and their
	 * listeners. */
	if (srv.http != NULL)
		evhttp_free(srv.http);
	if (srv.https != NULL)
		evhttp_free(srv.https);
	for (i = 0; i < srv.nlis; i++) {
		if (srv.lis[i].owned && srv.lis[i].lev != NULL)
			evconnlistener_free(srv.lis[i].lev);
		if (srv.lis[i].retry != NULL)
			event_free(srv.lis[i].retry);
	}
	while (!LIST_EMPTY(&srv.rawconns))
		rawconn_free(LIST_FIRST(&srv.rawconns));
	if (silent_dns_ev != NULL) {
		close(event_get_fd(silent_dns_ev));
		event_free(silent_dns_ev);
	}
	if (srv.sigterm != NULL)
		event_free(srv.sigterm);
	if (srv.sigint != NULL)
		event_free(srv.sigint);
	if (srv.base != NULL)
		event_base_free(srv.base);
	SSL_CTX_free(srv.ssl_ctx);
	if (srv.pidfile_written)
		unlink(srv.pidfile);
	libevent_global_shutdown();
}

/* A name server that reads every query and answers none. */

static void
silent_dns_read(evutil_socket_t fd, short what, void *arg)
{
	char buf[512];

	(void)what;
	(void)arg;
	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
}

/* UDP port 53 of ADDR (a loopback address; binding it needs root). */
static int
silent_dns_on(const char *addr)
{
	struct sockaddr_in sin;
	struct event *ev;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(53);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "itf-testsrv: bad address %s\n", addr);
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		fprintf(stderr, "itf-testsrv: cannot bind %s:53/udp: %s\n",
		    addr, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	ev = event_new(srv.base, fd, EV_READ | EV_PERSIST, silent_dns_read,
	    NULL);
	if (ev == NULL || event_add(ev, NULL) == -1)
		return -1;
	silent_dns_ev = ev;
	return 0;
}

enum {
	OPT_HTTP = 1,
	OPT_HTTPS,
	OPT_CERT,
	OPT_KEY,
	OPT_GARBAGE,
	OPT_CLOSE,
	OPT_SILENT,
	OPT_PIDFILE,
	OPT_XAPI,
	OPT_SILENT_DNS,
	OPT_LOG,
	OPT_HELP,
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "http", required_argument, NULL, OPT_HTTP },
		{ "https", required_argument, NULL, OPT_HTTPS },
		{ "cert", required_argument, NULL, OPT_CERT },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "garbage", required_argument, NULL, OPT_GARBAGE },
		{ "close", required_argument, NULL, OPT_CLOSE },
		{ "silent", required_argument, NULL, OPT_SILENT },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "xapi", required_argument, NULL, OPT_XAPI },
		{ "silent-dns", required_argument, NULL, OPT_SILENT_DNS },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	/* Indexed by option id; 0 means no such listener. */
	int port[OPT_SILENT + 1] = { 0 };
	const char *cert = NULL, *key = NULL, *silent_dns = NULL;
	struct sigaction sa;
	int ch, rc = 1;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_HTTP:
		case OPT_HTTPS:
		case OPT_GARBAGE:
		case OPT_CLOSE:
		case OPT_SILENT:
			if ((port[ch] = parse_port(optarg)) == -1) {
				fprintf(stderr, "itf-testsrv: bad port %s\n",
				    optarg);
				return 2;
			}
			break;
		case OPT_CERT:
			cert = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_PIDFILE:
			srv.pidfile = optarg;
			break;
		case OPT_XAPI:
			srv.xapi_dir = optarg;
			break;
		case OPT_SILENT_DNS:
			silent_dns = optarg;
			break;
		case OPT_LOG:
			if ((request_log = fopen(optarg, "a")) == NULL) {
				fprintf(stderr, "itf-testsrv: %s: %s\n", optarg,
				    strerror(errno));
				return 2;
			}
			break;
		case OPT_HELP:
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}
	if (port[OPT_HTTPS] != 0 && (cert == NULL || key == NULL)) {
		fprintf(stderr,
		    "itf-testsrv: --https needs --cert and --key\n");
		return 2;
	}

	/* A peer gone mid-write must be an error return, not our death. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	raise_nofile();
	memset(endless_block, 'x', sizeof(endless_block));
	LIST_INIT(&srv.rawconns);

	if ((srv.base = event_base_new()) == NULL) {
		fprintf(stderr, "itf-testsrv: event_base_new failed\n");
		goto out;
	}
	srv.early_close = (event_base_get_features(srv.base) &
	                      (EV_FEATURE_ET | EV_FEATURE_EARLY_CLOSE)) ==
	    (EV_FEATURE_ET | EV_FEATURE_EARLY_CLOSE);
	srv.sigterm = evsignal_new(srv.base, SIGTERM, on_signal, NULL);
	srv.sigint = evsignal_new(srv.base, SIGINT, on_signal, NULL);
	if (srv.sigterm == NULL || srv.sigint == NULL ||
	    event_add(srv.sigterm, NULL) == -1 ||
	    event_add(srv.sigint, NULL) == -1) {
		fprintf(stderr, "itf-testsrv: cannot catch signals\n");
		goto out;
	}

	if (port[OPT_HTTP] != 0 && (srv.http = http_on(port[OPT_HTTP])) == NULL)
		goto out;
	if (port[OPT_HTTPS] != 0) {
		if ((srv.ssl_ctx = tls_context(cert, key)) == NULL ||
		    (srv.https = http_on(port[OPT_HTTPS])) == NULL)
			goto out;
		evhttp_set_bevcb(srv.https, https_bev, NULL);
	}
	if (port[OPT_GARBAGE] != 0 &&
	    listen_on(port[OPT_GARBAGE], garbage_accept, 1) == NULL)
		goto out;
	if (port[OPT_CLOSE] != 0 &&
	    listen_on(port[OPT_CLOSE], close_accept, 1) == NULL)
		goto out;
	if (port[OPT_SILENT] != 0 &&
	    listen_on(port[OPT_SILENT], silent_accept, 1) == NULL)
		goto out;
	if (silent_dns != NULL && silent_dns_on(silent_dns) == -1)
		goto out;

	if (srv.pidfile != NULL) {
		if (write_pidfile(srv.pidfile) == -1) {
			fprintf(stderr, "itf-testsrv: cannot write %s: %s\n",
			    srv.pidfile, strerror(errno));
			goto out;
		}
		srv.pidfile_written = 1;
	}

	if (event_base_dispatch(srv.base) == -1) {
		fprintf(stderr, "itf-testsrv: event loop failed\n");
		goto out;
	}
	rc = 0;
out:
	cleanup();
	if (request_log != NULL)
		fclose(request_log);
	return rc;
}
