/*
 * Parser of expected-status lists. Items are separated by commas; an item is
 * a code (100-599), a class ("2xx") or an inclusive range ("200-399").
 */
#include <ctype.h>
#include <string.h>

#include "parse_status.h"
#include "xmalloc.h"

static const char *
parse_status_skip(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A three-digit code at *pp; -1 if there is none. */
static int
parse_status_code(const char **pp)
{
	const char *p = *pp;
	int code;

	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || isdigit((unsigned char)p[3]))
		return -1;
	code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	if (code < 100 || code > 599)
		return -1;
	*pp = p + 3;
	return code;
}

static int
parse_status_item(const char **pp, int *lo, int *hi)
{
	const char *p = *pp;

	if (p[0] >= '1' && p[0] <= '5' && (p[1] == 'x' || p[1] == 'X') &&
	    (p[2] == 'x' || p[2] == 'X')) {
		*lo = (p[0] - '0') * 100;
		*hi = *lo + 99;
		*pp = p + 3;
		return 0;
	}
	if ((*lo = parse_status_code(&p)) == -1)
		return -1;
	*hi = *lo;
	p = parse_status_skip(p);
	if (*p == '-') {
		p = parse_status_skip(p + 1);
		if ((*hi = parse_status_code(&p)) == -1 || *hi < *lo)
			return -1;
	}
	*pp = p;
	return 0;
}

int
parse_status_ranges(const char *s, struct status_ranges *out, char **cause)
{
	const char *p = s;
	int lo, hi;

	memset(out, 0, sizeof *out);
	for (;;) {
		p = parse_status_skip(p);
		if (parse_status_item(&p, &lo, &hi) != 0) {
			xasprintf(cause,
			    "bad status list \"%s\" at \"%s\" (want e.g. \"2xx\", \"200-399,401\")",
			    s, p);
			return -1;
		}
		if (out->n == PARSE_STATUS_MAX) {
			xasprintf(cause,
			    "status list \"%s\" has more than %d items", s,
			    PARSE_STATUS_MAX);
			return -1;
		}
		out->r[out->n].lo = lo;
		out->r[out->n].hi = hi;
		out->n++;
		p = parse_status_skip(p);
		if (*p == '\0')
			return 0;
		if (*p != ',') {
			xasprintf(cause, "bad status list \"%s\" at \"%s\"", s,
			    p);
			return -1;
		}
		p++;
	}
}

int
parse_status_match(const struct status_ranges *sr, long code)
{
	int i;

	for (i = 0; i < sr->n; i++) {
		if (code >= sr->r[i].lo && code <= sr->r[i].hi)
			return 1;
	}
	return 0;
}
