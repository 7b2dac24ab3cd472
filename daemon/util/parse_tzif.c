/*
 * TZif files and POSIX TZ strings into struct tz (grammar in
 * parse_tzif.h). Every count is checked against the bytes there are
 * before anything is read, so a cut or hostile file is an error, never a
 * read past the buffer.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_tzif.h"
#include "xmalloc.h"

#define PARSE_TZIF_HDR 44
/* Offsets RFC 8536 allows: -24:59:59 .. +25:59:59. */
#define PARSE_TZIF_OFF_MIN (-89999L)
#define PARSE_TZIF_OFF_MAX 93599L

enum {
	PARSE_TZIF_ISUT,
	PARSE_TZIF_ISSTD,
	PARSE_TZIF_LEAP,
	PARSE_TZIF_TIME,
	PARSE_TZIF_TYPE,
	PARSE_TZIF_CHAR
};

struct parse_tzif_hdr {
	int version; /* 1, 2, 3, 4 */
	uint64_t cnt[6];
};

static uint64_t
parse_tzif_be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int
parse_tzif_header(const unsigned char *p, size_t len, struct parse_tzif_hdr *h)
{
	int i;

	if (len < PARSE_TZIF_HDR || memcmp(p, "TZif", 4) != 0)
		return -1;
	if (p[4] == 0)
		h->version = 1;
	else if (p[4] >= '2' && p[4] <= '4')
		h->version = p[4] - '0';
	else
		return -1;
	for (i = 0; i < 6; i++)
		h->cnt[i] = parse_tzif_be(p + 20 + 4 * i, 4);
	return 0;
}

/* The bytes of a data block with times of tsize bytes. */
static uint64_t
parse_tzif_block(const struct parse_tzif_hdr *h, int tsize)
{
	return h->cnt[PARSE_TZIF_TIME] * (uint64_t)(tsize + 1) +
	    h->cnt[PARSE_TZIF_TYPE] * 6 + h->cnt[PARSE_TZIF_CHAR] +
	    h->cnt[PARSE_TZIF_LEAP] * (uint64_t)(tsize + 4) +
	    h->cnt[PARSE_TZIF_ISSTD] + h->cnt[PARSE_TZIF_ISUT];
}

static int
parse_tzif_counts(const struct parse_tzif_hdr *h, char **cause)
{
	uint64_t nt = h->cnt[PARSE_TZIF_TYPE];

	if (nt == 0 || nt > 256 || h->cnt[PARSE_TZIF_CHAR] == 0) {
		xasprintf(cause, "no local time type");
		return -1;
	}
	if ((h->cnt[PARSE_TZIF_ISSTD] != 0 && h->cnt[PARSE_TZIF_ISSTD] != nt) ||
	    (h->cnt[PARSE_TZIF_ISUT] != 0 && h->cnt[PARSE_TZIF_ISUT] != nt)) {
		xasprintf(cause, "indicator counts differ from the types'");
		return -1;
	}
	if (h->cnt[PARSE_TZIF_LEAP] != 0) {
		xasprintf(cause,
		    "it counts leap seconds (a right/ zone): use the zone of the same name without right/");
		return -1;
	}
	return 0;
}

/* The types: offset, isdst, abbreviation. */
static int
parse_tzif_types(struct tz *z, const unsigned char *p, const unsigned char *ch,
    size_t nch, char **cause)
{
	const unsigned char *end;
	size_t i, ai, n;
	int64_t off;

	for (i = 0; i < z->ntypes; i++, p += 6) {
		off = (int32_t)(uint32_t)parse_tzif_be(p, 4);
		ai = p[5];
		if (off < PARSE_TZIF_OFF_MIN || off > PARSE_TZIF_OFF_MAX ||
		    p[4] > 1 || ai >= nch ||
		    (end = memchr(ch + ai, '\0', nch - ai)) == NULL) {
			xasprintf(cause, "local time type %zu is not valid", i);
			return -1;
		}
		z->types[i].off = (long)off;
		z->types[i].isdst = p[4];
		n = (size_t)(end - (ch + ai));
		if (n >= sizeof z->types[i].abbr)
			n = sizeof z->types[i].abbr - 1;
		memcpy(z->types[i].abbr, ch + ai, n);
		z->types[i].abbr[n] = '\0';
	}
	return 0;
}

/* The data block at p (checked to be there) with times of tsize bytes. */
static int
parse_tzif_data(struct tz *z, const struct parse_tzif_hdr *h,
    const unsigned char *p, int tsize, char **cause)
{
	size_t i, nt = (size_t)h->cnt[PARSE_TZIF_TIME];
	const unsigned char *ip = p + nt * (size_t)tsize;
	const unsigned char *tp = ip + nt;

	z->ntrans = nt;
	z->trans = xcalloc(nt + 1, sizeof *z->trans);
	z->idx = xcalloc(nt + 1, 1);
	z->ntypes = (size_t)h->cnt[PARSE_TZIF_TYPE];
	z->types = xcalloc(z->ntypes, sizeof *z->types);
	for (i = 0; i < nt; i++) {
		z->trans[i] = tsize == 4
		    ? (int64_t)(int32_t)(uint32_t)parse_tzif_be(p + 4 * i, 4)
		    : (int64_t)parse_tzif_be(p + 8 * i, 8);
		z->idx[i] = ip[i];
		if (ip[i] >= z->ntypes) {
			xasprintf(cause, "transition %zu names no type", i);
			return -1;
		}
		if (i > 0 && z->trans[i] <= z->trans[i - 1]) {
			xasprintf(cause, "transitions out of order");
			return -1;
		}
	}
	return parse_tzif_types(z, tp, tp + 6 * z->ntypes,
	    (size_t)h->cnt[PARSE_TZIF_CHAR], cause);
}

/* The footer of a version 2+ file: "\n" rule "\n" and nothing else. */
static int
parse_tzif_footer(struct tz *z, const unsigned char *p, size_t len,
    char **cause)
{
	const unsigned char *nl;
	char rule[256];
	size_t n;

	if (len < 2 || p[0] != '\n' ||
	    (nl = memchr(p + 1, '\n', len - 1)) == NULL ||
	    (size_t)(nl - p) + 1 != len) {
		xasprintf(cause, "its footer is not a line");
		return -1;
	}
	n = (size_t)(nl - p) - 1;
	if (n == 0)
		return 0;
	if (n >= sizeof rule || memchr(p + 1, '\0', n) != NULL) {
		xasprintf(cause, "its footer is not a TZ rule");
		return -1;
	}
	memcpy(rule, p + 1, n);
	rule[n] = '\0';
	if (parse_tzif_rule(rule, &z->rule) != 0) {
		xasprintf(cause, "its footer \"%s\" is not a TZ rule", rule);
		return -1;
	}
	z->has_rule = 1;
	return 0;
}

int
parse_tzif(const char *name, const unsigned char *buf, size_t len,
    struct tz **out, char **cause)
{
	struct parse_tzif_hdr h;
	struct tz *z;
	uint64_t need;
	size_t at = 0;
	int tsize = 4;

	*out = NULL;
	if (parse_tzif_header(buf, len, &h) != 0) {
		xasprintf(cause, "not a TZif file");
		return -1;
	}
	if (h.version >= 2) {
		need = parse_tzif_block(&h, 4);
		if (need > len - PARSE_TZIF_HDR ||
		    parse_tzif_header(buf + PARSE_TZIF_HDR + need,
		        len - PARSE_TZIF_HDR - (size_t)need, &h) != 0) {
			xasprintf(cause, "cut short, or not a TZif file");
			return -1;
		}
		at = PARSE_TZIF_HDR + (size_t)need;
		tsize = 8;
	}
	if (parse_tzif_counts(&h, cause) != 0)
		return -1;
	need = parse_tzif_block(&h, tsize);
	if (need > len - at - PARSE_TZIF_HDR) {
		xasprintf(cause, "cut short");
		return -1;
	}
	z = xcalloc(1, sizeof *z);
	z->name = xstrdup(name);
	if (parse_tzif_data(z, &h, buf + at + PARSE_TZIF_HDR, tsize, cause) !=
	        0 ||
	    (tsize == 8 &&
	        parse_tzif_footer(z, buf + at + PARSE_TZIF_HDR + need,
	            len - at - PARSE_TZIF_HDR - (size_t)need, cause) != 0)) {
		tz_free(z);
		return -1;
	}
	*out = z;
	return 0;
}

/* An abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static const char *
parse_tzif_abbr(const char *s, char *out, size_t outlen)
{
	const char *p = s;
	size_t n;

	if (*s == '<') {
		for (p = s + 1;
		     isalnum((unsigned char)*p) || *p == '+' || *p == '-'; p++)
			;
		if (*p != '>' || p - (s + 1) < 3)
			return NULL;
		n = (size_t)(p - (s + 1));
		s++;
		p++;
	} else {
		while (isalpha((unsigned char)*p))
			p++;
		if (p - s < 3)
			return NULL;
		n = (size_t)(p - s);
	}
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return p;
}

/* [+-]h[hh][:mm[:ss]] with hours at most maxh, as seconds. */
static const char *
parse_tzif_hms(const char *s, long maxh, long *out)
{
	long v[3] = { 0, 0, 0 }, sign = 1;
	int i, digits;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		if (i > 0 && *s != ':')
			break;
		if (i > 0)
			s++;
		for (digits = 0; isdigit((unsigned char)*s) && digits < 3;
		     digits++)
			v[i] = v[i] * 10 + (*s++ - '0');
		if (digits == 0 || (i > 0 && (digits != 2 || v[i] > 59)))
			return NULL;
	}
	if (v[0] > maxh)
		return NULL;
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return s;
}

static const char *
parse_tzif_num(const char *s, int lo, int hi, int *out)
{
	int v = 0, digits = 0;

	while (isdigit((unsigned char)*s) && digits < 4) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	if (digits == 0 || v < lo || v > hi)
		return NULL;
	*out = v;
	return s;
}

/* A rule date and its optional /time. */
static const char *
parse_tzif_rdate(const char *s, struct tz_rdate *d)
{
	memset(d, 0, sizeof *d);
	d->time = 7200;
	if (*s == 'J') {
		d->kind = 'J';
		s = parse_tzif_num(s + 1, 1, 365, &d->n);
	} else if (*s == 'M') {
		d->kind = 'M';
		if ((s = parse_tzif_num(s + 1, 1, 12, &d->m)) == NULL ||
		    *s != '.' ||
		    (s = parse_tzif_num(s + 1, 1, 5, &d->w)) == NULL ||
		    *s != '.')
			return NULL;
		s = parse_tzif_num(s + 1, 0, 6, &d->d);
	} else {
		d->kind = 'N';
		s = parse_tzif_num(s, 0, 365, &d->n);
	}
	if (s != NULL && *s == '/')
		s = parse_tzif_hms(s + 1, 167, &d->time);
	return s;
}

int
parse_tzif_rule(const char *s, struct tz_rule *r)
{
	long off;

	memset(r, 0, sizeof *r);
	if ((s = parse_tzif_abbr(s, r->std_abbr, sizeof r->std_abbr)) == NULL ||
	    (s = parse_tzif_hms(s, 24, &off)) == NULL)
		return -1;
	r->std_off = -off;
	if (*s == '\0')
		return 0;
	if ((s = parse_tzif_abbr(s, r->dst_abbr, sizeof r->dst_abbr)) == NULL)
		return -1;
	r->has_dst = 1;
	r->dst_off = r->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = parse_tzif_hms(s, 24, &off)) == NULL)
			return -1;
		r->dst_off = -off;
	}
	if (*s == '\0')
		s = ",M3.2.0,M11.1.0";
	if (*s != ',' || (s = parse_tzif_rdate(s + 1, &r->start)) == NULL ||
	    *s != ',' || (s = parse_tzif_rdate(s + 1, &r->end)) == NULL)
		return -1;
	return *s == '\0' ? 0 : -1;
}
