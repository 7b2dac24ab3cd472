/*
 * TCP availability probe: a non-blocking connect (names resolved with
 * libevent's evdns, never getaddrinfo on the loop), optionally a string sent
 * and a string expected back, all under one deadline. Records up, the
 * connect time and why it ended.
 */
#include <event2/bufferevent.h>
#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "itfollow/collector.h"
#include "types.h"
#include "xmalloc.h"

#define TCP_EXPECT_MAX (64 * 1024)

/* One resolver for every tcp instance, freed with the last of them. */
static struct evdns_base *tcp_dns;
static unsigned tcp_dns_refs;

struct tcp_state {
	const struct itf_host_services *host;
	struct itf_instance *inst;
	char *hostname;
	int port;
	char *send;
	char *expect;
	int family;
	int dns_ref;

	struct itf_run *run;
	struct bufferevent *bev;
	struct event *timer;
	struct timespec t0;
	int connected;
};

static void tcp_destroy(void *);

static int
tcp_configure(const struct itf_host_services *host, struct itf_instance *inst,
    void **statep)
{
	struct tcp_state *st;
	const char *s;
	long long n;
	int errors = 0;

	st = xcalloc(1, sizeof *st);
	st->host = host;
	st->inst = inst;
	st->family = AF_UNSPEC;
	if (!host->conf_string(inst, "host", &s) || *s == '\0') {
		host->conf_error(inst, NULL, "tcp collector needs a \"host\"");
		errors++;
	} else
		st->hostname = xstrdup(s);
	if (!host->conf_int(inst, "port", &n)) {
		host->conf_error(inst, NULL, "tcp collector needs a \"port\"");
		errors++;
	} else
		st->port = (int)n; /* 1 to 65535: its key says so */
	if (host->conf_string(inst, "send", &s))
		st->send = xstrdup(s);
	if (host->conf_string(inst, "expect", &s)) {
		if (*s == '\0') {
			host->conf_error(inst, "expect", "expect is empty");
			errors++;
		} else
			st->expect = xstrdup(s);
	}
	if (host->conf_int(inst, "ip_version", &n)) {
		if (n == 4)
			st->family = AF_INET;
		else if (n == 6)
			st->family = AF_INET6;
		else if (n != 0) {
			host->conf_error(inst, "ip_version",
			    "ip_version must be 4, 6 or 0 (either)");
			errors++;
		}
	}
	if (errors != 0) {
		tcp_destroy(st);
		return -1;
	}
	*statep = st;
	return 0;
}

static double
tcp_elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void
tcp_end(struct tcp_state *st, enum itf_status status, enum itf_reason reason,
    const char *msg)
{
	struct itf_run *run = st->run;

	if (st->bev != NULL)
		bufferevent_free(st->bev);
	if (st->timer != NULL)
		event_free(st->timer);
	st->bev = NULL;
	st->timer = NULL;
	st->run = NULL;
	st->host->run_done(run, status, reason, msg);
}

static void
tcp_read_cb(struct bufferevent *bev, void *arg)
{
	struct tcp_state *st = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr p;

	p = evbuffer_search(in, st->expect, strlen(st->expect), NULL);
	if (p.pos != -1) {
		tcp_end(st, ITF_STATUS_UP, ITF_REASON_OK, NULL);
		return;
	}
	if (evbuffer_get_length(in) > TCP_EXPECT_MAX)
		tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_EXPECT_MISMATCH,
		    "expected string not in the first 64 KiB");
}

static void
tcp_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct tcp_state *st = arg;
	int dnserr;

	if (what & BEV_EVENT_CONNECTED) {
		st->connected = 1;
		st->host->emit(st->run, "connect", tcp_elapsed(&st->t0));
		if (st->send != NULL)
			bufferevent_write(bev, st->send, strlen(st->send));
		if (st->expect == NULL) {
			tcp_end(st, ITF_STATUS_UP, ITF_REASON_OK, NULL);
			return;
		}
		bufferevent_enable(bev, EV_READ);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_EXPECT_MISMATCH,
		    "connection closed before the expected string");
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		dnserr = bufferevent_socket_get_dns_error(bev);
		if (dnserr != 0)
			tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_DNS,
			    evutil_gai_strerror(dnserr));
		else if (!st->connected)
			tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_CONNECT,
			    evutil_socket_error_to_string(
			        EVUTIL_SOCKET_ERROR()));
		else
			tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_RECV,
			    evutil_socket_error_to_string(
			        EVUTIL_SOCKET_ERROR()));
	}
}

static void
tcp_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tcp_state *st = arg;

	/* No socket yet: the name was still being resolved. */
	if (!st->connected && bufferevent_getfd(st->bev) == -1)
		tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_DNS,
		    "name not resolved in time");
	else
		tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT,
		    st->connected ? "no expected answer in time"
		                  : "no connection in time");
}

static int
tcp_start(void *arg, struct itf_run *run)
{
	struct tcp_state *st = arg;
	struct event_base *base = st->host->event_base();
	struct timeval tv;
	uint64_t ms;

	if (!st->dns_ref) {
		if (tcp_dns == NULL)
			tcp_dns = evdns_base_new(base,
			    EVDNS_BASE_INITIALIZE_NAMESERVERS |
			        EVDNS_BASE_NAMESERVERS_NO_DEFAULT);
		if (tcp_dns == NULL)
			return -1;
		tcp_dns_refs++;
		st->dns_ref = 1;
	}
	st->run = run;
	st->connected = 0;
	clock_gettime(CLOCK_MONOTONIC, &st->t0);
	st->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (st->bev == NULL) {
		st->run = NULL;
		return -1;
	}
	bufferevent_setcb(st->bev, st->expect != NULL ? tcp_read_cb : NULL,
	    NULL, tcp_event_cb, st);
	ms = st->host->timeout_ms(st->inst);
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	st->timer = evtimer_new(base, tcp_timeout_cb, st);
	evtimer_add(st->timer, &tv);
	/* May report failure through tcp_event_cb before it returns. */
	if (bufferevent_socket_connect_hostname(st->bev, tcp_dns, st->family,
	        st->hostname, st->port) != 0 &&
	    st->run == run)
		tcp_end(st, ITF_STATUS_DOWN, ITF_REASON_CONNECT,
		    "connect failed");
	return 0;
}

static void
tcp_cancel(void *arg, struct itf_run *run)
{
	struct tcp_state *st = arg;

	if (st->run != run)
		return;
	tcp_end(st, ITF_STATUS_UNKNOWN, ITF_REASON_CANCELLED, NULL);
}

static void
tcp_destroy(void *arg)
{
	struct tcp_state *st = arg;

	if (st == NULL)
		return;
	if (st->dns_ref && --tcp_dns_refs == 0) {
		/* Lookups still pending end (their callbacks free them). */
		evdns_base_free(tcp_dns, 1);
		tcp_dns = NULL;
	}
	free(st->hostname);
	free(st->send);
	free(st->expect);
	free(st);
}

const struct itf_collector_ops collector_tcp_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "tcp",
	.perspective = "quality",
	.template_name = "tcp",
	.keys = tcp_type_keys,
	.configure = tcp_configure,
	.start = tcp_start,
	.cancel = tcp_cancel,
	.destroy = tcp_destroy,
};
