/*
 * The journal's tables in PostgreSQL, for those who read them on their
 * own connection (cluster.c: the members, the state of series taken over,
 * the open outages of all). The backend itself is journal_pg_backend
 * (journal_db.h).
 */
#ifndef JOURNAL_PG_H
#define JOURNAL_PG_H

#include <stddef.h>

#include "pqdl.h"

struct journal_load_cbs;

/*
 * The database's schema version (0: no journal yet). 0, or -1 with
 * *cause. Creates nothing.
 */
int journal_pg_version(PGconn *, int *version, char **cause);
/*
 * Bring the database to this daemon's schema version, under a lock that
 * other daemons starting at the same time wait on. A newer version is
 * refused and nothing is changed. 0, or -1 with *cause.
 */
int journal_pg_migrate(PGconn *, char **cause);
/*
 * The states and open outages of the n series (systems[i], series[i]),
 * to cb's state and outage callbacks. 0, or -1 with *cause.
 */
int journal_pg_series(PGconn *, const char *const *systems,
    const char *const *series, size_t n, const struct journal_load_cbs *cb,
    char **cause);
/* Every open outage, to cb's outage callback. 0, or -1 with *cause. */
int journal_pg_open_outages(PGconn *, const struct journal_load_cbs *cb,
    char **cause);

#endif
