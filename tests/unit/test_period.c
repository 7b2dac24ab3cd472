/*
 * Periods: quarters, months, years, "last N", ranges, and the errors of
 * each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quarter),
		cmocka_unit_test(test_month_year),
		cmocka_unit_test(test_last_range),
		cmocka_unit_test(test_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
