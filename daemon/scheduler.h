/*
 * The scheduler: jobs firing on a fixed grid of slots, kept in one heap
 * by their next slot behind one libevent timer per event base (tens of
 * thousands of jobs cost no libevent event each). A job's slots are the
 * instants t (wall clock, ms) with t mod interval == offset, where the
 * offset is derived from the job's key:
 * it is stable across restarts and reloads, and spreads thousands of jobs
 * over the interval instead of starting them all at once.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct sched;
struct sched_job;

/* Called at each slot. missed counts slots skipped since the last call. */
typedef void (*sched_cb)(struct sched_job *, uint64_t slot_ms, uint64_t missed,
    void *arg);

struct sched_job {
	struct sched *sched; /* its base's, NULL before init */
	size_t idx; /* its place in the heap, SCHED_IDLE when not armed */
	uint64_t interval_ms;
	uint64_t offset_ms;
	uint64_t slot_ms; /* the slot the timer is armed for */
	sched_cb cb;
	void *arg;
};

#define SCHED_IDLE ((size_t)-1)

/* The job's offset within the interval: FNV-1a of key mod interval. */
uint64_t scheduler_offset(const char *key, uint64_t interval_ms);
/* The first slot at or after now_ms. */
uint64_t scheduler_next_slot(uint64_t now_ms, uint64_t interval_ms,
    uint64_t offset_ms);
/* The wall clock in milliseconds. */
uint64_t scheduler_now_ms(void);

void scheduler_job_init(struct sched_job *, struct event_base *,
    const char *key, uint64_t interval_ms, sched_cb, void *arg);
/* Arm the job for its next slot. */
void scheduler_job_start(struct sched_job *);
/* Disarm it; a callback may stop or free any job, its own included. */
void scheduler_job_stop(struct sched_job *);
void scheduler_job_free(struct sched_job *);

#endif
