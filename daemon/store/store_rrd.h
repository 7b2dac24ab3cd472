/*
 * The RRD store: the only writer of RRD files. Items are queued by the loop
 * thread and written by one writer thread, in order, so the loop never waits
 * for the disk. Files are created from their template on first write.
 */
#ifndef STORE_RRD_H
#define STORE_RRD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "template.h"

struct store_item {
	struct store_item *next;
	char *path; /* <data_dir>/rrd/<perspective>/<system>/<series>.rrd */
	struct tmpl *tmpl; /* a reference, dropped by the store */
	unsigned step; /* step of a file created for this item */
	time_t t;
	double *vals; /* tmpl->nds values, NAN for unknown */
	int *result; /* if not NULL: set to 0 (stored) or -1 */
	/*
	 * A replacing item (store_item_new_rows): nrows rows at times[],
	 * rows[] values, which replace what the file holds from the first
	 * to the last time; the rest of the file is kept. The file is
	 * rebuilt beside and renamed over: a reader never sees it half made.
	 * Rows not given are unknown, never filled from a neighbour.
	 *
	 * With a counting template (tmpl->count) the rows are counts at the
	 * ends of their rows (buckets): each is added to what the file holds
	 * in that row, and nothing else changes. An ABSOLUTE data source
	 * holds count / step, so its rows sum back to the counts exactly.
	 */
	size_t nrows;
	time_t *times;
	double *rows;
};

struct store_stats {
	uint64_t updates; /* values written */
	uint64_t errors; /* writes that failed */
	uint64_t rejected; /* updates at or before a file's last update */
	uint64_t created; /* files created */
	uint64_t queued; /* items waiting now */
	uint64_t writer_beat; /* seconds since the writer last went idle/busy */
	uint64_t oldest_age; /* seconds the oldest held update has waited */
	uint64_t delay; /* write_delay */
	/* rrdcached (all 0 without it). */
	uint64_t cached_up; /* 1 while connected */
	uint64_t cached_down; /* 1 while configured and not connected */
	uint64_t buffered; /* values held while not connected */
	uint64_t dropped; /* values dropped: not connected, buffer full */
	uint64_t reconnects;
	uint64_t replayed; /* sent again: rrdcached lost them as it went */
};

struct store;

struct store *store_new(const char *data_dir);
int store_start(struct store *, char **cause);
/* Queue an item; the store owns it from here. Thread: loop. */
void store_submit(struct store *, struct store_item *);
/* Write what is queued, then stop the writer thread. */
void store_stop(struct store *);
void store_free(struct store *);
void store_get_stats(struct store *, struct store_stats *);
/*
 * Hold each file's updates back up to seconds and write them with one
 * librrd call (0, the default: write each at once). Before store_start.
 */
void store_set_delay(struct store *, unsigned seconds);
const char *store_data_dir(const struct store *);
/*
 * A reader is about to open the file at path (NULL: every file): ask the
 * writer to write what it holds for it (write_delay), after everything
 * queued before, and through rrdcached to the file. Returns the request's
 * number for store_flush_done. Any thread; never blocks on the writer.
 */
uint64_t store_flush_request(struct store *, const char *path);
/* 1 when request n (and all before it) has been served. Any thread. */
int store_flush_done(struct store *, uint64_t n);
/*
 * Call cb(arg) whenever flush requests have been served, on the writer
 * thread (or the one stopping the store), under the store's lock: cb must
 * only wake someone, e.g. event_active. NULL: nobody; once this returns,
 * the previous cb is not running. Any thread.
 */
void store_set_flush_notify(struct store *, void (*cb)(void *), void *arg);
/*
 * store_flush_request, then wait up to timeout_ms for it: 0 when served,
 * -1 when not (the writer is not running, or is busy). Not on the loop
 * thread.
 */
int store_flush_wait(struct store *, const char *path, unsigned timeout_ms);
/*
 * Write through rrdcached at addr ("unix:/path" or "host:port"; NULL:
 * write the files directly), holding up to buffer_max values while it is
 * unreachable. Before store_start.
 */
void store_set_rrdcached(struct store *, const char *addr, size_t buffer_max);

/*
 * The file of a series. Every part is checked against its pattern; NULL
 * when one fails (nothing unchecked becomes a path).
 */
char *store_path(const char *data_dir, const char *perspective,
    const char *system, const char *series);

struct store_item *store_item_new(const char *path, struct tmpl *tmpl,
    unsigned step, time_t t);
/* A replacing item of n rows (times and values set by the caller). */
struct store_item *store_item_new_rows(const char *path, struct tmpl *tmpl,
    unsigned step, size_t n);
void store_item_free(struct store_item *);

/*
 * Write one item now, in the calling thread (the writer thread and tools).
 * Returns 0, or -1 with a message in *cause.
 */
int store_write_now(struct store *, struct store_item *, char **cause);

#endif
