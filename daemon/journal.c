/*
 * The outage journal. The loop thread owns the series' states and decides
 * outages; records go through a queue to one writer thread that owns the
 * database connection. Schema versions are PRAGMA user_version; each entry
 * of journal_migrations takes the file one version up, in a transaction,
 * so an older file is brought up to date when it is opened.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "collect.h"
#include "conf.h"
#include "journal.h"
#include "log.h"
#include "maint.h"
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

/* One record on its way to the file. */
struct journal_op {
	struct journal_op *next;
	/* The series' slot that points at this op while it waits, so that
	 * the next run updates it rather than queueing another. */
	struct journal_op **pend;
	enum journal_op_kind kind;
	char *s[6];
	long long n[5];
};

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
};

struct journal {
	char *path;
	journal_event_cb cb;
	void *cb_arg;
	struct journal_series *series[JOURNAL_BUCKETS];
	struct journal_pending *pending;
	size_t npending;

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

	/* Writer thread only. */
	sqlite3 *db;
	sqlite3_stmt *stmts[OP_NOTE + 1]; /* prepared once per connection */
	time_t retry_at;
	int failing; /* logged: the journal is not being written */
};

static struct journal *journal_self;

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
journal_new(const char *data_dir)
{
	struct journal *j;

	j = xcalloc(1, sizeof *j);
	xasprintf(&j->path, "%s/%s", data_dir, JOURNAL_FILE);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	return j;
}

void
journal_set_event_cb(struct journal *j, journal_event_cb cb, void *arg)
{
	j->cb = cb;
	j->cb_arg = arg;
}

/* The database. */

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
static int
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
journal_op_write(struct journal *j, const struct journal_op *op)
{
	sqlite3_stmt *st = j->stmts[op->kind];
	int i, nstr = journal_op_nstr(op->kind), rc;

	if (st == NULL) {
		if (sqlite3_prepare_v2(j->db, journal_op_sql(op->kind), -1, &st,
		        NULL) != SQLITE_OK)
			return -1;
		j->stmts[op->kind] = st;
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
journal_db_close(struct journal *j)
{
	size_t i;

	for (i = 0; i < sizeof j->stmts / sizeof j->stmts[0]; i++) {
		sqlite3_finalize(j->stmts[i]);
		j->stmts[i] = NULL;
	}
	sqlite3_close(j->db);
	j->db = NULL;
}

static int
journal_write_batch(struct journal *j, struct journal_op *ops, char **cause)
{
	sqlite3 *db = j->db;
	struct journal_op *op;

	if (journal_exec(db, "BEGIN IMMEDIATE", cause) != 0)
		return -1;
	for (op = ops; op != NULL; op = op->next) {
		if (journal_op_write(j, op) != 0) {
			xasprintf(cause, "%s", sqlite3_errmsg(db));
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	if (journal_exec(db, "COMMIT", cause) != 0) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
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

static void
journal_fail(struct journal *j, const char *what, const char *cause)
{
	if (!j->failing)
		log_err("journal %s: %s: %s; collection goes on, records wait "
		        "and the journal is retried every %d s",
		    j->path, what, cause, JOURNAL_RETRY_S);
	j->failing = 1;
	j->retry_at = time(NULL) + JOURNAL_RETRY_S;
}

/* Write ops (all queued so far); 0 when written, -1 to keep them. */
static int
journal_flush(struct journal *j, struct journal_op *ops, size_t n)
{
	char *cause = NULL;
	int corrupt;

	if (j->db == NULL) {
		j->db = journal_db_open(j->path, 0, &corrupt, &cause);
		if (j->db == NULL) {
			if (corrupt)
				journal_move_aside(j->path);
			journal_fail(j, "cannot open", cause);
			free(cause);
			if (corrupt)
				j->retry_at = 0;
			return -1;
		}
	}
	if (journal_write_batch(j, ops, &cause) != 0) {
		corrupt = journal_is_corrupt(j->db);
		journal_fail(j, "cannot write", cause);
		free(cause);
		journal_db_close(j);
		if (corrupt) {
			journal_move_aside(j->path);
			j->retry_at = 0;
		}
		return -1;
	}
	if (j->failing)
		log_notice("journal %s: written again (%zu records)", j->path,
		    n);
	j->failing = 0;
	return 0;
}

static void *
journal_writer(void *arg)
{
	struct journal *j = arg;
	struct journal_op *ops, *last, *next;
	struct timespec ts;
	size_t n;
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
		/* Take the whole queue: one transaction. */
		ops = j->head;
		last = j->tail;
		n = j->nqueued;
		j->head = j->tail = NULL;
		j->nqueued = 0;
		for (next = ops; next != NULL; next = next->next) {
			if (next->pend != NULL && *next->pend == next)
				*next->pend = NULL;
			next->pend = NULL;
		}
		pthread_mutex_unlock(&j->lock);
		rc = journal_flush(j, ops, n);
		pthread_mutex_lock(&j->lock);
		if (rc == 0) {
			j->written += n;
			j->ok = 1;
			pthread_mutex_unlock(&j->lock);
			for (; ops != NULL; ops = next) {
				next = ops->next;
				journal_op_free(ops);
			}
			pthread_mutex_lock(&j->lock);
			continue;
		}
		/* Put them back in front of what came meanwhile. */
		last->next = j->head;
		j->head = ops;
		if (j->tail == NULL)
			j->tail = last;
		j->nqueued += n;
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
			    j->path, JOURNAL_QUEUE_MAX);
		j->warned_full = 1;
		return -1;
	}
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

static void
journal_load_states(struct journal *j, sqlite3 *db)
{
	struct journal_series *s;
	sqlite3_stmt *st;
	const char *v;

	if (sqlite3_prepare_v2(db,
	        "SELECT system, series, state, fails, first_fail,"
	        " first_reason, span_start, span_end FROM series_state",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		s = journal_series_get(j,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), 1);
		v = (const char *)sqlite3_column_text(st, 2);
		s->state = strcmp(v, "up") == 0 ? ITF_STATUS_UP
		    : strcmp(v, "down") == 0    ? ITF_STATUS_DOWN
		                                : ITF_STATUS_UNKNOWN;
		s->fails = (unsigned)sqlite3_column_int(st, 3);
		s->first_fail = (time_t)sqlite3_column_int64(st, 4);
		snprintf(s->first_reason, sizeof s->first_reason, "%s",
		    (const char *)sqlite3_column_text(st, 5));
		s->span_start = (time_t)sqlite3_column_int64(st, 6);
		s->span_end = (time_t)sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
}

static size_t
journal_load_outages(struct journal *j, sqlite3 *db)
{
	struct journal_series *s;
	sqlite3_stmt *st;
	size_t n = 0;

	if (sqlite3_prepare_v2(db,
	        "SELECT system, series, start, reason, planned FROM outages"
	        " WHERE end IS NULL",
	        -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		s = journal_series_get(j,
		    (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), 1);
		s->outage_start = (time_t)sqlite3_column_int64(st, 2);
		snprintf(s->outage_reason, sizeof s->outage_reason, "%s",
		    (const char *)sqlite3_column_text(st, 3));
		s->planned = sqlite3_column_int(st, 4);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static void journal_load_notices(struct journal *, sqlite3 *);

int
journal_start(struct journal *j)
{
	char *cause = NULL, *dir, *slash;
	sqlite3 *db;
	size_t n;
	int corrupt;

	dir = xstrdup(j->path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			log_err("journal: mkdir %s: %s", dir, strerror(errno));
	}
	free(dir);
	db = journal_db_open(j->path, 0, &corrupt, &cause);
	if (db == NULL && corrupt) {
		free(cause);
		cause = NULL;
		journal_move_aside(j->path);
		db = journal_db_open(j->path, 0, &corrupt, &cause);
	}
	if (db == NULL) {
		journal_fail(j, "cannot open", cause);
		free(cause);
	} else {
		journal_load_states(j, db);
		n = journal_load_outages(j, db);
		journal_load_notices(j, db);
		log_info("journal %s: %zu open outage(s) carried on", j->path,
		    n);
		j->db = db;
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
		log_err("journal %s: %zu records could not be written", j->path,
		    j->nqueued);
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
			free(s->system);
			free(s->series);
			free(s);
		}
	}
	for (op = j->head; op != NULL; op = onext) {
		onext = op->next;
		journal_op_free(op);
	}
	if (j->db != NULL)
		journal_db_close(j);
	journal_pending_notices(j, 0, NULL, NULL);
	if (journal_self == j)
		journal_self = NULL;
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j->path);
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
	journal_op_str(op, 3, collect_status_name(r->status));
	journal_op_str(op, 4, collect_reason_name(r->reason));
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
	    s->state < 0 ? NULL : collect_status_name(s->state));
	journal_op_str(op, 3, collect_status_name(r->status));
	journal_op_str(op, 4, collect_reason_name(r->reason));
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
		    collect_reason_name(r->reason));
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

void
journal_run(struct journal *j, const struct conf *c,
    const struct journal_run *r)
{
	struct journal_series *s;
	struct journal_op *op;

	if (j == NULL)
		return;
	if (r->status != ITF_STATUS_UP)
		journal_failed_run(j, r);
	if (r->feed || r->no_outages || r->system == NULL)
		return;
	s = journal_series_get(j, r->system, r->series, 1);
	if ((int)r->status != s->state)
		journal_state_change(j, s, r);
	/* An unknown run neither counts as a failure nor covers time. */
	if (r->status != ITF_STATUS_UNKNOWN) {
		journal_cover(j, s, r);
		journal_outage_step(j, c, s, r);
	}
	op = journal_op_new(OP_SERIES, s->system, s->series);
	journal_op_str(op, 2, collect_status_name(s->state));
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

/* Keep the undelivered notifications until the notifiers take them. */
static void
journal_load_notices(struct journal *j, sqlite3 *db)
{
	struct journal_pending *p;
	sqlite3_stmt *st;
	int i;

	if (sqlite3_prepare_v2(db,
	        "SELECT id, time, attempts, notifier, event, system, series,"
	        " payload FROM notifications WHERE delivered = 0 AND"
	        " payload IS NOT NULL ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		j->pending = xreallocarray(j->pending, j->npending + 1,
		    sizeof *j->pending);
		p = &j->pending[j->npending++];
		memset(p, 0, sizeof *p);
		p->id = sqlite3_column_int64(st, 0);
		p->t = (time_t)sqlite3_column_int64(st, 1);
		p->attempts = sqlite3_column_int(st, 2);
		for (i = 0; i < 5; i++)
			p->s[i] = xstrdup(
			    (const char *)sqlite3_column_text(st, 3 + i));
	}
	sqlite3_finalize(st);
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
	pthread_mutex_unlock(&j->lock);
}

int
journal_open_outage(const char *system, const char *series, time_t *start,
    const char **reason)
{
	struct journal_series *s;

	if (journal_self == NULL ||
	    (s = journal_series_get(journal_self, system, series, 0)) == NULL ||
	    s->outage_start == 0)
		return 0;
	*start = s->outage_start;
	*reason = s->outage_reason;
	return 1;
}

/* Reading (itfollow). */

int
journal_read_system(const char *data_dir, const char *system, time_t from,
    time_t to, struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause)
{
	struct journal_outage *o;
	sqlite3_stmt *st = NULL;
	sqlite3 *db;
	char *path, *err = NULL;
	struct stat sb;
	int corrupt, rc = -1;

	*outs = NULL;
	*nouts = 0;
	xasprintf(&path, "%s/%s", data_dir, JOURNAL_FILE);
	if (stat(path, &sb) != 0) {
		xasprintf(cause, "no journal %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if ((db = journal_db_open(path, 1, &corrupt, &err)) == NULL)
		goto fail;
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
	span_clip(known, from, to);
	span_norm(known);
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
	sqlite3_close(db);
	free(path);
	return 0;
sqlfail:
	err = xstrdup(sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
fail:
	xasprintf(cause, "journal %s: %s", path, err);
	free(err);
	free(path);
	free(*outs);
	*outs = NULL;
	*nouts = 0;
	return -1;
}
