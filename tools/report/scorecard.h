/*
 * The quarterly scorecard's rows, shared by its printers (scorecard.c)
 * and its HTML document (scorehtml.c).
 */
#ifndef SCORECARD_H
#define SCORECARD_H

#include <stddef.h>
#include <stdio.h>

#include "availability.h"

struct conf;
struct cost_basis;
struct period;

enum scorecard_kind {
	SCORECARD_ROW, /* a system, or a group of them */
	SCORECARD_UNALLOCATED, /* cost no feed could map to a system */
	SCORECARD_TOTAL, /* every row above */
};

struct scorecard_row {
	char *name;
	enum scorecard_kind kind;
	size_t nsystems;
	struct avail avail; /* the sum of its systems' seconds */
	long long cost_micros;
	size_t cost_days; /* known days; 0: no data */
	/* Cost per user: the systems with a users figure only. */
	long long cpu_micros;
	size_t cpu_days;
	double users; /* their mean users, summed */
	size_t no_users; /* systems without a users figure */
	double lic_used, lic_issued;
	double benefit[2]; /* external, internal */
	size_t benefit_n[2];
};

enum {
	SC_AVAIL,
	SC_COVERAGE,
	SC_OUTAGES,
	SC_COST,
	SC_CPU,
	SC_NOUSERS,
	SC_LIC,
	SC_EXT,
	SC_INT,
	SC_SVC_AVAIL, /* within service hours */
	SC_SVC_OUTAGES,
	SC_N
};
/* The column names of CSV and JSON, by SC_*. */
extern const char *const scorecard_cols[SC_N];

/*
 * The rows: systems (by NULL) or groups sorted by name, then unallocated
 * and total. NULL with a message in err when a file cannot be read.
 */
struct scorecard_row *scorecard_build(const struct conf *, const char *by,
    const struct period *, size_t *nrows, char *err, size_t errlen);
void scorecard_rows_free(struct scorecard_row *, size_t n);
/*
 * A row's figures as printed, "" when unknown; grouped: with thousands
 * separators (text and HTML), else plain (CSV, JSON).
 */
void scorecard_figures(const struct scorecard_row *, int grouped,
    char out[SC_N][48]);

/* The rows as JSON, CSV and text (what `report scorecard` prints). */
void scorecard_json(FILE *, const struct tz *, const char *by,
    const struct period *, const struct cost_basis *,
    const struct scorecard_row *rows, size_t n);
void scorecard_csv(FILE *, const char *by, const struct cost_basis *,
    const struct scorecard_row *rows, size_t n);
void scorecard_text(FILE *, const struct tz *, const char *by,
    const struct period *, const struct cost_basis *,
    const struct scorecard_row *rows, size_t n);

/* The HTML document: the table with its units, then its charts. */
int scorecard_html(const char *file, const struct conf *, const char *by,
    const struct period *, const struct cost_basis *,
    const struct scorecard_row *rows, size_t n);

#endif
