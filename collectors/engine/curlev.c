/*
 * libcurl multi on libevent. curl tells us which sockets to watch
 * (socket_cb) and when to wake it (timer_cb); we tell curl what happened
 * (curl_multi_socket_action) and collect finished transfers
 * (curl_multi_info_read). The engine is created on first use.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curlev.h"
#include "log.h"
#include "xmalloc.h"

struct curlev_sock {
	struct event *ev;
	curl_socket_t fd;
};

/*
 * A transfer's callback. A handle from curlev_easy keeps its own for good
 * (easy is set, and it is CURLOPT_PRIVATE between transfers too); another
 * handle gets one for the transfer.
 */
struct curlev_xfer {
	struct curlev_xfer *next; /* idle */
	CURL *easy;
	curlev_done_cb done;
	void *arg;
	char errbuf[CURL_ERROR_SIZE];
};

/* Idle handles kept: enough to even out the starts and ends of a loop
 * turn, few enough to hold little memory (a handle is some 20 KB). */
#define CURLEV_IDLE_MAX 64

static struct {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	unsigned running;
	struct curlev_xfer *idle;
	unsigned nidle;
} curlev;

static void
curlev_check(void)
{
	CURLMsg *msg;
	int left;
	CURL *easy;
	CURLcode rc;
	struct curlev_xfer *x;
	curlev_done_cb done;

	while ((msg = curl_multi_info_read(curlev.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		rc = msg->data.result;
		x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(curlev.multi, easy);
		curlev.running--;
		if (x == NULL)
			continue;
		if (x->easy == easy) {
			/* The callee releases the handle. */
			done = x->done;
			x->done = NULL;
			done(easy, rc, x->arg);
			continue;
		}
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		x->done(easy, rc, x->arg);
		free(x);
	}
}

static void
curlev_event_cb(evutil_socket_t fd, short what, void *arg)
{
	int action = 0, still;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(curlev.multi, fd, action, &still);
	curlev_check();
}

static void
curlev_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	int still;

	curl_multi_socket_action(curlev.multi, CURL_SOCKET_TIMEOUT, 0, &still);
	curlev_check();
}

static int
curlev_curl_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct timeval tv;

	if (timeout_ms < 0) {
		evtimer_del(curlev.timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(curlev.timer, &tv);
	return 0;
}

static int
curlev_curl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *sockp)
{
	struct curlev_sock *s = sockp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			event_free(s->ev);
			free(s);
			curl_multi_assign(curlev.multi, fd, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST;
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->fd = fd;
		s->ev = event_new(curlev.base, fd, kind, curlev_event_cb, NULL);
		curl_multi_assign(curlev.multi, fd, s);
	} else {
		event_del(s->ev);
		event_assign(s->ev, curlev.base, fd, kind, curlev_event_cb,
		    NULL);
	}
	event_add(s->ev, NULL);
	return 0;
}

static void
curlev_init(struct event_base *base)
{
	curlev.base = base;
	curlev.multi = curl_multi_init();
	if (curlev.multi == NULL) {
		log_err("curl_multi_init failed");
		abort();
	}
	curlev.timer = evtimer_new(base, curlev_timer_cb, NULL);
	curl_multi_setopt(curlev.multi, CURLMOPT_SOCKETFUNCTION,
	    curlev_curl_socket_cb);
	curl_multi_setopt(curlev.multi, CURLMOPT_TIMERFUNCTION,
	    curlev_curl_timer_cb);
}

int
curlev_add(struct event_base *base, CURL *easy, curlev_done_cb done, void *arg)
{
	struct curlev_xfer *x;
	CURLMcode mc;

	if (curlev.multi == NULL)
		curlev_init(base);
	x = NULL;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL || x->easy != easy) {
		x = xcalloc(1, sizeof *x);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	}
	x->done = done;
	x->arg = arg;
	if ((mc = curl_multi_add_handle(curlev.multi, easy)) != CURLM_OK) {
		log_err("curl_multi_add_handle: %s", curl_multi_strerror(mc));
		if (x->easy != easy) {
			curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
			free(x);
		}
		return -1;
	}
	curlev.running++;
	return 0;
}

void
curlev_remove(CURL *easy)
{
	struct curlev_xfer *x = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL || x->done == NULL)
		return;
	curl_multi_remove_handle(curlev.multi, easy);
	curlev.running--;
	if (x->easy == easy) {
		x->done = NULL;
		return;
	}
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	free(x);
}

CURL *
curlev_easy(char **errbuf)
{
	struct curlev_xfer *x;

	if ((x = curlev.idle) != NULL) {
		curlev.idle = x->next;
		curlev.nidle--;
	} else {
		x = xcalloc(1, sizeof *x);
		if ((x->easy = curl_easy_init()) == NULL) {
			free(x);
			return NULL;
		}
	}
	x->next = NULL;
	x->done = NULL;
	x->arg = NULL;
	x->errbuf[0] = '\0';
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	*errbuf = x->errbuf;
	return x->easy;
}

void
curlev_easy_release(CURL *easy)
{
	struct curlev_xfer *x = NULL;

	if (easy == NULL)
		return;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	if (x == NULL || x->easy != easy) {
		curl_easy_cleanup(easy);
		return;
	}
	if (curlev.nidle >= CURLEV_IDLE_MAX || curlev.multi == NULL) {
		curl_easy_cleanup(easy);
		free(x);
		return;
	}
	/* Options back to their defaults: CURLOPT_PRIVATE is set anew. */
	curl_easy_reset(easy);
	x->done = NULL;
	x->next = curlev.idle;
	curlev.idle = x;
	curlev.nidle++;
}

unsigned
curlev_running(void)
{
	return curlev.running;
}

void
curlev_shutdown(void)
{
	struct curlev_xfer *x;

	while ((x = curlev.idle) != NULL) {
		curlev.idle = x->next;
		curl_easy_cleanup(x->easy);
		free(x);
	}
	curlev.nidle = 0;
	if (curlev.multi == NULL)
		return;
	curl_multi_cleanup(curlev.multi);
	event_free(curlev.timer);
	curlev.multi = NULL;
	curlev.timer = NULL;
	curlev.base = NULL;
}

/* scheme://host:port of url, lower case, in buf; -1 if unparsable. */
static int
curlev_origin(const char *url, char *buf, size_t len)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *p;
	int rc = -1;

	if (u == NULL)
		return -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	        CURLUE_OK &&
	    (size_t)snprintf(buf, len, "%s://%s:%s", scheme, host, port) <
	        len) {
		for (p = buf; *p != '\0'; p++) {
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		}
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

int
curlev_same_origin(const char *a, const char *b)
{
	char oa[512], ob[512];

	return curlev_origin(a, oa, sizeof oa) == 0 &&
	    curlev_origin(b, ob, sizeof ob) == 0 && strcmp(oa, ob) == 0;
}

/* Before each request curl sends (redirects included): same origin? */
static int
curlev_prereq_cb(void *arg, char *primary_ip, char *local_ip, int primary_port,
    int local_port)
{
	struct curlev_pin *pin = arg;
	char *now = NULL;

	if (curl_easy_getinfo(pin->easy, CURLINFO_EFFECTIVE_URL, &now) !=
	        CURLE_OK ||
	    now == NULL)
		return CURL_PREREQFUNC_ABORT;
	if (curlev_same_origin(pin->url, now))
		return CURL_PREREQFUNC_OK;
	pin->refused = 1;
	if (curlev_origin(now, pin->to, sizeof pin->to) != 0)
		snprintf(pin->to, sizeof pin->to, "(unreadable)");
	return CURL_PREREQFUNC_ABORT;
}

void
curlev_pin(CURL *easy, struct curlev_pin *pin, const char *url)
{
	pin->easy = easy;
	snprintf(pin->url, sizeof pin->url, "%s", url);
	pin->refused = 0;
	pin->to[0] = '\0';
	curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, curlev_prereq_cb);
	curl_easy_setopt(easy, CURLOPT_PREREQDATA, pin);
}
