/*
 * Generic JSON feeds: a document is loaded once, then numbers and
 * timestamps are read from it at places named by JSON Pointers (RFC 6901),
 * as the configuration gives them:
 *
 *	""		the whole document
 *	/value/0/skuId	member "value", element 0, member "skuId"
 *	/a~1b/m~0n	member "a/b", member "m~n" (~1 is '/', ~0 is '~')
 *
 * An array index is 0 or a decimal number without leading zeros, below the
 * array's size; "-" (the element after the last) names nothing to read.
 * Pure: buffers in, values out; no I/O.
 *
 * The document may start with a UTF-8 byte order mark; any JSON value may
 * be the whole document. Integers are read as doubles (exact up to 2^53), so
 * that no number is too large to load. A document with a key repeated in
 * one object is refused: a pointer through it could not say which is meant.
 */
#ifndef PARSE_JSONFEED_H
#define PARSE_JSONFEED_H

#include <stddef.h>

struct parse_jsonfeed; /* opaque: a parsed document */

/*
 * Load buf[0..len). NULL if it is not a JSON document, and then *cause (if
 * cause is not NULL) is set to an allocated message ("line 3 column 7:
 * ...") that the caller frees.
 */
struct parse_jsonfeed *parse_jsonfeed_load(const char *buf, size_t len,
    char **cause);

/*
 * The number at pointer: a JSON number, or a string holding a plain decimal
 * number ("12", "-0.5", "1e3"; no blanks, no hex, no "nan"). Returns 0 and
 * *out, or -1 and *cause (allocated, if cause is not NULL) saying why: a bad
 * pointer, nothing there, another type, a value that is not finite.
 */
int parse_jsonfeed_number(const struct parse_jsonfeed *, const char *pointer,
    double *out, char **cause);

/*
 * A timestamp at pointer: a JSON number of epoch seconds (a fraction is
 * dropped, toward the past), or a string parse_time accepts. Returns 0 and
 * *epoch in seconds, or -1 and *cause as above. Times must lie where
 * parse_time's do (1677 to 2262).
 */
int parse_jsonfeed_time(const struct parse_jsonfeed *, const char *pointer,
    long long *epoch, char **cause);

/*
 * The rows of a document that holds a list of points, such as
 *
 *	{"days": [{"date": "2026-01-01", "transactions": 4711}, ...]}
 *
 * with rows "/days", time "/date" and values { "/transactions" }: each
 * element of the array at rows is one row, its time and values read at
 * the pointers taken from the element (parse_jsonfeed_time and
 * parse_jsonfeed_number). *out is filled as parse_csvfeed fills it (see
 * parse_csvfeed.h; release it with parse_csvfeed_free): rows sorted by
 * time, equal times in document order and the later ones reported and
 * dropped, at most PARSE_CSVFEED_MAX_ROWS of them; a row's line is its
 * element's index. An element without a good time is reported and
 * dropped; a value it lacks or that is no number is reported and NAN.
 * When rows names nothing or no array, ok is 0 and error says why.
 */
struct parse_csvfeed;
void parse_jsonfeed_rows(const struct parse_jsonfeed *, const char *rows,
    const char *time, const char *const *values, size_t nvalues,
    struct parse_csvfeed *out);

void parse_jsonfeed_free(struct parse_jsonfeed *);

/*
 * Whether pointer is a well-formed JSON Pointer: "" or "/" tokens in which
 * '~' is followed by '0' or '1'. For checking configuration; 1 or 0.
 */
int parse_jsonfeed_pointer_valid(const char *pointer);

#endif
