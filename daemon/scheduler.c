/*
 * Slot timers. A job is armed for its next slot only, with the delay
 * computed from the wall clock each time, so the schedule never drifts; a
 * job that fires late skips the slots it missed rather than bursting.
 * The jobs of one event base wait in one binary heap ordered by slot,
 * behind one libevent timer armed for the earliest: a job costs its place
 * in the heap, not an event of its own, and firing one is a sift in an
 * array instead of libevent's heap work on an event per series.
 */
#include <event2/event.h>
#include <stdlib.h>
#include <time.h>

#include "scheduler.h"
#include "xmalloc.h"

/*
 * A job in the heap with its slot beside it: sifting compares slots in
 * the array, not through a pointer to each job (a cache miss apiece).
 */
struct sched_entry {
	uint64_t slot_ms;
	struct sched_job *job;
};

/* The jobs of one event base. */
struct sched {
	struct sched *next;
	struct event_base *base;
	struct event *ev; /* armed for heap[0]'s slot */
	struct sched_entry *heap;
	size_t n, cap;
	size_t users; /* jobs initialised on it and not yet freed */
};

/* Every base's (a daemon has one loop; tests may make several). */
static struct sched *scheduler_scheds;

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

static int scheduler_put(struct sched *);

static void
scheduler_set(struct sched *s, size_t i, struct sched_entry e)
{
	s->heap[i] = e;
	e.job->idx = i;
}

static void
scheduler_sift_up(struct sched *s, size_t i)
{
	struct sched_entry e = s->heap[i];
	size_t up;

	while (i > 0) {
		up = (i - 1) / 2;
		if (s->heap[up].slot_ms <= e.slot_ms)
			break;
		scheduler_set(s, i, s->heap[up]);
		i = up;
	}
	scheduler_set(s, i, e);
}

static void
scheduler_sift_down(struct sched *s, size_t i)
{
	struct sched_entry e = s->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < s->n) {
		if (c + 1 < s->n && s->heap[c + 1].slot_ms < s->heap[c].slot_ms)
			c++;
		if (e.slot_ms <= s->heap[c].slot_ms)
			break;
		scheduler_set(s, i, s->heap[c]);
		i = c;
	}
	scheduler_set(s, i, e);
}

/* Arm the base's timer for the earliest slot, or disarm it: none. */
static void
scheduler_arm(struct sched *s, uint64_t now)
{
	struct timeval tv;
	uint64_t delay, slot;

	if (s->n == 0) {
		evtimer_del(s->ev);
		return;
	}
	slot = s->heap[0].slot_ms;
	delay = slot > now ? slot - now : 0;
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)((delay % 1000) * 1000);
	evtimer_add(s->ev, &tv);
}

static void
scheduler_push(struct sched *s, struct sched_job *job)
{
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->heap = xreallocarray(s->heap, s->cap, sizeof *s->heap);
	}
	s->heap[s->n].slot_ms = job->slot_ms;
	s->heap[s->n++].job = job;
	scheduler_sift_up(s, s->n - 1);
}

/* Take job out of the heap; 1 when it was the earliest. */
static int
scheduler_remove(struct sched *s, struct sched_job *job)
{
	size_t i = job->idx;
	struct sched_entry last;

	job->idx = SCHED_IDLE;
	last = s->heap[--s->n];
	if (i == s->n)
		return i == 0;
	scheduler_set(s, i, last);
	if (i > 0 && s->heap[(i - 1) / 2].slot_ms > last.slot_ms)
		scheduler_sift_up(s, i);
	else
		scheduler_sift_down(s, i);
	return i == 0;
}

/*
 * One job's slot has come: move it to its next slot and call it. Late by
 * more than an interval, it runs now and skips the slots it missed.
 */
static void
scheduler_fire(struct sched *s, struct sched_job *job, uint64_t now)
{
	uint64_t slot, missed = 0, next;

	slot = job->slot_ms;
	next = slot + job->interval_ms;
	if (next <= now) {
		missed = (now - slot) / job->interval_ms;
		slot += missed * job->interval_ms;
		next = slot + job->interval_ms;
	}
	job->slot_ms = next;
	s->heap[job->idx].slot_ms = next;
	scheduler_sift_down(s, job->idx);
	job->cb(job, slot, missed, job->arg);
}

/*
 * Run every job whose slot has come, earliest first; one woken early (the
 * clock stepped back) waits for its slot. A callback may start, stop or
 * free jobs: the heap's top is looked at afresh each time.
 */
static void
scheduler_fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sched *s = arg;
	uint64_t now;

	(void)fd;
	(void)what;
	now = scheduler_now_ms();
	s->users++; /* a callback may free the last job */
	while (s->n > 0 && s->heap[0].slot_ms <= now + 1)
		scheduler_fire(s, s->heap[0].job, now);
	if (scheduler_put(s) == 0)
		scheduler_arm(s, scheduler_now_ms());
}

static struct sched *
scheduler_get(struct event_base *base)
{
	struct sched *s;

	for (s = scheduler_scheds; s != NULL; s = s->next) {
		if (s->base == base)
			return s;
	}
	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->ev = evtimer_new(base, scheduler_fire_cb, s);
	s->next = scheduler_scheds;
	scheduler_scheds = s;
	return s;
}

/* A user less; 1 when it was the last and s is freed. */
static int
scheduler_put(struct sched *s)
{
	struct sched **pp;

	if (--s->users > 0)
		return 0;
	for (pp = &scheduler_scheds; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	event_free(s->ev);
	free(s->heap);
	free(s);
	return 1;
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
	job->idx = SCHED_IDLE;
	job->sched = scheduler_get(base);
	job->sched->users++;
}

void
scheduler_job_start(struct sched_job *job)
{
	struct sched *s = job->sched;
	uint64_t now = scheduler_now_ms();

	if (job->idx != SCHED_IDLE)
		scheduler_remove(s, job);
	job->slot_ms =
	    scheduler_next_slot(now, job->interval_ms, job->offset_ms);
	scheduler_push(s, job);
	if (job->idx == 0)
		scheduler_arm(s, now);
}

void
scheduler_job_stop(struct sched_job *job)
{
	struct sched *s = job->sched;

	if (s == NULL || job->idx == SCHED_IDLE)
		return;
	if (scheduler_remove(s, job))
		scheduler_arm(s, scheduler_now_ms());
}

void
scheduler_job_free(struct sched_job *job)
{
	if (job->sched == NULL)
		return;
	scheduler_job_stop(job);
	(void)scheduler_put(job->sched);
	job->sched = NULL;
}
