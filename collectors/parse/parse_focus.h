/*
 * FinOps FOCUS cost and usage CSV (1.0 to 1.3), read as a stream: bytes go
 * in as they arrive, a callback gets each row's charge period, billing
 * period, cost, system key and currency. Columns are found by header name;
 * extra and x_ columns are allowed; BillingPeriodStart and BillingPeriodEnd
 * are read when the header has them (FOCUS requires them; a hand-made file
 * may lack them). BOM, CRLF, quoted fields, embedded newlines and blank lines
 * are handled. Amounts are parsed exactly, as millionths, never through a
 * float. A row with a malformed date or number is rejected (reported with
 * its row and column) and the rest of the file is still read. Pure: no
 * I/O; memory stays flat whatever the file's size.
 */
#ifndef PARSE_FOCUS_H
#define PARSE_FOCUS_H

#include <stddef.h>

#define PARSE_FOCUS_MAX_ERRORS 64 /* the last says more were dropped */
#define PARSE_FOCUS_MICROS 1000000LL

struct parse_focus_row {
	long long start; /* ChargePeriodStart, epoch seconds */
	long long end; /* ChargePeriodEnd, exclusive */
	long long micros; /* the cost column, in millionths */
	/* BillingPeriodStart and End, when the header has the start column
	 * (has_bp 1); without an end column, bp_end is bp_start. */
	int has_bp;
	long long bp_start;
	long long bp_end;
	const char *key; /* the system key's value; NULL when none */
	const char *currency; /* BillingCurrency, "" when none */
	size_t row; /* data row number, from 1 */
};

typedef void (*parse_focus_cb)(const struct parse_focus_row *, void *arg);

struct parse_focus;

/* The cost columns a parser may sum (FOCUS 1.x), NULL-terminated. */
extern const char *const parse_focus_cost_columns[];

/*
 * A parser for the cost column (one of parse_focus_cost_columns) and the
 * system key: "tag:KEY" (a key of the Tags JSON object) or "column:NAME".
 */
struct parse_focus *parse_focus_new(const char *cost_column,
    const char *system_key, parse_focus_cb cb, void *arg);
void parse_focus_feed(struct parse_focus *, const char *buf, size_t len);
/*
 * The end of the input. Returns 0, or -1 when the file could not be read
 * as FOCUS at all (no header, a required column missing): *cause says why.
 */
int parse_focus_finish(struct parse_focus *, char **cause);
/* Rows read and rejected so far, and the errors ("row 7, column X: ..."). */
size_t parse_focus_rows(const struct parse_focus *);
size_t parse_focus_rejected(const struct parse_focus *);
char *const *parse_focus_errors(const struct parse_focus *, size_t *n);
void parse_focus_free(struct parse_focus *);

/* "12.34", "-0.5", "1e3": millionths, exactly (rounded half away at the
 * seventh decimal). 0, or -1 when it is not a plain decimal number. */
int parse_focus_amount(const char *s, size_t len, long long *micros);

/*
 * The string value of key in the JSON object s, when s is a plain one (no
 * escapes, nesting or non-ASCII; string or null values): 1 with *v and
 * *vlen (into s), 0 when the key is absent or not a string, -1 when s is
 * not such an object (ask a JSON parser).
 */
int parse_focus_tag(const char *s, size_t len, const char *key, const char **v,
    size_t *vlen);
/* The same on a Tags field as it lies in the CSV record: qw 2 when it was
 * quoted and its quotes are still doubled, 1 otherwise. */
int parse_focus_tag_quoted(const char *s, size_t len, const char *key,
    const char **v, size_t *vlen, int qw);

#endif
