/*
 * Service hours and holidays: their strings read, and the stretches of
 * UTC time they make in a period, one local day at a time (so a day of a
 * DST change has its 23 or 25 hours and a window on it what the clock
 * shows: 07:00 to 18:00 is 11 hours either way).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours.h"
#include "xmalloc.h"

static const char *const hours_daynames[] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun" };

/* The day name at s (3 letters, any case): 0..6, or -1. */
static int
hours_day(const char *s)
{
	int i, k;

	for (i = 0; i < 7; i++) {
		for (k = 0; k < 3 &&
		     tolower((unsigned char)s[k]) == hours_daynames[i][k];
		     k++)
			;
		if (k == 3)
			return i;
	}
	return -1;
}

int
hours_parse_days(const char *s, unsigned *days)
{
	int a, b;

	*days = 0;
	for (;;) {
		if ((a = hours_day(s)) < 0)
			return -1;
		s += 3;
		b = a;
		if (*s == '-') {
			if ((b = hours_day(s + 1)) < 0)
				return -1;
			s += 4;
		}
		for (;; a = (a + 1) % 7) {
			*days |= 1u << a;
			if (a == b)
				break;
		}
		if (*s == '\0')
			return 0;
		if (*s != ',')
			return -1;
		s++;
	}
}

int
hours_parse_clock(const char *s, int end, long *out)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (!end || m != 0)))
		return -1;
	*out = h * 3600L + m * 60L;
	return 0;
}

int
hours_parse_date(const char *s, long *day)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int y = 0, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	}
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 &&
	    !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*day = tz_days_from_civil(y, m, d);
	return 0;
}

void
hours_add_window(struct hours *h, unsigned days, long start, long end)
{
	h->w = xreallocarray(h->w, h->nw + 1, sizeof *h->w);
	h->w[h->nw].days = days;
	h->w[h->nw].start = start;
	h->w[h->nw].end = end;
	h->nw++;
	h->has_windows = 1;
}

void
hours_add_holiday(struct hours *h, long day)
{
	size_t i;

	h->has_holidays = 1;
	for (i = 0; i < h->nholidays && h->holidays[i] < day; i++)
		;
	if (i < h->nholidays && h->holidays[i] == day)
		return;
	h->holidays =
	    xreallocarray(h->holidays, h->nholidays + 1, sizeof *h->holidays);
	memmove(h->holidays + i + 1, h->holidays + i,
	    (h->nholidays - i) * sizeof *h->holidays);
	h->holidays[i] = day;
	h->nholidays++;
}

void
hours_free(struct hours *h)
{
	free(h->w);
	free(h->holidays);
	memset(h, 0, sizeof *h);
}

void
hours_copy(struct hours *to, const struct hours *from)
{
	*to = *from;
	to->w = xcalloc(from->nw + 1, sizeof *to->w);
	if (from->nw > 0)
		memcpy(to->w, from->w, from->nw * sizeof *to->w);
	to->holidays = xcalloc(from->nholidays + 1, sizeof *to->holidays);
	if (from->nholidays > 0)
		memcpy(to->holidays, from->holidays,
		    from->nholidays * sizeof *to->holidays);
}

int
hours_effective(const struct hours *own, const struct hours *all,
    const struct hours **windows, const struct hours **holidays)
{
	*windows = own != NULL && own->has_windows ? own
	    : all != NULL && all->has_windows      ? all
	                                           : NULL;
	*holidays = own != NULL && own->has_holidays ? own
	    : all != NULL && all->has_holidays       ? all
	                                             : NULL;
	if (*holidays != NULL && (*holidays)->nholidays == 0)
		*holidays = NULL;
	return *windows != NULL || *holidays != NULL;
}

static int
hours_is_holiday(const struct hours *h, long day)
{
	size_t lo = 0, hi = h != NULL ? h->nholidays : 0, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (h->holidays[mid] == day)
			return 1;
		if (h->holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The service hours of one local day into out, clipped to [from, to). */
static void
hours_day_spans(const struct hours *win, const struct tz *z, long day,
    time_t from, time_t to, struct spans *out)
{
	static const struct hours_window all_day = { 0x7f, 0, 86400 };
	const struct hours_window *w;
	size_t i, n = win != NULL ? win->nw : 1;
	int y, m, d, wd = (int)(((day + 3) % 7 + 7) % 7); /* 0: Monday */
	time_t a, b;

	tz_civil_from_days(day, &y, &m, &d);
	for (i = 0; i < n; i++) {
		w = win != NULL ? &win->w[i] : &all_day;
		if (!(w->days & (1u << wd)))
			continue;
		a = tz_utc(z, y, m, d, w->start);
		b = tz_utc(z, y, m, d, w->end);
		span_add(out, a > from ? a : from, b < to ? b : to);
	}
}

void
hours_spans(const struct hours *own, const struct hours *all,
    const struct tz *z, time_t from, time_t to, struct spans *out)
{
	const struct hours *win, *hol;
	struct tm tm;
	long day, last;

	if (to <= from)
		return;
	if (!hours_effective(own, all, &win, &hol)) {
		span_add(out, from, to);
		span_norm(out);
		return;
	}
	/* Every local day that meets [from, to). */
	tz_local(z, from, &tm);
	day = tz_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	tz_local(z, to - 1, &tm);
	last = tz_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	for (; day <= last; day++) {
		if (!hours_is_holiday(hol, day))
			hours_day_spans(win, z, day, from, to, out);
	}
	span_norm(out);
}

/* "mon-fri", "sat,sun", "every day" for the day bits. */
static void
hours_days_text(unsigned days, char *buf, size_t len)
{
	size_t n = 0;
	int i, k;

	buf[0] = '\0';
	if (days == 0x7f) {
		snprintf(buf, len, "every day");
		return;
	}
	for (i = 0; i < 7; i = k) {
		if (!(days & (1u << i))) {
			k = i + 1;
			continue;
		}
		for (k = i; k < 7 && (days & (1u << k)); k++)
			;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    n > 0 ? "," : "", hours_daynames[i]);
		if (k - i > 1)
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
			    "-%s", hours_daynames[k - 1]);
	}
}

void
hours_describe(const struct hours *own, const struct hours *all, char *buf,
    size_t len)
{
	const struct hours *win, *hol;
	char days[64];
	size_t i, n = 0;

	if (!hours_effective(own, all, &win, &hol)) {
		snprintf(buf, len, "all hours");
		return;
	}
	buf[0] = '\0';
	for (i = 0; win != NULL && i < win->nw; i++) {
		hours_days_text(win->w[i].days, days, sizeof days);
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
		    "%s%s %02ld:%02ld-%02ld:%02ld", i > 0 ? ", " : "", days,
		    win->w[i].start / 3600, win->w[i].start % 3600 / 60,
		    win->w[i].end / 3600, win->w[i].end % 3600 / 60);
	}
	if (win == NULL)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
		    "every day 00:00-24:00");
	if (hol != NULL)
		snprintf(buf + n, n < len ? len - n : 0,
		    ", not on %zu holiday(s)", hol->nholidays);
}
