/*
 * xAPI statements (Experience API 1.0.3, IEEE 9274.1.1) as a Learning
 * Record Store answers GET /statements: one page of a statement result,
 *
 *	{"statements": [STATEMENT, ...], "more": "/xapi/statements?more=..."}
 *
 * where "more" is the URL of the next page, "" (or absent) on the last. A
 * single statement object (the answer to GET /statements?statementId=...)
 * and a bare array of statements are read too. Pure: a buffer (any bytes)
 * in, a struct out; a bad statement is reported in the error list and the
 * others are kept.
 *
 * Of a statement are kept its "id", "verb"."id", "object"."id" and
 * "stored", the time the LRS stored it, also read with parse_time into
 * nanoseconds. A missing or bad one is reported and kept as "" (stored_ns
 * 0), except object.id for objects that have none (objectType Agent, Group
 * or SubStatement): the statement is kept either way. A statement id seen
 * before in the page is reported and the later statement dropped. Keys are
 * matched exactly, as xAPI says. A document that is not JSON (e.g.
 * truncated) or holds no statements at all sets ok to 0 and error; a UTF-8
 * byte order mark is skipped. A key repeated in one object is reported (the
 * first only, a limit of the JSON library) and its last value used.
 */
#ifndef PARSE_XAPI_H
#define PARSE_XAPI_H

#include <stddef.h>

#define PARSE_XAPI_MAX_STATEMENTS 4096 /* the rest: one error */
#define PARSE_XAPI_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_xapi_statement {
	char *id; /* "" when missing */
	char *verb; /* verb.id, "" when missing */
	char *object; /* object.id, "" when missing */
	char *stored; /* as given, "" when missing */
	long long stored_ns; /* stored, ns since the epoch; 0 if missing/bad */
};

struct parse_xapi {
	struct parse_xapi_statement *statements; /* in document order */
	size_t n;
	char *more; /* as given: NULL when absent or null, "" when no more */
	int ok; /* 0 when not JSON or no statements at all */
	char *error; /* why ok is 0; NULL when ok */
	char **errors; /* "statements[3]: no verb.id" */
	size_t nerrors;
};

/*
 * Parse buf[0..len) into *out, which is always filled; release it with
 * parse_xapi_free (which also accepts a zeroed struct).
 */
void parse_xapi(const char *buf, size_t len, struct parse_xapi *out);
void parse_xapi_free(struct parse_xapi *);

#endif
