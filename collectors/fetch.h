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
	uint64_t
	    timeout_ms; /* Streaming (URLs only): the body is handed here as it arrives and
	 * not kept; the result's body is then empty. */
	void (*on_data)(const char *buf, size_t len, void *arg);
	void *on_data_arg;
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
	void *parsed; /* what opts.parse made of body (when ok) */
};

typedef void (
    *fetch_done_cb)(struct fetch *, const struct fetch_result *, void *arg);

/* Start; done is called once from the loop. NULL with *cause on error. */
struct fetch *fetch_start(struct event_base *, const struct fetch_opts *,
    fetch_done_cb, void *arg, char **cause);
/* Abandon a fetch: no callback (a parse under way finishes unseen). */
void fetch_cancel(struct fetch *);
/* 1 if url is one fetch accepts (file://, http://, https://). */
int fetch_url_valid(const char *url);

#endif
