/*
 * Held updates as compact rows: every double reads back with its own
 * bits (integers, fractions, -0, infinities, the largest and smallest),
 * unknown stays unknown, times before and after the base come back, a
 * row cut short is refused, and the rows are smaller than the doubles.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_row.h"

static void
test_store_row_bits(void **unused)
{
	const double v[] = { 0, -0.0, 1, -1, 200, 255, 0.25, 1e-300, 5e-324,
		-5e-324, 1e300, 1.7976931348623157e308, INFINITY, -INFINITY,
		9007199254740991.0, 9007199254740992.0, -9007199254740992.0,
		4503599627370497.0, 0.1, 2.9999999999999996, NAN, 19402850304,
		-123456789, 3.5 };
	size_t n = sizeof v / sizeof v[0], len, j;
	unsigned char buf[STORE_ROW_MAX(sizeof v / sizeof v[0])];
	double back[sizeof v / sizeof v[0]];
	time_t t;

	(void)unused;
	len = store_row_put(buf, 1700000000, 1699999990, v, n);
	assert_true(len <= sizeof buf);
	assert_int_equal(store_row_get(buf, buf + len, 1700000000, &t, back, n),
	    len);
	assert_int_equal(t, 1699999990);
	for (j = 0; j < n; j++) {
		if (isnan(v[j]))
			assert_true(isnan(back[j]));
		else
			assert_memory_equal(&v[j], &back[j], sizeof v[j]);
	}
	/* Cut short anywhere: refused, never read beyond. */
	for (j = 0; j < len; j++)
		assert_int_equal(store_row_get(buf, buf + j, 1700000000, &t,
		                     back, n),
		    0);
}

/* An http update: up, times, code, unknown cert days, reason. */
static void
test_store_row_size(void **unused)
{
	const double v[] = { 1, 0.0123456, 0.000211, 0.000302, NAN, 0.010991,
		200, NAN, 0 };
	unsigned char buf[10 * STORE_ROW_MAX(9)], *p = buf;
	double back[9];
	time_t t, base = 1700000000;
	size_t k, len;

	(void)unused;
	for (k = 0; k < 6; k++)
		p += store_row_put(p, base, base + 10 * (time_t)k, v, 9);
	/* 48 bytes or less an update, not 8 + 9 * 8 as time_t and doubles. */
	assert_true((size_t)(p - buf) <= 6 * 48);
	for (k = 0, p = buf; k < 6; k++) {
		len = store_row_get(p, buf + sizeof buf, base, &t, back, 9);
		assert_true(len > 0);
		assert_int_equal(t, base + 10 * (time_t)k);
		assert_memory_equal(&back[1], &v[1], sizeof v[1]);
		assert_true(back[6] == 200 && isnan(back[7]));
		p += len;
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_row_bits),
		cmocka_unit_test(test_store_row_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
