/*
 * The status server (HTTP/1.1 through httpd.c), on loopback unless
 * configured otherwise: /health, /metrics and /api/v1/systems, and
 * whatever other files register with status_route (the dashboard).
 * Requests are served on the loop thread and only read state; their size,
 * number and time are bounded.
 */
#ifndef STATUS_H
#define STATUS_H

#include <jansson.h>
#include <stddef.h>

struct event_base;
struct evbuffer;
struct httpd_req;
struct collect;
struct store;
struct status;

/*
 * A route's handler: answers req (with status_reply) for path, the
 * request's path without its query.
 */
typedef void (*status_route_cb)(struct status *, struct httpd_req *req,
    const char *path, void *arg);

/*
 * The open outage of a series as a JSON object (a new reference), or NULL
 * when it has none. Provided by the journal; until one is set, every
 * series' "outage" is null.
 */
typedef json_t *(
    *status_outage_cb)(const char *system, const char *series, void *arg);

/* Listen on "host:port" ("[::1]:port" for IPv6). NULL with *cause. */
struct status *status_start(struct event_base *, const char *listen,
    struct collect *, struct store *, char **cause);
void status_free(struct status *);

/*
 * Serve path with cb: exactly, or, when path ends in '/' (but is not "/"
 * itself, the root page), everything below it too (the longest registered
 * prefix wins). A later route for the same path replaces the earlier one;
 * a path nothing serves is answered 404.
 */
void status_route(struct status *, const char *path, status_route_cb cb,
    void *arg);
/* More /metrics families, written by cb (with status_metric). */
typedef void (*status_extra_cb)(struct evbuffer *, void *arg);
void status_set_metrics(struct status *, status_extra_cb, void *arg);
/* One metric family of one value, with its HELP and TYPE. */
void status_metric(struct evbuffer *, const char *name, const char *type,
    const char *help, unsigned long long v);

/* More reasons /health fails (the journal's, the cluster's): cb writes
 * one in buf and returns 1, or returns 0. */
typedef int (*status_problem_cb)(char *buf, size_t len, void *arg);
void status_set_problem(struct status *, status_problem_cb, void *arg);

/* Where the open outages come from (see status_outage_cb). */
void status_set_outage(struct status *, status_outage_cb, void *arg);

/* Send a reply of type with body (may be NULL); HEAD gets no body. */
void status_reply(struct httpd_req *, int code, const char *type,
    struct evbuffer *body);
struct collect *status_collect(struct status *);
struct store *status_store(struct status *);

#endif
