/*
 * The SQLite backend of the outage journal (journal_db.h): the file
 * <data_dir>/journal.sqlite, opened by the writer thread or by a reader.
 * SQLite schema versions are PRAGMA user_version; each entry of
 * journal_migrations takes the file one version up, in a transaction,
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
#include <unistd.h>

#include "conf.h"
#include "journal.h"
#include "journal_db.h"
#include "log.h"
#include "maint.h"
#include "pg.h"
#include "reason.h"
#include "xmalloc.h"
#include "journal_priv.h"

static const char *const journal_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE state_changes (id INTEGER PRIMARY KEY, system TEXT NOT NULL, series TEXT NOT NULL, time INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL, reason TEXT NOT NULL);CREATE INDEX state_changes_series ON state_changes (system, series, time);CREATE TABLE outages (id INTEGER PRIMARY KEY, system TEXT NOT NULL, series TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER, reason TEXT NOT NULL, planned INTEGER NOT NULL DEFAULT 0, UNIQUE (system, series, start));CREATE TABLE failed_runs (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL, collector TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, message TEXT);CREATE INDEX failed_runs_time ON failed_runs (time);CREATE TABLE coverage (system TEXT NOT NULL, series TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, PRIMARY KEY (system, series, start));CREATE TABLE series_state (system TEXT NOT NULL, series TEXT NOT NULL, state TEXT NOT NULL, fails INTEGER NOT NULL, first_fail INTEGER NOT NULL, first_reason TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, PRIMARY KEY (system, series));CREATE TABLE notifications (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, notifier TEXT NOT NULL, event TEXT NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL, attempts INTEGER NOT NULL, delivered INTEGER NOT NULL, last_error TEXT);",
	/* 1 -> 2: what a notification said, to deliver it after a restart */
	"ALTER TABLE notifications ADD COLUMN payload TEXT;CREATE INDEX notifications_pending ON notifications (delivered);",
	/* 2 -> 3: what programs report (collectd's PUTNOTIF) */
	"CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL, severity TEXT NOT NULL, source TEXT, message TEXT NOT NULL);CREATE INDEX events_time ON events (time);",
};
#define JOURNAL_VERSION \
	((int)(sizeof journal_migrations / sizeof journal_migrations[0]))
_Static_assert(JOURNAL_VERSION == JOURNAL_SCHEMA_VERSION,
    "a SQLite migration without its PostgreSQL twin (journal_pg.c)");

/* The SQLite backend: <data_dir>/journal.sqlite. */

struct journal_sqlite {
	sqlite3 *db;
	sqlite3_stmt *stmts[JOURNAL_OP_KINDS]; /* prepared once */
	sqlite3_stmt *rd_known, *rd_outs; /* a reader's, prepared once */
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
		    "schema version %d is newer than this daemon's (%d)", v,
		    JOURNAL_VERSION);
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
	/*
	 * The writer appends: a 512 KiB page cache (SQLite's default is 2
	 * MiB, all of it resident once filled) holds the tables' and indexes'
	 * right edges it writes to.
	 */
	if (journal_exec(db,
	        "PRAGMA journal_mode = WAL;PRAGMA synchronous = NORMAL;PRAGMA cache_size = -512;",
	        cause) != 0 ||
	    journal_migrate(db, cause) != 0) {
		*corrupt = journal_is_corrupt(db);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* Keep a corrupt file for whoever wants to look, and start a new one. */
void
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
			log_err(
			    "journal %s is corrupt: moved to %s; starting a new one",
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
		return "INSERT INTO state_changes (system, series, from_state, to_state, reason, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	case OP_OUTAGE_OPEN:
		return "INSERT OR IGNORE INTO outages (system, series, reason, start, planned) VALUES (?1, ?2, ?3, ?4, ?5)";
	case OP_OUTAGE_CLOSE:
		return "UPDATE outages SET end = ?4 WHERE system = ?1 AND series = ?2 AND start = ?3";
	case OP_FAILED_RUN:
		return "INSERT INTO failed_runs (system, series, collector, status, reason, message, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	case OP_COVERAGE:
		return "INSERT INTO coverage (system, series, start, end) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (system, series, start) DO UPDATE SET end = excluded.end";
	case OP_SERIES:
		return "INSERT INTO series_state (system, series, state, first_reason, fails, first_fail, span_start, span_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (system, series) DO UPDATE SET state = excluded.state, first_reason = excluded.first_reason, fails = excluded.fails, first_fail = excluded.first_fail, span_start = excluded.span_start, span_end = excluded.span_end";
	case OP_NOTIFY:
		return "INSERT OR REPLACE INTO notifications (notifier, event, system, series, last_error, payload, id, time, attempts, delivered) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
	case OP_NOTE:
		return "INSERT INTO events (system, series, severity, source, message, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
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
	sqlite3_finalize(q->rd_known);
	sqlite3_finalize(q->rd_outs);
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

/* Loading what a previous run of the daemon left. */

static int
journal_sqlite_states(sqlite3 *db, const struct journal_load_cbs *cb)
{
	struct journal_state_row r;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db,
	        "SELECT system, series, state, fails, first_fail, first_reason, span_start, span_end FROM series_state",
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
	        "SELECT system, series, start, reason, planned FROM outages WHERE end IS NULL",
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
	        "SELECT id, time, attempts, notifier, event, system, series, payload FROM notifications WHERE delivered = 0 AND payload IS NOT NULL ORDER BY id",
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

/* Reading (itfollow). */

static void
journal_sqlite_bind_read(sqlite3_stmt *st, const char *system, time_t from,
    time_t to)
{
	sqlite3_bind_text(st, 1, system, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (long long)from);
	sqlite3_bind_int64(st, 3, (long long)to);
}

static int
journal_sqlite_read(void *h, const char *system, time_t from, time_t to,
    struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause)
{
	struct journal_sqlite *q = h;
	struct journal_outage *o;
	sqlite3_stmt *st;
	sqlite3 *db = q->db;
	int rc;

	/* Prepared once and kept: a reader that stays open (journal_read.c)
	 * reads every system of a report with them. */
	if (q->rd_known == NULL &&
	    sqlite3_prepare_v2(db,
	        "SELECT start, end FROM coverage WHERE system = ?1 AND end > ?2 AND start < ?3 UNION ALL SELECT span_start, span_end FROM series_state WHERE system = ?1 AND span_end > ?2 AND span_start < ?3",
	        -1, &q->rd_known, NULL) != SQLITE_OK)
		goto sqlfail;
	if (q->rd_outs == NULL &&
	    sqlite3_prepare_v2(db,
	        "SELECT series, start, end, planned, reason FROM outages WHERE system = ?1 AND start < ?3 AND (end IS NULL OR end > ?2) ORDER BY start",
	        -1, &q->rd_outs, NULL) != SQLITE_OK)
		goto sqlfail;
	st = q->rd_known;
	journal_sqlite_bind_read(st, system, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		span_add(known, (time_t)sqlite3_column_int64(st, 0),
		    (time_t)sqlite3_column_int64(st, 1));
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_reset(st);
	st = q->rd_outs;
	journal_sqlite_bind_read(st, system, from, to);
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
	sqlite3_reset(st);
	return 0;
sqlfail:
	xasprintf(cause, "%s", sqlite3_errmsg(db));
	sqlite3_reset(q->rd_known);
	sqlite3_reset(q->rd_outs);
	return -1;
}
