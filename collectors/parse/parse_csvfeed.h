/*
 * Generic CSV feeds (RFC 4180 and the common variants): a header row naming
 * the columns, then rows of which one column holds the time and others the
 * values to keep, e.g. a FinOps FOCUS cost export:
 *
 *	ChargePeriodStart,BilledCost,EffectiveCost,...
 *	2023-01-01T00:00:00Z,2.00,0.00,...
 *
 * Pure: a buffer (any bytes) in, a struct out; a bad row or cell is
 * reported in the error list and the others are kept.
 *
 * Fields may be quoted ("a, b", "say ""hi""") and quoted fields may hold
 * line breaks; rows end with LF, CRLF or CR; blank lines are skipped; spaces
 * and tabs around unquoted fields are dropped. Header names are trimmed, a
 * UTF-8 byte order mark before the first is dropped, and they are matched
 * exactly (case counts); a needed name given twice is reported and its first
 * column used. A needed column missing from the header sets ok to 0 and
 * error, and no row is read.
 *
 * The date cell is read with parse_time (so "2023-01-01", RFC 3339 times
 * with a zone, or epoch seconds), trimmed, and kept as epoch seconds (a
 * fraction is dropped, toward the past); a row without a good one is
 * reported and dropped. A value cell is a plain decimal number ("12",
 * "-0.5", "1e3"), trimmed; an empty one is NAN, anything else ("$10.00",
 * "null", "1,000") is reported and NAN. Numbers are read with strtod, so
 * LC_NUMERIC must be "C" (the default). A row too short to hold a needed
 * column is reported.
 *
 * Rows come out sorted by time, rows of equal times in file order; a time
 * given again is reported and the later row dropped.
 */
#ifndef PARSE_CSVFEED_H
#define PARSE_CSVFEED_H

#include <stddef.h>

#define PARSE_CSVFEED_MAX_ROWS 4096 /* kept; the rest: one error */
#define PARSE_CSVFEED_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_csvfeed_opts {
	const char *date_column; /* header name of the time column */
	const char *const *value_columns; /* header names of the values */
	size_t nvalues;
};

struct parse_csvfeed_row {
	long long time; /* epoch seconds */
	double *values; /* nvalues, in the order of value_columns; NAN for
	                   empty or bad cells */
	size_t line; /* line of the file where the row starts */
};

struct parse_csvfeed {
	struct parse_csvfeed_row *rows; /* sorted by time */
	size_t nrows;
	char **errors; /* "row 7 (line 8): column BilledCost: bad number" */
	size_t nerrors;
	int ok; /* 0 when there is no header or it lacks a needed column */
	char *error; /* why ok is 0; NULL when ok */
};

/*
 * Parse buf[0..len) with the columns of *opts into *out, which is always
 * filled; release it with parse_csvfeed_free (which also accepts a zeroed
 * struct). Rows are numbered from 1, the first after the header.
 */
void parse_csvfeed(const char *buf, size_t len,
    const struct parse_csvfeed_opts *opts, struct parse_csvfeed *out);
void parse_csvfeed_free(struct parse_csvfeed *);

#endif
