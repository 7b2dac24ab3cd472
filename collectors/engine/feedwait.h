/*
 * A feed's answer to a server that asks it to wait (HTTP 429 or 503 with
 * Retry-After, as Microsoft Graph throttles): the request is made again
 * after the wait when that fits in what is left of the run, else the run
 * ends with reason rate_limited and no request goes to the server before
 * the wait is over (a slot that comes earlier ends the same way at once).
 */
#ifndef FEEDWAIT_H
#define FEEDWAIT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fetch.h"

struct event_base;
struct event;

#define FEEDWAIT_RETRIES 3 /* waits honoured in one run at most */
#define FEEDWAIT_MAX 86400 /* a longer wait is taken as a day */

struct feedwait {
	time_t not_before; /* no request before (0: none) */
	unsigned waits; /* honoured in this run */
	struct event *ev; /* the wait in flight */
	uint64_t deadline_ms; /* of the run (feedwait_now_ms's clock) */
};

/* A monotonic clock in milliseconds. */
uint64_t feedwait_now_ms(void);
/* A run starts: its deadline is timeout_ms from now. */
void feedwait_start(struct feedwait *, uint64_t timeout_ms);
/* Milliseconds left of the run (0: none). */
uint64_t feedwait_left_ms(const struct feedwait *);
/*
 * 1 when the server's wait is not over (the run is to end rate_limited
 * without a request), with why in msg; else 0.
 */
int feedwait_pending(const struct feedwait *, char *msg, size_t len);
/*
 * An answer r that failed: -1 when it does not ask to wait (429 or 503
 * with Retry-After, or a 429 without it); 1 when the request is to be
 * made again, cb(arg) being called after the wait; 0 when the run is to
 * end rate_limited, with why in msg.
 */
int feedwait_answer(struct feedwait *, const struct fetch_result *r,
    struct event_base *, void (*cb)(void *), void *arg, char *msg, size_t len);
/* Drop a wait in flight (the run is cancelled). */
void feedwait_cancel(struct feedwait *);
/* Free what the waits hold (the instance is destroyed). */
void feedwait_free(struct feedwait *);

#endif
