/*
 * A FOCUS feed run's reading and summing, off the loop thread. A worker
 * thread reads a local file or a directory's deliveries (recursively,
 * every *.csv and *.csv.gz, gzip read through zlib), or a stream the loop
 * hands it chunk by chunk (an http(s) body; the loop pauses the transfer
 * while the worker is behind); parses each with parse_focus, routes rows
 * to systems and sums them (focus_sum.h), and hands the result back to the
 * loop through a pipe. Nothing here touches the daemon's configuration or
 * the host: what the worker needs is copied in at the start.
 */
#ifndef FOCUS_READ_H
#define FOCUS_READ_H

#include <stddef.h>

#include "focus_sum.h"
#include "itfollow/collector.h"

struct event_base;
struct focus_job;

struct focus_job_conf {
	const char *path; /* a local file or directory; NULL: a stream */
	const char *name; /* the stream's name in messages (its URL) */
	const char *cost_column;
	const char *system_key;
	const char *currency; /* configured, or NULL */
	const char *const *map_from; /* names in the feed -> system ids */
	const char *const *map_to;
	size_t nmap;
	const char *const *systems; /* the configured system ids */
	size_t nsystems;
	const char *state_path; /* where the feed keeps state, or NULL */
};

struct focus_log {
	enum itf_log_level level;
	char *text;
};

/* What a run found. */
struct focus_result {
	int ok; /* 0: nothing is to be stored; reason and msg say why */
	enum itf_reason reason;
	char *msg;
	struct focus_sum *sum;
	char *currency; /* of the rows, NULL when none said */
	/* Every system the feed has written (this run's and earlier
	 * runs', from its state), "unallocated" included. */
	char **known;
	size_t nknown;
	size_t files, rows, rejected;
	size_t pauses; /* a stream's: times the transfer waited for us */
	double seconds; /* the worker's time on the run */
	struct focus_log *logs; /* for the loop to log, in order */
	size_t nlogs;
};

typedef void (*focus_job_cb)(struct focus_job *, void *arg);

/*
 * Start a worker on conf (copied). done is called on the loop when it
 * has finished, unless the job was released first. NULL with *cause when
 * no thread or pipe could be made.
 */
struct focus_job *focus_job_start(struct event_base *,
    const struct focus_job_conf *, focus_job_cb done, void *arg, char **cause);
/*
 * A stream's next chunk (loop). Returns 0 when it was taken, 1 when the
 * worker is behind: the chunk was not taken; resume is called when it
 * may come again.
 */
int focus_job_feed(struct focus_job *, const char *buf, size_t len);
void focus_job_on_resume(struct focus_job *, void (*resume)(void *), void *arg);
/* The stream ended: whole (error NULL) or not (reason and error). */
void focus_job_end(struct focus_job *, enum itf_reason, const char *error);
/* The result, valid from done until release. */
struct focus_result *focus_job_result(struct focus_job *);
/*
 * The loop is done with the job: after done, or to cancel it (the worker
 * stops at its next chunk, and done is not called). Thread: loop.
 */
void focus_job_release(struct focus_job *);

#endif
