/*
 * c-ares channels on the daemon's event base, shared by the dns probes
 * that ask the same server the same way (see aresev.h): c-ares' sockets
 * watched as events, its timeouts as one timer a channel, and queries
 * that can be forgotten when a probe gives up on them first.
 */
#include <ares.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "aresev.h"
#include "xmalloc.h"

/* A socket c-ares uses, watched on the loop. */
struct aresev_sock {
	struct aresev_sock *next;
	struct aresev_chan *chan;
	ares_socket_t fd;
	struct event *ev;
};

struct aresev_chan {
	struct aresev_chan *next;
	char *server; /* NULL: the system's resolvers */
	int tcp;
	uint64_t timeout_ms;
	unsigned refs;
	struct event_base *base;
	ares_channel ch;
	struct aresev_sock *socks;
	struct event *timer;
};

struct aresev_query {
	aresev_cb cb; /* NULL: forgotten */
	void *arg;
	int sending; /* inside ares_send */
	int done; /* ended inside ares_send */
};

static struct aresev_chan *aresev_chans;

/* c-ares' next timeout, on the loop. */
static void
aresev_rearm(struct aresev_chan *c)
{
	struct timeval tv, *tvp;

	tvp = ares_timeout(c->ch, NULL, &tv);
	if (tvp == NULL)
		evtimer_del(c->timer);
	else
		evtimer_add(c->timer, tvp);
}

static void
aresev_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct aresev_chan *c = arg;

	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	aresev_rearm(c);
}

static void
aresev_sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct aresev_sock *s = arg;
	struct aresev_chan *c = s->chan; /* s may be gone after this */

	ares_process_fd(c->ch, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	aresev_rearm(c);
}

/* c-ares opens, watches and closes its sockets through this. */
static void
aresev_sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct aresev_chan *c = data;
	struct aresev_sock *s, **pp;
	short what =
	    (short)((readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));

	for (pp = &c->socks; (s = *pp) != NULL; pp = &s->next) {
		if (s->fd == fd)
			break;
	}
	if (s != NULL) {
		event_free(s->ev);
		s->ev = NULL;
		if (what == 0) {
			*pp = s->next;
			free(s);
			return;
		}
	} else if (what == 0)
		return;
	else {
		s = xcalloc(1, sizeof *s);
		s->chan = c;
		s->fd = fd;
		s->next = c->socks;
		c->socks = s;
	}
	s->ev = event_new(c->base, fd, what | EV_PERSIST, aresev_sock_cb, s);
	event_add(s->ev, NULL);
}

static int
aresev_same(const struct aresev_chan *c, const char *server, int tcp,
    uint64_t timeout_ms)
{
	if ((c->server == NULL) != (server == NULL))
		return 0;
	return (server == NULL || strcmp(c->server, server) == 0) &&
	    c->tcp == tcp && c->timeout_ms == timeout_ms;
}

/* A new channel; NULL with *cause. */
static struct aresev_chan *
aresev_new(struct event_base *base, const char *server, int tcp,
    uint64_t timeout_ms, char **cause)
{
	struct aresev_chan *c = xcalloc(1, sizeof *c);
	struct ares_options o;
	int r;

	memset(&o, 0, sizeof o);
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
	    (tcp ? ARES_FLAG_USEVC : 0);
	o.timeout = (int)timeout_ms;
	o.tries = 1;
	o.sock_state_cb = aresev_sock_state_cb;
	o.sock_state_cb_data = c;
	r = ares_init_options(&c->ch, &o,
	    ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	        ARES_OPT_SOCK_STATE_CB);
	if (r != ARES_SUCCESS) {
		xasprintf(cause, "c-ares: %s", ares_strerror(r));
		free(c);
		return NULL;
	}
	if (server != NULL &&
	    (r = ares_set_servers_ports_csv(c->ch, server)) != ARES_SUCCESS) {
		xasprintf(cause, "c-ares: server %s: %s", server,
		    ares_strerror(r));
		ares_destroy(c->ch);
		free(c);
		return NULL;
	}
	c->server = server != NULL ? xstrdup(server) : NULL;
	c->tcp = tcp;
	c->timeout_ms = timeout_ms;
	c->base = base;
	c->timer = evtimer_new(base, aresev_timer_cb, c);
	return c;
}

struct aresev_chan *
aresev_get(struct event_base *base, const char *server, int tcp,
    uint64_t timeout_ms, char **cause)
{
	struct aresev_chan *c;

	for (c = aresev_chans; c != NULL; c = c->next) {
		if (aresev_same(c, server, tcp, timeout_ms))
			break;
	}
	if (c == NULL) {
		if ((c = aresev_new(base, server, tcp, timeout_ms, cause)) ==
		    NULL)
			return NULL;
		c->next = aresev_chans;
		aresev_chans = c;
	}
	c->refs++;
	return c;
}

void
aresev_put(struct aresev_chan *c)
{
	struct aresev_chan **pp;
	struct aresev_sock *s;

	if (c == NULL || --c->refs > 0)
		return;
	for (pp = &aresev_chans; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	/* Ends forgotten queries (their callbacks free them) and closes
	 * the sockets through aresev_sock_state_cb. */
	ares_destroy(c->ch);
	while ((s = c->socks) != NULL) {
		c->socks = s->next;
		if (s->ev != NULL)
			event_free(s->ev);
		free(s);
	}
	event_free(c->timer);
	free(c->server);
	free(c);
}

static void
aresev_query_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct aresev_query *q = arg;

	if (q->cb != NULL)
		q->cb(q->arg, status, abuf, alen);
	if (q->sending)
		q->done = 1; /* aresev_send frees it */
	else
		free(q);
}

struct aresev_query *
aresev_send(struct aresev_chan *c, const unsigned char *qbuf, int len,
    aresev_cb cb, void *arg)
{
	struct aresev_query *q = xcalloc(1, sizeof *q);

	q->cb = cb;
	q->arg = arg;
	q->sending = 1;
	ares_send(c->ch, qbuf, len, aresev_query_cb, q);
	aresev_rearm(c);
	if (q->done) {
		free(q);
		return NULL;
	}
	q->sending = 0;
	return q;
}

void
aresev_forget(struct aresev_query *q)
{
	if (q != NULL)
		q->cb = NULL;
}
