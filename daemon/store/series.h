/*
 * Reading stored series back for graphs, reports and the dashboard: where
 * a system's files are, and their rows over a period at a step, fetched
 * with librrd. Nothing here writes.
 */
#ifndef SERIES_H
#define SERIES_H

#include <stddef.h>
#include <time.h>

struct series_rows {
	time_t start; /* the first row's start */
	unsigned long step; /* seconds a row covers */
	size_t nrows;
	size_t nds;
	char **names; /* nds data source names */
	double *vals; /* nrows * nds, NAN unknown */
};

/*
 * The rows of the file at path with consolidation cf over [from, to), at
 * the step librrd picks for want (the finest archive that covers the
 * period, at least want). Returns 0; 1 when the file does not exist (no
 * data, out zeroed); -1 with a message in *cause.
 */
int series_fetch(const char *path, const char *cf, time_t from, time_t to,
    unsigned long want, struct series_rows *out, char **cause);
void series_rows_free(struct series_rows *);
/*
 * Call cb(path, arg) before each fetch: the tool and a viewer daemon
 * flush the file through rrdcached there. NULL: nothing (the dashboard of
 * a daemon that collects, whose writer thread owns the rrdcached
 * connection, reads the files as they are).
 */
void series_set_flush(void (*cb)(const char *path, void *arg), void *arg);
/*
 * The row that holds the file's last update, when it is unknown: librrd
 * keeps a step that is not over out of its archives, so a reading shows
 * a step later (a licence count: up to ten minutes after the first).
 * Its GAUGE data sources get the values of that update, the newest
 * readings; rates and counts are left unknown (their update is no value
 * of the row). For graphs; the numbers of reports and exports stay
 * librrd's.
 */
void series_fill_last(const char *path, struct series_rows *);
/* Flush path as series_set_flush says, before reading it otherwise. */
void series_flush_file(const char *path);
/* The index of a data source, or -1. */
int series_ds(const struct series_rows *, const char *name);
/* The value of data source ds at time t (NAN when outside or unknown). */
double series_at(const struct series_rows *, int ds, time_t t);

/*
 * The series ids of system in perspective whose id starts with prefix (""
 * for all), sorted, as found in the data directory. Returns how many; the
 * caller frees each and *out.
 */
size_t series_list(const char *data_dir, const char *perspective,
    const char *system, const char *prefix, char ***out);

/*
 * The perspectives in which system has a file for series (a feed's
 * series, which the configuration does not list), at most max of them in
 * out, in the order of ident_perspectives. Returns how many there are.
 */
size_t series_perspectives(const char *data_dir, const char *system,
    const char *series, const char **out, size_t max);

/*
 * The type of data source ds in the file at path ("GAUGE", "ABSOLUTE",
 * ...) in buf; 0, or -1 when the file or the data source is not there.
 */
int series_ds_type(const char *path, const char *ds, char *buf, size_t len);

#endif
