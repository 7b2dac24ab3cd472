/*
 * The worker pool of offload.h. Jobs wait in one queue; OFFLOAD_THREADS
 * threads, made at the first job, take them in order. A finished job's
 * pointer goes through a pipe to the loop, which calls its done (or, when
 * it was cancelled meanwhile, its discard). Nothing of a job is touched by
 * two threads at once: the worker owns it between taking it and writing
 * it to the pipe.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "log.h"
#include "offload.h"
#include "thread.h"
#include "xmalloc.h"

enum offload_state { OFFLOAD_QUEUED, OFFLOAD_RUNNING, OFFLOAD_FINISHED };

struct offload {
	TAILQ_ENTRY(offload) entry;
	offload_fn work, done, discard;
	void *job;
	enum offload_state state; /* under the lock */
	int cancelled; /* loop thread only */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	TAILQ_HEAD(, offload) queue;
	pthread_t threads[OFFLOAD_THREADS];
	int nthreads;
	int stop;
	int fds[2];
	struct event *ev;
	unsigned pending; /* loop thread only */
} offload_pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.fds = { -1, -1 } };

static void
offload_finish(struct offload *o)
{
	offload_pool.pending--;
	if (o->cancelled)
		o->discard(o->job);
	else
		o->done(o->job);
	free(o);
}

static void
offload_back_cb(evutil_socket_t fd, short what, void *arg)
{
	struct offload *o;

	while (read(fd, &o, sizeof o) == sizeof o)
		offload_finish(o);
}

static void *
offload_thread(void *arg)
{
	struct offload *o;

	/* Below the loop thread: a parse may wait, a probe may not. */
	thread_background("itf-offload");
	pthread_mutex_lock(&offload_pool.lock);
	for (;;) {
		while (TAILQ_EMPTY(&offload_pool.queue) && !offload_pool.stop)
			pthread_cond_wait(&offload_pool.cond,
			    &offload_pool.lock);
		if (offload_pool.stop)
			break;
		o = TAILQ_FIRST(&offload_pool.queue);
		TAILQ_REMOVE(&offload_pool.queue, o, entry);
		o->state = OFFLOAD_RUNNING;
		pthread_mutex_unlock(&offload_pool.lock);
		o->work(o->job);
		pthread_mutex_lock(&offload_pool.lock);
		o->state = OFFLOAD_FINISHED;
		pthread_mutex_unlock(&offload_pool.lock);
		/* A full pipe only makes this worker wait for the loop. */
		while (write(offload_pool.fds[1], &o, sizeof o) != sizeof o) {
			if (errno != EINTR) {
				log_err("offload: pipe: %s", strerror(errno));
				break;
			}
		}
		pthread_mutex_lock(&offload_pool.lock);
	}
	pthread_mutex_unlock(&offload_pool.lock);
	return NULL;
}

/* Without its pipe or threads the daemon cannot do its work. */
static void __attribute__((noreturn)) offload_fatal(const char *what)
{
	log_err("offload: %s: %s", what, strerror(errno));
	abort();
}

/* The pipe and the threads, at the first job. */
static void
offload_init(struct event_base *base)
{
	int i;

	if (offload_pool.ev != NULL)
		return;
	TAILQ_INIT(&offload_pool.queue);
	if (pipe2(offload_pool.fds, O_CLOEXEC) != 0)
		offload_fatal("pipe");
	fcntl(offload_pool.fds[0], F_SETFL, O_NONBLOCK);
	offload_pool.ev = event_new(base, offload_pool.fds[0],
	    EV_READ | EV_PERSIST, offload_back_cb, NULL);
	event_add(offload_pool.ev, NULL);
	for (i = 0; i < OFFLOAD_THREADS; i++) {
		if (pthread_create(&offload_pool.threads[i], NULL,
		        offload_thread, NULL) != 0)
			offload_fatal("cannot start a worker thread");
		offload_pool.nthreads++;
	}
}

struct offload *
offload_start(struct event_base *base, offload_fn work, offload_fn done,
    void *job)
{
	struct offload *o;

	offload_init(base);
	o = xcalloc(1, sizeof *o);
	o->work = work;
	o->done = done;
	o->job = job;
	o->state = OFFLOAD_QUEUED;
	offload_pool.pending++;
	pthread_mutex_lock(&offload_pool.lock);
	TAILQ_INSERT_TAIL(&offload_pool.queue, o, entry);
	pthread_cond_signal(&offload_pool.cond);
	pthread_mutex_unlock(&offload_pool.lock);
	return o;
}

void
offload_cancel(struct offload *o, offload_fn discard)
{
	int queued;

	pthread_mutex_lock(&offload_pool.lock);
	queued = o->state == OFFLOAD_QUEUED;
	if (queued)
		TAILQ_REMOVE(&offload_pool.queue, o, entry);
	pthread_mutex_unlock(&offload_pool.lock);
	o->cancelled = 1;
	o->discard = discard;
	if (queued)
		offload_finish(o);
}

unsigned
offload_pending(void)
{
	return offload_pool.pending;
}

void
offload_shutdown(void)
{
	struct offload *o;
	int i;

	if (offload_pool.ev == NULL)
		return;
	pthread_mutex_lock(&offload_pool.lock);
	offload_pool.stop = 1;
	pthread_cond_broadcast(&offload_pool.cond);
	pthread_mutex_unlock(&offload_pool.lock);
	for (i = 0; i < offload_pool.nthreads; i++)
		pthread_join(offload_pool.threads[i], NULL);
	offload_pool.nthreads = 0;
	/* Finished ones first, then those never started: run here. */
	offload_back_cb(offload_pool.fds[0], EV_READ, NULL);
	while ((o = TAILQ_FIRST(&offload_pool.queue)) != NULL) {
		TAILQ_REMOVE(&offload_pool.queue, o, entry);
		if (!o->cancelled)
			o->work(o->job);
		offload_finish(o);
	}
	event_free(offload_pool.ev);
	offload_pool.ev = NULL;
	close(offload_pool.fds[0]);
	close(offload_pool.fds[1]);
	offload_pool.fds[0] = offload_pool.fds[1] = -1;
	offload_pool.stop = 0;
}
