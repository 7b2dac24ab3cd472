/*
 * The rrdcached client: librrd's rrdc_* calls (one connection per process,
 * owned by whoever calls these: the store's writer thread in the daemon),
 * the name a file has for rrdcached, updates cut to fit librrd's request
 * buffer, and a lost connection told apart from a refused request.
 */
#ifndef CACHED_H
#define CACHED_H

#include <rrd.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* What a call came to. */
#define CACHED_OK 0
#define CACHED_REFUSED (-1) /* rrdcached answered with an error */
#define CACHED_LOST (-2) /* no connection (any more) */

/* 1 if addr names a unix socket. */
int cached_is_unix(const char *addr);

/* Connect (again) to addr. CACHED_OK, or CACHED_LOST with *cause. */
int cached_connect(const char *addr, char **cause);
void cached_disconnect(void);

/*
 * The name rrdcached knows the file path by: the path itself on a unix
 * socket (librrd resolves it, so the file must exist); over TCP the path
 * relative to data_dir, which must be rrdcached's base directory (-b).
 * NULL when path is not below data_dir.
 */
const char *cached_name(const char *addr, const char *data_dir,
    const char *path);

/*
 * Send n updates ("time:v:v...", in the file's data source order) in as
 * few requests as fit. *sent says how many rrdcached took, also on error.
 */
int cached_update(const char *name, const char *const *vals, size_t n,
    size_t *sent, char **cause);
/* Update requests rrdcached acknowledged to this process, since start. */
uint64_t cached_acked(void);
/*
 * The update requests rrdcached says it received since it started (its
 * STATS UpdatesReceived: every connection's, its journal's replay too).
 */
int cached_received(uint64_t *n, char **cause);
int cached_flush(const char *name, char **cause);
int cached_forget(const char *name, char **cause);
/* Flush, then the file's info (NULL with a result in *rc and *cause). */
rrd_info_t *cached_info(const char *name, int *rc, char **cause);
/* Create a file through rrdcached (over TCP; it makes the directories when
 * started with -R). */
int cached_create(const char *name, unsigned long step, time_t start, int argc,
    const char **argv, char **cause);

/*
 * For readers (the tool): connect to addr and flush path so the file holds
 * every value rrdcached has for it. 0, or -1 with *cause.
 */
int cached_flush_path(const char *addr, const char *data_dir, const char *path,
    char **cause);

#endif
