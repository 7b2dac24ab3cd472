/*
 * The status server (libevent evhttp), on loopback unless configured
 * otherwise: /health and /metrics.
 */
#ifndef STATUS_H
#define STATUS_H

struct event_base;
struct collect;
struct store;
struct status;

/* Listen on "host:port" ("[::1]:port" for IPv6). NULL with *cause. */
struct status *status_start(struct event_base *, const char *listen,
    struct collect *, struct store *, char **cause);
void status_free(struct status *);

#endif
