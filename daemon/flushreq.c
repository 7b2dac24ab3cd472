/*
 * /api/v1/flush: a reader (the tool, run by whoever may read the RRD
 * files) asks the daemon to write what it holds back (store.write_delay)
 * before it opens the files, as rrdcached's FLUSH does. GET
 * /api/v1/flush/<perspective>/<system>/<series> asks for one file, GET
 * /api/v1/flush for every one. Only clients on the loopback are served:
 * writing early costs the writer work, and nothing else may ask for it.
 * The loop thread never waits: the request goes to the writer, which
 * activates an event of the loop when it has served requests; each waiting
 * request has one timer, 504 after FLUSHREQ_WAIT_MS. Nothing runs while no
 * request waits.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "flushreq.h"
#include "httpd.h"
#include "ident.h"
#include "status.h"
#include "store_rrd.h"
#include "xmalloc.h"

#define FLUSHREQ_WAIT_MS 10000

struct flushreq_job {
	struct flushreq_job *next, **prevp;
	struct flushreq *fr;
	struct httpd_req *req;
	uint64_t n; /* the store's request number */
	struct event *timer;
};

struct flushreq {
	struct event_base *base;
	struct store *store;
	struct flushreq_job *jobs;
	struct event *served; /* activated by the writer */
};

static void
flushreq_text(struct httpd_req *req, int code, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, text, strlen(text));
	status_reply(req, code, "text/plain", b);
	evbuffer_free(b);
}

static void
flushreq_job_free(struct flushreq_job *j)
{
	if (j->next != NULL)
		j->next->prevp = j->prevp;
	*j->prevp = j->next;
	event_free(j->timer);
	free(j);
}

/* A waiting request's time is up: 504, unless it was served meanwhile. */
static void
flushreq_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct flushreq_job *j = arg;

	(void)fd;
	(void)what;
	if (store_flush_done(j->fr->store, j->n))
		flushreq_text(j->req, 200, "flushed\n");
	else
		flushreq_text(j->req, 504, "the writer is busy\n");
	flushreq_job_free(j);
}

/* The writer served requests: answer those it served. Thread: loop. */
static void
flushreq_served_cb(evutil_socket_t fd, short what, void *arg)
{
	struct flushreq *fr = arg;
	struct flushreq_job *j, *next;

	(void)fd;
	(void)what;
	for (j = fr->jobs; j != NULL; j = next) {
		next = j->next;
		if (!store_flush_done(fr->store, j->n))
			continue;
		flushreq_text(j->req, 200, "flushed\n");
		flushreq_job_free(j);
	}
}

/* Thread: the writer, under the store's lock. */
static void
flushreq_notify(void *arg)
{
	struct flushreq *fr = arg;

	event_active(fr->served, EV_READ, 0);
}

/* The file a path below /api/v1/flush/ names; NULL when none may. */
static char *
flushreq_path(struct store *store, const char *rest)
{
	char p[IDENT_MAX + 1], s[IDENT_MAX + 1], *x, *path;
	const char *a, *b;

	if ((a = strchr(rest, '/')) == NULL || (b = strchr(a + 1, '/')) == NULL)
		return NULL;
	if ((size_t)(a - rest) > IDENT_MAX || (size_t)(b - a - 1) > IDENT_MAX)
		return NULL;
	memcpy(p, rest, (size_t)(a - rest));
	p[a - rest] = '\0';
	memcpy(s, a + 1, (size_t)(b - a - 1));
	s[b - a - 1] = '\0';
	x = xstrdup(b + 1);
	path = store_path(store_data_dir(store), p, s, x);
	free(x);
	return path;
}

static void
flushreq_cb(struct status *st, struct httpd_req *req, const char *path,
    void *arg)
{
	struct flushreq *fr = arg;
	struct flushreq_job *j;
	struct timeval tv = { FLUSHREQ_WAIT_MS / 1000, 0 };
	char *file = NULL;

	(void)st;
	if (!httpd_req_loopback(req)) {
		flushreq_text(req, 403, "flush is for the loopback only\n");
		return;
	}
	if (strncmp(path, "/api/v1/flush/", 14) == 0 &&
	    (file = flushreq_path(fr->store, path + 14)) == NULL) {
		flushreq_text(req, 404, "not found\n");
		return;
	}
	j = xcalloc(1, sizeof *j);
	j->fr = fr;
	j->req = req;
	j->timer = evtimer_new(fr->base, flushreq_timeout_cb, j);
	j->next = fr->jobs;
	if (j->next != NULL)
		j->next->prevp = &j->next;
	j->prevp = &fr->jobs;
	fr->jobs = j;
	/* Served before the loop turns again or later: flushreq_served_cb. */
	j->n = store_flush_request(fr->store, file);
	free(file);
	evtimer_add(j->timer, &tv);
}

struct flushreq *
flushreq_start(struct status *st, struct event_base *base)
{
	struct flushreq *fr = xcalloc(1, sizeof *fr);

	fr->base = base;
	fr->store = status_store(st);
	fr->served = event_new(base, -1, 0, flushreq_served_cb, fr);
	store_set_flush_notify(fr->store, flushreq_notify, fr);
	status_route(st, "/api/v1/flush", flushreq_cb, fr);
	status_route(st, "/api/v1/flush/", flushreq_cb, fr);
	return fr;
}

void
flushreq_free(struct flushreq *fr)
{
	if (fr == NULL)
		return;
	store_set_flush_notify(fr->store, NULL, NULL);
	while (fr->jobs != NULL) {
		flushreq_text(fr->jobs->req, 503, "stopping\n");
		flushreq_job_free(fr->jobs);
	}
	event_free(fr->served);
	free(fr);
}
