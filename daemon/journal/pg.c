/*
 * libpq connections. Settings the daemon adds come before the user's
 * connection string in the keyword list, so that what the string says wins
 * (libpq's rule: later keywords override earlier ones), and the password
 * read from its file comes after it. Messages name the database by its
 * user, host, port and name only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg.h"
#include "secret.h"
#include "xmalloc.h"

/* Settings of every connection, unless the connection string says. */
static const char *const pg_defaults[][2] = {
	{ "connect_timeout", "10" },
	/* A server that vanished (host down, cable cut) is noticed within
	 * half a minute, not at TCP's two hours. */
	{ "keepalives", "1" },
	{ "keepalives_idle", "10" },
	{ "keepalives_interval", "5" },
	{ "keepalives_count", "3" },
	{ "tcp_user_timeout", "30000" },
	/* A statement stuck behind a lock gives up rather than hold the
	 * journal's writer or the heartbeat for good. */
	{ "options", "-c statement_timeout=30000" },
};
#define PG_NDEFAULTS (sizeof pg_defaults / sizeof pg_defaults[0])

static const char *
pg_opt(const PQconninfoOption *opts, const char *key)
{
	for (; opts->keyword != NULL; opts++) {
		if (strcmp(opts->keyword, key) == 0 && opts->val != NULL &&
		    opts->val[0] != '\0')
			return opts->val;
	}
	return NULL;
}

char *
pg_display(const char *s)
{
	PQconninfoOption *opts;
	const char *user, *host, *port, *db;
	char *out, *err = NULL;

	if (pqdl_load(NULL) != 0)
		return xstrdup("(a PostgreSQL database: " PQDL_LIBRARY
		               " cannot be loaded)");
	if ((opts = PQconninfoParse(s, &err)) == NULL) {
		PQfreemem(err);
		return xstrdup("(a connection string libpq cannot read)");
	}
	user = pg_opt(opts, "user");
	host = pg_opt(opts, "host");
	port = pg_opt(opts, "port");
	db = pg_opt(opts, "dbname");
	xasprintf(&out, "postgresql://%s%s%s%s%s/%s", user != NULL ? user : "",
	    user != NULL ? "@" : "", host != NULL ? host : "",
	    port != NULL ? ":" : "", port != NULL ? port : "",
	    db != NULL ? db : "");
	PQconninfoFree(opts);
	return out;
}

char *
pg_error(const PGconn *conn)
{
	const char *m = conn != NULL ? PQerrorMessage(conn) : NULL;
	char *out, *p, *q;

	if (m == NULL || *m == '\0')
		return xstrdup("out of memory");
	out = xstrdup(m);
	/* libpq's messages run over indented lines: make them one. */
	for (p = q = out; *p != '\0'; p++) {
		if (*p != '\n' && *p != '\t')
			*q++ = *p;
		else if (q > out && q[-1] != ' ')
			*q++ = ' ';
	}
	while (q > out && q[-1] == ' ')
		q--;
	*q = '\0';
	return out;
}

static void
pg_notice_cb(void *arg, const char *message)
{
	(void)arg;
	log_debug("postgresql: %.*s", (int)strcspn(message, "\n"), message);
}

PGconn *
pg_connect(const char *s, const char *password_file, const char *app,
    char **cause)
{
	const char *keys[PG_NDEFAULTS + 4], *vals[PG_NDEFAULTS + 4];
	char *password = NULL, *why;
	PGconn *conn;
	size_t i, n = 0;

	if (pqdl_load(cause) != 0)
		return NULL;
	if (password_file != NULL &&
	    (password = secret_read(password_file, cause)) == NULL)
		return NULL;
	for (i = 0; i < PG_NDEFAULTS; i++) {
		keys[n] = pg_defaults[i][0];
		vals[n++] = pg_defaults[i][1];
	}
	keys[n] = "application_name";
	vals[n++] = app;
	keys[n] = "dbname"; /* expanded: the whole connection string */
	vals[n++] = s;
	if (password != NULL) {
		keys[n] = "password";
		vals[n++] = password;
	}
	keys[n] = NULL;
	vals[n] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	secret_free(password);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK) {
		PQsetNoticeProcessor(conn, pg_notice_cb, NULL);
		return conn;
	}
	why = pg_error(conn);
	xasprintf(cause, "cannot connect: %s", why);
	free(why);
	PQfinish(conn);
	return NULL;
}

PGresult *
pg_exec(PGconn *conn, const char *sql, int n, const char *const *params,
    char **cause)
{
	PGresult *res;
	ExecStatusType st;

	/* Without parameters, sql may be several statements. */
	res = n == 0 ? PQexec(conn, sql)
	             : PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	if (res != NULL && PQresultErrorMessage(res)[0] != '\0') {
		*cause = xstrdup(PQresultErrorMessage(res));
		(*cause)[strcspn(*cause, "\n")] = '\0';
	} else
		*cause = pg_error(conn);
	PQclear(res);
	return NULL;
}

int
pg_lost(const PGconn *conn)
{
	return conn == NULL || PQstatus(conn) != CONNECTION_OK;
}

int
pg_run(PGconn *conn, const char *sql, char **cause)
{
	PGresult *res;

	if ((res = pg_exec(conn, sql, 0, NULL, cause)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

void
pg_rollback(PGconn *conn)
{
	char *cause = NULL;

	if (pg_run(conn, "ROLLBACK", &cause) != 0)
		free(cause);
}
