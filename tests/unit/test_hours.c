/*
 * Service hours: their strings, which hours a system's are (its own or
 * the top level's), where they fall in UTC (and in Stockholm, where the
 * days of the DST changes are 23 and 25 hours), and how they are said.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hours.h"
#include "span.h"
#include "tz.h"

static void
test_parse(void **unused)
{
	unsigned d;
	long v;

	assert_int_equal(hours_parse_days("mon-fri", &d), 0);
	assert_int_equal(d, 0x1f);
	assert_int_equal(hours_parse_days("Sat,SUN", &d), 0);
	assert_int_equal(d, 0x60);
	assert_int_equal(hours_parse_days("fri-mon", &d), 0);
	assert_int_equal(d, 0x71);
	assert_int_equal(hours_parse_days("mon-fri,sun", &d), 0);
	assert_int_equal(d, 0x5f);
	assert_int_equal(hours_parse_days("mon-fry", &d), -1);
	assert_int_equal(hours_parse_days("mon,", &d), -1);
	assert_int_equal(hours_parse_days("", &d), -1);
	assert_int_equal(hours_parse_days("mo", &d), -1);
	assert_int_equal(hours_parse_days("monday", &d), -1);
	assert_int_equal(hours_parse_clock("07:30", 0, &v), 0);
	assert_int_equal(v, 7 * 3600 + 1800);
	assert_int_equal(hours_parse_clock("24:00", 0, &v), -1);
	assert_int_equal(hours_parse_clock("24:00", 1, &v), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(hours_parse_clock("24:01", 1, &v), -1);
	assert_int_equal(hours_parse_clock("7:00", 0, &v), -1);
	assert_int_equal(hours_parse_clock("07:60", 0, &v), -1);
	assert_int_equal(hours_parse_date("2026-12-24", &v), 0);
	assert_int_equal(v, tz_days_from_civil(2026, 12, 24));
	assert_int_equal(hours_parse_date("2028-02-29", &v), 0);
	assert_int_equal(hours_parse_date("2026-02-29", &v), -1);
	assert_int_equal(hours_parse_date("2026-04-31", &v), -1);
	assert_int_equal(hours_parse_date("2026-4-30", &v), -1);
	assert_int_equal(hours_parse_date("1969-12-31", &v), -1);
	(void)unused;
}

/* The seconds of own/all's hours in [from, to) in zone z. */
static long
seconds(const struct hours *own, const struct hours *all, const struct tz *z,
    time_t from, time_t to)
{
	struct spans s = { NULL, 0, 0 };
	long n;

	hours_spans(own, all, z, from, to, &s);
	n = span_total(&s);
	span_free(&s);
	return n;
}

static void
test_spans_utc(void **unused)
{
	struct hours all = { 0 }, own = { 0 }, none = { 0 };
	time_t mon = 1774224000; /* Monday 2026-03-23 00:00 UTC */
	struct spans s = { NULL, 0, 0 };
	char buf[256];

	hours_add_window(&all, 0x1f, 7 * 3600, 18 * 3600);
	assert_int_equal(seconds(NULL, &all, NULL, mon, mon + 7 * 86400),
	    5 * 11 * 3600);
	/* Clipped to the period: Monday from 12:00. */
	assert_int_equal(seconds(NULL, &all, NULL, mon + 12 * 3600,
	                     mon + 86400),
	    6 * 3600);
	hours_add_holiday(&all, tz_days_from_civil(2026, 3, 25));
	hours_add_holiday(&all, tz_days_from_civil(2026, 3, 25));
	assert_int_equal(all.nholidays, 1);
	assert_int_equal(seconds(NULL, &all, NULL, mon, mon + 7 * 86400),
	    4 * 11 * 3600);
	hours_spans(NULL, &all, NULL, mon, mon + 7 * 86400, &s);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.v[0].start, mon + 7 * 3600);
	span_free(&s);
	/* A system's own hours replace the top level's; holidays () too. */
	hours_add_window(&own, 0x60, 10 * 3600, 14 * 3600);
	own.has_holidays = 1;
	assert_int_equal(seconds(&own, &all, NULL, mon, mon + 7 * 86400),
	    2 * 4 * 3600);
	/* No hours anywhere: every hour. */
	assert_int_equal(seconds(&none, NULL, NULL, mon, mon + 86400), 86400);
	hours_describe(NULL, &all, buf, sizeof buf);
	assert_string_equal(buf, "mon-fri 07:00-18:00, not on 1 holiday(s)");
	hours_describe(&own, &all, buf, sizeof buf);
	assert_string_equal(buf, "sat-sun 10:00-14:00");
	hours_describe(&none, NULL, buf, sizeof buf);
	assert_string_equal(buf, "all hours");
	hours_free(&all);
	hours_free(&own);
	(void)unused;
}

static void
test_spans_stockholm(void **unused)
{
	struct hours day = { 0 };
	struct tz *z = NULL;
	char *cause = NULL;
	time_t a, b;

	if (tz_load("Europe/Stockholm", &z, &cause) != 0)
		fail_msg("%s", cause);
	hours_add_window(&day, 0x7f, 0, 86400);
	/* The spring change day has 23 hours, the autumn one 25. */
	a = tz_utc(z, 2026, 3, 29, 0);
	b = tz_utc(z, 2026, 3, 30, 0);
	assert_int_equal(b - a, 23 * 3600);
	assert_int_equal(seconds(&day, NULL, z, a - 86400, b + 86400),
	    (24 + 23 + 24) * 3600);
	a = tz_utc(z, 2026, 10, 25, 0);
	b = tz_utc(z, 2026, 10, 26, 0);
	assert_int_equal(seconds(&day, NULL, z, a, b), 25 * 3600);
	hours_free(&day);
	/* 07:00-18:00 is 11 hours on either side of a change. */
	hours_add_window(&day, 0x1f, 7 * 3600, 18 * 3600);
	assert_int_equal(seconds(&day, NULL, z, tz_utc(z, 2026, 3, 23, 0),
	                     tz_utc(z, 2026, 4, 6, 0)),
	    10 * 11 * 3600);
	hours_free(&day);
	tz_free(z);
	(void)unused;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_spans_utc),
		cmocka_unit_test(test_spans_stockholm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
