/*
 * The journal in PostgreSQL: the tables of the SQLite journal (states,
 * outages, covered time, failed runs, notifications) in PostgreSQL's
 * words, plus the daemons sharing it (members) and the last batch each
 * writer committed (journal_writers), which tells a batch whose commit
 * went unanswered from one that was lost. The schema version is the one
 * row of itfollow_schema; journal_pg_migrations[v] takes the database from
 * version v to v + 1, in the transaction that also sets the version, with
 * the same numbering as the SQLite file's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "journal_db.h"
#include "journal_pg.h"
#include "log.h"
#include "pg.h"
#include "xmalloc.h"

/* Daemons that start at once migrate one after the other. */
#define JOURNAL_PG_LOCK "7265063401"

static const char *const journal_pg_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE state_changes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, system text NOT NULL, series text NOT NULL, time bigint NOT NULL, from_state text, to_state text NOT NULL, reason text NOT NULL);CREATE INDEX state_changes_series ON state_changes (system, series, time);CREATE TABLE outages (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, system text NOT NULL, series text NOT NULL, start bigint NOT NULL, \"end\" bigint, reason text NOT NULL, planned integer NOT NULL DEFAULT 0, UNIQUE (system, series, start));CREATE INDEX outages_open ON outages (system) WHERE \"end\" IS NULL;CREATE TABLE failed_runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time bigint NOT NULL, system text NOT NULL, series text NOT NULL, collector text NOT NULL, status text NOT NULL, reason text NOT NULL, message text);CREATE INDEX failed_runs_time ON failed_runs (time);CREATE TABLE coverage (system text NOT NULL, series text NOT NULL, start bigint NOT NULL, \"end\" bigint NOT NULL, PRIMARY KEY (system, series, start));CREATE TABLE series_state (system text NOT NULL, series text NOT NULL, state text NOT NULL, fails integer NOT NULL, first_fail bigint NOT NULL, first_reason text NOT NULL, span_start bigint NOT NULL, span_end bigint NOT NULL, PRIMARY KEY (system, series));"
	/* A notification's id is its daemon's: the key is both. */
	"CREATE TABLE notifications (member text NOT NULL, id bigint NOT NULL, time bigint NOT NULL, notifier text NOT NULL, event text NOT NULL, system text NOT NULL, series text NOT NULL, attempts integer NOT NULL, delivered integer NOT NULL, last_error text, PRIMARY KEY (member, id));CREATE TABLE members (name text PRIMARY KEY, incarnation text NOT NULL, zone text, role text NOT NULL, config_hash text NOT NULL, config_file text NOT NULL, host text NOT NULL, pid integer NOT NULL, joined double precision NOT NULL, heartbeat double precision NOT NULL, lease double precision NOT NULL, collectors integer NOT NULL DEFAULT 0, evicted double precision, evicted_by text);CREATE TABLE journal_writers (writer text PRIMARY KEY, seq bigint NOT NULL, at bigint NOT NULL);",
	/* 1 -> 2: what a notification said, to deliver it after a restart */
	"ALTER TABLE notifications ADD COLUMN payload text;CREATE INDEX notifications_pending ON notifications (delivered);",
	/* 2 -> 3: what programs report (collectd's PUTNOTIF) */
	"CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, time bigint NOT NULL, system text NOT NULL, series text NOT NULL, severity text NOT NULL, source text, message text NOT NULL);CREATE INDEX events_time ON events (time);",
};
#define JOURNAL_PG_VERSION \
	((int)(sizeof journal_pg_migrations / sizeof journal_pg_migrations[0]))
_Static_assert(JOURNAL_PG_VERSION == JOURNAL_SCHEMA_VERSION,
    "the PostgreSQL migrations are not the SQLite ones' twins");

/* An open journal database. */
struct journal_pg {
	PGconn *conn;
	char *member;
	char *writer;
	int prepared[JOURNAL_OP_KINDS];
};

/* Each record's statement, its parameters numbered as journal.c's. */
static const char *
journal_pg_sql(enum journal_op_kind k, int *nnum)
{
	switch (k) {
	case OP_STATE_CHANGE:
		*nnum = 1;
		return "INSERT INTO state_changes (system, series, from_state, to_state, reason, time) VALUES ($1, $2, $3, $4, $5, $6)";
	case OP_OUTAGE_OPEN:
		*nnum = 2;
		return "INSERT INTO outages (system, series, reason, start, planned) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (system, series, start) DO NOTHING";
	case OP_OUTAGE_CLOSE:
		*nnum = 2;
		return "UPDATE outages SET \"end\" = $4 WHERE system = $1 AND series = $2 AND start = $3";
	case OP_FAILED_RUN:
		*nnum = 1;
		return "INSERT INTO failed_runs (system, series, collector, status, reason, message, time) VALUES ($1, $2, $3, $4, $5, $6, $7)";
	case OP_COVERAGE:
		*nnum = 2;
		return "INSERT INTO coverage (system, series, start, \"end\") VALUES ($1, $2, $3, $4) ON CONFLICT (system, series, start) DO UPDATE SET \"end\" = excluded.\"end\"";
	case OP_SERIES:
		*nnum = 4;
		return "INSERT INTO series_state (system, series, state, first_reason, fails, first_fail, span_start, span_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (system, series) DO UPDATE SET state = excluded.state, first_reason = excluded.first_reason, fails = excluded.fails, first_fail = excluded.first_fail, span_start = excluded.span_start, span_end = excluded.span_end";
	case OP_NOTIFY:
		*nnum = 4;
		return "INSERT INTO notifications (notifier, event, system, series, last_error, payload, id, time, attempts, delivered, member) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (member, id) DO UPDATE SET attempts = excluded.attempts, delivered = excluded.delivered, last_error = excluded.last_error";
	case OP_NOTE:
		*nnum = 1;
		return "INSERT INTO events (system, series, severity, source, message, time) VALUES ($1, $2, $3, $4, $5, $6)";
	}
	*nnum = 0;
	return NULL;
}

/* Schema. */

int
journal_pg_version(PGconn *conn, int *version, char **cause)
{
	PGresult *res;

	*version = 0;
	res = pg_exec(conn, "SELECT to_regclass('itfollow_schema') IS NOT NULL",
	    0, NULL, cause);
	if (res == NULL)
		return -1;
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return 0;
	}
	PQclear(res);
	if ((res = pg_exec(conn, "SELECT max(version) FROM itfollow_schema", 0,
	         NULL, cause)) == NULL)
		return -1;
	if (!PQgetisnull(res, 0, 0))
		*version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* In the migrating transaction: every step from v up. */
static int
journal_pg_steps(PGconn *conn, int v, char **cause)
{
	char num[16];
	const char *p[1] = { num };
	PGresult *res;

	if (v == 0 &&
	    pg_run(conn,
	        "CREATE TABLE IF NOT EXISTS itfollow_schema (version integer NOT NULL);INSERT INTO itfollow_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM itfollow_schema)",
	        cause) != 0)
		return -1;
	for (; v < JOURNAL_PG_VERSION; v++) {
		if (pg_run(conn, journal_pg_migrations[v], cause) != 0)
			return -1;
		snprintf(num, sizeof num, "%d", v + 1);
		if ((res = pg_exec(conn,
		         "UPDATE itfollow_schema SET version = $1", 1, p,
		         cause)) == NULL)
			return -1;
		PQclear(res);
	}
	return 0;
}

int
journal_pg_migrate(PGconn *conn, char **cause)
{
	char *why = NULL;
	int v;

	if (pg_run(conn,
	        "BEGIN; SELECT pg_advisory_xact_lock(" JOURNAL_PG_LOCK ")",
	        &why) != 0)
		goto fail;
	if (journal_pg_version(conn, &v, &why) != 0)
		goto fail;
	if (v > JOURNAL_PG_VERSION) {
		xasprintf(&why,
		    "schema version %d is newer than this daemon's (%d); nothing was changed",
		    v, JOURNAL_PG_VERSION);
		goto fail;
	}
	if (v < JOURNAL_PG_VERSION) {
		if (journal_pg_steps(conn, v, &why) != 0)
			goto fail;
		log_notice("journal: schema version %d made %d", v,
		    JOURNAL_PG_VERSION);
	}
	if (pg_run(conn, "COMMIT", &why) != 0)
		goto fail;
	return 0;
fail:
	pg_rollback(conn);
	*cause = why;
	return -1;
}

/* Opening and writing. */

static void
journal_pg_close(void *h)
{
	struct journal_pg *q = h;

	if (q == NULL)
		return;
	PQfinish(q->conn);
	free(q->member);
	free(q->writer);
	free(q);
}

/* A reader needs the version it knows how to read. */
static int
journal_pg_check(PGconn *conn, char **cause)
{
	int v;

	if (journal_pg_version(conn, &v, cause) != 0)
		return -1;
	if (v == JOURNAL_PG_VERSION)
		return 0;
	if (v == 0)
		xasprintf(cause,
		    "no journal in this database yet (no daemon has written to it)");
	else
		xasprintf(cause, "schema version %d, this program reads %d: %s",
		    v, JOURNAL_PG_VERSION,
		    v > JOURNAL_PG_VERSION
		        ? "it is newer"
		        : "a daemon of this version brings it up to date");
	return -1;
}

static void *
journal_pg_open(const char *where, const struct journal_db_opts *o,
    int *corrupt, char **cause)
{
	struct journal_pg *q;
	PGconn *conn;
	char *why = NULL;
	int rc;

	*corrupt = 0;
	if ((conn = pg_connect(where, o->password_file,
	         o->readonly ? "itfollow" : "itfollowd", cause)) == NULL)
		return NULL;
	rc = o->readonly ? journal_pg_check(conn, &why)
	                 : journal_pg_migrate(conn, &why);
	if (rc != 0) {
		*cause = why;
		PQfinish(conn);
		return NULL;
	}
	q = xcalloc(1, sizeof *q);
	q->conn = conn;
	q->member = xstrdup(o->member != NULL ? o->member : "");
	q->writer = xstrdup(o->writer != NULL ? o->writer : "");
	return q;
}

/* One record: its texts, then its numbers, then (a notice) the member. */
static int
journal_pg_op(struct journal_pg *q, const struct journal_op *op, char **cause)
{
	char nums[5][24], name[8];
	const char *p[12];
	int nstr = journal_op_nstr(op->kind), nnum, n = 0, i;
	const char *sql = journal_pg_sql(op->kind, &nnum);
	PGresult *res;

	snprintf(name, sizeof name, "op%d", (int)op->kind);
	if (!q->prepared[op->kind]) {
		res = PQprepare(q->conn, name, sql, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			PQclear(res);
			*cause = pg_error(q->conn);
			return -1;
		}
		PQclear(res);
		q->prepared[op->kind] = 1;
	}
	for (i = 0; i < nstr; i++)
		p[n++] = op->s[i];
	for (i = 0; i < nnum; i++) {
		snprintf(nums[i], sizeof nums[i], "%lld", op->n[i]);
		p[n++] = nums[i];
	}
	if (op->kind == OP_NOTIFY)
		p[n++] = q->member;
	res = PQexecPrepared(q->conn, name, n, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*cause = PQresultErrorMessage(res)[0] != '\0'
		    ? xstrdup(PQresultErrorMessage(res))
		    : pg_error(q->conn);
		(*cause)[strcspn(*cause, "\n")] = '\0';
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

static int
journal_pg_write(void *h, const struct journal_op *ops, uint64_t seq,
    int *corrupt, char **cause)
{
	struct journal_pg *q = h;
	const struct journal_op *op;
	char num[24], at[24];
	const char *p[3] = { q->writer, num, at };
	PGresult *res;

	*corrupt = 0;
	if (pg_run(q->conn, "BEGIN", cause) != 0)
		return -1;
	for (op = ops; op != NULL; op = op->next) {
		if (journal_pg_op(q, op, cause) != 0)
			goto fail;
	}
	/* The batch's number, in its own transaction: committed or not,
	 * the two go together. */
	snprintf(num, sizeof num, "%llu", (unsigned long long)seq);
	snprintf(at, sizeof at, "%lld", (long long)time(NULL));
	res = pg_exec(q->conn,
	    "INSERT INTO journal_writers (writer, seq, at) VALUES ($1, $2, $3) ON CONFLICT (writer) DO UPDATE SET seq = excluded.seq, at = excluded.at",
	    3, p, cause);
	if (res == NULL)
		goto fail;
	PQclear(res);
	if (pg_run(q->conn, "COMMIT", cause) != 0)
		return -1;
	return 0;
fail:
	pg_rollback(q->conn);
	return -1;
}

static int
journal_pg_committed(void *h, uint64_t seq)
{
	struct journal_pg *q = h;
	const char *p[1] = { q->writer };
	PGresult *res;
	char *cause = NULL;
	int rc;

	res = pg_exec(q->conn,
	    "SELECT seq FROM journal_writers WHERE writer = $1", 1, p, &cause);
	if (res == NULL) {
		free(cause);
		return -1;
	}
	rc = PQntuples(res) == 1 &&
	    strtoull(PQgetvalue(res, 0, 0), NULL, 10) >= seq;
	PQclear(res);
	return rc;
}

/* Reading. */

static void
journal_pg_state_row(const PGresult *res, int i, struct journal_state_row *r)
{
	r->system = PQgetvalue(res, i, 0);
	r->series = PQgetvalue(res, i, 1);
	r->state = PQgetvalue(res, i, 2);
	r->fails = (unsigned)strtoul(PQgetvalue(res, i, 3), NULL, 10);
	r->first_fail = (time_t)strtoll(PQgetvalue(res, i, 4), NULL, 10);
	r->first_reason = PQgetvalue(res, i, 5);
	r->span_start = (time_t)strtoll(PQgetvalue(res, i, 6), NULL, 10);
	r->span_end = (time_t)strtoll(PQgetvalue(res, i, 7), NULL, 10);
}

static void
journal_pg_open_row(const PGresult *res, int i, struct journal_open_row *r)
{
	r->system = PQgetvalue(res, i, 0);
	r->series = PQgetvalue(res, i, 1);
	r->start = (time_t)strtoll(PQgetvalue(res, i, 2), NULL, 10);
	r->reason = PQgetvalue(res, i, 3);
	r->planned = atoi(PQgetvalue(res, i, 4));
}

#define JOURNAL_PG_STATE_COLS                                     \
	"system, series, state, fails, first_fail, first_reason," \
	" span_start, span_end"
#define JOURNAL_PG_OPEN_COLS "system, series, start, reason, planned"

/* Rows of sql (n parameters) to cb's state (kind 0) or outage callback. */
static int
journal_pg_rows(PGconn *conn, const char *sql, int n, const char *const *p,
    int kind, const struct journal_load_cbs *cb, char **cause)
{
	struct journal_state_row sr;
	struct journal_open_row orow;
	PGresult *res;
	int i;

	if ((res = pg_exec(conn, sql, n, p, cause)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		if (kind == 0) {
			journal_pg_state_row(res, i, &sr);
			cb->state(&sr, cb->arg);
		} else {
			journal_pg_open_row(res, i, &orow);
			cb->outage(&orow, cb->arg);
		}
	}
	PQclear(res);
	return 0;
}

static int
journal_pg_notices(struct journal_pg *q, const struct journal_load_cbs *cb,
    char **cause)
{
	const char *p[1] = { q->member };
	struct journal_notice nc;
	PGresult *res;
	int i;

	res = pg_exec(q->conn,
	    "SELECT id, time, attempts, notifier, event, system, series, payload FROM notifications WHERE member = $1 AND delivered = 0 AND payload IS NOT NULL ORDER BY id",
	    1, p, cause);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++) {
		memset(&nc, 0, sizeof nc);
		nc.id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		nc.t = (time_t)strtoll(PQgetvalue(res, i, 1), NULL, 10);
		nc.attempts = atoi(PQgetvalue(res, i, 2));
		nc.notifier = PQgetvalue(res, i, 3);
		nc.event = PQgetvalue(res, i, 4);
		nc.system = PQgetvalue(res, i, 5);
		nc.series = PQgetvalue(res, i, 6);
		nc.payload = PQgetvalue(res, i, 7);
		cb->notice(&nc, cb->arg);
	}
	PQclear(res);
	return 0;
}

static int
journal_pg_load(void *h, const struct journal_load_cbs *cb, char **cause)
{
	struct journal_pg *q = h;

	if (cb->state != NULL &&
	    journal_pg_rows(q->conn,
	        "SELECT " JOURNAL_PG_STATE_COLS " FROM series_state", 0, NULL,
	        0, cb, cause) != 0)
		return -1;
	if (cb->outage != NULL && journal_pg_open_outages(q->conn, cb, cause))
		return -1;
	if (cb->notice != NULL && journal_pg_notices(q, cb, cause) != 0)
		return -1;
	return 0;
}

int
journal_pg_open_outages(PGconn *conn, const struct journal_load_cbs *cb,
    char **cause)
{
	return journal_pg_rows(conn,
	    "SELECT " JOURNAL_PG_OPEN_COLS
	    " FROM outages WHERE \"end\" IS NULL",
	    0, NULL, 1, cb, cause);
}

/* A text array literal of strings that are ids (no quotes, no commas). */
static char *
journal_pg_array(const char *const *v, size_t n)
{
	size_t i, len = 3;
	char *out, *p;

	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 3;
	out = p = xmalloc(len);
	*p++ = '{';
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"%s\"", i > 0 ? "," : "", v[i]);
	*p++ = '}';
	*p = '\0';
	return out;
}

int
journal_pg_series(PGconn *conn, const char *const *systems,
    const char *const *series, size_t n, const struct journal_load_cbs *cb,
    char **cause)
{
	char *a = journal_pg_array(systems, n),
	     *b = journal_pg_array(series, n);
	const char *p[2] = { a, b };
	int rc;

	rc = journal_pg_rows(conn,
	    "SELECT " JOURNAL_PG_STATE_COLS
	    " FROM series_state WHERE (system, series) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
	    2, p, 0, cb, cause);
	if (rc == 0)
		rc = journal_pg_rows(conn,
		    "SELECT " JOURNAL_PG_OPEN_COLS
		    " FROM outages WHERE \"end\" IS NULL AND (system, series) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
		    2, p, 1, cb, cause);
	free(a);
	free(b);
	return rc;
}

static int
journal_pg_read(void *h, const char *system, time_t from, time_t to,
    struct spans *known, struct journal_outage **outs, size_t *nouts,
    char **cause)
{
	struct journal_pg *q = h;
	struct journal_outage *o;
	char f[24], t[24];
	const char *p[3] = { system, f, t };
	PGresult *res;
	int i;

	snprintf(f, sizeof f, "%lld", (long long)from);
	snprintf(t, sizeof t, "%lld", (long long)to);
	res = pg_exec(q->conn,
	    "SELECT start, \"end\" FROM coverage WHERE system = $1 AND \"end\" > $2 AND start < $3 UNION ALL SELECT span_start, span_end FROM series_state WHERE system = $1 AND span_end > $2 AND span_start < $3",
	    3, p, cause);
	if (res == NULL)
		return -1;
	for (i = 0; i < PQntuples(res); i++)
		span_add(known,
		    (time_t)strtoll(PQgetvalue(res, i, 0), NULL, 10),
		    (time_t)strtoll(PQgetvalue(res, i, 1), NULL, 10));
	PQclear(res);
	res = pg_exec(q->conn,
	    "SELECT series, start, \"end\", planned, reason FROM outages WHERE system = $1 AND start < $3 AND (\"end\" IS NULL OR \"end\" > $2) ORDER BY start, series",
	    3, p, cause);
	if (res == NULL)
		return -1;
	*outs = xcalloc((size_t)PQntuples(res) + 1, sizeof **outs);
	for (i = 0; i < PQntuples(res); i++) {
		o = &(*outs)[(*nouts)++];
		snprintf(o->series, sizeof o->series, "%s",
		    PQgetvalue(res, i, 0));
		o->start = (time_t)strtoll(PQgetvalue(res, i, 1), NULL, 10);
		o->end = PQgetisnull(res, i, 2)
		    ? 0
		    : (time_t)strtoll(PQgetvalue(res, i, 2), NULL, 10);
		o->planned = atoi(PQgetvalue(res, i, 3));
		snprintf(o->reason, sizeof o->reason, "%s",
		    PQgetvalue(res, i, 4));
	}
	PQclear(res);
	return 0;
}

const struct journal_backend journal_pg_backend = {
	.name = "postgresql",
	.open = journal_pg_open,
	.load = journal_pg_load,
	.write = journal_pg_write,
	.committed = journal_pg_committed,
	.read_system = journal_pg_read,
	.close = journal_pg_close,
};
