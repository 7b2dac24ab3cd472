/*
 * How pictures and text tables write numbers and periods: amounts with
 * thousands separators, notes whose decimals are grouped while their
 * dates and times are not, and periods in words for titles.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chart.h"
#include "period.h"

static void
test_amounts(void **unused)
{
	static const struct {
		double v;
		int decimals;
		const char *want;
	} cases[] = { { 0, 2, "0.00" }, { 999.5, 2, "999.50" },
		{ 1000, 2, "1,000.00" }, { 1234567.891, 2, "1,234,567.89" },
		{ -1234.5, 2, "-1,234.50" }, { -0.001, 2, "0.00" },
		{ 100000, 0, "100,000" }, { 12345678, 3, "12,345,678.000" },
		{ -999, 0, "-999" } };
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		chart_fmt_amount(cases[i].v, cases[i].decimals, 1, buf,
		    sizeof buf);
		assert_string_equal(buf, cases[i].want);
	}
	chart_fmt_amount(1234567.891, 2, 0, buf, sizeof buf);
	assert_string_equal(buf, "1234567.89");
	chart_fmt_amount(NAN, 2, 1, buf, sizeof buf);
	assert_string_equal(buf, "");
}

static void
test_notes(void **unused)
{
	char buf[256];

	chart_group_text("total service: 343713.62", buf, sizeof buf);
	assert_string_equal(buf, "total service: 343,713.62");
	chart_group_text(
	    "outage web 2026-02-10T00:05:00Z..2026-02-10T00:07:00Z "
	    "(timeout)",
	    buf, sizeof buf);
	assert_string_equal(buf,
	    "outage web 2026-02-10T00:05:00Z..2026-02-10T00:07:00Z (timeout)");
	chart_group_text("availability portal: 99.123 %; -12345.5 credit; 1200 "
	                 "users",
	    buf, sizeof buf);
	assert_string_equal(buf,
	    "availability portal: 99.123 %; -12,345.5 credit; 1200 users");
}

static void
title(time_t from, time_t to, const char *want)
{
	struct period p;
	char buf[96];

	memset(&p, 0, sizeof p);
	p.from = from;
	p.to = to;
	period_title(&p, NULL, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void
test_titles(void **unused)
{
	/* 2026-01-01, 2026-04-01, 2026-07-01, 2025-10-01, 2027-01-01 */
	time_t jan = 1767225600, apr = 1775001600, jul = 1782864000;
	time_t oct = 1759276800, y27 = 1798761600;

	title(jan, apr, "2026 Q1");
	title(jan, jul, "2026 Q1\xe2\x80\x93Q2");
	title(oct, apr,
	    "2025 Q4\xe2\x80\x93"
	    "2026 Q1");
	title(jan, y27, "2026");
	title(jan, jan + 31 * 86400, "2026-01");
	title(jan + 31 * 86400, apr + 30 * 86400,
	    "2026-02\xe2\x80\x93"
	    "2026-04");
	title(jan, jan + 14 * 86400,
	    "2026-01-01\xe2\x80\x93"
	    "2026-01-14");
	title(jan + 6 * 3600, jan + 18 * 3600,
	    "2026-01-01 06:00\xe2\x80\x93"
	    "18:00 UTC");
	title(jan - 86400 + 3600, jan + 3600,
	    "2025-12-31 01:00\xe2\x80\x93"
	    "2026-01-01 01:00 UTC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_titles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
