/*
 * Feed fetches. A file:// URL is read here, a chunk per loop turn; an
 * http(s) URL goes through the shared curl multi engine: one
 * attempt, one deadline, the body kept up to a cap (a feed's input must be
 * whole to be trusted: a body over the cap or a transfer cut short fails
 * the fetch, and nothing of it is used). A command goes through proc.c.
 * HTTP statuses other than 2xx fail with reason http_status (auth for 401
 * and 403), and the body is not handed on.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curlev.h"
#include "fetch.h"
#include "proc.h"
#include "xmalloc.h"

struct fetch {
	fetch_done_cb done;
	void *arg;
	CURL *easy;
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *hdrs;
	struct proc *proc;
	char *buf;
	size_t len;
	size_t max;
	int too_large;
	int (*on_data)(const char *, size_t, void *);
	void *on_data_arg;
	/* file://: read here in chunks, one per loop turn. */
	int fd;
	struct event *ev;
	int open_errno;
	/* http(s) with same_origin: redirects followed here. */
	struct event_base *base;
	char *url; /* of the request in flight */
	int same_origin;
	int redirects;
	/* A chunk on_data paused on, handed again at fetch_resume. */
	char *held;
	size_t held_len;
};

/* Redirects followed at most (as CURLOPT_MAXREDIRS otherwise). */
#define FETCH_MAX_REDIRECTS 5

int
fetch_url_valid(const char *url)
{
	return strncasecmp(url, "file://", 7) == 0 ||
	    strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0;
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
	free(f->buf);
	free(f->url);
	free(f->held);
	free(f);
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
	f->buf = xrealloc(f->buf, f->len + n + 1);
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	f->buf[f->len] = '\0';
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
		    "HTTP status %ld without a "
		    "usable Location",
		    code);
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
	free(f->buf);
	f->buf = NULL;
	f->len = 0;
	curl_easy_setopt(f->easy, CURLOPT_URL, f->url);
	if (code == 303)
		curl_easy_setopt(f->easy, CURLOPT_HTTPGET, 1L);
	if (curlev_add(f->base, f->easy, fetch_curl_done_cb, f) != 0) {
		r->reason = ITF_REASON_INTERNAL;
		snprintf(r->msg, sizeof r->msg,
		    "the curl engine refused the "
		    "redirected transfer");
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
	} else {
		r.ok = 1;
		r.body = f->buf != NULL ? f->buf : "";
		r.len = f->len;
	}
	f->done(f, &r, f->arg);
	fetch_free(f);
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
	f->done(f, &r, f->arg);
	fetch_free(f);
}

/*
 * A local file, read a chunk per loop turn: curl's file:// reads the whole
 * file in one call, which for a 1 GB cost export would hold the loop (and
 * every probe) for seconds.
 */
#define FETCH_FILE_CHUNK (1024 * 1024)

static void
fetch_file_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;
	struct fetch_result r;
	static const struct timeval now = { 0, 0 };
	char *chunk;
	ssize_t n;

	memset(&r, 0, sizeof r);
	r.exit_code = -1;
	r.retry_after = -1;
	if (f->open_errno != 0) {
		r.reason = ITF_REASON_CONNECT;
		snprintf(r.msg, sizeof r.msg, "%s", strerror(f->open_errno));
		goto done;
	}
	if (f->held != NULL) {
		chunk = f->held;
		n = (ssize_t)f->held_len;
		f->held = NULL;
	} else {
		chunk = xmalloc(FETCH_FILE_CHUNK);
		n = read(f->fd, chunk, FETCH_FILE_CHUNK);
	}
	if (n > 0) {
		if (f->on_data != NULL &&
		    f->on_data(chunk, (size_t)n, f->on_data_arg) != 0) {
			/* Paused: kept for fetch_resume. */
			f->held = chunk;
			f->held_len = (size_t)n;
			return;
		}
		if (f->on_data == NULL)
			fetch_write_cb(chunk, 1, (size_t)n, f);
		free(chunk);
		if (f->too_large) {
			r.reason = ITF_REASON_TOO_LARGE;
			snprintf(r.msg, sizeof r.msg, "over %zu bytes", f->max);
			goto done;
		}
		evtimer_add(f->ev, &now);
		return;
	}
	free(chunk);
	if (n < 0) {
		r.reason = ITF_REASON_RECV;
		snprintf(r.msg, sizeof r.msg, "%s", strerror(errno));
		goto done;
	}
	r.ok = 1;
	r.body = f->buf != NULL ? f->buf : "";
	r.len = f->len;
done:
	f->done(f, &r, f->arg);
	fetch_free(f);
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

struct fetch *
fetch_start(struct event_base *base, const struct fetch_opts *o,
    fetch_done_cb done, void *arg, char **cause)
{
	struct fetch *f;
	struct proc_opts po;
	CURL *e;
	size_t i;

	f = xcalloc(1, sizeof *f);
	f->done = done;
	f->arg = arg;
	f->max = o->max_bytes != 0 ? o->max_bytes : 64 * 1024 * 1024;
	f->on_data = o->on_data;
	f->on_data_arg = o->on_data_arg;
	f->fd = -1;
	if (o->argv != NULL) {
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
	if (o->url == NULL || !fetch_url_valid(o->url)) {
		xasprintf(cause, "not a file://, http:// or https:// URL");
		fetch_free(f);
		return NULL;
	}
	if (strncasecmp(o->url, "file://", 7) == 0)
		return fetch_file(base, f, o->url);
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
	f->base = base;
	f->url = xstrdup(o->url);
	f->same_origin = o->same_origin;
	curl_easy_setopt(e, CURLOPT_URL, o->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "file,http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o->same_origin ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
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
	if (curlev_add(base, e, fetch_curl_done_cb, f) != 0) {
		xasprintf(cause, "the curl engine refused the transfer");
		fetch_free(f);
		return NULL;
	}
	return f;
}

void
fetch_cancel(struct fetch *f)
{
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
