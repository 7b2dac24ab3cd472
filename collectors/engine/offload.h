/*
 * Work that does not fit in a turn of the event loop (parsing a feed of
 * tens of megabytes, freeing what it made) runs on a small pool of worker
 * threads; its completion comes back to the loop through a pipe. The work
 * must be pure: it reads only its job and writes only its job, never the
 * collector's state, which a reload may free meanwhile.
 */
#ifndef OFFLOAD_H
#define OFFLOAD_H

struct event_base;
struct offload;

/* Called with the job: work on a worker thread, done on the loop. */
typedef void (*offload_fn)(void *job);

#define OFFLOAD_THREADS 2

/*
 * Run work(job) on a worker, then done(job) on the loop of base (the
 * daemon has one: every call must name the same). Never fails; done is
 * never called from inside offload_start.
 */
struct offload *offload_start(struct event_base *, offload_fn work,
    offload_fn done, void *job);
/*
 * Give up on a job: done is not called. discard(job) is, on the loop, once
 * work is over (or at once when it has not started), so it may free what
 * work still reads.
 */
void offload_cancel(struct offload *, offload_fn discard);
/* Jobs started and not yet back. */
unsigned offload_pending(void);
/* At exit: wait for the workers, discard what is left, free the pool. */
void offload_shutdown(void);

#endif
