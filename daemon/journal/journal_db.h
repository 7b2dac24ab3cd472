/*
 * Where the journal keeps its records: the interface between journal.c,
 * which decides outages on the loop thread and queues records, and its two
 * backends, the SQLite file in data_dir (in journal.c, as it always was)
 * and a PostgreSQL database shared by several daemons (journal_pg.c). Both
 * hold the same tables with the same meaning, versioned the same way: a
 * schema version and a list of migrations, each taking the store one
 * version up in a transaction; a store of a newer version than the daemon
 * knows is refused, never written. A backend's handle is used by one thread
 * at a time: the journal's writer thread, or a reader (the tool, the
 * dashboard's worker).
 */
#ifndef JOURNAL_DB_H
#define JOURNAL_DB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "span.h"

struct journal_notice;
struct journal_outage;

/* The schema version both backends are at (their migration lists). */
#define JOURNAL_SCHEMA_VERSION 3

enum journal_op_kind {
	OP_STATE_CHANGE,
	OP_OUTAGE_OPEN,
	OP_OUTAGE_CLOSE,
	OP_FAILED_RUN,
	OP_COVERAGE,
	OP_SERIES,
	OP_NOTIFY,
	OP_NOTE,
};
#define JOURNAL_OP_KINDS (OP_NOTE + 1)

/*
 * One record on its way to the store: texts s[] and numbers n[] in the
 * order each kind's statement takes them (journal_op_nstr texts first).
 */
struct journal_op {
	struct journal_op *next;
	/* The series' slot that points at this op while it waits, so that
	 * the next run updates it rather than queueing another. */
	struct journal_op **pend;
	enum journal_op_kind kind;
	char *s[6];
	long long n[5];
	uint64_t queued_ms; /* when it was queued (monotonic) */
};

/* How many of an op's texts its statement takes before the numbers. */
int journal_op_nstr(enum journal_op_kind);

/* A series' state as the store holds it. */
struct journal_state_row {
	const char *system;
	const char *series;
	const char *state; /* "up", "down", "unknown" */
	unsigned fails;
	time_t first_fail;
	const char *first_reason;
	time_t span_start, span_end;
};

/* An open outage as the store holds it. */
struct journal_open_row {
	const char *system;
	const char *series;
	const char *reason;
	time_t start;
	int planned;
};

/* What a load hands over, row by row (any callback may be NULL). */
struct journal_load_cbs {
	void (*state)(const struct journal_state_row *, void *);
	void (*outage)(const struct journal_open_row *, void *);
	void (*notice)(const struct journal_notice *, void *);
	void *arg;
};

/* Who opens a store, and as whom it writes. */
struct journal_db_opts {
	const char *password_file; /* PostgreSQL: NULL for none */
	const char *member; /* PostgreSQL: the daemon's name */
	const char *writer; /* PostgreSQL: this process's writer id */
	int readonly;
};

struct journal_backend {
	const char *name;
	/*
	 * Open the store at where (a path, or a connection string),
	 * creating or migrating it unless readonly. NULL with *cause; then
	 * *corrupt says whether the store is unreadable as a journal (a
	 * SQLite file to move aside) rather than away.
	 */
	void *(*open)(const char *where, const struct journal_db_opts *,
	    int *corrupt, char **cause);
	/* Every series' state, the open outages, the undelivered
	 * notifications (of this member). 0, or -1 with *cause. */
	int (*load)(void *, const struct journal_load_cbs *, char **cause);
	/*
	 * Write ops in one transaction, batch seq of this writer. 0, or -1
	 * with *cause (*corrupt as for open); nothing of it is kept then.
	 */
	int (*write)(void *, const struct journal_op *ops, uint64_t seq,
	    int *corrupt, char **cause);
	/*
	 * After a write whose outcome is not known (the connection was lost
	 * before the commit was answered): 1 if batch seq was committed, 0
	 * if not, -1 if it cannot be told now. NULL: a write that failed
	 * was not committed.
	 */
	int (*committed)(void *, uint64_t seq);
	/* What the store holds of system over [from, to) (journal.h's
	 * journal_read_system). 0, or -1 with *cause. */
	int (*read_system)(void *, const char *system, time_t from, time_t to,
	    struct spans *known, struct journal_outage **outs, size_t *nouts,
	    char **cause);
	void (*close)(void *);
};

extern const struct journal_backend journal_sqlite_backend;
extern const struct journal_backend journal_pg_backend;

#endif
