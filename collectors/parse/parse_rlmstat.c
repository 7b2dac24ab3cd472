/*
 * Parser of "rlmstat -a" output. The buffer is cut into lines (LF or CRLF),
 * each trimmed and recognised on its own; the parser remembers the section
 * it is in (server status, ISV server table, license pool status, license
 * usage) and, in a pool section, the pool line waiting for its count line.
 * Products are found again through a hash index of (ISV, name), so that work
 * stays linear in the input however many pools there are.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_rlmstat.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_RLMSTAT_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_RLMSTAT_MAX_COUNT 9007199254740992.0 /* 2^53 */
#define PARSE_RLMSTAT_SLOTS (2 * PARSE_RLMSTAT_MAX_PRODUCTS) /* never full */

enum parse_rlmstat_section {
	PARSE_RLMSTAT_SEC_NONE,
	PARSE_RLMSTAT_SEC_TABLE, /* --------- ISV servers ---------- */
	PARSE_RLMSTAT_SEC_POOL, /* ISV license pool status on ... */
	PARSE_RLMSTAT_SEC_USAGE, /* ISV license usage status on ... */
};

struct parse_rlmstat_state {
	struct parse_rlmstat *out;
	size_t cap; /* entries allocated in out->products */
	size_t lineno;
	enum parse_rlmstat_section section;
	char *isv; /* of the pool section, "" before any */
	int status; /* saw "rlm status on" or a pool section */
	int failed; /* saw "Error connecting": the rest explains it */
	int full; /* product cap reached, reported */
	char *pool; /* product of the pool line waiting for its counts */
	size_t pool_line;
	int pool_token;
	/* Open addressing on (isv, name): index + 1, 0 if free. */
	unsigned short slots[PARSE_RLMSTAT_SLOTS];
};

/* Errors go to out's list, PARSE_RLMSTAT_MAX_ERRORS at most. */
#define parse_rlmstat_error(out, ...)                     \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_RLMSTAT_MAX_ERRORS, __VA_ARGS__)

static void
parse_rlmstat_skip(struct parse_rlmstat_state *st, const char *why,
    struct parse_util_span t)
{
	char q[PARSE_RLMSTAT_QUOTE + 4];

	st->out->skipped++;
	parse_rlmstat_error(st->out, "line %zu: %s: '%s'", st->lineno, why,
	    parse_util_quote(t.p, (size_t)(t.end - t.p), q, sizeof q));
}

/* Whether "token" is in s, in any case. */
static int
parse_rlmstat_token(struct parse_util_span s)
{
	const char *p;
	size_t i;

	for (p = s.p; s.end - p >= 5; p++) {
		for (i = 0; i < 5; i++) {
			if (tolower((unsigned char)p[i]) != "token"[i])
				break;
		}
		if (i == 5)
			return 1;
	}
	return 0;
}

static int
parse_rlmstat_digits(struct parse_util_span s)
{
	const char *p;

	if (s.p == s.end)
		return 0;
	for (p = s.p; p < s.end; p++) {
		if (*p < '0' || *p > '9')
			return 0;
	}
	return 1;
}

/* A version word: 'v' and a digit, as in "v3.0", "v2024.0701,". */
static int
parse_rlmstat_version(struct parse_util_span w)
{
	return w.end - w.p >= 2 && w.p[0] == 'v' && w.p[1] >= '0' &&
	    w.p[1] <= '9';
}

/*
 * A count, s all of it: 0 and *v, or the reason it is not one (*v NAN).
 */
static const char *
parse_rlmstat_count(struct parse_util_span s, double *v)
{
	const char *p = s.p;
	uint64_t n = 0;

	*v = NAN;
	if (p < s.end && *p == '-' && s.end - p > 1) {
		for (p++; p < s.end && *p >= '0' && *p <= '9'; p++)
			;
		return p == s.end ? "negative" : "not a number";
	}
	if (!parse_rlmstat_digits(s))
		return "not a number";
	for (; p < s.end; p++) {
		if (n <= (uint64_t)PARSE_RLMSTAT_MAX_COUNT)
			n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > (uint64_t)PARSE_RLMSTAT_MAX_COUNT)
		return "too large";
	*v = (double)n;
	return NULL;
}

/* The product (isv, name), made if new; NULL past the cap. */
static struct parse_rlmstat_product *
parse_rlmstat_product(struct parse_rlmstat_state *st, const char *name)
{
	struct parse_rlmstat *out = st->out;
	struct parse_rlmstat_product *pr;
	unsigned short *slot;
	uint32_t h;

	h = parse_util_hash(PARSE_UTIL_HASH, st->isv, strlen(st->isv));
	h = parse_util_hash(h ^ 0xff, name, strlen(name)) % PARSE_RLMSTAT_SLOTS;
	for (;; h = (h + 1) % PARSE_RLMSTAT_SLOTS) {
		slot = &st->slots[h];
		if (*slot == 0)
			break;
		pr = &out->products[*slot - 1];
		if (strcmp(pr->isv, st->isv) == 0 &&
		    strcmp(pr->name, name) == 0)
			return pr;
	}
	if (out->nproducts == PARSE_RLMSTAT_MAX_PRODUCTS) {
		if (!st->full)
			parse_rlmstat_error(out,
			    "line %zu: more than %d products, the rest are ignored",
			    st->lineno, PARSE_RLMSTAT_MAX_PRODUCTS);
		st->full = 1;
		return NULL;
	}
	if (out->nproducts == st->cap) {
		st->cap = st->cap == 0 ? 16 : st->cap * 2;
		out->products =
		    xreallocarray(out->products, st->cap, sizeof *pr);
	}
	pr = &out->products[out->nproducts++];
	memset(pr, 0, sizeof *pr);
	pr->isv = xstrdup(st->isv);
	pr->name = xstrdup(name);
	*slot = (unsigned short)out->nproducts;
	return pr;
}

/* A pool line still waiting for its count line is an error. */
static void
parse_rlmstat_flush(struct parse_rlmstat_state *st)
{
	char q[PARSE_RLMSTAT_QUOTE + 4];

	if (st->pool == NULL)
		return;
	parse_rlmstat_error(st->out, "line %zu: pool of %s has no count line",
	    st->pool_line, parse_util_quote_str(st->pool, q, sizeof q));
	free(st->pool);
	st->pool = NULL;
}

/* "count: 1, # reservations: 0, inuse: 0, exp: 31-jan-2022" */
static void
parse_rlmstat_counts(struct parse_rlmstat_state *st, struct parse_util_span t)
{
	static const char *const keys[3] = { "count", "# reservations",
		"inuse" };
	struct parse_rlmstat_product *pr;
	struct parse_util_span item, k, v;
	const char *p, *comma, *colon, *why;
	double vals[3] = { NAN, NAN, NAN }, x;
	int seen[3] = { 0, 0, 0 };
	char q1[PARSE_RLMSTAT_QUOTE + 4], q2[PARSE_RLMSTAT_QUOTE + 4];
	size_t i;

	if (st->pool == NULL) {
		parse_rlmstat_skip(st, "count line without a pool line", t);
		return;
	}
	for (p = t.p; p < t.end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(t.end - p))) == NULL)
			comma = t.end;
		item = parse_util_trim(p, comma);
		colon = memchr(item.p, ':', (size_t)(item.end - item.p));
		if (colon == NULL)
			continue;
		k = parse_util_trim(item.p, colon);
		v = parse_util_trim(colon + 1, item.end);
		for (i = 0; i < 3; i++) {
			if (!parse_util_equal(k.p, k.end, keys[i]))
				continue;
			if (seen[i]++) {
				parse_rlmstat_error(st->out,
				    "line %zu: pool of %s: %s given twice",
				    st->lineno,
				    parse_util_quote_str(st->pool, q1,
				        sizeof q1),
				    keys[i]);
				break;
			}
			if ((why = parse_rlmstat_count(v, &x)) != NULL)
				parse_rlmstat_error(st->out,
				    "line %zu: pool of %s: %s '%s': %s",
				    st->lineno,
				    parse_util_quote_str(st->pool, q1,
				        sizeof q1),
				    keys[i],
				    parse_util_quote(v.p, (size_t)(v.end - v.p),
				        q2, sizeof q2),
				    why);
			vals[i] = x;
		}
		if (comma == t.end)
			break;
	}
	for (i = 0; i < 3; i++) {
		if (!seen[i])
			parse_rlmstat_error(st->out,
			    "line %zu: pool of %s: no %s", st->lineno,
			    parse_util_quote_str(st->pool, q1, sizeof q1),
			    keys[i]);
	}
	if ((pr = parse_rlmstat_product(st, st->pool)) != NULL) {
		pr->count += vals[0];
		pr->reserved += vals[1];
		pr->inuse += vals[2];
		pr->token_based |= st->pool_token || parse_rlmstat_token(t);
		pr->pools++;
	}
	free(st->pool);
	st->pool = NULL;
}

/*
 * A line of the pool section: a pool ("NAME vVER[, pool: N]"), its count
 * line, or another "key: value, ..." line of it. 1 if it is one.
 */
static int
parse_rlmstat_pool_line(struct parse_rlmstat_state *st,
    struct parse_util_span t)
{
	struct parse_util_span w0, w1, rest;
	const char *p = t.p;

	if (parse_util_prefix(t.p, t.end, "count:") != NULL) {
		parse_rlmstat_counts(st, t);
		return 1;
	}
	if (!parse_util_word(&p, t.end, &w0))
		return 0;
	if (w0.end[-1] == ':')
		return 1; /* obsolete: 0, min_remove: 120, ... */
	if (!parse_util_word(&p, t.end, &w1) || !parse_rlmstat_version(w1))
		return 0;
	parse_rlmstat_flush(st);
	st->pool = xstrndup(w0.p, (size_t)(w0.end - w0.p));
	st->pool_line = st->lineno;
	rest.p = w1.p + 1;
	rest.end = t.end;
	st->pool_token = parse_rlmstat_token(rest);
	return 1;
}

/* "NAME software version ..." and the like, of one server. */
static int
parse_rlmstat_server_info(struct parse_util_span t)
{
	static const char *const after[] = { " software version ",
		" comm version:", " Debug log filename:",
		" Report log filename:", " ISV server status on " };
	struct parse_util_span w;
	const char *p = t.p;
	size_t i, n;

	if (!parse_util_word(&p, t.end, &w))
		return 0;
	for (i = 0; i < sizeof after / sizeof after[0]; i++) {
		n = strlen(after[i]);
		if ((size_t)(t.end - w.end) >= n &&
		    memcmp(w.end, after[i], n) == 0)
			return 1;
	}
	return 0;
}

/* Statistics lines of a server. */
static int
parse_rlmstat_stats(struct parse_util_span t)
{
	static const char *const first[] = { "Startup time:",
		"Todays Statistics", "Recent Statistics", "Recent Stats",
		"Messages:", "Connections:", "Checkouts:", "Denials:",
		"Removals:", "Setting license file path to", "rlmutil v",
		"rlmstat v", "Copyright (C)", "Connection attempted to host:" };
	const char *p;
	size_t i;

	for (i = 0; i < sizeof first / sizeof first[0]; i++) {
		if (parse_util_prefix(t.p, t.end, first[i]) != NULL)
			return 1;
	}
	/* The times under "Recent Stats": "00:16:08  13:48:32  15d 11:08:25" */
	for (p = t.p; p < t.end; p++) {
		if (!((*p >= '0' && *p <= '9') || *p == ':' || *p == 'd' ||
		        parse_util_blank(*p)))
			return 0;
	}
	return 1;
}

/* "csci  63133   Yes   0" under "Name Port Running Restarts". */
static int
parse_rlmstat_table_row(struct parse_util_span t)
{
	struct parse_util_span w[5];
	const char *p = t.p;
	int n;

	for (n = 0; n < 5 && parse_util_word(&p, t.end, &w[n]); n++)
		;
	if (n == 4 && parse_util_equal(w[0].p, w[0].end, "Name") &&
	    parse_util_equal(w[1].p, w[1].end, "Port"))
		return 1;
	return n == 4 && parse_rlmstat_digits(w[1]) &&
	    (parse_util_equal(w[2].p, w[2].end, "Yes") ||
	        parse_util_equal(w[2].p, w[2].end, "No")) &&
	    parse_rlmstat_digits(w[3]);
}

static void
parse_rlmstat_line(struct parse_rlmstat_state *st, struct parse_util_span t)
{
	struct parse_rlmstat *out = st->out;
	struct parse_util_span w;
	const char *p, *q;

	if (parse_util_prefix(t.p, t.end, "Error connecting to ") != NULL) {
		parse_rlmstat_flush(st);
		if (out->error == NULL)
			out->error = xstrndup(t.p, (size_t)(t.end - t.p));
		st->failed = 1;
		st->section = PARSE_RLMSTAT_SEC_NONE;
		return;
	}
	if (t.p[0] == '-') {
		/* "-----" ends a section, "--- ISV servers ---" starts one. */
		for (p = t.p; p < t.end && *p == '-'; p++)
			;
		if (p == t.end ||
		    parse_util_find(t.p, t.end, " ISV servers ") != NULL) {
			parse_rlmstat_flush(st);
			st->section = p == t.end ? PARSE_RLMSTAT_SEC_NONE
			                         : PARSE_RLMSTAT_SEC_TABLE;
			return;
		}
	}
	if (parse_util_prefix(t.p, t.end, "rlm status on ") != NULL) {
		st->status = 1;
		return;
	}
	if ((q = parse_util_find(t.p, t.end, " license pool status on ")) !=
	    NULL) {
		p = t.p;
		if (parse_util_word(&p, q, &w) && p == q) {
			parse_rlmstat_flush(st);
			free(st->isv);
			st->isv = xstrndup(w.p, (size_t)(w.end - w.p));
			st->section = PARSE_RLMSTAT_SEC_POOL;
			st->status = 1;
			return;
		}
	}
	if ((q = parse_util_find(t.p, t.end, " license usage status on ")) !=
	    NULL) {
		parse_rlmstat_flush(st);
		st->section = PARSE_RLMSTAT_SEC_USAGE;
		return;
	}
	if (st->section == PARSE_RLMSTAT_SEC_POOL &&
	    parse_rlmstat_pool_line(st, t))
		return;
	if (parse_rlmstat_server_info(t) || parse_rlmstat_stats(t))
		return;
	if (st->section == PARSE_RLMSTAT_SEC_TABLE &&
	    parse_rlmstat_table_row(t))
		return;
	if (st->section == PARSE_RLMSTAT_SEC_USAGE) {
		/* "converge_super v3.0: user@host 29/0 at 11/01 09:01 ..." */
		struct parse_util_span w1;

		p = t.p;
		if (parse_util_word(&p, t.end, &w) &&
		    parse_util_word(&p, t.end, &w1) &&
		    parse_rlmstat_version(w1) && w1.end[-1] == ':')
			return;
	}
	if (st->failed)
		return; /* the explanation of the error above */
	parse_rlmstat_skip(st, "line not understood", t);
}

void
parse_rlmstat(const char *buf, size_t len, struct parse_rlmstat *out)
{
	struct parse_rlmstat_state *st;
	struct parse_util_span t;
	const char *p, *end, *next;

	memset(out, 0, sizeof *out);
	st = xcalloc(1, sizeof *st);
	st->out = out;
	st->isv = xstrdup("");
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; p < end; p = next) {
		st->lineno++;
		t = parse_util_trim(p, parse_util_line(p, end, &next));
		if (t.p == t.end)
			continue;
		if (memchr(t.p, '\0', (size_t)(t.end - t.p)) != NULL) {
			parse_rlmstat_skip(st, "NUL byte in line", t);
			continue;
		}
		parse_rlmstat_line(st, t);
	}
	parse_rlmstat_flush(st);
	out->connected = st->status && !st->failed;
	if (!out->connected && out->error == NULL)
		out->error = xstrdup("no rlm status in the output");
	free(st->isv);
	free(st);
}

void
parse_rlmstat_free(struct parse_rlmstat *pr)
{
	size_t i;

	if (pr == NULL)
		return;
	for (i = 0; i < pr->nproducts; i++) {
		free(pr->products[i].isv);
		free(pr->products[i].name);
	}
	free(pr->products);
	parse_util_errors_free(pr->errors, pr->nerrors);
	free(pr->error);
	memset(pr, 0, sizeof *pr);
}
