/*
 * The outage journal: <data_dir>/journal.sqlite (SQLite, WAL), or with
 * store.journal a PostgreSQL database that several daemons share, the
 * source of truth for availability reports. This is the only SQLite user;
 * the journal's PostgreSQL tables are journal_pg.c's.
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
 * TIME) and a new one started. A batch whose commit went unanswered (the
 * PostgreSQL connection was lost) is written again only if the database
 * does not have it.
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
struct journal_state_row;
struct journal_open_row;

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
	uint64_t oldest_ms; /* how long the oldest waiting record has */
	uint64_t lag_ms; /* how long the oldest of the last batch waited */
	char error[256]; /* why the last write failed, "" if it worked */
};

/* The journal of c (store.journal, else data_dir's file); nothing is
 * opened yet. */
struct journal *journal_new(const struct conf *c);
/* What messages call it: the file, or the database without password. */
const char *journal_where(const struct journal *);
/*
 * Open the store (creating or migrating it), load every series' state and
 * open outages, and start the writer thread. A SQLite file that cannot be
 * opened is logged, and the writer keeps retrying it: 0 (the daemon runs
 * without its journal rather than not at all). A PostgreSQL journal that
 * cannot be reached or read at start: -1 with *cause (the daemon does not
 * start: it would not know what its share is).
 */
int journal_start(struct journal *, char **cause);
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

/*
 * Series moving between daemons (cluster.c). Thread: loop.
 *
 * journal_expect: the series is taken over here; its runs are held until
 * journal_adopt gives its state as the shared journal has it (st, open:
 * NULL when it has none), which replaces what was known here; the held
 * runs then go on from it, in order. journal_release: the series runs
 * elsewhere now; its state here is forgotten (what is queued is still
 * written, at once). journal_set_others: the open outages of the shared
 * journal (copied), which journal_open_outage answers for series whose
 * state is not here.
 */
void journal_expect(struct journal *, const char *system, const char *series);
void journal_adopt(struct journal *, const struct conf *c, const char *system,
    const char *series, const struct journal_state_row *st,
    const struct journal_open_row *open);
void journal_release(struct journal *, const char *system, const char *series);
void journal_set_others(struct journal *, const struct journal_open_row *,
    size_t n);

/* An outage as read back. */
struct journal_outage {
	char series[65];
	time_t start;
	time_t end; /* 0 while open */
	int planned;
	char reason[32];
};

/*
 * Read what the journal of c holds of system over [from, to): the time
 * its runs covered (into known, normalised) and the outages that overlap
 * (into *outs, caller frees). Returns 0, or -1 with *cause. A PostgreSQL
 * journal's connection is kept for the next read (any thread), until
 * journal_reader_close.
 */
int journal_read_system(const struct conf *c, const char *system, time_t from,
    time_t to, struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause);
/* 1 if c has a journal to read: a PostgreSQL one, or the file exists. */
int journal_exists(const struct conf *c);
void journal_reader_close(void);

#endif
