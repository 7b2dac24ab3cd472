/*
 * libcurl multi on libevent. curl tells us which sockets to watch
 * (socket_cb) and when to wake it (timer_cb); we tell curl what happened
 * (curl_multi_socket_action) and collect finished transfers
 * (curl_multi_info_read). The engine is created on first use.
 */
#include <event2/event.h>
#include <stdlib.h>

#include "curlev.h"
#include "log.h"
#include "xmalloc.h"

struct curlev_sock {
	struct event *ev;
	curl_socket_t fd;
};

struct curlev_xfer {
	curlev_done_cb done;
	void *arg;
};

static struct {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
	unsigned running;
} curlev;

static void
curlev_check(void)
{
	CURLMsg *msg;
	int left;
	CURL *easy;
	CURLcode rc;
	struct curlev_xfer *x;

	while ((msg = curl_multi_info_read(curlev.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		rc = msg->data.result;
		x = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(curlev.multi, easy);
		curlev.running--;
		if (x != NULL) {
			curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
			x->done(easy, rc, x->arg);
			free(x);
		}
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
	x = xmalloc(sizeof *x);
	x->done = done;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if ((mc = curl_multi_add_handle(curlev.multi, easy)) != CURLM_OK) {
		log_err("curl_multi_add_handle: %s", curl_multi_strerror(mc));
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
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
	if (x == NULL)
		return;
	curl_multi_remove_handle(curlev.multi, easy);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	curlev.running--;
	free(x);
}

unsigned
curlev_running(void)
{
	return curlev.running;
}

void
curlev_shutdown(void)
{
	if (curlev.multi == NULL)
		return;
	curl_multi_cleanup(curlev.multi);
	event_free(curlev.timer);
	curlev.multi = NULL;
	curlev.timer = NULL;
	curlev.base = NULL;
}
