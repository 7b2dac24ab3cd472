/*
 * Waiting as a server asks: one timer per feed, armed for Retry-After
 * seconds when the wait ends before the run's deadline, and a time before
 * which nothing is asked of the server when it does not.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feedwait.h"
#include "xmalloc.h"

struct feedwait_cb {
	void (*cb)(void *);
	void *arg;
};

uint64_t
feedwait_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
feedwait_start(struct feedwait *w, uint64_t timeout_ms)
{
	w->waits = 0;
	w->deadline_ms = feedwait_now_ms() + timeout_ms;
}

uint64_t
feedwait_left_ms(const struct feedwait *w)
{
	uint64_t now = feedwait_now_ms();

	return now < w->deadline_ms ? w->deadline_ms - now : 0;
}

int
feedwait_pending(const struct feedwait *w, char *msg, size_t len)
{
	time_t now = time(NULL);

	if (w->not_before == 0 || now >= w->not_before)
		return 0;
	snprintf(msg, len,
	    "the server asked to wait (Retry-After): no request for %lld s more",
	    (long long)(w->not_before - now));
	return 1;
}

static void
feedwait_fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct feedwait_cb *c = arg;

	(void)fd;
	(void)what;
	c->cb(c->arg);
}

int
feedwait_answer(struct feedwait *w, const struct fetch_result *r,
    struct event_base *base, void (*cb)(void *), void *arg, char *msg,
    size_t len)
{
	struct feedwait_cb *slot;
	struct timeval tv;
	long long wait = r->retry_after;

	if (r->code != 429 && (r->code != 503 || wait < 0))
		return -1;
	if (wait > FEEDWAIT_MAX)
		wait = FEEDWAIT_MAX;
	if (wait >= 0 && w->waits < FEEDWAIT_RETRIES &&
	    (uint64_t)wait * 1000 + 1000 < feedwait_left_ms(w)) {
		w->waits++;
		if (w->ev == NULL) {
			slot = xcalloc(1, sizeof *slot);
			w->ev = evtimer_new(base, feedwait_fire_cb, slot);
		}
		slot = event_get_callback_arg(w->ev);
		slot->cb = cb;
		slot->arg = arg;
		tv.tv_sec = (time_t)wait;
		tv.tv_usec = 0;
		evtimer_add(w->ev, &tv);
		return 1;
	}
	if (wait > 0)
		w->not_before = time(NULL) + (time_t)wait;
	if (wait >= 0)
		snprintf(msg, len,
		    "HTTP status %ld: the server asked to wait %lld s", r->code,
		    wait);
	else
		snprintf(msg, len,
		    "HTTP status %ld: the server asked to wait, not saying how long",
		    r->code);
	return 0;
}

void
feedwait_cancel(struct feedwait *w)
{
	if (w->ev != NULL)
		evtimer_del(w->ev);
}

void
feedwait_free(struct feedwait *w)
{
	if (w->ev == NULL)
		return;
	free(event_get_callback_arg(w->ev));
	event_free(w->ev);
	w->ev = NULL;
}
