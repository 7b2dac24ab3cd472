/*
 * Compact rows of held updates (store_row.h): zigzag varints for the time
 * and for integer values, a tag byte for each value.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "store_row.h"

enum store_row_tag {
	STORE_ROW_UNKNOWN,
	STORE_ROW_INT,
	STORE_ROW_DOUBLE,
};

/* Integers up to this magnitude are exact in a double. */
#define STORE_ROW_INT_MAX 9007199254740992.0 /* 2^53 */

static size_t
store_row_put_varint(unsigned char *p, int64_t i)
{
	uint64_t u = i < 0 ? ((uint64_t)(-(i + 1)) << 1) | 1 : (uint64_t)i << 1;
	size_t n = 0;

	while (u >= 0x80) {
		p[n++] = (unsigned char)(u | 0x80);
		u >>= 7;
	}
	p[n++] = (unsigned char)u;
	return n;
}

/* The varint at p into *i; its length, 0 when cut short or too long. */
static size_t
store_row_get_varint(const unsigned char *p, const unsigned char *end,
    int64_t *i)
{
	uint64_t u = 0;
	size_t n = 0;
	unsigned shift = 0;

	for (;;) {
		if (p + n >= end || shift > 63)
			return 0;
		u |= (uint64_t)(p[n] & 0x7f) << shift;
		shift += 7;
		if ((p[n++] & 0x80) == 0)
			break;
	}
	*i = (u & 1) ? -(int64_t)(u >> 1) - 1 : (int64_t)(u >> 1);
	return n;
}

size_t
store_row_put(unsigned char *p, time_t base, time_t t, const double *v,
    size_t n)
{
	size_t len, j;

	len = store_row_put_varint(p, (int64_t)t - (int64_t)base);
	for (j = 0; j < n; j++) {
		if (isnan(v[j]))
			p[len++] = STORE_ROW_UNKNOWN;
		else if (v[j] == trunc(v[j]) &&
		    fabs(v[j]) < STORE_ROW_INT_MAX &&
		    !(v[j] == 0 && signbit(v[j]))) {
			p[len++] = STORE_ROW_INT;
			len += store_row_put_varint(p + len, (int64_t)v[j]);
		} else {
			p[len++] = STORE_ROW_DOUBLE;
			memcpy(p + len, &v[j], sizeof v[j]);
			len += sizeof v[j];
		}
	}
	return len;
}

/* One value at p into *v; its length, 0 when cut short or unknown tag. */
static size_t
store_row_get_value(const unsigned char *p, const unsigned char *end, double *v)
{
	int64_t i;
	size_t n;

	if (p >= end)
		return 0;
	switch ((enum store_row_tag)p[0]) {
	case STORE_ROW_UNKNOWN:
		*v = NAN;
		return 1;
	case STORE_ROW_INT:
		if ((n = store_row_get_varint(p + 1, end, &i)) == 0)
			return 0;
		*v = (double)i;
		return 1 + n;
	case STORE_ROW_DOUBLE:
		if (end - p < 1 + (ptrdiff_t)sizeof *v)
			return 0;
		memcpy(v, p + 1, sizeof *v);
		return 1 + sizeof *v;
	}
	return 0;
}

size_t
store_row_get(const unsigned char *p, const unsigned char *end, time_t base,
    time_t *t, double *v, size_t n)
{
	int64_t d;
	double x;
	size_t len, k, j;

	if ((len = store_row_get_varint(p, end, &d)) == 0)
		return 0;
	*t = (time_t)((int64_t)base + d);
	for (j = 0; j < n; j++) {
		if ((k = store_row_get_value(p + len, end, &x)) == 0)
			return 0;
		if (v != NULL)
			v[j] = x;
		len += k;
	}
	return len;
}
