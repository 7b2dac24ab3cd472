/*
 * Timestamps as feeds write them, read as UTC without the C library's time
 * zone or locale machinery (no timegm, no TZ, no strptime):
 *
 *   2024-03-11                           midnight UTC of that day
 *   2024-03-11T09:15Z                    RFC 3339, seconds optional
 *   2024-03-11T09:15:22Z
 *   2024-03-11T09:15:22.123456789+01:00  any number of fraction digits
 *   2024-03-11 09:15:22-05:00            a space instead of the 'T'
 *   @1710148522  1710148522  -86400      epoch seconds, '@' optional
 *
 * The zone is required after a time: 'Z' (or 'z') or +HH:MM / -HH:MM. 'T'
 * may be 't'. Fields are checked: month 1-12, day within its month (leap
 * years by the Gregorian rule), hour 0-23, minute and second 0-59 (no leap
 * second), offset hours 0-23. Fraction digits past the ninth are read and
 * dropped (truncated). Nothing else is allowed: no blanks around, no
 * other separators. The result must fit a long long in nanoseconds, i.e.
 * lie between 1677-09-21 and 2262-04-11.
 */
#ifndef PARSE_TIME_H
#define PARSE_TIME_H

#include <stddef.h>

/*
 * Parse s (length len) as UTC: YYYY-MM-DD (midnight),
 * YYYY-MM-DDTHH:MM[:SS[.frac]](Z|+HH:MM|-HH:MM) (a space instead of T
 * allowed), @EPOCH or a bare integer epoch. Returns 0 and *ns = nanoseconds
 * since the epoch, or -1 (and *ns untouched).
 */
int parse_time(const char *s, size_t len, long long *ns);

#endif
