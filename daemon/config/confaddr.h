/*
 * Addresses of the configuration checked without connecting: see
 * confaddr.c.
 */
#ifndef CONFADDR_H
#define CONFADDR_H

/* 1 if addr is a valid rrdcached address: "unix:/path", "/path" or
 * "host:port". */
int confaddr_rrdcached(const char *addr);
/* 1 if s is meant as a PostgreSQL connection string: a postgresql:// or
 * postgres:// URI, or key=value settings. */
int confaddr_is_pg(const char *s);
/*
 * Check s as libpq reads it, without connecting: 0, or -1 with *cause
 * (libpq's words; that libpq cannot be loaded; or: it holds a password,
 * which belongs in a file).
 */
int confaddr_pg_check(const char *s, char **cause);

#endif
