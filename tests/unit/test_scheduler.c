/*
 * The slot timers: many jobs behind one timer fire on their grid, each
 * slot once and in order, skipping none; a callback may stop another job
 * or free its own; with every job gone nothing is left armed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/event.h>

#include "scheduler.h"

#define NJOBS 300
#define INTERVAL_MS 200
/* A slot's callback may come this late on a loaded machine. */
#define LATE_MS 150

struct rec {
	struct sched_job job;
	uint64_t slots[16];
	size_t n;
	uint64_t missed;
	int bad_late; /* called more than LATE_MS after its slot */
	struct rec *victim; /* stopped at this one's first slot */
	int free_self; /* freed at its first slot */
};

static void
test_scheduler_cb(struct sched_job *job, uint64_t slot_ms, uint64_t missed,
    void *arg)
{
	struct rec *r = arg;
	uint64_t now = scheduler_now_ms();

	assert_ptr_equal(job, &r->job);
	if (now > slot_ms + LATE_MS || now + 1 < slot_ms)
		r->bad_late = 1;
	r->missed += missed;
	if (r->n < 16)
		r->slots[r->n++] = slot_ms;
	if (r->victim != NULL && r->n == 1)
		scheduler_job_stop(&r->victim->job);
	if (r->free_self && r->n == 1)
		scheduler_job_free(job);
}

static void
test_scheduler_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void
test_scheduler_grid(void **unused)
{
	struct event_base *base = event_base_new();
	struct rec *recs = calloc(NJOBS, sizeof *recs);
	struct event *stop;
	struct timeval tv = { 1, 0 };
	char key[32];
	size_t i, k;

	(void)unused;
	for (i = 0; i < NJOBS; i++) {
		snprintf(key, sizeof key, "sys%zu/series", i);
		scheduler_job_init(&recs[i].job, base, key, INTERVAL_MS,
		    test_scheduler_cb, &recs[i]);
	}
	recs[0].victim = &recs[1];
	recs[1].victim = &recs[0]; /* whichever comes first stops the other */
	recs[2].free_self = 1;
	for (i = 0; i < NJOBS; i++)
		scheduler_job_start(&recs[i].job);
	/* Started twice: armed once. */
	scheduler_job_start(&recs[3].job);
	stop = evtimer_new(base, test_scheduler_stop_cb, base);
	evtimer_add(stop, &tv);
	event_base_dispatch(base);

	/* Whichever came first stopped the other before its slot. */
	assert_true((recs[0].n == 0) != (recs[1].n == 0));
	assert_int_equal(recs[2].n, 1);
	for (i = 0; i < NJOBS; i++) {
		struct rec *r = &recs[i];

		if (i == 2 || r->n == 0)
			continue;

		assert_false(r->bad_late);
		assert_int_equal(r->missed, 0);
		/* 1 s of a 200 ms grid: 4 or 5 slots, each the next. */
		assert_true(r->n >= 4 && r->n <= 6);
		for (k = 0; k < r->n; k++) {
			assert_int_equal(r->slots[k] % INTERVAL_MS,
			    r->job.offset_ms);
			if (k > 0)
				assert_int_equal(r->slots[k],
				    r->slots[k - 1] + INTERVAL_MS);
		}
	}
	for (i = 0; i < NJOBS; i++) {
		if (i != 2)
			scheduler_job_free(&recs[i].job);
	}
	/* Nothing armed is left: the loop has no event and returns 1. */
	event_free(stop);
	assert_int_equal(event_base_loop(base, EVLOOP_NONBLOCK), 1);
	event_base_free(base);
	free(recs);
}

/* Stopped and started again from the outside, a job keeps its grid. */
static void
test_scheduler_restart(void **unused)
{
	struct event_base *base = event_base_new();
	struct rec a, b;
	struct event *stop;
	struct timeval tv = { 0, 700000 };

	(void)unused;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	scheduler_job_init(&a.job, base, "a/x", INTERVAL_MS, test_scheduler_cb,
	    &a);
	scheduler_job_init(&b.job, base, "b/y", INTERVAL_MS, test_scheduler_cb,
	    &b);
	scheduler_job_start(&a.job);
	scheduler_job_start(&b.job);
	scheduler_job_stop(&a.job);
	scheduler_job_stop(&a.job);
	scheduler_job_start(&a.job);
	stop = evtimer_new(base, test_scheduler_stop_cb, base);
	evtimer_add(stop, &tv);
	event_base_dispatch(base);
	assert_true(a.n >= 3 && a.n <= 4);
	assert_true(b.n >= 3 && b.n <= 4);
	assert_int_equal(a.slots[0] % INTERVAL_MS, a.job.offset_ms);
	assert_int_equal(b.slots[0] % INTERVAL_MS, b.job.offset_ms);
	assert_false(a.bad_late);
	assert_false(b.bad_late);
	scheduler_job_free(&a.job);
	scheduler_job_free(&b.job);
	event_free(stop);
	event_base_free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheduler_grid),
		cmocka_unit_test(test_scheduler_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
