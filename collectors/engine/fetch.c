/*
 * Feed fetches. A file:// URL is read here, a chunk per loop turn; an
 * http(s) URL goes through the shared curl multi engine: one
 * attempt, one deadline, the body kept up to a cap (a feed's input must be
 * whole to be trusted: a body over the cap or a transfer cut short fails
 * the fetch, and nothing of it is used). A command goes through proc.c.
 * HTTP statuses other than 2xx fail with reason http_status (auth for 401
 * and 403), and the body is not handed on.
 */
#include <curl/curl.h>
#include <errno.h>
#include <ctype.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlev.h"
#include "fetch.h"
#include "offload.h"
#include "proc.h"
#include "xmalloc.h"

struct fetch {
	fetch_done_cb done;
	void *arg;
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	struct curlev_pin pin; /* a request with a secret keeps its origin */
	struct curl_slist *hdrs;
	struct proc *proc;
	/* The body, in chunks: made whole (one copy) only when wanted, and
	 * for a parse, on the worker. */
	struct evbuffer *body;
	size_t len;
	size_t max;
	int too_large;
	int (*on_data)(const char *, size_t, void *);
	void *on_data_arg;
	/* file://: read here in chunks, one per loop turn. */
	int fd;
	struct event *ev;
	int open_errno;
	/* Parsing the body off the loop (fetch_opts.parse). */
	struct event_base *base;
	void *(*parse)(const char *, size_t, void *);
	void (*parse_free)(void *);
	void *parse_arg;
	void (*parse_arg_free)(void *);
	struct offload *off; /* the parse under way */
	struct fetch_result r; /* what done will get */
	void *parsed;
	/* http(s) with same_origin: redirects followed here. */
	char *url; /* of the request in flight */
	int same_origin;
	int redirects;
	/* A chunk on_data paused on, handed again at fetch_resume. */
	char *held;
	size_t held_len;
};

int
fetch_url_valid(const char *url)
{
	return strncasecmp(url, "file://", 7) == 0 ||
	    strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
}

static void fetch_garbage(struct fetch *, void (*)(void *), void *);

/* Redirects followed at most (as CURLOPT_MAXREDIRS otherwise). */
#define FETCH_MAX_REDIRECTS 5

/* fetch_file_read: on_data paused on a chunk, which waits for
 * fetch_resume. */
#define FETCH_FILE_PAUSED (-2)

/* A body of megabytes is freed off the loop: that takes milliseconds. */
#define FETCH_FREE_OFF_LOOP (1024 * 1024)

static void
fetch_body_free(void *arg)
{
	evbuffer_free(arg);
}

static void
fetch_free(struct fetch *f)
{
	if (f->ev != NULL)
		event_free(f->ev);
	if (f->fd != -1)
		close(f->fd);
	if (f->easy != NULL)
		curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->hdrs);
	if (f->body != NULL && f->len >= FETCH_FREE_OFF_LOOP)
		fetch_garbage(f, fetch_body_free, f->body);
	else if (f->body != NULL)
		evbuffer_free(f->body);
	if (f->parse_arg_free != NULL)
		f->parse_arg_free(f->parse_arg);
	free(f->url);
	free(f->held);
	free(f);
}

/* A parse result is freed off the loop too: it may be millions of
 * allocations. */
struct fetch_garbage {
	void (*parse_free)(void *); /* or whatever frees it */
	void *parsed;
};

static void
fetch_garbage_work(void *arg)
{
	struct fetch_garbage *g = arg;

	g->parse_free(g->parsed);
}

static void
fetch_garbage_done(void *arg)
{
	free(arg);
}

/* Free what with free_fn on a worker. */
static void
fetch_garbage(struct fetch *f, void (*free_fn)(void *), void *what)
{
	struct fetch_garbage *g = xmalloc(sizeof *g);

	g->parse_free = free_fn;
	g->parsed = what;
	offload_start(f->base, fetch_garbage_work, fetch_garbage_done, g);
}

static void
fetch_drop_parsed(struct fetch *f)
{
	if (f->parsed == NULL || f->parse_free == NULL)
		return;
	fetch_garbage(f, f->parse_free, f->parsed);
	f->parsed = NULL;
}

/* The body in one piece, NUL-terminated (f->len bytes before the NUL). */
static const char *
fetch_whole(struct fetch *f)
{
	evbuffer_add(f->body, "", 1);
	return (const char *)evbuffer_pullup(f->body, -1);
}

static void
fetch_parse_work(void *arg)
{
	struct fetch *f = arg;

	f->r.body = fetch_whole(f);
	f->r.len = f->len;
	f->parsed = f->parse(f->r.body, f->r.len, f->parse_arg);
}

static void
fetch_parse_done(void *arg)
{
	struct fetch *f = arg;

	f->off = NULL;
	f->r.parsed = f->parsed;
	f->done(f, &f->r, f->arg);
	fetch_drop_parsed(f);
	fetch_free(f);
}

/* Cancelled while parsing: the parse is over now. */
static void
fetch_parse_discard(void *arg)
{
	struct fetch *f = arg;

	fetch_drop_parsed(f);
	fetch_free(f);
}

/*
 * The fetch is over: done now, or, with a body to parse, once a worker
 * has made it whole and parsed it. A result that is ok without a body is
 * one in f->body; a command's output comes in r->body (proc.c's).
 */
static void
fetch_finish(struct fetch *f, const struct fetch_result *r)
{
	struct fetch_result rr = *r;

	if (rr.ok && rr.body == NULL && f->parse == NULL) {
		rr.body = fetch_whole(f);
		rr.len = f->len;
	}
	if (!rr.ok || f->parse == NULL) {
		f->done(f, &rr, f->arg);
		fetch_free(f);
		return;
	}
	if (rr.body != NULL) {
		/* A command's output belongs to proc.c: keep a copy. */
		evbuffer_add(f->body, rr.body, rr.len);
		f->len = rr.len;
	}
	f->r = rr;
	f->r.body = NULL;
	f->off = offload_start(f->base, fetch_parse_work, fetch_parse_done, f);
}

static size_t
fetch_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	if (f->on_data != NULL) {
		/* Only a successful answer is data. */
		long code = 0;

		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &code);
		if ((code == 0 || (code >= 200 && code <= 299)) &&
		    f->on_data(data, n, f->on_data_arg) != 0)
			return CURL_WRITEFUNC_PAUSE; /* comes again */
		return n;
	}
	if (f->len + n > f->max) {
		f->too_large = 1;
		return 0;
	}
	evbuffer_add(f->body, data, n);
	f->len += n;
	return n;
}

static enum itf_reason
fetch_curl_reason(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return ITF_REASON_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return ITF_REASON_DNS;
	case CURLE_COULDNT_CONNECT:
		return ITF_REASON_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return ITF_REASON_TLS;
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
		return ITF_REASON_RECV;
	case CURLE_SEND_ERROR:
		return ITF_REASON_SEND;
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_READ_ERROR:
		return ITF_REASON_CONNECT;
	default:
		return ITF_REASON_PROTOCOL;
	}
}

static void fetch_curl_done_cb(CURL *, CURLcode, void *);

/*
 * A redirect of a same_origin fetch: 1 when it is followed (the transfer
 * started again), 0 when it is not a redirect, -1 when it is refused (the
 * reason in r).
 */
static int
fetch_redirect(struct fetch *f, long code, struct fetch_result *r)
{
	char *to = NULL, *origin;

	if (code != 301 && code != 302 && code != 303 && code != 307 &&
	    code != 308)
		return 0;
	curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_URL, &to);
	r->reason = ITF_REASON_PROTOCOL;
	if (to == NULL) {
		snprintf(r->msg, sizeof r->msg,
		    "HTTP status %ld without a usable Location", code);
		return -1;
	}
	if (!fetch_same_origin(f->url, to)) {
		origin = fetch_origin(to);
		snprintf(r->msg, sizeof r->msg,
		    "redirect to another origin (%s) refused",
		    origin != NULL ? origin : "not http(s)");
		free(origin);
		return -1;
	}
	if (++f->redirects > FETCH_MAX_REDIRECTS) {
		snprintf(r->msg, sizeof r->msg, "more than %d redirects",
		    FETCH_MAX_REDIRECTS);
		return -1;
	}
	free(f->url);
	f->url = xstrdup(to);
	evbuffer_drain(f->body, evbuffer_get_length(f->body));
	f->len = 0;
	curl_easy_setopt(f->easy, CURLOPT_URL, f->url);
	if (code == 303)
		curl_easy_setopt(f->easy, CURLOPT_HTTPGET, 1L);
	if (curlev_add(f->base, f->easy, fetch_curl_done_cb, f) != 0) {
		r->reason = ITF_REASON_INTERNAL;
		snprintf(r->msg, sizeof r->msg,
		    "the curl engine refused the redirected transfer");
		return -1;
	}
	return 1;
}

static void
fetch_curl_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	struct fetch *f = arg;
	struct fetch_result r;
	curl_off_t wait = 0;
	long code = 0;
	int redirect = 0;

	memset(&r, 0, sizeof r);
	r.exit_code = -1;
	r.retry_after = -1;
	r.url = f->url;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	r.code = code;
	if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &wait) == CURLE_OK &&
	    wait > 0 && (code == 429 || code == 503))
		r.retry_after = (long long)wait;
	if (rc == CURLE_OK && f->same_origin &&
	    (redirect = fetch_redirect(f, code, &r)) == 1)
		return;
	if (redirect == -1) {
		/* Refused: r says why. */
	} else if (rc == CURLE_WRITE_ERROR && f->too_large) {
		r.reason = ITF_REASON_TOO_LARGE;
		snprintf(r.msg, sizeof r.msg, "over %zu bytes", f->max);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK && f->pin.refused) {
		r.reason = ITF_REASON_HTTP_STATUS;
		snprintf(r.msg, sizeof r.msg,
		    "HTTP status %ld: a redirect to %.100s not followed: the request carries credentials",
		    code, f->pin.to);
	} else if (rc != CURLE_OK) {
		r.reason = fetch_curl_reason(rc);
		snprintf(r.msg, sizeof r.msg, "%s", curl_easy_strerror(rc));
		/* A resolver that does not answer: the name, not the time. */
		if (rc == CURLE_OPERATION_TIMEDOUT &&
		    strncmp(f->errbuf, "Resolving timed out", 19) == 0) {
			r.reason = ITF_REASON_DNS;
			snprintf(r.msg, sizeof r.msg, "%s", f->errbuf);
		}
	} else if (code != 0 && (code < 200 || code > 299)) {
		r.reason = code == 401 || code == 403 ? ITF_REASON_AUTH
		                                      : ITF_REASON_HTTP_STATUS;
		snprintf(r.msg, sizeof r.msg, "HTTP status %ld", code);
	} else
		r.ok = 1; /* the body is in f->body */
	fetch_finish(f, &r);
}

static void
fetch_proc_done_cb(struct proc *p, const struct proc_result *pr, void *arg)
{
	struct fetch *f = arg;
	struct fetch_result r;

	memset(&r, 0, sizeof r);
	f->proc = NULL;
	r.retry_after = -1;
	r.exit_code = pr->exited ? pr->code : -1;
	if (pr->exec_errno != 0) {
		r.reason = ITF_REASON_EXEC_FAILED;
		snprintf(r.msg, sizeof r.msg, "cannot run: %s",
		    strerror(pr->exec_errno));
	} else if (pr->timed_out) {
		r.reason = ITF_REASON_TIMEOUT;
		snprintf(r.msg, sizeof r.msg, "killed at its timeout");
	} else if (!pr->exited) {
		r.reason = ITF_REASON_KILLED;
		snprintf(r.msg, sizeof r.msg, "killed by signal %d",
		    pr->signal);
	} else if (pr->truncated) {
		r.reason = ITF_REASON_TOO_LARGE;
		snprintf(r.msg, sizeof r.msg, "output over %zu bytes", f->max);
	} else {
		/* The parser judges the output; the exit code rides along
		 * (lmutil exits 0 even when a server is down). */
		r.ok = 1;
		r.body = pr->out;
		r.len = pr->outlen;
	}
	fetch_finish(f, &r);
}

/*
 * A local file, read a chunk per loop turn: curl's file:// reads the whole
 * file in one call, which for a 1 GB cost export would hold the loop (and
 * every probe) for seconds.
 */
#define FETCH_FILE_CHUNK (1024 * 1024)

/* One chunk of a file: streamed, or added to the body (read one byte
 * past the cap, to tell a file over it). */
static ssize_t
fetch_file_read(struct fetch *f)
{
	char *chunk;
	ssize_t n;
	size_t room;

	if (f->on_data != NULL) {
		if (f->held != NULL) {
			chunk = f->held;
			n = (ssize_t)f->held_len;
			f->held = NULL;
		} else {
			chunk = xmalloc(FETCH_FILE_CHUNK);
			n = read(f->fd, chunk, FETCH_FILE_CHUNK);
		}
		if (n > 0 &&
		    f->on_data(chunk, (size_t)n, f->on_data_arg) != 0) {
			/* Paused: kept for fetch_resume. */
			f->held = chunk;
			f->held_len = (size_t)n;
			return FETCH_FILE_PAUSED;
		}
		free(chunk);
		return n;
	}
	room = f->max - f->len + 1;
	n = evbuffer_read(f->body, f->fd,
	    (int)(room < FETCH_FILE_CHUNK ? room : FETCH_FILE_CHUNK));
	if (n > 0 && (f->len += (size_t)n) > f->max)
		f->too_large = 1;
	return n;
}

static void
fetch_file_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;
	struct fetch_result r;
	static const struct timeval now = { 0, 0 };
	ssize_t n;

	memset(&r, 0, sizeof r);
	r.exit_code = -1;
	r.retry_after = -1;
	if (f->open_errno != 0) {
		r.reason = ITF_REASON_CONNECT;
		snprintf(r.msg, sizeof r.msg, "%s", strerror(f->open_errno));
		goto done;
	}
	n = fetch_file_read(f);
	if (n == FETCH_FILE_PAUSED)
		return; /* fetch_resume goes on */
	if (n > 0) {
		if (f->too_large) {
			r.reason = ITF_REASON_TOO_LARGE;
			snprintf(r.msg, sizeof r.msg, "over %zu bytes", f->max);
			goto done;
		}
		evtimer_add(f->ev, &now);
		return;
	}
	if (n < 0) {
		r.reason = ITF_REASON_RECV;
		snprintf(r.msg, sizeof r.msg, "%s", strerror(errno));
		goto done;
	}
	r.ok = 1; /* the body is in f->body */
done:
	fetch_finish(f, &r);
}

static struct fetch *
fetch_file(struct event_base *base, struct fetch *f, const char *url)
{
	static const struct timeval now = { 0, 0 };
	const char *path = url + 7;

	/* file:///path and file://localhost/path. */
	if (strncasecmp(path, "localhost/", 10) == 0)
		path += 9;
	if ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		f->open_errno = errno;
	/* Even a failure is reported from the loop, never from here. */
	f->ev = evtimer_new(base, fetch_file_cb, f);
	evtimer_add(f->ev, &now);
	return f;
}

/* The feed a program prints: run it, its output the body. */
static struct fetch *
fetch_program(struct event_base *base, struct fetch *f,
    const struct fetch_opts *o, char **cause)
{
	struct proc_opts po;

	memset(&po, 0, sizeof po);
	po.argv = o->argv;
	po.env = o->env;
	po.set_user = o->set_user;
	po.uid = o->uid;
	po.gid = o->gid;
	po.max_output = f->max;
	po.timeout_ms = o->timeout_ms;
	f->proc = proc_start(base, &po, fetch_proc_done_cb, f, cause);
	if (f->proc == NULL) {
		fetch_free(f);
		return NULL;
	}
	return f;
}

/* Who the transfer says it is, and what it sends: headers, credentials, a
 * body. */
static void
fetch_curl_request(struct fetch *f, CURL *e, const struct fetch_opts *o)
{
	size_t i;

	curl_easy_setopt(e, CURLOPT_USERAGENT, "itfollowd/" ITF_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (o->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	if (o->no_verify) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	for (i = 0; o->headers != NULL && o->headers[i] != NULL; i++)
		f->hdrs = curl_slist_append(f->hdrs, o->headers[i]);
	if (f->hdrs != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->hdrs);
	if (o->bearer != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, o->bearer);
	} else if (o->username != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, o->username);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
		    o->password != NULL ? o->password : "");
	}
	if (o->post != NULL)
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, o->post);
	/* Credentials, and a token request's body, go to this origin only. */
	if (o->bearer != NULL || o->username != NULL || o->post != NULL)
		curlev_pin(e, &f->pin, o->url);
}

/* The feed at an http(s) URL: a transfer on the curl engine. */
static struct fetch *
fetch_curl(struct event_base *base, struct fetch *f, const struct fetch_opts *o,
    char **cause)
{
	CURL *e;

	if ((e = f->easy = curl_easy_init()) == NULL) {
		xasprintf(cause, "curl_easy_init failed");
		fetch_free(f);
		return NULL;
	}
	f->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, f->errbuf);
	/*
	 * A resolver that does not answer must not stop the loop: without
	 * this, curl joins its resolver thread when the transfer ends.
	 */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
	curl_easy_setopt(e, CURLOPT_URL, o->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "file,http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o->same_origin ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	fetch_curl_request(f, e, o);
	if (curlev_add(base, e, fetch_curl_done_cb, f) != 0) {
		xasprintf(cause, "the curl engine refused the transfer");
		fetch_free(f);
		return NULL;
	}
	return f;
}

struct fetch *
fetch_start(struct event_base *base, const struct fetch_opts *o,
    fetch_done_cb done, void *arg, char **cause)
{
	struct fetch *f;

	f = xcalloc(1, sizeof *f);
	f->done = done;
	f->arg = arg;
	f->max = o->max_bytes != 0 ? o->max_bytes : 64 * 1024 * 1024;
	f->on_data = o->on_data;
	f->on_data_arg = o->on_data_arg;
	f->fd = -1;
	f->body = evbuffer_new();
	f->base = base;
	f->parse = o->parse;
	f->parse_free = o->parse_free;
	f->parse_arg = o->parse_arg;
	f->parse_arg_free = o->parse_arg_free;
	f->url = o->url != NULL ? xstrdup(o->url) : NULL;
	f->same_origin = o->same_origin;
	if (o->argv != NULL)
		return fetch_program(base, f, o, cause);
	if (o->url == NULL || !fetch_url_valid(o->url)) {
		xasprintf(cause, "not a file://, http:// or https:// URL");
		fetch_free(f);
		return NULL;
	}
	if (strncasecmp(o->url, "file://", 7) == 0)
		return fetch_file(base, f, o->url);
	return fetch_curl(base, f, o, cause);
}

void
fetch_cancel(struct fetch *f)
{
	if (f->off != NULL) {
		offload_cancel(f->off, fetch_parse_discard);
		return;
	}
	if (f->proc != NULL) {
		proc_cancel(f->proc);
		f->proc = NULL;
		/* proc_cancel drops the callback: free here. */
		fetch_free(f);
		return;
	}
	if (f->easy != NULL)
		curlev_remove(f->easy);
	fetch_free(f);
}

/* The parts of an http(s) URL; 0, or -1 when it is not one. */
static int
fetch_url_parts(CURLU *u, char **scheme, char **host, char **port)
{
	char *p;

	*scheme = *host = *port = NULL;
	if (curl_url_get(u, CURLUPART_SCHEME, scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, port, CURLU_DEFAULT_PORT) !=
	        CURLUE_OK) {
		curl_free(*scheme);
		curl_free(*host);
		curl_free(*port);
		return -1;
	}
	for (p = *scheme; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (p = *host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(*scheme, "http") != 0 && strcmp(*scheme, "https") != 0) {
		curl_free(*scheme);
		curl_free(*host);
		curl_free(*port);
		return -1;
	}
	return 0;
}

char *
fetch_origin(const char *url)
{
	char *scheme, *host, *port, *out = NULL;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    fetch_url_parts(u, &scheme, &host, &port) == 0) {
		xasprintf(&out, "%s://%s:%s", scheme, host, port);
		curl_free(scheme);
		curl_free(host);
		curl_free(port);
	}
	curl_url_cleanup(u);
	return out;
}

int
fetch_same_origin(const char *a, const char *b)
{
	char *oa = fetch_origin(a), *ob = fetch_origin(b);
	int same = oa != NULL && ob != NULL && strcmp(oa, ob) == 0;

	free(oa);
	free(ob);
	return same;
}

char *
fetch_resolve(const char *base, const char *ref)
{
	char *got = NULL, *out = NULL;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK) {
		out = xstrdup(got);
		curl_free(got);
	}
	curl_url_cleanup(u);
	return out;
}

const char *
fetch_header(struct fetch *f, const char *name)
{
	struct curl_header *h;

	if (f->easy == NULL ||
	    curl_easy_header(f->easy, name, 0, CURLH_HEADER, -1, &h) !=
	        CURLHE_OK)
		return NULL;
	return h->value;
}

void
fetch_resume(struct fetch *f)
{
	static const struct timeval now = { 0, 0 };

	if (f->easy != NULL)
		curl_easy_pause(f->easy, CURLPAUSE_CONT);
	else if (f->ev != NULL && f->held != NULL)
		evtimer_add(f->ev, &now);
}
