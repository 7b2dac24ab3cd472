/*
 * The sums of a FOCUS run: a charge period split over UTC days by its
 * seconds (exactly), a billing period re-delivered in a newer file
 * replacing the older file's rows of it, a system missing from the
 * re-delivery getting 0 on its days, files without billing periods
 * always taken, and days no delivery covers left unknown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "focus_sum.h"

#define DAY 86400LL
/* 2026-03-01T00:00:00Z, 2026-04-01, 2026-05-01 */
#define MAR 1772323200LL
#define APR 1775001600LL
#define MAY 1777593600LL

static void
add(struct focus_sum *s, size_t file, size_t sys, long long bp0, long long bp1,
    long long start, long long end, long long micros)
{
	struct focus_sum_row r;
	long long days;

	memset(&r, 0, sizeof r);
	r.file = file;
	r.sys = sys;
	r.has_bp = bp1 > bp0;
	r.bp_start = bp0;
	r.bp_end = bp1;
	r.start = start;
	r.end = end;
	r.micros = micros;
	assert_int_equal(focus_sum_add(s, &r, &days), 0);
}

static void
test_share(void **unused)
{
	/* 100.00 from 22:00 (a local day at +02:00) for 24 hours: 2 hours
	 * on the first UTC day, 22 on the second. */
	long long start = MAR + 22 * 3600, end = start + DAY, d = MAR / DAY;
	long long a = focus_sum_share(100000000, start, end, d);
	long long b = focus_sum_share(100000000, start, end, d + 1);
	long long i, sum = 0;

	assert_int_equal(a, 8333333);
	assert_int_equal(b, 91666667);
	assert_int_equal(a + b, 100000000);
	assert_int_equal(focus_sum_share(100000000, start, end, d + 2), 0);
	/* Any amount over any odd period adds up exactly. */
	start = MAR + 12345;
	end = start + 17 * DAY + 999;
	for (i = MAR / DAY; i <= end / DAY; i++)
		sum += focus_sum_share(-123456789, start, end, i);
	assert_int_equal(sum, -123456789);
}

static long long
val(const struct focus_sum *s, size_t sys, long long t)
{
	return focus_sum_value(s, sys, t / DAY);
}

static void
test_redelivery(void **unused)
{
	struct focus_sum *s = focus_sum_new();
	char *cause = NULL;
	long long first, last;
	size_t old, new, x, y;

	old = focus_sum_file(s, "2026-03/a.csv", 100);
	new = focus_sum_file(s, "2026-03-fix/a.csv", 200);
	x = focus_sum_system(s, "x");
	y = focus_sum_system(s, "y");
	/* The original March: x and y; April only there. */
	add(s, old, x, MAR, APR, MAR, MAR + DAY, 10000000);
	add(s, old, y, MAR, APR, MAR + DAY, MAR + 2 * DAY, 5000000);
	add(s, old, x, APR, MAY, APR, APR + DAY, 7000000);
	/* The re-delivered March: x only, another amount. */
	add(s, new, x, MAR, APR, MAR, MAR + DAY, 12000000);
	assert_int_equal(focus_sum_select(s, NULL, NULL, &cause), 0);
	assert_int_equal(val(s, x, MAR), 12000000);
	assert_int_equal(val(s, y, MAR + DAY), 0); /* gone: 0, not 5 */
	assert_int_equal(val(s, x, APR), 7000000); /* April kept */
	assert_int_equal(focus_sum_range(s, &first, &last), 1);
	assert_int_equal(first, MAR / DAY);
	assert_int_equal(last, MAY / DAY - 1);
	assert_true(focus_sum_covered(s, MAR / DAY + 20));
	assert_false(focus_sum_covered(s, MAY / DAY));
	focus_sum_free(s);
}

static int notes;

static void
note_cb(long long bp, const char *taken, const char *left, void *arg)
{
	assert_int_equal(bp, MAR);
	assert_string_equal(taken, "b.csv");
	assert_string_equal(left, "a.csv");
	notes++;
}

static void
test_same_mtime(void **unused)
{
	struct focus_sum *s = focus_sum_new();
	char *cause = NULL;
	size_t a, b, x;

	/* Equal times: the later name wins. */
	b = focus_sum_file(s, "b.csv", 100);
	a = focus_sum_file(s, "a.csv", 100);
	x = focus_sum_system(s, "x");
	add(s, a, x, MAR, APR, MAR, MAR + DAY, 1000000);
	add(s, b, x, MAR, APR, MAR, MAR + DAY, 2000000);
	notes = 0;
	assert_int_equal(focus_sum_select(s, note_cb, NULL, &cause), 0);
	assert_int_equal(notes, 1);
	assert_int_equal(val(s, x, MAR), 2000000);
	focus_sum_free(s);
}

static void
test_no_billing(void **unused)
{
	struct focus_sum *s = focus_sum_new();
	char *cause = NULL;
	size_t a, b, x;

	/* Without billing periods every file is taken, and only the days
	 * the rows are charged for are covered. */
	a = focus_sum_file(s, "a.csv", 100);
	b = focus_sum_file(s, "b.csv", 200);
	x = focus_sum_system(s, "x");
	add(s, a, x, 0, 0, MAR, MAR + DAY, 1000000);
	add(s, b, x, 0, 0, MAR, MAR + DAY, 2000000);
	add(s, b, x, 0, 0, MAR + 5 * DAY, MAR + 6 * DAY, 4000000);
	assert_int_equal(focus_sum_select(s, NULL, NULL, &cause), 0);
	assert_int_equal(val(s, x, MAR), 3000000);
	assert_true(focus_sum_covered(s, MAR / DAY));
	assert_false(focus_sum_covered(s, MAR / DAY + 2));
	assert_true(focus_sum_covered(s, MAR / DAY + 5));
	focus_sum_free(s);
}

static void
test_limits(void **unused)
{
	struct focus_sum *s = focus_sum_new();
	struct focus_sum_row r;
	char *cause = NULL;
	long long days;

	memset(&r, 0, sizeof r);
	r.file = focus_sum_file(s, "a.csv", 1);
	r.sys = focus_sum_system(s, "x");
	r.start = MAR;
	r.end = MAR + (FOCUS_SUM_MAX_DAYS + 1) * DAY;
	assert_int_equal(focus_sum_add(s, &r, &days), -1);
	assert_int_equal(days, FOCUS_SUM_MAX_DAYS + 1);
	r.end = MAR + DAY;
	r.has_bp = 1;
	r.bp_start = MAR;
	r.bp_end = MAR + (FOCUS_SUM_MAX_DAYS + 1) * DAY;
	assert_int_equal(focus_sum_add(s, &r, &days), -2);
	/* Deliveries twenty years and more apart: refused as a whole. */
	r.bp_end = MAR + DAY;
	assert_int_equal(focus_sum_add(s, &r, &days), 0);
	r.bp_start = r.start = MAR + 8000 * DAY;
	r.bp_end = r.end = MAR + 8001 * DAY;
	assert_int_equal(focus_sum_add(s, &r, &days), 0);
	assert_int_equal(focus_sum_select(s, NULL, NULL, &cause), -1);
	assert_non_null(strstr(cause, "span 8001 days"));
	free(cause);
	focus_sum_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_redelivery),
		cmocka_unit_test(test_same_mtime),
		cmocka_unit_test(test_no_billing),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
