/*
 * What the tool reads of the outage journal: a system's outages and
 * covered spans, from the SQLite file or the PostgreSQL journal, with no
 * daemon running.
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

/*
 * The reader's connection to a PostgreSQL journal, kept between reads (a
 * report reads every system) and shared by the threads that read (the
 * dashboard's worker), one at a time.
 */
static pthread_mutex_t journal_reader_lock = PTHREAD_MUTEX_INITIALIZER;
static void *journal_reader;
static char *journal_reader_at;
static int journal_reader_atexit;

/*
 * The reader's connection to a SQLite journal, kept likewise: opening the
 * file and reading its schema cost more than a system's read, and the
 * overview and the reports read every system. The file is known by its
 * device and inode, so a journal set aside (corrupt) and made again is
 * opened again.
 */
static void *journal_lite;
static char *journal_lite_at;
static dev_t journal_lite_dev;
static ino_t journal_lite_ino;

static void
journal_lite_drop(void)
{
	if (journal_lite != NULL)
		journal_sqlite_backend.close(journal_lite);
	journal_lite = NULL;
	free(journal_lite_at);
	journal_lite_at = NULL;
}

void
journal_reader_close(void)
{
	pthread_mutex_lock(&journal_reader_lock);
	if (journal_reader != NULL)
		journal_pg_backend.close(journal_reader);
	journal_reader = NULL;
	free(journal_reader_at);
	journal_reader_at = NULL;
	journal_lite_drop();
	pthread_mutex_unlock(&journal_reader_lock);
}

/* Read system from the SQLite journal at path (the lock held). */
static int
journal_read_lite(const char *path, const struct stat *sb, const char *system,
    time_t from, time_t to, struct spans *known, struct journal_outage **outs,
    size_t *nouts, char **cause)
{
	struct journal_db_opts o = { NULL, NULL, NULL, 1 };
	int corrupt;

	if (journal_lite != NULL &&
	    (strcmp(journal_lite_at, path) != 0 ||
	        journal_lite_dev != sb->st_dev ||
	        journal_lite_ino != sb->st_ino))
		journal_lite_drop();
	if (journal_lite == NULL) {
		if ((journal_lite = journal_sqlite_backend.open(path, &o,
		         &corrupt, cause)) == NULL)
			return -1;
		if (!journal_reader_atexit++)
			atexit(journal_reader_close);
		journal_lite_at = xstrdup(path);
		journal_lite_dev = sb->st_dev;
		journal_lite_ino = sb->st_ino;
	}
	if (journal_sqlite_backend.read_system(journal_lite, system, from, to,
	        known, outs, nouts, cause) == 0)
		return 0;
	/* Opened again at the next read. */
	journal_lite_drop();
	return -1;
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
	char *path = NULL, *where, *err = NULL;
	struct stat sb;
	int rc;

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
		pthread_mutex_lock(&journal_reader_lock);
		rc = journal_read_lite(path, &sb, system, from, to, known, outs,
		    nouts, &err);
		pthread_mutex_unlock(&journal_reader_lock);
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
