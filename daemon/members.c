/*
 * Membership in PostgreSQL. Times in the table are the server's clock
 * (clock_timestamp()), so hosts whose clocks differ still agree on who is
 * late; this host's offset from it is measured at every look and handed
 * to the loop with the view, which turns the server's times into slots.
 */
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "journal_pg.h"
#include "log.h"
#include "members_priv.h"
#include "pg.h"
#include "xmalloc.h"

#define MEMBERS_TICK_MS 1000
/* Daemons registering at once check each other one at a time. */
#define MEMBERS_JOIN_LOCK "7265063402"
/* A member evicted this long ago is forgotten. */
#define MEMBERS_FORGET_S "86400"
#define MEMBERS_NOW "extract(epoch from clock_timestamp())"

static uint64_t
members_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double
members_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

struct members *
members_new(const struct conf *c, const char *hash)
{
	struct members *m;
	unsigned char r[8];
	char host[256];
	FILE *f;

	m = xcalloc(1, sizeof *m);
	m->conninfo = xstrdup(c->journal);
	m->where = pg_display(c->journal);
	if (c->journal_password_file != NULL)
		m->password_file = xstrdup(c->journal_password_file);
	m->name = xstrdup(c->member);
	m->zone = c->zone != NULL ? xstrdup(c->zone) : NULL;
	m->viewer = c->viewer;
	m->hash = xstrdup(hash);
	m->file = xstrdup(c->file);
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "unknown");
	host[sizeof host - 1] = '\0';
	m->host = xstrdup(host);
	m->heartbeat = c->heartbeat;
	m->lease = c->lease;
	memset(r, 0, sizeof r);
	if ((f = fopen("/dev/urandom", "r")) != NULL) {
		if (fread(r, 1, sizeof r, f) != sizeof r)
			memset(r, 0, sizeof r);
		fclose(f);
	}
	xasprintf(&m->incarnation, "%ld-%02x%02x%02x%02x%02x%02x%02x%02x",
	    (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	return m;
}

/* Reading the table. */

static void
members_rows_free(struct members_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		members_member_free(&rows[i].m);
		free(rows[i].incarnation);
	}
	free(rows);
}

/* Every row, and the server's clock then (s). 0, or -1 with *cause. */
static int
members_read(PGconn *conn, struct members_row **rows, size_t *n, double *now,
    char **cause)
{
	struct members_row *r;
	PGresult *res;
	int i;

	*rows = NULL;
	*n = 0;
	res = pg_exec(conn,
	    "SELECT name, zone, role, config_hash, config_file, host, pid, joined, lease, incarnation, evicted IS NOT NULL, " MEMBERS_NOW
	    " - heartbeat, " MEMBERS_NOW " FROM members ORDER BY name",
	    0, NULL, cause);
	if (res == NULL)
		return -1;
	*rows = xcalloc((size_t)PQntuples(res) + 1, sizeof **rows);
	for (i = 0; i < PQntuples(res); i++) {
		r = &(*rows)[(*n)++];
		r->m.name = xstrdup(PQgetvalue(res, i, 0));
		r->m.zone = PQgetisnull(res, i, 1)
		    ? NULL
		    : xstrdup(PQgetvalue(res, i, 1));
		r->m.viewer = strcmp(PQgetvalue(res, i, 2), "viewer") == 0;
		r->m.config_hash = xstrdup(PQgetvalue(res, i, 3));
		r->m.config_file = xstrdup(PQgetvalue(res, i, 4));
		r->m.host = xstrdup(PQgetvalue(res, i, 5));
		r->m.pid = atol(PQgetvalue(res, i, 6));
		r->m.joined = atof(PQgetvalue(res, i, 7));
		r->m.lease = atof(PQgetvalue(res, i, 8));
		r->incarnation = xstrdup(PQgetvalue(res, i, 9));
		r->evicted = strcmp(PQgetvalue(res, i, 10), "t") == 0;
		r->m.age = atof(PQgetvalue(res, i, 11));
		*now = atof(PQgetvalue(res, i, 12));
	}
	PQclear(res);
	if (*n > 0)
		return 0;
	if ((res = pg_exec(conn, "SELECT " MEMBERS_NOW, 0, NULL, cause)) ==
	    NULL)
		return -1;
	*now = atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int
members_row_live(const struct members_row *r)
{
	return !r->evicted && r->m.age <= r->m.lease;
}

/* 1 if a process of that id runs on this host. */
static int
members_pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno != ESRCH);
}

/* Refuse to join beside a live member of another configuration or of
 * this name. 0, or -1 with *cause. */
static int
members_check(const struct members *m, const struct members_row *rows, size_t n,
    char **cause)
{
	const struct member *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = &rows[i].m;
		if (!members_row_live(&rows[i]))
			continue;
		if (strcmp(o->name, m->name) == 0) {
			/* The one this restart replaces, killed before it
			 * could leave, is no other daemon. */
			if (strcmp(o->host, m->host) == 0 &&
			    !members_pid_alive(o->pid))
				continue;
			xasprintf(cause,
			    "a member named %s runs on %s (pid %ld, heartbeat %.0f s ago): give this daemon another daemon.name",
			    o->name, o->host, o->pid, o->age);
			return -1;
		}
		if (strcmp(o->config_hash, m->hash) != 0) {
			xasprintf(cause,
			    "member %s (%s on %s) runs another configuration (%s) than this daemon %s (%s, %s): refusing to join; members must share their systems, feeds, windows and notifiers",
			    o->name, o->config_file, o->host, o->config_hash,
			    m->name, m->file, m->hash);
			return -1;
		}
	}
	return 0;
}

/* The live members of rows (as they stand) into v. */
static void
members_live(const struct members_row *rows, size_t n, double offset_ms,
    struct members_view *v)
{
	size_t i;

	memset(v, 0, sizeof *v);
	v->offset_ms = offset_ms;
	for (i = 0; i < n; i++) {
		if (members_row_live(&rows[i]))
			members_view_put(v, &rows[i].m);
	}
}

/* Registering. */

/* Insert or replace this member's row; *joined: when (server time). */
static int
members_register(struct members *m, PGconn *conn, double *joined, char **cause)
{
	char pid[24], lease[24];
	const char *p[9] = { m->name, m->incarnation, m->zone,
		m->viewer ? "viewer" : "collector", m->hash, m->file, m->host,
		pid, lease };
	PGresult *res;

	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	snprintf(lease, sizeof lease, "%u", m->lease);
	res = pg_exec(conn,
	    "INSERT INTO members (name, incarnation, zone, role, config_hash, config_file, host, pid, joined, heartbeat, lease) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, " MEMBERS_NOW
	    ", " MEMBERS_NOW
	    ", $9) ON CONFLICT (name) DO UPDATE SET incarnation = excluded.incarnation, zone = excluded.zone, role = excluded.role, config_hash = excluded.config_hash, config_file = excluded.config_file, host = excluded.host, pid = excluded.pid, joined = excluded.joined, heartbeat = excluded.heartbeat, lease = excluded.lease, collectors = 0, evicted = NULL, evicted_by = NULL RETURNING joined",
	    9, p, cause);
	if (res == NULL)
		return -1;
	*joined = atof(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* This member as the view lists it, joined at joined. */
static void
members_self(const struct members *m, double joined, struct member *e)
{
	memset(e, 0, sizeof *e);
	e->name = m->name;
	e->zone = m->zone;
	e->viewer = m->viewer;
	e->config_hash = m->hash;
	e->config_file = m->file;
	e->host = m->host;
	e->pid = (long)getpid();
	e->joined = joined;
	e->lease = m->lease;
}

/* In one transaction under the join lock: check again, then register. */
static int
members_enter(struct members *m, struct members_view *before,
    struct members_view *after, char **cause)
{
	struct members_row *rows = NULL;
	struct member self;
	double now = 0, joined, t0 = members_wall_ms();
	size_t n = 0;

	if (pg_run(m->conn,
	        "BEGIN; SELECT pg_advisory_xact_lock(" MEMBERS_JOIN_LOCK ")",
	        cause) != 0)
		return -1;
	if (members_read(m->conn, &rows, &n, &now, cause) != 0 ||
	    members_check(m, rows, n, cause) != 0 ||
	    members_register(m, m->conn, &joined, cause) != 0 ||
	    pg_run(m->conn, "COMMIT", cause) != 0) {
		members_rows_free(rows, n);
		pg_rollback(m->conn);
		return -1;
	}
	m->offset_ms = now * 1000 - (t0 + members_wall_ms()) / 2;
	members_live(rows, n, m->offset_ms, before);
	members_rows_free(rows, n);
	members_view_copy(after, before);
	members_self(m, joined, &self);
	members_view_put(after, &self);
	members_view_copy(&m->last, after);
	return 0;
}

int
members_join(struct members *m, struct members_view *before,
    struct members_view *after, char **cause)
{
	struct members_row *rows = NULL;
	size_t n = 0;
	double now;
	char *why = NULL;
	int v;

	memset(before, 0, sizeof *before);
	memset(after, 0, sizeof *after);
	m->conn = pg_connect(m->conninfo, m->password_file, "itfollowd", &why);
	if (m->conn == NULL || journal_pg_version(m->conn, &v, &why) != 0)
		goto fail;
	if (v > JOURNAL_SCHEMA_VERSION) {
		xasprintf(&why,
		    "schema version %d is newer than this daemon's (%d); nothing was changed",
		    v, JOURNAL_SCHEMA_VERSION);
		goto fail;
	}
	/* Before the schema is touched: nothing changes for a refusal. */
	if (v >= 1 &&
	    (members_read(m->conn, &rows, &n, &now, &why) != 0 ||
	        members_check(m, rows, n, &why) != 0))
		goto fail;
	if (journal_pg_migrate(m->conn, &why) != 0 ||
	    members_enter(m, before, after, &why) != 0)
		goto fail;
	members_rows_free(rows, n);
	m->connected_ms = members_mono_ms();
	log_notice(
	    "journal %s: joined as member %s (%s%s%s), %zu live member(s) with it",
	    m->where, m->name, m->viewer ? "viewer" : "collector",
	    m->zone != NULL ? ", zone " : "", m->zone != NULL ? m->zone : "",
	    after->n);
	return 0;
fail:
	members_rows_free(rows, n);
	xasprintf(cause, "journal %s: %s", m->where, why);
	free(why);
	PQfinish(m->conn);
	m->conn = NULL;
	return -1;
}

/* The thread. */

void
members_wake(struct members *m)
{
	if (m->ev != NULL)
		event_active(m->ev, EV_READ, 0);
}

static void
members_note_error(struct members *m, int connected, const char *why)
{
	pthread_mutex_lock(&m->lock);
	m->news.connected = connected;
	snprintf(m->news.error, sizeof m->news.error, "%s", why);
	members_wake(m);
	pthread_mutex_unlock(&m->lock);
}

/* Connect again after a loss. 0, or -1 (noted; tried again next tick). */
static int
members_reconnect(struct members *m)
{
	char *why = NULL;

	if (!pg_lost(m->conn))
		return 0;
	PQfinish(m->conn);
	m->conn = pg_connect(m->conninfo, m->password_file, "itfollowd", &why);
	if (m->conn == NULL) {
		if (!m->warned_down)
			log_err(
			    "journal %s: membership: %s; this daemon keeps running its collectors and tries again every second",
			    m->where, why);
		m->warned_down = 1;
		members_note_error(m, 0, why);
		free(why);
		return -1;
	}
	m->connected_ms = members_mono_ms();
	m->next_beat_ms = 0;
	if (m->warned_down)
		log_notice("journal %s: membership connected again", m->where);
	m->warned_down = 0;
	members_note_error(m, 1, "");
	return 0;
}

/* (A lost connection is made again at the next tick.) */
void
members_failed(struct members *m, char *why)
{
	log_warn("journal %s: membership: %s", m->where, why);
	members_note_error(m, !pg_lost(m->conn), why);
	free(why);
}

/*
 * Say this daemon is alive. A row that is gone or evicted means the
 * others took this daemon's collectors over (it was cut off for longer
 * than its lease): register anew, and let the loop know.
 */
static void
members_beat(struct members *m)
{
	char nrun[24], hash[17];
	const char *p[4] = { m->name, m->incarnation, nrun, hash };
	PGresult *res;
	double joined;
	char *why = NULL;
	int updated;

	pthread_mutex_lock(&m->lock);
	snprintf(nrun, sizeof nrun, "%zu", m->nrunning);
	snprintf(hash, sizeof hash, "%s", m->hash);
	pthread_mutex_unlock(&m->lock);
	res = pg_exec(m->conn,
	    "UPDATE members SET heartbeat = " MEMBERS_NOW
	    ", collectors = $3, config_hash = $4 WHERE name = $1 AND incarnation = $2 AND evicted IS NULL",
	    4, p, &why);
	if (res == NULL) {
		members_failed(m, why);
		return;
	}
	updated = atoi(PQcmdTuples(res));
	PQclear(res);
	if (updated == 0) {
		if (members_register(m, m->conn, &joined, &why) != 0) {
			members_failed(m, why);
			return;
		}
		log_warn(
		    "journal %s: member %s was taken over while cut off; registered again, its collectors come back by hand-off",
		    m->where, m->name);
		pthread_mutex_lock(&m->lock);
		m->news.evicted = 1;
		pthread_mutex_unlock(&m->lock);
	}
	if ((res = pg_exec(m->conn,
	         "DELETE FROM members WHERE evicted < " MEMBERS_NOW
	         " - " MEMBERS_FORGET_S,
	         0, NULL, &why)) == NULL)
		members_failed(m, why);
	PQclear(res);
}

/* Mark a member that stopped beating, so that it learns it if it comes
 * back. */
static void
members_evict(struct members *m, const struct members_row *r)
{
	const char *p[3] = { r->m.name, r->incarnation, m->name };
	PGresult *res;
	char *why = NULL;

	res = pg_exec(m->conn,
	    "UPDATE members SET evicted = " MEMBERS_NOW
	    ", evicted_by = $3 WHERE name = $1 AND incarnation = $2 AND evicted IS NULL",
	    3, p, &why);
	if (res == NULL) {
		members_failed(m, why);
		return;
	}
	if (atoi(PQcmdTuples(res)) > 0)
		log_notice(
		    "journal %s: member %s stopped its heartbeat %.0f s ago (lease %.0f s): evicted",
		    m->where, r->m.name, r->m.age, r->m.lease);
	PQclear(res);
}

/*
 * Who is live now. A member of the last view whose heartbeat is late is
 * dead, unless this daemon has not been connected for a lease yet: after a
 * loss of the database, every member's heartbeat is late until it too is
 * connected again.
 */
static void
members_look(struct members *m)
{
	struct members_row *rows = NULL;
	struct members_view v;
	struct member self;
	double now = 0, t0 = members_wall_ms();
	int settled, conflict = 0;
	size_t n = 0, i;
	char *why = NULL, hash[17];

	if (members_read(m->conn, &rows, &n, &now, &why) != 0) {
		members_failed(m, why);
		return;
	}
	pthread_mutex_lock(&m->lock);
	snprintf(hash, sizeof hash, "%s", m->hash);
	pthread_mutex_unlock(&m->lock);
	m->offset_ms = now * 1000 - (t0 + members_wall_ms()) / 2;
	settled = members_mono_ms() - m->connected_ms >= m->lease * 1000ULL;
	memset(&v, 0, sizeof v);
	v.offset_ms = m->offset_ms;
	for (i = 0; i < n; i++) {
		if (strcmp(rows[i].m.name, m->name) == 0 &&
		    strcmp(rows[i].incarnation, m->incarnation) == 0) {
			if (!rows[i].evicted)
				members_view_put(&v, &rows[i].m);
			continue;
		}
		if (members_row_live(&rows[i]) ||
		    (!settled && !rows[i].evicted &&
		        members_find(&m->last, rows[i].m.name) != NULL)) {
			members_view_put(&v, &rows[i].m);
			if (strcmp(rows[i].m.config_hash, hash) != 0 &&
			    !conflict++) {
				pthread_mutex_lock(&m->lock);
				snprintf(m->news.conflict,
				    sizeof m->news.conflict,
				    "member %s (%s) runs another configuration (%s) than this one (%s)",
				    rows[i].m.name, rows[i].m.config_file,
				    rows[i].m.config_hash, hash);
				pthread_mutex_unlock(&m->lock);
			}
		} else if (!rows[i].evicted &&
		    members_find(&m->last, rows[i].m.name) != NULL)
			members_evict(m, &rows[i]);
	}
	members_rows_free(rows, n);
	if (members_find(&v, m->name) == NULL) {
		/* Evicted, and not yet registered again: as before. */
		members_self(m,
		    members_find(&m->last, m->name) != NULL
		        ? members_find(&m->last, m->name)->joined
		        : 0,
		    &self);
		members_view_put(&v, &self);
	}
	pthread_mutex_lock(&m->lock);
	if (!conflict)
		m->news.conflict[0] = '\0';
	if (!members_view_same(&v, &m->last)) {
		members_view_free(&m->news.view);
		members_view_copy(&m->news.view, &v);
		m->news.have_view = 1;
		members_view_free(&m->last);
		m->last = v;
		members_wake(m);
	} else {
		m->last.offset_ms = v.offset_ms;
		members_view_free(&v);
	}
	pthread_mutex_unlock(&m->lock);
}

/* One turn: beat when due, look, read the open outages, the states asked. */
static void
members_tick(struct members *m)
{
	uint64_t now = members_mono_ms();

	if (members_reconnect(m) != 0)
		return;
	if (now >= m->next_beat_ms) {
		m->next_beat_ms = now + m->heartbeat * 1000ULL;
		members_beat(m);
	}
	if (!pg_lost(m->conn))
		members_look(m);
	if (!pg_lost(m->conn) && now >= m->next_opens_ms) {
		m->next_opens_ms = now + m->heartbeat * 1000ULL;
		members_read_opens(m);
	}
	if (!pg_lost(m->conn))
		members_read_adopted(m);
}

static void
members_leave(struct members *m)
{
	const char *p[2] = { m->name, m->incarnation };
	PGresult *res;
	char *why = NULL;

	if (members_reconnect(m) != 0)
		return;
	res = pg_exec(m->conn,
	    "DELETE FROM members WHERE name = $1 AND incarnation = $2", 2, p,
	    &why);
	if (res == NULL) {
		log_warn(
		    "journal %s: member %s could not leave: %s; the others take over after its lease",
		    m->where, m->name, why);
		free(why);
		return;
	}
	PQclear(res);
	log_notice("journal %s: member %s left", m->where, m->name);
}

static void *
members_thread(void *arg)
{
	struct members *m = arg;
	struct timespec ts;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		pthread_mutex_unlock(&m->lock);
		members_tick(m);
		pthread_mutex_lock(&m->lock);
		if (m->stopping)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += MEMBERS_TICK_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&m->cond, &m->lock, &ts);
	}
	pthread_mutex_unlock(&m->lock);
	if (m->leave)
		members_leave(m);
	return NULL;
}

static void
members_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct members *m = arg;

	(void)fd;
	(void)what;
	m->cb(m->cb_arg);
}

int
members_start(struct members *m, struct event_base *base, void (*cb)(void *),
    void *arg)
{
	m->cb = cb;
	m->cb_arg = arg;
	m->ev = event_new(base, -1, 0, members_wake_cb, m);
	m->news.connected = 1;
	if (pthread_create(&m->thread, NULL, members_thread, m) != 0)
		return -1;
	m->running = 1;
	return 0;
}

void
members_set_hash(struct members *m, const char *hash)
{
	pthread_mutex_lock(&m->lock);
	free(m->hash);
	m->hash = xstrdup(hash);
	pthread_mutex_unlock(&m->lock);
}

void
members_set_running(struct members *m, size_t n)
{
	pthread_mutex_lock(&m->lock);
	m->nrunning = n;
	pthread_mutex_unlock(&m->lock);
}

void
members_stop(struct members *m, int leave)
{
	if (m == NULL)
		return;
	if (!m->running) {
		if (leave && m->conn != NULL)
			members_leave(m);
		return;
	}
	pthread_mutex_lock(&m->lock);
	m->stopping = 1;
	m->leave = leave;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	m->running = 0;
	/*
	 * News the thread announced last may still wait on the loop: the
	 * daemon frees what it would be applied to (the collectors) before
	 * the loop's last turn, so it is dropped, not delivered then.
	 */
	if (m->ev != NULL)
		event_del(m->ev);
}

void
members_free(struct members *m)
{
	struct members_req *r, *next;

	if (m == NULL)
		return;
	members_stop(m, 0);
	for (r = m->reqs; r != NULL; r = next) {
		next = r->next;
		free(r->system);
		free(r->series);
		free(r);
	}
	members_news_free(&m->news);
	members_view_free(&m->last);
	if (m->ev != NULL)
		event_free(m->ev);
	PQfinish(m->conn);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m->conninfo);
	free(m->where);
	free(m->password_file);
	free(m->name);
	free(m->incarnation);
	free(m->zone);
	free(m->hash);
	free(m->file);
	free(m->host);
	free(m);
}
