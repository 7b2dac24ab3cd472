/*
 * Timestamp parser for the feed parsers. Calendar dates become days with
 * the proleptic Gregorian "days from civil" arithmetic (H. Hinnant's
 * public-domain algorithm), so no libc time function, time zone or locale is
 * involved and the result is the same on every machine. All arithmetic that
 * could overflow is checked.
 */
#include <stdint.h>

#include "parse_time.h"

#define PARSE_TIME_NS 1000000000LL
#define PARSE_TIME_EPOCH_DIGITS 19 /* more cannot fit a long long */

/* n digits at s, as a number; -1 if any is not a digit. */
static long long
parse_time_digits(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
parse_time_leap(long long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
parse_time_mdays(long long y, long long m)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	return m == 2 && parse_time_leap(y) ? 29 : mdays[m - 1];
}

/* Days since 1970-01-01 of a valid date (negative before). */
static long long
parse_time_days(long long y, long long m, long long d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* s[0..len) as [-]DIGITS seconds, into nanoseconds; 0 or -1. */
static int
parse_time_epoch(const char *s, size_t len, long long *ns)
{
	long long secs;
	int neg = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		s++;
		len--;
	}
	if (len == 0 || len > PARSE_TIME_EPOCH_DIGITS)
		return -1;
	/* 19 digits may overflow: check them as unsigned first. */
	if (len == PARSE_TIME_EPOCH_DIGITS) {
		uint64_t u = 0;
		size_t i;

		for (i = 0; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			u = u * 10 + (uint64_t)(s[i] - '0');
		}
		if (u > (uint64_t)INT64_MAX)
			return -1;
		secs = (long long)u;
	} else if ((secs = parse_time_digits(s, len)) < 0)
		return -1;
	if (neg)
		secs = -secs;
	if (__builtin_mul_overflow(secs, PARSE_TIME_NS, &secs))
		return -1;
	*ns = secs;
	return 0;
}

int
parse_time(const char *s, size_t len, long long *ns)
{
	long long y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
	long long oh, om, days, secs, r;
	size_t i, p, nd;

	if (s == NULL || len == 0)
		return -1;
	if (s[0] == '@')
		return parse_time_epoch(s + 1, len - 1, ns);
	if (len < 10 || s[4] != '-' || s[7] != '-')
		return parse_time_epoch(s, len, ns);

	if ((y = parse_time_digits(s, 4)) < 0 ||
	    (mo = parse_time_digits(s + 5, 2)) < 0 ||
	    (d = parse_time_digits(s + 8, 2)) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > parse_time_mdays(y, mo))
		return -1;
	p = 10;
	if (p < len) {
		/* A time: [Tt ]HH:MM[:SS[.frac]] and a zone, all required. */
		if (s[p] != 'T' && s[p] != 't' && s[p] != ' ')
			return -1;
		if (len < p + 6 || s[p + 3] != ':' ||
		    (h = parse_time_digits(s + p + 1, 2)) < 0 ||
		    (mi = parse_time_digits(s + p + 4, 2)) < 0 || h > 23 ||
		    mi > 59)
			return -1;
		p += 6;
		if (p < len && s[p] == ':') {
			if (len < p + 3 ||
			    (sec = parse_time_digits(s + p + 1, 2)) < 0 ||
			    sec > 59)
				return -1;
			p += 3;
			if (p < len && s[p] == '.') {
				for (i = p + 1, nd = 0;
				     i < len && s[i] >= '0' && s[i] <= '9';
				     i++, nd++) {
					if (nd < 9)
						frac = frac * 10 + (s[i] - '0');
				}
				if (nd == 0)
					return -1;
				for (; nd < 9; nd++)
					frac *= 10;
				p = i;
			}
		}
		if (p == len)
			return -1;
		if (s[p] == 'Z' || s[p] == 'z') {
			if (p + 1 != len)
				return -1;
		} else if (s[p] == '+' || s[p] == '-') {
			if (len != p + 6 || s[p + 3] != ':' ||
			    (oh = parse_time_digits(s + p + 1, 2)) < 0 ||
			    (om = parse_time_digits(s + p + 4, 2)) < 0 ||
			    oh > 23 || om > 59)
				return -1;
			off = (oh * 60 + om) * 60;
			if (s[p] == '-')
				off = -off;
		} else
			return -1;
	}

	/* Local time minus its offset is UTC. */
	days = parse_time_days(y, mo, d);
	secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
	if (__builtin_mul_overflow(secs, PARSE_TIME_NS, &r) ||
	    __builtin_add_overflow(r, frac, &r))
		return -1;
	*ns = r;
	return 0;
}
