/*
 * Held updates as compact rows: the writer holds a minute of updates for
 * each of thousands of files (store.write_delay), most of whose values
 * are small integers (up, code, reason) or unknown. A row is its time, as
 * a varint of its distance from a base time, then each value as a tag
 * byte: unknown; an integer, a varint following; or the double's 8 bytes.
 * Every double reads back with the same bits (-0 and infinities as 8
 * bytes), so what is written is what was held. Pure: memory only.
 */
#ifndef STORE_ROW_H
#define STORE_ROW_H

#include <stddef.h>
#include <time.h>

/* The most bytes a row of n values takes. */
#define STORE_ROW_MAX(n) (10 + 9 * (size_t)(n))

/* Write a row of n values at p (STORE_ROW_MAX(n) bytes); its length. */
size_t store_row_put(unsigned char *p, time_t base, time_t t, const double *v,
    size_t n);
/*
 * Read the row at p (before end) into *t and v[n] (v NULL: skip it); its
 * length, or 0 when it is cut short.
 */
size_t store_row_get(const unsigned char *p, const unsigned char *end,
    time_t base, time_t *t, double *v, size_t n);

#endif /* STORE_ROW_H */
