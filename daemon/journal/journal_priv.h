/*
 * What the files of the outage journal share (journal.c keeps the
 * series' states and decides outages on the loop thread, journal_writer.c
 * is the writer thread and its queue, journal_sqlite.c the SQLite backend,
 * journal_read.c what the tool reads, journal_series.c the table of
 * series): the journal itself and its series.
 * Nothing else includes this.
 */
#ifndef JOURNAL_PRIV_H
#define JOURNAL_PRIV_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "journal.h"
#include "journal_db.h"

#define JOURNAL_FILE "journal.sqlite"
#define JOURNAL_BUCKETS 4096 /* at first; doubled as series come */
#define JOURNAL_QUEUE_MAX 1000000
#define JOURNAL_WAKE_EVERY 4096 /* records that wake the writer early */
#define JOURNAL_RETRY_S 5
#define JOURNAL_BUSY_MS 250

/* An undelivered notification read at start. */
struct journal_pending {
	long long id;
	time_t t;
	int attempts;
	char *s[5]; /* notifier, event, system, series, payload */
};

/* What the loop thread knows of one series. */
struct journal_series {
	struct journal_series *next;
	char *system;
	char *series;
	int state; /* enum itf_status, -1 before the first run */
	unsigned fails; /* consecutive down runs */
	time_t first_fail;
	char first_reason[32];
	time_t outage_start; /* 0: none open */
	char outage_reason[32];
	int planned;
	/* Taken over: runs held until its state is read (journal_adopt). */
	int adopting;
	time_t span_start, span_end; /* covered by runs, contiguous */
	struct journal_op *pend_state;
	struct journal_held *held; /* while adopting */
	size_t nheld;
};

/* A run of a series being taken over, held until its state is read. */
struct journal_held {
	char *collector;
	char *message;
	time_t t;
	unsigned interval;
	unsigned fail_after;
	enum itf_status status;
	enum itf_reason reason;
};

/* At most this many runs of one series wait for its state. */
#define JOURNAL_HELD_MAX 1000

/* The open outages of series run elsewhere, for /api and the dashboard. */
struct journal_other {
	char *system;
	char *series;
	char *reason;
	time_t start;
};

struct journal {
	char *path; /* the SQLite file, or the connection string */
	char *where; /* what messages call it (no password) */
	const struct journal_backend *be;
	struct journal_db_opts opts;
	char *password_file, *member, *writer;
	journal_event_cb cb;
	void *cb_arg;
	struct journal_series **series; /* nbuckets chains, a power of 2 */
	size_t nbuckets, nseries;
	struct journal_pending *pending;
	size_t npending;
	struct journal_other *others; /* sorted by system, series */
	size_t nothers;
	size_t nloaded; /* open outages read at start */

	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct journal_op *head, *tail;
	size_t nqueued;
	int stopping;
	uint64_t written, errors, dropped;
	int ok;
	int warned_full;

	char last_error[256]; /* why the last write failed ("": it worked) */
	uint64_t lag_ms; /* the oldest record of the last batch waited */

	/* Writer thread only. */
	void *db; /* the backend's handle */
	time_t retry_at;
	int failing; /* logged: the journal is not being written */
	uint64_t seq; /* batches written (or tried) */
	/* The first doubt_n queued records are batch doubt_seq, whose
	 * commit was not answered: written again only if it was not. */
	uint64_t doubt_seq;
	size_t doubt_n;
};

/* journal_series.c: a series' chain; its state (NULL unless create). */
struct journal_series **journal_chain(struct journal *, const char *,
    const char *);
struct journal_series *journal_series_get(struct journal *, const char *,
    const char *, int);
uint64_t journal_now_ms(void);
void *journal_writer(void *);
void journal_queue(struct journal *, struct journal_op *);
void journal_queue_latest(struct journal *, struct journal_op **,
    struct journal_op *);
struct journal_op *journal_op_new(enum journal_op_kind, const char *,
    const char *);
void journal_op_str(struct journal_op *, int, const char *);
void journal_op_free(struct journal_op *);
void journal_close_db(struct journal *);
void journal_fail(struct journal *, const char *, const char *);
void journal_move_aside(const char *);

#endif /* JOURNAL_PRIV_H */
