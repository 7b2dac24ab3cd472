/*
 * The outage journal: <data_dir>/journal.sqlite (SQLite, WAL), the source
 * of truth for availability reports. This is the only SQLite user.
 *
 * The loop thread tells the journal how each run ended (journal_run); the
 * journal keeps each series' state in memory (consecutive failures, the
 * open outage, the stretch of time its runs cover), decides when an outage
 * starts (at the first of fail_after consecutive failures) and ends (at
 * the first success), and queues the records for a writer thread, which
 * writes whatever is queued in one transaction. A journal that cannot be
 * opened or written (locked, corrupt, a full disk) is logged with its path
 * and retried; records wait in the queue meanwhile (up to a bound) and
 * collection goes on. A corrupt file is moved aside (journal.sqlite.corrupt-
 * TIME) and a new one started.
 */
#ifndef JOURNAL_H
#define JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "itfollow/collector.h"
#include "span.h"

struct conf;
struct journal;

/* How one run ended. */
struct journal_run {
	const char *system; /* a feed without a system: NULL */
	const char *series; /* or a feed's id */
	const char *collector; /* the collector type */
	int feed;
	/* 1: not an availability (quality) series: only a failed run is
	 * kept, no state, outage or covered time. */
	int no_outages;
	time_t t; /* the run's slot */
	unsigned interval; /* seconds */
	unsigned fail_after;
	enum itf_status status;
	enum itf_reason reason;
	const char *message; /* NULL or what the collector said */
};

enum journal_event_kind {
	JOURNAL_OUTAGE_START,
	JOURNAL_OUTAGE_END,
};

/* An outage that started or ended, handed to the event callback. */
struct journal_event {
	enum journal_event_kind kind;
	const char *system;
	const char *series;
	const char *reason; /* of the outage's first failure */
	time_t start;
	time_t end; /* OUTAGE_END only */
	int planned; /* started inside a maintenance window */
};

typedef void (*journal_event_cb)(const struct journal_event *, void *);

struct journal_stats {
	uint64_t written; /* records written */
	uint64_t errors; /* transactions that failed (retried) */
	uint64_t dropped; /* records dropped: the queue was full */
	uint64_t queued; /* records waiting now */
	int ok; /* the journal is open and the last write worked */
};

/* A journal in data_dir; nothing is opened yet. */
struct journal *journal_new(const char *data_dir);
/*
 * Open the file (creating or migrating it), load every series' state and
 * open outages, and start the writer thread. A file that cannot be opened
 * is logged; the writer keeps retrying it. Returns 0 (always: the daemon
 * runs without its journal rather than not at all).
 */
int journal_start(struct journal *);
/* Write what is queued (one last try), then stop the writer thread. */
void journal_stop(struct journal *);
void journal_free(struct journal *);
void journal_set_event_cb(struct journal *, journal_event_cb, void *);
/* A run ended. Thread: loop. c gives the maintenance windows. */
void journal_run(struct journal *, const struct conf *c,
    const struct journal_run *);
/* A notification as the journal keeps it. */
struct journal_notice {
	long long id;
	time_t t;
	const char *notifier;
	const char *event;
	const char *system;
	const char *series;
	const char *payload; /* the event as JSON, to deliver it again */
	int attempts;
	int delivered;
	const char *error; /* of the last attempt, or NULL */
};

/*
 * A notification and how its delivery stands (inserted, then updated on
 * each attempt under the same id). Thread: loop.
 */
void journal_notification(struct journal *, const struct journal_notice *);
/*
 * The notifications that were not delivered when the daemon last stopped
 * (fewer than max_attempts tries, read at journal_start): f is called for
 * each, then they are forgotten here. Thread: loop.
 */
void journal_pending_notices(struct journal *, int max_attempts,
    void (*f)(const struct journal_notice *, void *), void *arg);
/* Something a program reported (a collectd PUTNOTIF), kept as it came. */
struct journal_note {
	const char *system;
	const char *series;
	time_t t;
	const char *severity; /* "failure", "warning" or "okay" */
	const char *source; /* where in the program's terms, or NULL */
	const char *message;
};

/* Keep a note in the events table. Thread: loop. */
void journal_note(struct journal *, const struct journal_note *);
void journal_get_stats(struct journal *, struct journal_stats *);
/*
 * The open outage of a series of the running journal: 1 with its start
 * and reason (valid until the next run ends), or 0. Thread: loop.
 */
int journal_open_outage(const char *system, const char *series, time_t *start,
    const char **reason);

/* An outage as read back. */
struct journal_outage {
	char series[65];
	time_t start;
	time_t end; /* 0 while open */
	int planned;
	char reason[32];
};

/*
 * Read what the journal in data_dir holds of system over [from, to): the
 * time its runs covered (into known, normalised) and the outages that
 * overlap (into *outs, caller frees). Returns 0, or -1 with *cause.
 */
int journal_read_system(const char *data_dir, const char *system, time_t from,
    time_t to, struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause);

#endif
