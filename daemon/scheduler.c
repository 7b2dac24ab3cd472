/*
 * Slot timers. A timer is armed for its next slot only, with the delay
 * computed from the wall clock each time, so the schedule never drifts; a
 * job that fires late skips the slots it missed rather than bursting.
 */
#include <event2/event.h>
#include <stdlib.h>
#include <time.h>

#include "scheduler.h"

uint64_t
scheduler_offset(const char *key, uint64_t interval_ms)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 1099511628211ULL;
	}
	return interval_ms != 0 ? h % interval_ms : 0;
}

uint64_t
scheduler_next_slot(uint64_t now_ms, uint64_t interval_ms, uint64_t offset_ms)
{
	uint64_t base;

	if (now_ms < offset_ms)
		return offset_ms;
	base = now_ms - offset_ms;
	if (base % interval_ms == 0)
		return now_ms;
	return offset_ms + (base / interval_ms + 1) * interval_ms;
}

uint64_t
scheduler_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
scheduler_arm(struct sched_job *job, uint64_t now)
{
	struct timeval tv;
	uint64_t delay;

	delay = job->slot_ms > now ? job->slot_ms - now : 0;
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)((delay % 1000) * 1000);
	evtimer_add(job->ev, &tv);
}

static void
scheduler_fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sched_job *job = arg;
	uint64_t now, slot, missed = 0, next;

	now = scheduler_now_ms();
	slot = job->slot_ms;
	/* Woken early (clock stepped back)? Wait for the slot. */
	if (now + 1 < slot) {
		scheduler_arm(job, now);
		return;
	}
	next = slot + job->interval_ms;
	if (next <= now) {
		/* Late by more than an interval: run now, skip the rest. */
		missed = (now - slot) / job->interval_ms;
		slot += missed * job->interval_ms;
		next = slot + job->interval_ms;
	}
	job->slot_ms = next;
	scheduler_arm(job, now);
	job->cb(job, slot, missed, job->arg);
}

void
scheduler_job_init(struct sched_job *job, struct event_base *base,
    const char *key, uint64_t interval_ms, sched_cb cb, void *arg)
{
	job->interval_ms = interval_ms;
	job->offset_ms = scheduler_offset(key, interval_ms);
	job->cb = cb;
	job->arg = arg;
	job->slot_ms = 0;
	job->ev = evtimer_new(base, scheduler_fire_cb, job);
}

void
scheduler_job_start(struct sched_job *job)
{
	uint64_t now = scheduler_now_ms();

	job->slot_ms =
	    scheduler_next_slot(now, job->interval_ms, job->offset_ms);
	scheduler_arm(job, now);
}

void
scheduler_job_stop(struct sched_job *job)
{
	if (job->ev != NULL)
		evtimer_del(job->ev);
}

void
scheduler_job_free(struct sched_job *job)
{
	if (job->ev != NULL)
		event_free(job->ev);
	job->ev = NULL;
}
