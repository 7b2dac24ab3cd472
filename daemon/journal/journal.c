/*
 * The outage journal. The loop thread owns the series' states and decides
 * outages; records go through a queue to one writer thread that owns the
 * store's connection. The store is a backend (journal_db.h): the SQLite
 * file <data_dir>/journal.sqlite, whose code is below, or PostgreSQL
 * (journal_pg.c), shared by daemons that divide the collectors among
 * themselves (cluster.c). SQLite schema versions are PRAGMA user_version;
 * each entry of journal_migrations takes the file one version up, in a
 * transaction, so an older file is brought up to date when it is opened.
 *
 * A series run elsewhere and taken over here (journal_expect) holds its
 * runs until its state, as the daemon that ran it left it, has been read
 * (journal_adopt); one given up (journal_release) is forgotten here once
 * its last records are queued.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "journal.h"
#include "journal_db.h"
#include "log.h"
#include "maint.h"
#include "pg.h"
#include "reason.h"
#include "xmalloc.h"

#define JOURNAL_FILE "journal.sqlite"
#define JOURNAL_BUCKETS 4096
#define JOURNAL_QUEUE_MAX 1000000
#define JOURNAL_WAKE_EVERY 4096 /* records that wake the writer early */
#define JOURNAL_RETRY_S 5
#define JOURNAL_BUSY_MS 250

static const char *const journal_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE state_changes (id INTEGER PRIMARY KEY,"
	" system TEXT NOT NULL, series TEXT NOT NULL, time INTEGER NOT NULL,"
	" from_state TEXT, to_state TEXT NOT NULL, reason TEXT NOT NULL);"
	"CREATE INDEX state_changes_series ON state_changes"
	" (system, series, time);"
	"CREATE TABLE outages (id INTEGER PRIMARY KEY, system TEXT NOT NULL,"
	" series TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER,"
	" reason TEXT NOT NULL, planned INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (system, series, start));"
	"CREATE TABLE failed_runs (id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL,"
	" collector TEXT NOT NULL, status TEXT NOT NULL,"
	" reason TEXT NOT NULL, message TEXT);"
	"CREATE INDEX failed_runs_time ON failed_runs (time);"
	"CREATE TABLE coverage (system TEXT NOT NULL, series TEXT NOT NULL,"
	" start INTEGER NOT NULL, end INTEGER NOT NULL,"
	" PRIMARY KEY (system, series, start));"
	"CREATE TABLE series_state (system TEXT NOT NULL,"
	" series TEXT NOT NULL, state TEXT NOT NULL, fails INTEGER NOT NULL,"
	" first_fail INTEGER NOT NULL, first_reason TEXT NOT NULL,"
	" span_start INTEGER NOT NULL, span_end INTEGER NOT NULL,"
	" PRIMARY KEY (system, series));"
	"CREATE TABLE notifications (id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL, notifier TEXT NOT NULL,"
	" event TEXT NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL,"
	" attempts INTEGER NOT NULL, delivered INTEGER NOT NULL,"
	" last_error TEXT);",
	/* 1 -> 2: what a notification said, to deliver it after a restart */
	"ALTER TABLE notifications ADD COLUMN payload TEXT;"
	"CREATE INDEX notifications_pending ON notifications (delivered);",
	/* 2 -> 3: what programs report (collectd's PUTNOTIF) */
	"CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,"
	" system TEXT NOT NULL, series TEXT NOT NULL, severity TEXT NOT NULL,"
	" source TEXT, message TEXT NOT NULL);"
	"CREATE INDEX events_time ON events (time);",
};
#define JOURNAL_VERSION \
	((int)(sizeof journal_migrations / sizeof journal_migrations[0]))
_Static_assert(JOURNAL_VERSION == JOURNAL_SCHEMA_VERSION,
    "a SQLite migration without its PostgreSQL twin (journal_pg.c)");

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
	time_t span_start, span_end; /* covered by runs, contiguous */
	struct journal_op *pend_state;
	/* Taken over: runs held until its state is read (journal_adopt). */
	int adopting;
	struct journal_held *held;
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
	struct journal_series *series[JOURNAL_BUCKETS];
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

static struct journal *journal_self;

static void journal_series_free(struct journal_series *);
static void journal_others_clear(struct journal *);
static void journal_op_free(struct journal_op *);
static int journal_other_cmp(const void *, const void *);

static uint32_t
journal_hash(const char *a, const char *b)
{
	uint32_t h = 2166136261u;

	for (; *a != '\0'; a++)
		h = (h ^ (unsigned char)*a) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (; *b != '\0'; b++)
		h = (h ^ (unsigned char)*b) * 16777619u;
	return h % JOURNAL_BUCKETS;
}

static struct journal_series *
journal_series_get(struct journal *j, const char *system, const char *series,
    int create)
{
	struct journal_series *s;
	uint32_t b = journal_hash(system, series);

	for (s = j->series[b]; s != NULL; s = s->next) {
		if (strcmp(s->system, system) == 0 &&
		    strcmp(s->series, series) == 0)
			return s;
	}
	if (!create)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->system = xstrdup(system);
	s->series = xstrdup(series);
	s->state = -1;
	s->next = j->series[b];
	j->series[b] = s;
	return s;
}

struct journal *
journal_new(const struct conf *c)
{
	struct journal *j;
	unsigned char r[6];
	FILE *f;

	j = xcalloc(1, sizeof *j);
	if (c->journal != NULL) {
		j->be = &journal_pg_backend;
		j->path = xstrdup(c->journal);
		j->where = pg_display(c->journal);
		if (c->journal_password_file != NULL)
			j->password_file = xstrdup(c->journal_password_file);
		j->member = xstrdup(c->member);
		/* A batch is known by its writer: this process. */
		memset(r, 0, sizeof r);
		if ((f = fopen("/dev/urandom", "r")) != NULL) {
			if (fread(r, 1, sizeof r, f) != sizeof r)
				memset(r, 0, sizeof r);
			fclose(f);
		}
		xasprintf(&j->writer, "%s/%ld-%lld-%02x%02x%02x%02x%02x%02x",
		    c->member, (long)getpid(), (long long)time(NULL), r[0],
		    r[1], r[2], r[3], r[4], r[5]);
	} else {
		j->be = &journal_sqlite_backend;
		xasprintf(&j->path, "%s/%s", c->data_dir, JOURNAL_FILE);
		j->where = xstrdup(j->path);
	}
	j->opts.password_file = j->password_file;
	j->opts.member = j->member;
	j->opts.writer = j->writer;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	return j;
}

const char *
journal_where(const struct journal *j)
{
	return j->where;
}

void
journal_set_event_cb(struct journal *j, journal_event_cb cb, void *arg)
{
	j->cb = cb;
	j->cb_arg = arg;
}

/* The SQLite backend: <data_dir>/journal.sqlite. */

struct journal_sqlite {
	sqlite3 *db;
	sqlite3_stmt *stmts[JOURNAL_OP_KINDS]; /* prepared once */
};

static int
journal_exec(sqlite3 *db, const char *sql, char **cause)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	xasprintf(cause, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

static int
journal_user_version(sqlite3 *db, int *version, char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "%s", sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		xasprintf(cause, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Bring the file to JOURNAL_VERSION, a version per transaction. */
static int
journal_migrate(sqlite3 *db, char **cause)
{
	char *sql;
	int v;

	if (journal_user_version(db, &v, cause) != 0)
		return -1;
	if (v > JOURNAL_VERSION) {
		xasprintf(cause,
		    "schema version %d is newer than this "
		    "daemon's (%d)",
		    v, JOURNAL_VERSION);
		return -1;
	}
	for (; v < JOURNAL_VERSION; v++) {
		xasprintf(&sql,
		    "BEGIN IMMEDIATE; %s PRAGMA user_version = %d; COMMIT;",
		    journal_migrations[v], v + 1);
		if (journal_exec(db, sql, cause) != 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			free(sql);
			return -1;
		}
		free(sql);
	}
	return 0;
}

/* The error of a failed open or write: worth moving the file aside? */
static int
journal_is_corrupt(sqlite3 *db)
{
	int rc = db != NULL ? sqlite3_errcode(db) : SQLITE_OK;

	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

static sqlite3 *
journal_db_open(const char *path, int readonly, int *corrupt, char **cause)
{
	sqlite3 *db = NULL;
	int flags;

	*corrupt = 0;
	flags = readonly ? SQLITE_OPEN_READONLY
	                 : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "%s",
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, JOURNAL_BUSY_MS);
	if (readonly)
		return db;
	if (journal_exec(db,
	        "PRAGMA journal_mode = WAL;"
	        "PRAGMA synchronous = NORMAL;",
	        cause) != 0 ||
	    journal_migrate(db, cause) != 0) {
		*corrupt = journal_is_corrupt(db);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* Keep a corrupt file for whoever wants to look, and start a new one. */
static void
journal_move_aside(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char *from, *to;
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < 3; i++) {
		xasprintf(&from, "%s%s", path, ext[i]);
		xasprintf(&to, "%s.corrupt-%lld%s", path, (long long)now,
		    ext[i]);
		if (rename(from, to) == 0 && i == 0)
			log_err("journal %s is corrupt: moved to %s; starting "
			        "a new one",
			    path, to);
		free(from);
		free(to);
	}
}

static void
journal_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static const char *
journal_op_sql(enum journal_op_kind k)
{
	switch (k) {
	case OP_STATE_CHANGE:
		return "INSERT INTO state_changes (system, series, from_state,"
		       " to_state, reason, time) VALUES (?1, ?2, ?3, ?4, ?5,"
		       " ?6)";
	case OP_OUTAGE_OPEN:
		return "INSERT OR IGNORE INTO outages (system, series, reason,"
		       " start, planned) VALUES (?1, ?2, ?3, ?4, ?5)";
	case OP_OUTAGE_CLOSE:
		return "UPDATE outages SET end = ?4 WHERE system = ?1 AND"
		       " series = ?2 AND start = ?3";
	case OP_FAILED_RUN:
		return "INSERT INTO failed_runs (system, series, collector,"
		       " status, reason, message, time) VALUES (?1, ?2, ?3,"
		       " ?4, ?5, ?6, ?7)";
	case OP_COVERAGE:
		return "INSERT INTO coverage (system, series, start, end)"
		       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (system, series,"
		       " start) DO UPDATE SET end = excluded.end";
	case OP_SERIES:
		return "INSERT INTO series_state (system, series, state,"
		       " first_reason, fails, first_fail, span_start,"
		       " span_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		       " ON CONFLICT (system, series) DO UPDATE SET"
		       " state = excluded.state, first_reason ="
		       " excluded.first_reason, fails = excluded.fails,"
		       " first_fail = excluded.first_fail, span_start ="
		       " excluded.span_start, span_end = excluded.span_end";
	case OP_NOTIFY:
		return "INSERT OR REPLACE INTO notifications (notifier, event,"
		       " system, series, last_error, payload, id, time,"
		       " attempts, delivered) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
		       " ?7, ?8, ?9, ?10)";
	case OP_NOTE:
		return "INSERT INTO events (system, series, severity, source,"
		       " message, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	}
	return NULL;
}

/* How many text parameters (?1..) come before the numbers. */
int
journal_op_nstr(enum journal_op_kind k)
{
	switch (k) {
	case OP_STATE_CHANGE:
		return 5;
	case OP_OUTAGE_OPEN:
		return 3;
	case OP_OUTAGE_CLOSE:
	case OP_COVERAGE:
		return 2;
	case OP_FAILED_RUN:
		return 6;
	case OP_SERIES:
		return 4;
	case OP_NOTIFY:
		return 6;
	case OP_NOTE:
		return 5;
	}
	return 0;
}

/* Texts bind to ?1..?nstr, numbers to the parameters after them. */
static int
journal_op_write(struct journal_sqlite *q, const struct journal_op *op)
{
	sqlite3_stmt *st = q->stmts[op->kind];
	int i, nstr = journal_op_nstr(op->kind), rc;

	if (st == NULL) {
		if (sqlite3_prepare_v2(q->db, journal_op_sql(op->kind), -1, &st,
		        NULL) != SQLITE_OK)
			return -1;
		q->stmts[op->kind] = st;
	} else {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	for (i = 0; i < nstr; i++)
		journal_bind_text(st, i + 1, op->s[i]);
	for (i = 0; i < 5 && nstr + 1 + i <= sqlite3_bind_parameter_count(st);
	     i++)
		sqlite3_bind_int64(st, nstr + 1 + i, op->n[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
journal_sqlite_close(void *h)
{
	struct journal_sqlite *q = h;
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < JOURNAL_OP_KINDS; i++)
		sqlite3_finalize(q->stmts[i]);
	sqlite3_close(q->db);
	free(q);
}

static void *
journal_sqlite_open(const char *path, const struct journal_db_opts *o,
    int *corrupt, char **cause)
{
	struct journal_sqlite *q;
	sqlite3 *db;

	if ((db = journal_db_open(path, o->readonly, corrupt, cause)) == NULL)
		return NULL;
	q = xcalloc(1, sizeof *q);
	q->db = db;
	return q;
}

static int
journal_sqlite_write(void *h, const struct journal_op *ops, uint64_t seq,
    int *corrupt, char **cause)
{
	struct journal_sqlite *q = h;
	sqlite3 *db = q->db;
	const struct journal_op *op;

	(void)seq; /* a local commit's outcome is always known */
	*corrupt = 0;
	if (journal_exec(db, "BEGIN IMMEDIATE", cause) != 0)
		goto fail;
	for (op = ops; op != NULL; op = op->next) {
		if (journal_op_write(q, op) != 0) {
			xasprintf(cause, "%s", sqlite3_errmsg(db));
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto fail;
		}
	}
	if (journal_exec(db, "COMMIT", cause) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		goto fail;
	}
	return 0;
fail:
	*corrupt = journal_is_corrupt(db);
	return -1;
}

static void
journal_op_free(struct journal_op *op)
{
	int i;

	for (i = 0; i < 6; i++)
		free(op->s[i]);
	free(op);
}

/* Writer thread. */

static uint64_t
journal_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
journal_fail(struct journal *j, const char *what, const char *cause)
{
	if (!j->failing)
		log_err("journal %s: %s: %s; collection goes on, records wait "
		        "and the journal is retried every %d s",
		    j->where, what, cause, JOURNAL_RETRY_S);
	j->failing = 1;
	j->retry_at = time(NULL) + JOURNAL_RETRY_S;
	pthread_mutex_lock(&j->lock);
	snprintf(j->last_error, sizeof j->last_error, "%s: %s", what, cause);
	pthread_mutex_unlock(&j->lock);
}

static void
journal_close_db(struct journal *j)
{
	if (j->db != NULL)
		j->be->close(j->db);
	j->db = NULL;
}

/* Open the store if it is not; 0, or -1 (logged, retried later). */
static int
journal_open_db(struct journal *j)
{
	char *cause = NULL;
	int corrupt;

	if (j->db != NULL)
		return 0;
	j->db = j->be->open(j->path, &j->opts, &corrupt, &cause);
	if (j->db != NULL)
		return 0;
	if (corrupt && j->be == &journal_sqlite_backend)
		journal_move_aside(j->path);
	journal_fail(j, "cannot open", cause);
	free(cause);
	if (corrupt && j->be == &journal_sqlite_backend)
		j->retry_at = 0;
	return -1;
}

/*
 * The queue starts with the batch whose commit went unanswered: drop it
 * if the store has it after all (*settled: how many records), or let it
 * be written again. 0, or -1 when that cannot be told now.
 */
static int
journal_settle_doubt(struct journal *j, struct journal_op **ops, size_t *n,
    size_t *settled)
{
	struct journal_op *op;
	size_t i;
	int rc;

	if (j->doubt_n == 0)
		return 0;
	rc = j->be->committed != NULL ? j->be->committed(j->db, j->doubt_seq)
	                              : 0;
	if (rc < 0) {
		journal_fail(j, "cannot write",
		    "whether the last batch was written cannot be told");
		journal_close_db(j);
		return -1;
	}
	if (rc == 1) {
		for (i = 0; i < j->doubt_n && *ops != NULL; i++) {
			op = *ops;
			*ops = op->next;
			journal_op_free(op);
		}
		*n -= i;
		*settled = i;
		log_notice("journal %s: the batch of %zu records whose commit "
		           "went unanswered was written; not writing it again",
		    j->where, i);
	}
	j->doubt_n = 0;
	return 0;
}

/* Write ops (all queued so far); 0 when written, -1 to keep them. */
static int
journal_flush(struct journal *j, struct journal_op **ops, size_t *n,
    size_t *settled)
{
	char *cause = NULL;
	uint64_t seq;
	int corrupt;

	if (journal_open_db(j) != 0 ||
	    journal_settle_doubt(j, ops, n, settled) != 0)
		return -1;
	if (*ops == NULL)
		return 0;
	seq = ++j->seq;
	if (j->be->write(j->db, *ops, seq, &corrupt, &cause) != 0) {
		journal_fail(j, "cannot write", cause);
		free(cause);
		journal_close_db(j);
		if (j->be->committed != NULL) {
			j->doubt_seq = seq;
			j->doubt_n = *n;
		}
		if (corrupt && j->be == &journal_sqlite_backend) {
			journal_move_aside(j->path);
			j->retry_at = 0;
		}
		return -1;
	}
	if (j->failing)
		log_notice("journal %s: written again (%zu records)", j->where,
		    *n);
	j->failing = 0;
	return 0;
}

/* Take the whole queue (the lock held): one transaction. */
static struct journal_op *
journal_take(struct journal *j, struct journal_op **last, size_t *n)
{
	struct journal_op *ops = j->head, *op;

	*last = j->tail;
	*n = j->nqueued;
	j->head = j->tail = NULL;
	j->nqueued = 0;
	for (op = ops; op != NULL; op = op->next) {
		if (op->pend != NULL && *op->pend == op)
			*op->pend = NULL;
		op->pend = NULL;
	}
	return ops;
}

/* Written (the lock held): count them, note how long they waited. */
static void
journal_done(struct journal *j, struct journal_op *ops, size_t n)
{
	struct journal_op *next;

	j->written += n;
	j->ok = 1;
	j->last_error[0] = '\0';
	if (ops != NULL)
		j->lag_ms = journal_now_ms() - ops->queued_ms;
	pthread_mutex_unlock(&j->lock);
	for (; ops != NULL; ops = next) {
		next = ops->next;
		journal_op_free(ops);
	}
	pthread_mutex_lock(&j->lock);
}

static void *
journal_writer(void *arg)
{
	struct journal *j = arg;
	struct journal_op *ops, *last;
	struct timespec ts;
	size_t n, settled;
	int stopping, rc;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		while (!j->stopping &&
		    (j->head == NULL || time(NULL) < j->retry_at)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&j->cond, &j->lock, &ts);
		}
		stopping = j->stopping;
		if (j->head == NULL && stopping)
			break;
		ops = journal_take(j, &last, &n);
		pthread_mutex_unlock(&j->lock);
		settled = 0;
		rc = journal_flush(j, &ops, &n, &settled);
		pthread_mutex_lock(&j->lock);
		j->written += settled;
		if (rc == 0) {
			journal_done(j, ops, n);
			continue;
		}
		/* Put them back in front of what came meanwhile. */
		if (ops != NULL) {
			last->next = j->head;
			j->head = ops;
			if (j->tail == NULL)
				j->tail = last;
			j->nqueued += n;
		}
		j->errors++;
		j->ok = 0;
		if (stopping)
			break;
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Add op to the queue, the lock held. 0, or -1: full, op not taken. */
static int
journal_queue_locked(struct journal *j, struct journal_op *op)
{
	if (j->nqueued >= JOURNAL_QUEUE_MAX) {
		j->dropped++;
		if (!j->warned_full)
			log_err("journal %s: %d records wait; dropping new "
			        "ones (logged once)",
			    j->where, JOURNAL_QUEUE_MAX);
		j->warned_full = 1;
		return -1;
	}
	op->queued_ms = journal_now_ms();
	if (j->tail != NULL)
		j->tail->next = op;
	else
		j->head = op;
	j->tail = op;
	/* The writer takes the queue once a second, as one transaction;
	 * a long queue wakes it at once. */
	if (++j->nqueued % JOURNAL_WAKE_EVERY == 0)
		pthread_cond_signal(&j->cond);
	return 0;
}

static void
journal_queue(struct journal *j, struct journal_op *op)
{
	int rc;

	pthread_mutex_lock(&j->lock);
	rc = journal_queue_locked(j, op);
	pthread_mutex_unlock(&j->lock);
	if (rc != 0)
		journal_op_free(op);
}

/*
 * Queue a series' state, or, when its last one still waits (the writer is
 * busy or the journal away), update that one in place: a series never has
 * more than one waiting.
 */
static void
journal_queue_latest(struct journal *j, struct journal_op **pend,
    struct journal_op *op)
{
	struct journal_op *old;
	size_t i;
	int rc;

	pthread_mutex_lock(&j->lock);
	if ((old = *pend) != NULL) {
		for (i = 2; i < sizeof op->s / sizeof op->s[0]; i++) {
			free(old->s[i]);
			old->s[i] = op->s[i];
			op->s[i] = NULL;
		}
		memcpy(old->n, op->n, sizeof old->n);
		pthread_mutex_unlock(&j->lock);
		journal_op_free(op);
		return;
	}
	if ((rc = journal_queue_locked(j, op)) == 0) {
		op->pend = pend;
		*pend = op;
	}
	pthread_mutex_unlock(&j->lock);
	if (rc != 0)
		journal_op_free(op);
}

static struct journal_op *
journal_op_new(enum journal_op_kind kind, const char *s0, const char *s1)
{
	struct journal_op *op;

	op = xcalloc(1, sizeof *op);
	op->kind = kind;
	op->s[0] = s0 != NULL ? xstrdup(s0) : NULL;
	op->s[1] = s1 != NULL ? xstrdup(s1) : NULL;
	return op;
}

static void
journal_op_str(struct journal_op *op, int i, const char *v)
{
	op->s[i] = v != NULL ? xstrdup(v) : NULL;
}

/* Loading what a previous run of the daemon left. */

static int
journal_sqlite_states(sqlite3 *db, const struct journal_load_cbs *cb)
{
	struct journal_state_row r;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "SELECT system, series, state, fails, first_fail,"
	        " first_reason, span_start, span_end FROM series_state",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.system = (const char *)sqlite3_column_text(st, 0);
		r.series = (const char *)sqlite3_column_text(st, 1);
		r.state = (const char *)sqlite3_column_text(st, 2);
		r.fails = (unsigned)sqlite3_column_int(st, 3);
		r.first_fail = (time_t)sqlite3_column_int64(st, 4);
		r.first_reason = (const char *)sqlite3_column_text(st, 5);
		r.span_start = (time_t)sqlite3_column_int64(st, 6);
		r.span_end = (time_t)sqlite3_column_int64(st, 7);
		cb->state(&r, cb->arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
journal_sqlite_outages(sqlite3 *db, const struct journal_load_cbs *cb)
{
	struct journal_open_row r;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "SELECT system, series, start, reason, planned FROM outages"
	        " WHERE end IS NULL",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.system = (const char *)sqlite3_column_text(st, 0);
		r.series = (const char *)sqlite3_column_text(st, 1);
		r.start = (time_t)sqlite3_column_int64(st, 2);
		r.reason = (const char *)sqlite3_column_text(st, 3);
		r.planned = sqlite3_column_int(st, 4);
		cb->outage(&r, cb->arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The undelivered notifications, to be delivered after all. */
static int
journal_sqlite_notices(sqlite3 *db, const struct journal_load_cbs *cb)
{
	struct journal_notice nc;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "SELECT id, time, attempts, notifier, event, system, series,"
	        " payload FROM notifications WHERE delivered = 0 AND"
	        " payload IS NOT NULL ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&nc, 0, sizeof nc);
		nc.id = sqlite3_column_int64(st, 0);
		nc.t = (time_t)sqlite3_column_int64(st, 1);
		nc.attempts = sqlite3_column_int(st, 2);
		nc.notifier = (const char *)sqlite3_column_text(st, 3);
		nc.event = (const char *)sqlite3_column_text(st, 4);
		nc.system = (const char *)sqlite3_column_text(st, 5);
		nc.series = (const char *)sqlite3_column_text(st, 6);
		nc.payload = (const char *)sqlite3_column_text(st, 7);
		cb->notice(&nc, cb->arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
journal_sqlite_load(void *h, const struct journal_load_cbs *cb, char **cause)
{
	struct journal_sqlite *q = h;

	if ((cb->state != NULL && journal_sqlite_states(q->db, cb) != 0) ||
	    (cb->outage != NULL && journal_sqlite_outages(q->db, cb) != 0) ||
	    (cb->notice != NULL && journal_sqlite_notices(q->db, cb) != 0)) {
		xasprintf(cause, "%s", sqlite3_errmsg(q->db));
		return -1;
	}
	return 0;
}

static int journal_sqlite_read(void *, const char *, time_t, time_t,
    struct spans *, struct journal_outage **, size_t *, char **);

const struct journal_backend journal_sqlite_backend = {
	.name = "sqlite",
	.open = journal_sqlite_open,
	.load = journal_sqlite_load,
	.write = journal_sqlite_write,
	.committed = NULL,
	.read_system = journal_sqlite_read,
	.close = journal_sqlite_close,
};

/* Into the loop thread's memory. */

static int
journal_status_of(const char *v)
{
	if (v != NULL && strcmp(v, "up") == 0)
		return ITF_STATUS_UP;
	if (v != NULL && strcmp(v, "down") == 0)
		return ITF_STATUS_DOWN;
	return ITF_STATUS_UNKNOWN;
}

static void
journal_put_state(struct journal_series *s, const struct journal_state_row *r)
{
	s->state = journal_status_of(r->state);
	s->fails = r->fails;
	s->first_fail = r->first_fail;
	snprintf(s->first_reason, sizeof s->first_reason, "%s",
	    r->first_reason != NULL ? r->first_reason : "");
	s->span_start = r->span_start;
	s->span_end = r->span_end;
}

static void
journal_put_outage(struct journal_series *s, const struct journal_open_row *r)
{
	s->outage_start = r->start;
	snprintf(s->outage_reason, sizeof s->outage_reason, "%s",
	    r->reason != NULL ? r->reason : "");
	s->planned = r->planned;
}

static void
journal_load_state_cb(const struct journal_state_row *r, void *arg)
{
	struct journal *j = arg;

	journal_put_state(journal_series_get(j, r->system, r->series, 1), r);
}

static void
journal_load_outage_cb(const struct journal_open_row *r, void *arg)
{
	struct journal *j = arg;

	journal_put_outage(journal_series_get(j, r->system, r->series, 1), r);
	j->nloaded++;
}

/* Keep the undelivered notifications until the notifiers take them. */
static void
journal_load_notice_cb(const struct journal_notice *nc, void *arg)
{
	struct journal *j = arg;
	struct journal_pending *p;

	j->pending =
	    xreallocarray(j->pending, j->npending + 1, sizeof *j->pending);
	p = &j->pending[j->npending++];
	memset(p, 0, sizeof *p);
	p->id = nc->id;
	p->t = nc->t;
	p->attempts = nc->attempts;
	p->s[0] = xstrdup(nc->notifier);
	p->s[1] = xstrdup(nc->event);
	p->s[2] = xstrdup(nc->system);
	p->s[3] = xstrdup(nc->series);
	p->s[4] = xstrdup(nc->payload);
}

/* The SQLite file's directory, made if missing. */
static void
journal_mkdir(const struct journal *j)
{
	char *dir, *slash;

	if (j->be != &journal_sqlite_backend)
		return;
	dir = xstrdup(j->path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			log_err("journal: mkdir %s: %s", dir, strerror(errno));
	}
	free(dir);
}

int
journal_start(struct journal *j, char **cause)
{
	struct journal_load_cbs cb = { journal_load_state_cb,
		journal_load_outage_cb, journal_load_notice_cb, j };
	char *why = NULL;
	int corrupt;

	journal_mkdir(j);
	j->db = j->be->open(j->path, &j->opts, &corrupt, &why);
	if (j->db == NULL && corrupt && j->be == &journal_sqlite_backend) {
		free(why);
		why = NULL;
		journal_move_aside(j->path);
		j->db = j->be->open(j->path, &j->opts, &corrupt, &why);
	}
	if (j->db != NULL && j->be->load(j->db, &cb, &why) != 0)
		journal_close_db(j);
	if (j->db == NULL && j->be != &journal_sqlite_backend) {
		/* A database that is not there yet is not a journal. */
		xasprintf(cause, "journal %s: %s", j->where, why);
		free(why);
		return -1;
	}
	if (j->db == NULL) {
		journal_fail(j, "cannot open", why);
		free(why);
	} else {
		log_info("journal %s: %zu open outage(s) carried on", j->where,
		    j->nloaded);
		j->ok = 1;
	}
	journal_self = j;
	if (pthread_create(&j->thread, NULL, journal_writer, j) != 0) {
		log_err("journal: cannot start its writer thread");
		return 0;
	}
	j->running = 1;
	return 0;
}

void
journal_stop(struct journal *j)
{
	if (j == NULL || !j->running)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = 1;
	j->retry_at = 0;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->thread, NULL);
	j->running = 0;
	if (j->head != NULL)
		log_err("journal %s: %zu records could not be written",
		    j->where, j->nqueued);
}

void
journal_free(struct journal *j)
{
	struct journal_series *s, *next;
	struct journal_op *op, *onext;
	size_t i;

	if (j == NULL)
		return;
	journal_stop(j);
	for (i = 0; i < JOURNAL_BUCKETS; i++) {
		for (s = j->series[i]; s != NULL; s = next) {
			next = s->next;
			journal_series_free(s);
		}
	}
	for (op = j->head; op != NULL; op = onext) {
		onext = op->next;
		journal_op_free(op);
	}
	journal_close_db(j);
	journal_pending_notices(j, 0, NULL, NULL);
	journal_others_clear(j);
	if (journal_self == j)
		journal_self = NULL;
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->path);
	free(j->where);
	free(j->password_file);
	free(j->member);
	free(j->writer);
	free(j);
}

/* Runs. */

static void
journal_failed_run(struct journal *j, const struct journal_run *r)
{
	struct journal_op *op;

	op = journal_op_new(OP_FAILED_RUN, r->system != NULL ? r->system : "",
	    r->series);
	journal_op_str(op, 2, r->collector);
	journal_op_str(op, 3, reason_status_name(r->status));
	journal_op_str(op, 4, reason_name(r->reason));
	journal_op_str(op, 5, r->message);
	op->n[0] = (long long)r->t;
	journal_queue(j, op);
}

static void
journal_state_change(struct journal *j, struct journal_series *s,
    const struct journal_run *r)
{
	struct journal_op *op;

	op = journal_op_new(OP_STATE_CHANGE, s->system, s->series);
	journal_op_str(op, 2,
	    s->state < 0 ? NULL : reason_status_name(s->state));
	journal_op_str(op, 3, reason_status_name(r->status));
	journal_op_str(op, 4, reason_name(r->reason));
	op->n[0] = (long long)r->t;
	journal_queue(j, op);
	s->state = (int)r->status;
}

/*
 * The run covers [t, t + interval): extend the series' stretch or start
 * a new one after a gap (the daemon was not running). The open stretch is
 * in the series' state record, written with every run; the coverage table
 * gets a stretch once it has ended, so a run costs one statement, not two.
 */
static void
journal_cover(struct journal *j, struct journal_series *s,
    const struct journal_run *r)
{
	struct journal_op *op;
	time_t end = r->t + (time_t)(r->interval > 0 ? r->interval : 1);

	if (s->span_end != 0 && r->t >= s->span_start &&
	    r->t <= s->span_end + 1) {
		if (end > s->span_end)
			s->span_end = end;
		return;
	}
	if (s->span_end != 0) {
		op = journal_op_new(OP_COVERAGE, s->system, s->series);
		op->n[0] = (long long)s->span_start;
		op->n[1] = (long long)s->span_end;
		journal_queue(j, op);
	}
	s->span_start = r->t;
	s->span_end = end;
}

static void
journal_event(struct journal *j, struct journal_series *s,
    enum journal_event_kind kind, time_t end)
{
	struct journal_event ev;

	if (j->cb == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.system = s->system;
	ev.series = s->series;
	ev.reason = s->outage_reason;
	ev.start = s->outage_start;
	ev.end = end;
	ev.planned = s->planned;
	j->cb(&ev, j->cb_arg);
}

static void
journal_outage_step(struct journal *j, const struct conf *c,
    struct journal_series *s, const struct journal_run *r)
{
	struct journal_op *op;
	char when[32];

	if (r->status == ITF_STATUS_UP) {
		s->fails = 0;
		if (s->outage_start == 0)
			return;
		op = journal_op_new(OP_OUTAGE_CLOSE, s->system, s->series);
		op->n[0] = (long long)s->outage_start;
		op->n[1] = (long long)r->t;
		journal_queue(j, op);
		log_iso(s->outage_start, when, sizeof when);
		log_notice("%s/%s: outage since %s ended (%lld s)", s->system,
		    s->series, when, (long long)(r->t - s->outage_start));
		journal_event(j, s, JOURNAL_OUTAGE_END, r->t);
		s->outage_start = 0;
		return;
	}
	if (s->fails++ == 0) {
		s->first_fail = r->t;
		snprintf(s->first_reason, sizeof s->first_reason, "%s",
		    reason_name(r->reason));
	}
	if (s->outage_start != 0 || s->fails < r->fail_after)
		return;
	s->outage_start = s->first_fail;
	memcpy(s->outage_reason, s->first_reason, sizeof s->outage_reason);
	s->planned =
	    c != NULL && maint_system_covers(c, s->system, s->outage_start);
	op = journal_op_new(OP_OUTAGE_OPEN, s->system, s->series);
	journal_op_str(op, 2, s->outage_reason);
	op->n[0] = (long long)s->outage_start;
	op->n[1] = s->planned;
	journal_queue(j, op);
	log_iso(s->outage_start, when, sizeof when);
	log_notice("%s/%s: outage from %s (%s)%s", s->system, s->series, when,
	    s->outage_reason, s->planned ? ", planned" : "");
	journal_event(j, s, JOURNAL_OUTAGE_START, 0);
}

/* Keep a run of a series being taken over until its state is read. */
static void
journal_hold(struct journal_series *s, const struct journal_run *r)
{
	struct journal_held *h;

	if (s->nheld == JOURNAL_HELD_MAX) {
		log_err("%s/%s: %d runs wait for the series' state; the "
		        "oldest is dropped",
		    s->system, s->series, JOURNAL_HELD_MAX);
		free(s->held[0].collector);
		free(s->held[0].message);
		memmove(&s->held[0], &s->held[1],
		    (s->nheld - 1) * sizeof *s->held);
		s->nheld--;
	}
	s->held = xreallocarray(s->held, s->nheld + 1, sizeof *s->held);
	h = &s->held[s->nheld++];
	h->collector = xstrdup(r->collector);
	h->message = r->message != NULL ? xstrdup(r->message) : NULL;
	h->t = r->t;
	h->interval = r->interval;
	h->fail_after = r->fail_after;
	h->status = r->status;
	h->reason = r->reason;
}

static void journal_series_run(struct journal *, const struct conf *,
    struct journal_series *, const struct journal_run *);

void
journal_run(struct journal *j, const struct conf *c,
    const struct journal_run *r)
{
	struct journal_series *s;

	if (j == NULL)
		return;
	if (r->status != ITF_STATUS_UP)
		journal_failed_run(j, r);
	if (r->feed || r->no_outages || r->system == NULL)
		return;
	s = journal_series_get(j, r->system, r->series, 1);
	if (s->adopting) {
		journal_hold(s, r);
		return;
	}
	journal_series_run(j, c, s, r);
}

/* The run of a series whose state is here: its state, outage, cover. */
static void
journal_series_run(struct journal *j, const struct conf *c,
    struct journal_series *s, const struct journal_run *r)
{
	struct journal_op *op;

	if ((int)r->status != s->state)
		journal_state_change(j, s, r);
	/* An unknown run neither counts as a failure nor covers time. */
	if (r->status != ITF_STATUS_UNKNOWN) {
		journal_cover(j, s, r);
		journal_outage_step(j, c, s, r);
	}
	op = journal_op_new(OP_SERIES, s->system, s->series);
	journal_op_str(op, 2, reason_status_name(s->state));
	journal_op_str(op, 3, s->first_reason);
	op->n[0] = s->fails;
	op->n[1] = (long long)s->first_fail;
	op->n[2] = (long long)s->span_start;
	op->n[3] = (long long)s->span_end;
	journal_queue_latest(j, &s->pend_state, op);
}

void
journal_notification(struct journal *j, const struct journal_notice *nc)
{
	struct journal_op *op;

	if (j == NULL)
		return;
	op = journal_op_new(OP_NOTIFY, nc->notifier, nc->event);
	journal_op_str(op, 2, nc->system);
	journal_op_str(op, 3, nc->series);
	journal_op_str(op, 4, nc->error);
	journal_op_str(op, 5, nc->payload);
	op->n[0] = nc->id;
	op->n[1] = (long long)nc->t;
	op->n[2] = nc->attempts;
	op->n[3] = nc->delivered;
	journal_queue(j, op);
}

void
journal_note(struct journal *j, const struct journal_note *n)
{
	struct journal_op *op;

	if (j == NULL)
		return;
	op = journal_op_new(OP_NOTE, n->system, n->series);
	journal_op_str(op, 2, n->severity);
	journal_op_str(op, 3, n->source);
	journal_op_str(op, 4, n->message);
	op->n[0] = (long long)n->t;
	journal_queue(j, op);
}

void
journal_pending_notices(struct journal *j, int max_attempts,
    void (*f)(const struct journal_notice *, void *), void *arg)
{
	struct journal_notice nc;
	struct journal_pending *p;
	size_t i;
	int k;

	if (j == NULL)
		return;
	for (i = 0; i < j->npending; i++) {
		p = &j->pending[i];
		if (p->attempts < max_attempts) {
			memset(&nc, 0, sizeof nc);
			nc.id = p->id;
			nc.t = p->t;
			nc.attempts = p->attempts;
			nc.notifier = p->s[0];
			nc.event = p->s[1];
			nc.system = p->s[2];
			nc.series = p->s[3];
			nc.payload = p->s[4];
			f(&nc, arg);
		}
		for (k = 0; k < 5; k++)
			free(p->s[k]);
	}
	free(j->pending);
	j->pending = NULL;
	j->npending = 0;
}

void
journal_get_stats(struct journal *j, struct journal_stats *out)
{
	memset(out, 0, sizeof *out);
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	out->written = j->written;
	out->errors = j->errors;
	out->dropped = j->dropped;
	out->queued = j->nqueued;
	out->ok = j->ok;
	out->lag_ms = j->lag_ms;
	if (j->head != NULL)
		out->oldest_ms = journal_now_ms() - j->head->queued_ms;
	snprintf(out->error, sizeof out->error, "%s", j->last_error);
	pthread_mutex_unlock(&j->lock);
}

int
journal_open_outage(const char *system, const char *series, time_t *start,
    const char **reason)
{
	struct journal_series *s;

	struct journal_other key, *o;

	if (journal_self == NULL)
		return 0;
	if ((s = journal_series_get(journal_self, system, series, 0)) != NULL &&
	    !s->adopting) {
		if (s->outage_start == 0)
			return 0;
		*start = s->outage_start;
		*reason = s->outage_reason;
		return 1;
	}
	/* Run elsewhere: as the shared journal had it at the last look. */
	if (journal_self->nothers == 0)
		return 0;
	key.system = (char *)system;
	key.series = (char *)series;
	o = bsearch(&key, journal_self->others, journal_self->nothers,
	    sizeof *o, journal_other_cmp);
	if (o == NULL)
		return 0;
	*start = o->start;
	*reason = o->reason;
	return 1;
}

/* Series that move between daemons (cluster.c). */

static void
journal_series_free(struct journal_series *s)
{
	size_t i;

	for (i = 0; i < s->nheld; i++) {
		free(s->held[i].collector);
		free(s->held[i].message);
	}
	free(s->held);
	free(s->system);
	free(s->series);
	free(s);
}

void
journal_expect(struct journal *j, const char *system, const char *series)
{
	struct journal_series *s;

	if (j == NULL)
		return;
	s = journal_series_get(j, system, series, 1);
	s->adopting = 1;
}

void
journal_adopt(struct journal *j, const struct conf *c, const char *system,
    const char *series, const struct journal_state_row *st,
    const struct journal_open_row *open)
{
	struct journal_series *s;
	struct journal_run r;
	size_t i;

	if (j == NULL ||
	    (s = journal_series_get(j, system, series, 0)) == NULL ||
	    !s->adopting)
		return;
	/* What was here is what this daemon knew before it gave the series
	 * up: the store's is newer. */
	s->state = -1;
	s->fails = 0;
	s->first_fail = 0;
	s->first_reason[0] = '\0';
	s->outage_start = 0;
	s->outage_reason[0] = '\0';
	s->planned = 0;
	s->span_start = s->span_end = 0;
	if (st != NULL)
		journal_put_state(s, st);
	if (open != NULL)
		journal_put_outage(s, open);
	s->adopting = 0;
	for (i = 0; i < s->nheld; i++) {
		memset(&r, 0, sizeof r);
		r.system = s->system;
		r.series = s->series;
		r.collector = s->held[i].collector;
		r.t = s->held[i].t;
		r.interval = s->held[i].interval;
		r.fail_after = s->held[i].fail_after;
		r.status = s->held[i].status;
		r.reason = s->held[i].reason;
		r.message = s->held[i].message;
		journal_series_run(j, c, s, &r);
		free(s->held[i].collector);
		free(s->held[i].message);
	}
	free(s->held);
	s->held = NULL;
	s->nheld = 0;
}

void
journal_release(struct journal *j, const char *system, const char *series)
{
	struct journal_series *s, **pp;
	uint32_t b;

	if (j == NULL)
		return;
	b = journal_hash(system, series);
	for (pp = &j->series[b]; (s = *pp) != NULL; pp = &s->next) {
		if (strcmp(s->system, system) == 0 &&
		    strcmp(s->series, series) == 0)
			break;
	}
	if (s == NULL)
		return;
	*pp = s->next;
	/* Its last state still waits: written, but no longer ours to
	 * update. The writer goes now, so whoever takes it reads it. */
	pthread_mutex_lock(&j->lock);
	if (s->pend_state != NULL)
		s->pend_state->pend = NULL;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (s->nheld > 0)
		log_warn("%s/%s: given up before its state was read: %zu "
		         "run(s) not journaled",
		    system, series, s->nheld);
	journal_series_free(s);
}

static int
journal_other_cmp(const void *a, const void *b)
{
	const struct journal_other *x = a, *y = b;
	int c;

	if ((c = strcmp(x->system, y->system)) != 0)
		return c;
	return strcmp(x->series, y->series);
}

static void
journal_others_clear(struct journal *j)
{
	size_t i;

	for (i = 0; i < j->nothers; i++) {
		free(j->others[i].system);
		free(j->others[i].series);
		free(j->others[i].reason);
	}
	free(j->others);
	j->others = NULL;
	j->nothers = 0;
}

void
journal_set_others(struct journal *j, const struct journal_open_row *rows,
    size_t n)
{
	size_t i;

	if (j == NULL)
		return;
	journal_others_clear(j);
	j->others = xcalloc(n + 1, sizeof *j->others);
	for (i = 0; i < n; i++) {
		j->others[i].system = xstrdup(rows[i].system);
		j->others[i].series = xstrdup(rows[i].series);
		j->others[i].reason = xstrdup(rows[i].reason);
		j->others[i].start = rows[i].start;
	}
	j->nothers = n;
	if (n > 1)
		qsort(j->others, n, sizeof *j->others, journal_other_cmp);
}

/* Reading (itfollow). */

static int
journal_sqlite_read(void *h, const char *system, time_t from, time_t to,
    struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause)
{
	struct journal_sqlite *q = h;
	struct journal_outage *o;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = q->db;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "SELECT start, end FROM coverage WHERE system = ?1 AND"
	        " end > ?2 AND start < ?3 UNION ALL SELECT span_start,"
	        " span_end FROM series_state WHERE system = ?1 AND"
	        " span_end > ?2 AND span_start < ?3",
	        -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, system, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (long long)from);
	sqlite3_bind_int64(st, 3, (long long)to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		span_add(known, (time_t)sqlite3_column_int64(st, 0),
		    (time_t)sqlite3_column_int64(st, 1));
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db,
	        "SELECT series, start, end, planned, reason FROM outages"
	        " WHERE system = ?1 AND start < ?3 AND"
	        " (end IS NULL OR end > ?2) ORDER BY start",
	        -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, system, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (long long)from);
	sqlite3_bind_int64(st, 3, (long long)to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*outs = xreallocarray(*outs, *nouts + 1, sizeof **outs);
		o = &(*outs)[(*nouts)++];
		memset(o, 0, sizeof *o);
		snprintf(o->series, sizeof o->series, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		o->start = (time_t)sqlite3_column_int64(st, 1);
		o->end = sqlite3_column_type(st, 2) == SQLITE_NULL
		    ? 0
		    : (time_t)sqlite3_column_int64(st, 2);
		o->planned = sqlite3_column_int(st, 3);
		snprintf(o->reason, sizeof o->reason, "%s",
		    (const char *)sqlite3_column_text(st, 4));
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	return 0;
sqlfail:
	xasprintf(cause, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return -1;
}

/*
 * The reader's connection to a PostgreSQL journal, kept between reads (a
 * report reads every system) and shared by the threads that read (the
 * dashboard's worker), one at a time.
 */
static pthread_mutex_t journal_reader_lock = PTHREAD_MUTEX_INITIALIZER;
static void *journal_reader;
static char *journal_reader_at;
static int journal_reader_atexit;

void
journal_reader_close(void)
{
	pthread_mutex_lock(&journal_reader_lock);
	if (journal_reader != NULL)
		journal_pg_backend.close(journal_reader);
	journal_reader = NULL;
	free(journal_reader_at);
	journal_reader_at = NULL;
	pthread_mutex_unlock(&journal_reader_lock);
}

/* Read system from the PostgreSQL journal of c (the lock held). */
static int
journal_read_pg(const struct conf *c, const char *system, time_t from,
    time_t to, struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause)
{
	struct journal_db_opts o = { c->journal_password_file, c->member, NULL,
		1 };
	int corrupt, tries;
	char *err = NULL;

	if (journal_reader != NULL &&
	    strcmp(journal_reader_at, c->journal) != 0) {
		journal_pg_backend.close(journal_reader);
		journal_reader = NULL;
	}
	/* A connection that broke since the last read is made again once. */
	for (tries = 0; tries < 2; tries++) {
		free(err);
		err = NULL;
		if (journal_reader == NULL) {
			journal_reader = journal_pg_backend.open(c->journal, &o,
			    &corrupt, &err);
			if (journal_reader == NULL)
				break;
			/* The tool reads until it exits: close it then. */
			if (!journal_reader_atexit++)
				atexit(journal_reader_close);
			free(journal_reader_at);
			journal_reader_at = xstrdup(c->journal);
		}
		if (journal_pg_backend.read_system(journal_reader, system, from,
		        to, known, outs, nouts, &err) == 0)
			return 0;
		span_clear(known);
		free(*outs);
		*outs = NULL;
		*nouts = 0;
		journal_pg_backend.close(journal_reader);
		journal_reader = NULL;
	}
	*cause = err;
	return -1;
}

int
journal_exists(const struct conf *c)
{
	struct stat sb;
	char *path;
	int rc;

	if (c->journal != NULL)
		return 1;
	xasprintf(&path, "%s/%s", c->data_dir, JOURNAL_FILE);
	rc = stat(path, &sb) == 0;
	free(path);
	return rc;
}

int
journal_read_system(const struct conf *c, const char *system, time_t from,
    time_t to, struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause)
{
	struct journal_db_opts o = { NULL, NULL, NULL, 1 };
	char *path = NULL, *where, *err = NULL;
	struct stat sb;
	void *db;
	int corrupt, rc;

	*outs = NULL;
	*nouts = 0;
	if (c->journal != NULL) {
		pthread_mutex_lock(&journal_reader_lock);
		rc = journal_read_pg(c, system, from, to, known, outs, nouts,
		    &err);
		pthread_mutex_unlock(&journal_reader_lock);
		where = pg_display(c->journal);
	} else {
		xasprintf(&path, "%s/%s", c->data_dir, JOURNAL_FILE);
		where = xstrdup(path);
		if (stat(path, &sb) != 0) {
			xasprintf(cause, "no journal %s: %s", path,
			    strerror(errno));
			free(path);
			free(where);
			return -1;
		}
		rc = -1;
		if ((db = journal_sqlite_backend.open(path, &o, &corrupt,
		         &err)) != NULL) {
			rc = journal_sqlite_read(db, system, from, to, known,
			    outs, nouts, &err);
			journal_sqlite_backend.close(db);
		}
	}
	if (rc == 0) {
		span_clip(known, from, to);
		span_norm(known);
	} else {
		xasprintf(cause, "journal %s: %s", where, err);
		free(*outs);
		*outs = NULL;
		*nouts = 0;
	}
	free(err);
	free(path);
	free(where);
	return rc;
}
