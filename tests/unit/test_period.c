/*
 * Periods: quarters, months, years, "last N", ranges, and the errors of
 * each; in UTC and in local time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "period.h"

static void
test_quarter(void **unused)
{
	struct period p;

	assert_int_equal(period_quarter("2014Q2", NULL, &p), 0);
	assert_int_equal(p.from, 1396310400); /* 2014-04-01 */
	assert_int_equal(p.to, 1404172800); /* 2014-07-01 */
	assert_string_equal(p.label, "2014Q2");
	assert_int_equal(period_quarter("2015Q4", NULL, &p), 0);
	assert_int_equal(p.from, 1443657600); /* 2015-10-01 */
	assert_int_equal(p.to, 1451606400); /* 2016-01-01 */
	assert_int_equal(period_quarter("2014Q5", NULL, &p), -1);
	assert_int_equal(period_quarter("2014Q0", NULL, &p), -1);
	assert_int_equal(period_quarter("14Q2", NULL, &p), -1);
	assert_int_equal(period_quarter("2014-Q2", NULL, &p), -1);
	(void)unused;
}

static void
test_month_year(void **unused)
{
	struct period p;

	assert_int_equal(period_month("2016-02", NULL, &p), 0);
	assert_int_equal(p.from, 1454284800); /* 2016-02-01 */
	assert_int_equal(p.to - p.from, 29 * 86400);
	assert_int_equal(period_month("2014-12", NULL, &p), 0);
	assert_int_equal(p.to, 1420070400); /* 2015-01-01 */
	assert_int_equal(period_month("2014-13", NULL, &p), -1);
	assert_int_equal(period_month("2014-5", NULL, &p), -1);
	assert_int_equal(period_year("2015", NULL, &p), 0);
	assert_int_equal(p.from, 1420070400);
	assert_int_equal(p.to, 1451606400);
	assert_int_equal(period_year("15", NULL, &p), -1);
	(void)unused;
}

static void
test_last_range(void **unused)
{
	struct period p;

	assert_int_equal(period_last("24h", NULL, 1000000, &p), 0);
	assert_int_equal(p.from, 1000000 - 86400);
	assert_int_equal(p.to, 1000000);
	/* Days begin at midnight: 1y is the 365 days before today, and
	 * today so far (100000000 is 1973-03-03T09:46:40Z). */
	assert_int_equal(period_last("1y", NULL, 100000000, &p), 0);
	assert_int_equal(p.to - p.from, 365 * 86400 + 35200);
	assert_int_equal(period_last("7x", NULL, 0, &p), -1);
	assert_int_equal(period_last("d", NULL, 0, &p), -1);
	assert_int_equal(period_last("0d", NULL, 0, &p), -1);
	assert_int_equal(period_range("2014-05-01", "2014-05-02T12:00:00Z",
	                     NULL, &p),
	    0);
	assert_int_equal(p.from, 1398902400);
	assert_int_equal(p.to, 1398902400 + 36 * 3600);
	assert_int_equal(period_range("@100", "@200", NULL, &p), 0);
	assert_int_equal(p.to, 200);
	assert_int_equal(period_range("2014-05-02", "2014-05-01", NULL, &p),
	    -1);
	assert_int_equal(period_range("2014-05-01", "2014-05-01", NULL, &p),
	    -1);
	assert_int_equal(period_range("yesterday", "2014-05-01", NULL, &p), -1);
	(void)unused;
}

static void
test_opts(void **unused)
{
	struct period_opts o;
	struct period p;
	char err[160];

	memset(&o, 0, sizeof o);
	assert_int_equal(period_from_opts(&o, "7d", NULL, 1000000, &p, err,
	                     sizeof err),
	    0);
	/* 1000000 is 1970-01-12T13:46:40Z: from 1970-01-05T00:00:00Z. */
	assert_int_equal(p.from, 4 * 86400);
	assert_int_equal(period_from_opts(&o, NULL, NULL, 0, &p, err,
	                     sizeof err),
	    -1);
	assert_non_null(strstr(err, "a period is required"));

	o.quarter = "2014Q5";
	assert_int_equal(period_from_opts(&o, NULL, NULL, 0, &p, err,
	                     sizeof err),
	    -1);
	assert_string_equal(err, "bad quarter \"2014Q5\": want YYYYQ1-4");

	o.month = "2014-05";
	assert_int_equal(period_from_opts(&o, NULL, NULL, 0, &p, err,
	                     sizeof err),
	    -1);
	assert_non_null(strstr(err, "give one of"));

	memset(&o, 0, sizeof o);
	o.from = "2014-06-01";
	assert_int_equal(period_from_opts(&o, NULL, NULL, 0, &p, err,
	                     sizeof err),
	    -1);
	assert_string_equal(err, "--from and --to go together");
	o.to = "2014-05-01";
	assert_int_equal(period_from_opts(&o, NULL, NULL, 0, &p, err,
	                     sizeof err),
	    -1);
	assert_non_null(strstr(err, "ends before it starts"));
	o.to = "2014-07-01";
	assert_int_equal(period_from_opts(&o, NULL, NULL, 0, &p, err,
	                     sizeof err),
	    0);
	assert_int_equal(p.to - p.from, 30 * 86400);
	(void)unused;
}

/* Periods in a zone: local midnights, and the UTC days of their dates. */
static void
test_local(void **unused)
{
	struct tz *se = NULL, *ny = NULL;
	struct period p, d;
	char *cause = NULL, buf[96];

	if (tz_load("Europe/Stockholm", &se, &cause) != 0 ||
	    tz_load("America/New_York", &ny, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(period_quarter("2026Q1", se, &p), 0);
	assert_int_equal(p.from, 1767222000); /* 2025-12-31T23:00:00Z */
	assert_int_equal(p.to, 1774994400); /* 2026-03-31T22:00:00Z */
	period_title(&p, se, buf, sizeof buf);
	assert_string_equal(buf, "2026 Q1");
	period_days(&p, se, &d);
	assert_int_equal(d.from, 1767225600); /* 2026-01-01 */
	assert_int_equal(d.to, 1775001600); /* 2026-04-01 */
	assert_int_equal(period_quarter("2026Q1", ny, &p), 0);
	assert_int_equal(p.from, 1767243600); /* 2026-01-01T05:00:00Z */
	period_days(&p, ny, &d);
	assert_int_equal(d.from, 1767225600);
	assert_int_equal(d.to, 1775001600);
	/* A date is its local midnight; --last's days begin at one. */
	assert_int_equal(period_range("2026-03-29", "2026-03-30", se, &p), 0);
	assert_int_equal(p.to - p.from, 23 * 3600);
	period_title(&p, se, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-29");
	assert_int_equal(period_last("1d", se, 1774779000, &p), 0);
	assert_int_equal(p.from, 1774652400); /* 2026-03-28T00:00:00+01:00 */
	assert_int_equal(period_last("24h", se, 1774779000, &p), 0);
	assert_int_equal(p.from, 1774779000 - 86400);
	p.from = 1774749600; /* 2026-03-29T04:00:00+02:00 */
	p.to = p.from + 3 * 3600;
	period_title(&p, se, buf, sizeof buf);
	assert_string_equal(buf,
	    "2026-03-29 04:00\xe2\x80\x93"
	    "07:00 Europe/Stockholm");
	period_whole_days(&p, se, &d);
	assert_int_equal(d.from, 1774738800); /* 2026-03-29T00:00:00+01:00 */
	assert_int_equal(d.to, 1774821600); /* 2026-03-30T00:00:00+02:00 */
	tz_free(se);
	tz_free(ny);
	(void)unused;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quarter),
		cmocka_unit_test(test_month_year),
		cmocka_unit_test(test_last_range),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
