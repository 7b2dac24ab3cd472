/*
 * Fetching a feed's input: a URL (file://, http://, https://) through the
 * daemon's libcurl engine, or the output of a command run as a child. Both
 * end in one callback with the body, or a reason and a message.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "itfollow/collector.h"

struct event_base;
struct fetch;

struct fetch_opts {
	const char *url; /* either a URL ... */
	const char *const *argv; /* ... or a command (absolute path) */
	const char *const *env; /* the command's environment */
	int set_user; /* the command runs as uid/gid */
	uid_t uid;
	gid_t gid;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *bearer; /* Authorization: Bearer */
	const char *username; /* basic auth */
	const char *password;
	const char *post; /* a POST body (form-encoded) */
	const char *ca_file;
	int no_verify; /* TLS verification off */
	size_t max_bytes; /* body cap: over it the fetch fails */
	uint64_t timeout_ms;
	/*
	 * Streaming (URLs only): the body is handed here as it arrives and
	 * not kept; the result's body is then empty. on_data returns 0 when
	 * it took the chunk, or 1 to pause: the chunk was not taken and comes
	 * again after fetch_resume().
	 */
	int (*on_data)(const char *buf, size_t len, void *arg);
	void *on_data_arg;
	/*
	 * Redirects are followed only within the origin of url (scheme,
	 * host and port, see fetch_same_origin): one to another origin
	 * fails the fetch (reason protocol) before anything is sent there,
	 * so credentials and tokens stay where they were configured for.
	 */
	int same_origin;
	/*
	 * Parsing off the loop (offload.c): once the whole body is in,
	 * parse(body, len, parse_arg) runs on a worker thread and its result
	 * reaches done as r->parsed (NULL when the fetch failed). parse must
	 * read nothing but its arguments. parse_arg is the fetch's from
	 * fetch_start on and freed with parse_arg_free (if not NULL); the
	 * result is freed after done returns with parse_free (if not NULL),
	 * also off the loop, and also when the fetch is cancelled meanwhile.
	 */
	void *(*parse)(const char *body, size_t len, void *arg);
	void (*parse_free)(void *parsed);
	void *parse_arg;
	void (*parse_arg_free)(void *arg);
};

struct fetch_result {
	int ok; /* 1: body is the answer */
	enum itf_reason reason; /* when not ok */
	char msg[256];
	long code; /* HTTP status, 0 for file:// and commands */
	int exit_code; /* a command's, -1 for URLs */
	const char *body; /* NUL-terminated, len bytes */
	size_t len;
	/* Seconds a 429 or 503 answer asked to wait (Retry-After, in
	 * seconds or as a date), -1 when it did not say. */
	long long retry_after;
	const char *url; /* where the answer came from (redirects followed) */
	void *parsed; /* what opts.parse made of body (when ok) */
};

typedef void (
    *fetch_done_cb)(struct fetch *, const struct fetch_result *, void *arg);

/* Start; done is called once from the loop. NULL with *cause on error. */
struct fetch *fetch_start(struct event_base *, const struct fetch_opts *,
    fetch_done_cb, void *arg, char **cause);
/* Abandon a fetch: no callback (a parse under way finishes unseen). */
void fetch_cancel(struct fetch *);
/* Go on with a streaming fetch that on_data paused. Thread: loop. */
void fetch_resume(struct fetch *);
/* 1 if url is one fetch accepts (file://, http://, https://). */
int fetch_url_valid(const char *url);

/*
 * The origin of an http(s) URL, "scheme://host:port": scheme and host in
 * lower case, the port always given (80, 443 when the URL has none), user
 * and password left out. NULL when url is not an http(s) URL. The caller
 * frees it.
 */
char *fetch_origin(const char *url);
/*
 * 1 if a and b are http(s) URLs of one origin (RFC 6454: the same scheme,
 * host and port once normalised as fetch_origin does), else 0. A paging
 * link or a redirect that gets credentials must pass this against the
 * configured URL.
 */
int fetch_same_origin(const char *a, const char *b);
/*
 * ref (absolute, or relative as a paging link may be) resolved against
 * base (RFC 3986), without user or password; NULL when either is not a
 * URL. The caller frees it.
 */
char *fetch_resolve(const char *base, const char *ref);
/*
 * A header of the answer, during the done callback of an http(s) fetch;
 * NULL when it has none or the fetch was of a file or a command.
 */
const char *fetch_header(struct fetch *, const char *name);

#endif
