/*
 * Reading back what the daemon stored, for series derived from others (a
 * system's users, copied from a licence series' daily averages): librrd's
 * fetch on a worker thread (offload.h), never on the event loop.
 */
#ifndef READBACK_H
#define READBACK_H

#include "itfollow/collector.h"

struct event_base;
struct readback;

/*
 * Read the daily averages of ds in the RRD file at path over the span_s
 * seconds to the end of today (UTC), off the loop, then call done(run,
 * arg, ...) on the loop of base. what names the series in messages
 * ("perspective/series"), sys its system. Takes nothing of the caller's:
 * every string is copied. Returns the read, for readback_cancel.
 */
struct readback *readback_daily(struct event_base *base, const char *path,
    const char *what, const char *sys, const char *ds, long long span_s,
    struct itf_run *run, itf_daily_fn done, void *arg);
/* Give up on a read: done is not called. */
void readback_cancel(struct readback *);

#endif
