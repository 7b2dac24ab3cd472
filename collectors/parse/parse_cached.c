/*
 * rrdcached's answers, as parse_cached.h describes them: each call reads
 * the whole lines it is given, one state at a time, and leaves a line not
 * yet complete to the next call.
 */
#include <stdio.h>
#include <string.h>

#include "parse_cached.h"

void
parse_cached_init(struct parse_cached *p, enum parse_cached_what what,
    size_t ncmd)
{
	memset(p, 0, sizeof *p);
	p->what = what;
	p->ncmd = ncmd;
	switch (what) {
	case PARSE_CACHED_BATCH:
		p->state = PARSE_CACHED_GO;
		break;
	case PARSE_CACHED_STATS:
		p->state = PARSE_CACHED_COUNT;
		break;
	case PARSE_CACHED_EACH:
		p->left = (long)ncmd;
		p->state = ncmd > 0 ? PARSE_CACHED_LINES : PARSE_CACHED_DONE;
		break;
	}
}

/*
 * A line "[-]digits SP message" of len bytes (no LF): its number in *n and
 * its message; -1 when it is not one (a number of more than 9 digits is
 * not rrdcached's).
 */
static int
parse_cached_status(const char *s, size_t len, long *n, const char **msg,
    size_t *mlen)
{
	size_t i = 0, digits = 0;
	int neg = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		i++;
	}
	for (*n = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (digits == 9)
			return -1;
		*n = *n * 10 + (s[i] - '0');
	}
	if (digits == 0 || i == len || s[i] != ' ')
		return -1;
	if (neg)
		*n = -*n;
	*msg = s + i + 1;
	*mlen = len - i - 1;
	return 0;
}

/* p->why: what is wrong, with the line (cut to fit). */
static long
parse_cached_bad(struct parse_cached *p, const char *what, const char *s,
    size_t len)
{
	size_t i, max = sizeof p->why / 2;
	int off;

	off = snprintf(p->why, sizeof p->why, "%s: \"", what);
	for (i = 0; i < len && i < max && off < (int)sizeof p->why - 8; i++)
		p->why[off++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	snprintf(p->why + off, sizeof p->why - (size_t)off, "%s\"",
	    i < len ? "..." : "");
	return -1;
}

/* A STATS line "name: value": UpdatesReceived is the one wanted. */
static void
parse_cached_stat(struct parse_cached *p, const char *s, size_t len)
{
	static const char key[] = "UpdatesReceived: ";
	uint64_t v = 0;
	size_t i = sizeof key - 1;

	if (len <= i || memcmp(s, key, i) != 0)
		return;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i == len) {
		p->received = v;
		p->has_received = 1;
	}
}

/* The go ahead of BATCH: 0 on to the commands, -1 refused or not one. */
static long
parse_cached_go(struct parse_cached *p, const char *s, size_t len)
{
	const char *msg;
	size_t mlen;
	long n;

	if (parse_cached_status(s, len, &n, &msg, &mlen) != 0 || n > 0)
		return parse_cached_bad(p, "not an answer to BATCH", s, len);
	if (n < 0) {
		p->refused = 1;
		return parse_cached_bad(p, "BATCH refused", msg, mlen);
	}
	p->state = PARSE_CACHED_COUNT;
	return 0;
}

/* A line of the body: 0, or -1. */
static long
parse_cached_body(struct parse_cached *p, const char *s, size_t len,
    parse_cached_refused_fn refused, void *arg)
{
	const char *msg;
	size_t mlen, cmd = p->ncmd - (size_t)p->left + 1;
	long n;

	switch (p->what) {
	case PARSE_CACHED_STATS:
		parse_cached_stat(p, s, len);
		break;
	case PARSE_CACHED_BATCH:
		if (parse_cached_status(s, len, &n, &msg, &mlen) != 0 ||
		    n < 1 || (size_t)n > p->ncmd)
			return parse_cached_bad(p,
			    "not an error of a command sent", s, len);
		if (refused != NULL)
			refused(arg, (size_t)n, msg, mlen);
		break;
	case PARSE_CACHED_EACH:
		if (parse_cached_status(s, len, &n, &msg, &mlen) != 0)
			return parse_cached_bad(p, "not an answer to UPDATE", s,
			    len);
		if (n < 0 && refused != NULL)
			refused(arg, cmd, msg, mlen);
		break;
	}
	if (--p->left == 0)
		p->state = PARSE_CACHED_DONE;
	return 0;
}

/* One line of len bytes (no LF), in p's state: 0, or -1. */
static long
parse_cached_line(struct parse_cached *p, const char *s, size_t len,
    parse_cached_refused_fn refused, void *arg)
{
	const char *msg;
	size_t mlen;

	switch (p->state) {
	case PARSE_CACHED_GO:
		return parse_cached_go(p, s, len);
	case PARSE_CACHED_COUNT:
		if (parse_cached_status(s, len, &p->left, &msg, &mlen) != 0 ||
		    p->left < 0 || p->left > PARSE_CACHED_COUNT_MAX)
			return parse_cached_bad(p, "not a count of lines", s,
			    len);
		p->state = p->left > 0 ? PARSE_CACHED_LINES : PARSE_CACHED_DONE;
		return 0;
	case PARSE_CACHED_LINES:
		return parse_cached_body(p, s, len, refused, arg);
	case PARSE_CACHED_DONE:
		return parse_cached_bad(p, "more than the answer", s, len);
	}
	return -1;
}

long
parse_cached_feed(struct parse_cached *p, const char *buf, size_t len,
    parse_cached_refused_fn refused, void *arg)
{
	enum parse_cached_state was;
	const char *nl;
	size_t off = 0, n;

	while (off < len && p->state != PARSE_CACHED_DONE) {
		n = len - off;
		nl = memchr(buf + off, '\n',
		    n < PARSE_CACHED_LINE_MAX ? n : PARSE_CACHED_LINE_MAX);
		if (nl == NULL) {
			if (n >= PARSE_CACHED_LINE_MAX)
				return parse_cached_bad(p, "line too long",
				    buf + off, n);
			break;
		}
		was = p->state;
		if (parse_cached_line(p, buf + off, (size_t)(nl - buf - off),
		        refused, arg) != 0)
			return -1;
		off = (size_t)(nl - buf) + 1;
		if (was == PARSE_CACHED_GO)
			break; /* the commands go now */
	}
	return (long)off;
}
