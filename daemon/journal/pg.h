/*
 * PostgreSQL connections (libpq) for the shared journal and the daemons'
 * membership (a connection string is checked without connecting by
 * confaddr.c, for -n): a database named in messages without its password, and connections made
 * with what a daemon needs: timeouts that notice a server that went away,
 * a password read from a file (as the daemon's user, at each connection),
 * and libpq's notices kept out of stderr.
 */
#ifndef PG_H
#define PG_H

#include "pqdl.h"

/*
 * How messages name the database s: "postgresql://user@host:port/db"
 * with what s gives of these, never a password. Caller frees.
 */
char *pg_display(const char *s);
/*
 * Connect to s (blocking, at most connect_timeout, 10 s unless s says),
 * as application app, with the password in password_file (NULL: none, or
 * what s and libpq's own files give). NULL with *cause (libpq's words,
 * which name the server, never the password).
 */
PGconn *pg_connect(const char *s, const char *password_file, const char *app,
    char **cause);
/* conn's last error on one line (for a cause; caller frees). */
char *pg_error(const PGconn *conn);
/*
 * Run sql with n text parameters (NULL: SQL NULL; with none, sql may be
 * several statements). Returns the result
 * (caller PQclear()s it) when it is PGRES_COMMAND_OK or PGRES_TUPLES_OK,
 * else NULL with *cause.
 */
PGresult *pg_exec(PGconn *conn, const char *sql, int n,
    const char *const *params, char **cause);
/* Run sql (no parameters) for its effect only: 0, or -1 with *cause. */
int pg_run(PGconn *conn, const char *sql, char **cause);
/* After a failure: nothing of the transaction stays (if it can). */
void pg_rollback(PGconn *conn);
/* 1 if the connection is lost (to be made again), 0 if it works. */
int pg_lost(const PGconn *conn);

#endif
