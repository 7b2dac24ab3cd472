/*
 * The rrdcached client: librrd's rrdc_* calls (one connection per process,
 * owned by whoever calls these: the store's writer thread in the daemon)
 * for all but updates and STATS, which go on a connection of our own, with
 * deadlines (cached_batch.c); the name a file has for rrdcached, and a
 * lost connection told apart from a refused request.
 */
#ifndef CACHED_H
#define CACHED_H

#include <rrd.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* An rrdcached that takes longer than this to take a batch (or STATS) and
 * answer it is taken as gone: the connection is dropped. */
#define CACHED_BATCH_TIMEOUT_MS 15000

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
 * Updates, many files' at once (writer thread only): reset, add each
 * file's n updates ("time:v:v...", in the file's data source order) named
 * dir/name (dir NULL: name alone), in as few commands as fit an rrdcached
 * line (the index of the first returned, how many in *ncmd), send, then
 * each file's result. Open connects the batches' own connection (again)
 * to addr; one rrdcached closed since the last batch is connected again
 * when sending, as librrd does.
 */
int cached_batch_open(const char *addr, char **cause);
void cached_batch_close(void);
void cached_batch_reset(void);
size_t cached_batch_add(const char *dir, const char *name,
    const char *const *vals, size_t n, size_t *ncmd);
/* The batch's size in bytes so far. */
size_t cached_batch_size(void);
/*
 * Send the batch and read the answer, within CACHED_BATCH_TIMEOUT_MS:
 * CACHED_OK when rrdcached answered (each command's result is known), or
 * CACHED_LOST with *cause: nothing of the batch can be trusted, the
 * connection is closed. When rrdcached refuses BATCH (its -P), each
 * command is sent alone on that connection: cached_batch_refuses says so.
 */
int cached_batch_send(char **cause);
int cached_batch_refuses(void);
/*
 * After a sent batch: CACHED_OK, or CACHED_REFUSED with rrdcached's
 * message for the first refused command of first..first+ncmd; *sent the
 * updates of the commands it took (rrdcached takes none of a command it
 * refuses: an update at or before the file's last is refused at the first
 * of a file's ordered updates).
 */
int cached_batch_result(size_t first, size_t ncmd, size_t *sent, char **cause);
/* Update commands rrdcached took from this process, since start. */
uint64_t cached_acked(void);
/*
 * The update requests rrdcached says it received since it started (its
 * STATS UpdatesReceived: every connection's, its journal's replay too),
 * asked on the batches' connection, within CACHED_BATCH_TIMEOUT_MS.
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
