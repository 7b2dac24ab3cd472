/*
 * Periods for reports, graphs and exports: calendar quarters, months and
 * years, "the last N units", and explicit ranges, in the local time of a
 * zone (tz.h, NULL: UTC) and computed without the C library's time zone
 * machinery.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "parse_time.h"
#include "period.h"

/* Days since 1970-01-01 of a civil date (proleptic Gregorian), as seconds. */
time_t
period_days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (time_t)((era * 146097 + doe - 719468) * 86400);
}

void
period_iso(time_t t, char *buf, size_t len)
{
	log_iso(t, buf, len);
}

#define PERIOD_DASH "\xe2\x80\x93" /* an en dash */

void
period_quarter_name(time_t t, const struct tz *z, char *buf, size_t len)
{
	struct tm tm;

	tz_local(z, t, &tm);
	snprintf(buf, len, "%d Q%d", tm.tm_year + 1900, tm.tm_mon / 3 + 1);
}

/* 1 when t is the first of a month at local midnight (*y, *m its month). */
static int
period_month_start(time_t t, const struct tz *z, int *y, int *m)
{
	struct tm tm;

	tz_local(z, t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	return tm.tm_mday == 1 && tz_midnight(z, t) == t;
}

void
period_title(const struct period *p, const struct tz *z, char *buf, size_t len)
{
	char a[32], b[32];
	time_t last = p->to - 1;
	struct tm ta, tb;
	int y0, m0, y1, m1;

	tz_local(z, p->from, &ta);
	tz_local(z, last, &tb);
	if (period_month_start(p->from, z, &y0, &m0) &&
	    period_month_start(p->to, z, &y1, &m1)) {
		if (m0 == 1 && m1 == 1 && y1 == y0 + 1)
			snprintf(buf, len, "%d", y0);
		else if ((m0 - 1) % 3 == 0 && (m1 - 1) % 3 == 0) {
			period_quarter_name(p->from, z, a, sizeof a);
			period_quarter_name(last, z, b, sizeof b);
			if (strcmp(a, b) == 0)
				snprintf(buf, len, "%s", a);
			else if (ta.tm_year == tb.tm_year)
				snprintf(buf, len, "%s" PERIOD_DASH "%s", a,
				    b + 5);
			else
				snprintf(buf, len, "%s" PERIOD_DASH "%s", a, b);
		} else if (y0 * 12 + m0 + 1 == y1 * 12 + m1)
			snprintf(buf, len, "%d-%02d", y0, m0);
		else
			snprintf(buf, len, "%d-%02d" PERIOD_DASH "%d-%02d", y0,
			    m0, tb.tm_year + 1900, tb.tm_mon + 1);
		return;
	}
	if (tz_midnight(z, p->from) == p->from &&
	    tz_midnight(z, p->to) == p->to) {
		strftime(a, sizeof a, "%Y-%m-%d", &ta);
		strftime(b, sizeof b, "%Y-%m-%d", &tb);
		if (strcmp(a, b) == 0)
			snprintf(buf, len, "%s", a);
		else
			snprintf(buf, len, "%s" PERIOD_DASH "%s", a, b);
		return;
	}
	strftime(a, sizeof a, "%Y-%m-%d %H:%M", &ta);
	tz_local(z, p->to, &tb);
	strftime(b, sizeof b,
	    p->to - p->from < 86400 && ta.tm_mday == tb.tm_mday
	        ? "%H:%M"
	        : "%Y-%m-%d %H:%M",
	    &tb);
	snprintf(buf, len, "%s" PERIOD_DASH "%s %s", a, b, tz_name(z));
}

int
period_opt(struct period_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'l':
		o->last = arg;
		return 1;
	case 'q':
		o->quarter = arg;
		return 1;
	case 'm':
		o->month = arg;
		return 1;
	case 'y':
		o->year = arg;
		return 1;
	case 'f':
		o->from = arg;
		return 1;
	case 't':
		o->to = arg;
		return 1;
	}
	return 0;
}

int
period_time(const char *s, const struct tz *z, time_t *out)
{
	long long ns;
	struct tm tm;
	time_t t;

	if (s == NULL || parse_time(s, strlen(s), &ns) != 0)
		return -1;
	t = (time_t)(ns / 1000000000LL);
	/* A date alone is its local midnight. */
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		gmtime_r(&t, &tm);
		t = tz_utc(z, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, 0);
	}
	*out = t;
	return 0;
}

/* n digits exactly at s; -1 if not. */
static int
period_digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
period_year_ok(int y)
{
	return y >= 1970 && y <= 9998;
}

/* [the local midnight of y-m0-01, that of the month months later). */
static void
period_months(const struct tz *z, int y, int m0, int months, struct period *p)
{
	int m1 = m0 + months;

	p->from = tz_utc(z, y, m0, 1, 0);
	p->to = tz_utc(z, y + (m1 - 1) / 12, (m1 - 1) % 12 + 1, 1, 0);
}

int
period_quarter(const char *s, const struct tz *z, struct period *p)
{
	int y, q;

	if (strlen(s) != 6 || (s[4] != 'Q' && s[4] != 'q'))
		return -1;
	if ((y = period_digits(s, 4)) < 0 || !period_year_ok(y) ||
	    (q = period_digits(s + 5, 1)) < 1 || q > 4)
		return -1;
	period_months(z, y, (q - 1) * 3 + 1, 3, p);
	snprintf(p->label, sizeof p->label, "%dQ%d", y, q);
	return 0;
}

int
period_month(const char *s, const struct tz *z, struct period *p)
{
	int y, m;

	if (strlen(s) != 7 || s[4] != '-')
		return -1;
	if ((y = period_digits(s, 4)) < 0 || !period_year_ok(y) ||
	    (m = period_digits(s + 5, 2)) < 1 || m > 12)
		return -1;
	period_months(z, y, m, 1, p);
	snprintf(p->label, sizeof p->label, "%d-%02d", y, m);
	return 0;
}

int
period_year(const char *s, const struct tz *z, struct period *p)
{
	int y;

	if (strlen(s) != 4 || (y = period_digits(s, 4)) < 0 ||
	    !period_year_ok(y))
		return -1;
	period_months(z, y, 1, 12, p);
	snprintf(p->label, sizeof p->label, "%d", y);
	return 0;
}

/* The local midnight days before the one that begins today. */
static time_t
period_days_back(const struct tz *z, time_t now, long days)
{
	struct tm tm;
	int y, m, d;

	tz_local(z, now, &tm);
	tz_civil_from_days(tz_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1,
	                       tm.tm_mday) -
	        days,
	    &y, &m, &d);
	return tz_utc(z, y, m, d, 0);
}

int
period_last(const char *s, const struct tz *z, time_t now, struct period *p)
{
	char *end;
	long n, unit;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	n = strtol(s, &end, 10);
	if (n <= 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (end[0]) {
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	case 'y':
		unit = 365 * 86400;
		break;
	default:
		return -1;
	}
	if (n > 200 * 365 * 86400L / unit)
		return -1;
	p->to = now;
	p->from = unit == 3600 ? now - (time_t)(n * unit)
	                       : period_days_back(z, now, n * unit / 86400);
	snprintf(p->label, sizeof p->label, "last %s", s);
	return 0;
}

int
period_range(const char *from, const char *to, const struct tz *z,
    struct period *p)
{
	char a[32], b[32];

	if (period_time(from, z, &p->from) != 0 ||
	    period_time(to, z, &p->to) != 0)
		return -1;
	if (p->to <= p->from)
		return -1;
	tz_iso(z, p->from, a, sizeof a);
	tz_iso(z, p->to, b, sizeof b);
	snprintf(p->label, sizeof p->label, "%.25s..%.25s", a, b);
	return 0;
}

/* The UTC midnight of the date of the first local midnight at or after t. */
static time_t
period_day_at(const struct tz *z, time_t t)
{
	struct tm tm;
	long day;

	tz_local(z, t, &tm);
	day = tz_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (tz_midnight(z, t) < t)
		day++;
	return (time_t)day * 86400;
}

void
period_whole_days(const struct period *p, const struct tz *z,
    struct period *out)
{
	int y, m, d;

	*out = *p;
	out->from = tz_midnight(z, p->from);
	out->to = tz_midnight(z, p->to);
	if (out->to < p->to) {
		tz_civil_from_days(period_day_at(z, p->to) / 86400, &y, &m, &d);
		out->to = tz_utc(z, y, m, d, 0);
	}
}

void
period_days(const struct period *p, const struct tz *z, struct period *days)
{
	*days = *p;
	days->from = period_day_at(z, p->from);
	days->to = period_day_at(z, p->to);
}

int
period_from_opts(const struct period_opts *o, const char *def,
    const struct tz *z, time_t now, struct period *p, char *err, size_t errlen)
{
	int forms;
	time_t t;

	forms = (o->last != NULL) + (o->quarter != NULL) + (o->month != NULL) +
	    (o->year != NULL) + (o->from != NULL || o->to != NULL);
	if (forms > 1) {
		snprintf(err, errlen,
		    "give one of --last, --quarter, --month, --year or --from/--to");
		return -1;
	}
	if (o->quarter != NULL) {
		if (period_quarter(o->quarter, z, p) == 0)
			return 0;
		snprintf(err, errlen, "bad quarter \"%s\": want YYYYQ1-4",
		    o->quarter);
		return -1;
	}
	if (o->month != NULL) {
		if (period_month(o->month, z, p) == 0)
			return 0;
		snprintf(err, errlen, "bad month \"%s\": want YYYY-MM",
		    o->month);
		return -1;
	}
	if (o->year != NULL) {
		if (period_year(o->year, z, p) == 0)
			return 0;
		snprintf(err, errlen, "bad year \"%s\": want YYYY", o->year);
		return -1;
	}
	if (o->from != NULL || o->to != NULL) {
		if (o->from == NULL || o->to == NULL) {
			snprintf(err, errlen, "--from and --to go together");
			return -1;
		}
		if (period_time(o->from, z, &t) != 0) {
			snprintf(err, errlen,
			    "bad time \"%s\": want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH",
			    o->from);
			return -1;
		}
		if (period_time(o->to, z, &t) != 0) {
			snprintf(err, errlen,
			    "bad time \"%s\": want YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or @EPOCH",
			    o->to);
			return -1;
		}
		if (period_range(o->from, o->to, z, p) != 0) {
			snprintf(err, errlen,
			    "the period ends before it starts (%s .. %s)",
			    o->from, o->to);
			return -1;
		}
		return 0;
	}
	if (o->last == NULL && def == NULL) {
		snprintf(err, errlen,
		    "a period is required: --last, --quarter, --month, --year or --from/--to");
		return -1;
	}
	if (period_last(o->last != NULL ? o->last : def, z, now, p) == 0)
		return 0;
	snprintf(err, errlen,
	    "bad --last \"%s\": want N followed by h, d, w or y", o->last);
	return -1;
}
