/*
 * c-ares on libevent: channels on the daemon's event base, one for every
 * way of asking (server, UDP or TCP, timeout) and shared by the dns
 * probes that ask that way, so that thousands of probes hold a handful
 * of channels (a c-ares channel is some 100 KB) and sockets.
 *
 * Each channel takes every answer as it comes (ARES_FLAG_NOCHECKRESP: a
 * SERVFAIL or REFUSED answer is an answer, no other server is tried), one
 * try, no search domains. A query's callback runs once, on the loop,
 * unless the query was forgotten first; c-ares cancels only whole
 * channels, so a forgotten query stays in c-ares until it ends by itself
 * (its answer or its timeout) and nobody hears of it.
 */
#ifndef ARESEV_H
#define ARESEV_H

#include <stdint.h>

struct event_base;
struct aresev_chan;
struct aresev_query;

/*
 * The end of a query: status is c-ares' (ARES_SUCCESS with the answer in
 * abuf[0..alen), ARES_ETIMEOUT, ARES_ECONNREFUSED, ...).
 */
typedef void (
    *aresev_cb)(void *arg, int status, const unsigned char *abuf, int alen);

/*
 * The channel that asks server ("address", "address:port",
 * "[v6]:port"; NULL: the system's resolvers) over TCP only or not, each
 * query given timeout_ms: a reference to it (made if needed). NULL with
 * *cause (the caller frees) when c-ares refuses.
 */
struct aresev_chan *aresev_get(struct event_base *, const char *server, int tcp,
    uint64_t timeout_ms, char **cause);
/* Give the reference back; the last one destroys the channel. */
void aresev_put(struct aresev_chan *);

/*
 * Send the query q[0..len) (ares_create_query's, its id replaced). cb
 * runs once, later or before this returns: then NULL is returned, else a
 * handle for aresev_forget, valid until cb runs.
 */
struct aresev_query *aresev_send(struct aresev_chan *, const unsigned char *q,
    int len, aresev_cb cb, void *arg);
/* cb of the query will not run. */
void aresev_forget(struct aresev_query *);

#endif
