/*
 * The sums of one FOCUS feed run, by FOCUS 1.x delivery semantics. Rows go
 * in per file (a delivery) and billing period; a row's cost is spread over
 * the UTC days of its charge period in proportion to the seconds it has in
 * each (exactly: the shares add up to the row's amount to the millionth).
 * A provider that corrects a billing period delivers it whole again, as a
 * new file: for each billing period the newest file holding rows of it
 * (modification time, then name) supplies all of that period's rows, and
 * the other files' rows of it are left out. A file without billing period
 * columns is a delivery of its own and is always taken.
 *
 * What a run covers is every day of each billing period taken and every
 * day a taken row is charged for; each system of the feed gets a value for
 * each of those days (0 when it has no row), and a day no delivery covers
 * stays unknown. Pure: no I/O, no clock.
 */
#ifndef FOCUS_SUM_H
#define FOCUS_SUM_H

#include <stddef.h>

#define FOCUS_SUM_DAY 86400LL
/* A charge or billing period longer than this is refused: 10 years. */
#define FOCUS_SUM_MAX_DAYS 3660
/* Deliveries spanning more than this are refused: 20 years. */
#define FOCUS_SUM_MAX_SPAN 7320

struct focus_sum;

struct focus_sum *focus_sum_new(void);
void focus_sum_free(struct focus_sum *);

/* A file of the run, by its name (its path below the feed's directory)
 * and modification time. Returns its index. */
size_t focus_sum_file(struct focus_sum *, const char *name, long long mtime);
/* The index of a system id (added when new). */
size_t focus_sum_system(struct focus_sum *, const char *id);
size_t focus_sum_nsystems(const struct focus_sum *);
const char *focus_sum_system_id(const struct focus_sum *, size_t sys);

struct focus_sum_row {
	size_t file;
	size_t sys;
	int has_bp; /* the file has billing periods */
	long long bp_start, bp_end; /* seconds; end exclusive */
	long long start, end; /* the charge period; end exclusive */
	long long micros;
};

/*
 * Add a row. Returns 0, or -1 when its charge period, -2 when its billing
 * period, is longer than FOCUS_SUM_MAX_DAYS days (*days says how long).
 */
int focus_sum_add(struct focus_sum *, const struct focus_sum_row *,
    long long *days);

/*
 * After the last row: choose each billing period's delivery. note is
 * called once for each file whose rows of a period were replaced:
 * note(period start, the file taken, the file left out, arg). Returns 0,
 * or -1 with *cause when the deliveries span more than FOCUS_SUM_MAX_SPAN
 * days.
 */
int focus_sum_select(struct focus_sum *,
    void (*note)(long long bp_start, const char *taken, const char *left,
        void *arg),
    void *arg, char **cause);

/* The first and last day covered (days since the epoch); 0 when none. */
int focus_sum_range(const struct focus_sum *, long long *first,
    long long *last);
/* 1 when a delivery covers day. */
int focus_sum_covered(const struct focus_sum *, long long day);
/* The millionths of sys on day (after focus_sum_select). */
long long focus_sum_value(const struct focus_sum *, size_t sys, long long day);

/*
 * The share in millionths, of a row of micros over [start, end), that
 * falls in day: by seconds, rounded so that the days' shares add up to
 * micros exactly.
 */
long long focus_sum_share(long long micros, long long start, long long end,
    long long day);

#endif
