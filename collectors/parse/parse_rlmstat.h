/*
 * Output of Reprise License Manager "rlmutil rlmstat -a": per product of
 * each ISV server, the licences in its pools, in use and reserved. Pure: a
 * buffer (any bytes) in, a struct out; a line that is not understood is
 * reported in the error list and the others are kept.
 *
 * Lines are read after their indentation (spaces or tabs, as real rlmstat
 * output has) and trailing blanks are removed; CRLF is read as LF. What
 * counts is the license pool section of each ISV server:
 *
 *   csci license pool status on host (port 63133)
 *	starts it, for ISV "csci"
 *   converge_super v3.0
 *   nuke_i v2024.0701, pool: 6
 *	a pool of a product (newer servers number the pools)
 *   count: 1000, # reservations: 0, inuse: 93, exp: 31-jan-2022
 *	its counts; other "key: value, ..." lines ("obsolete: 0,
 *	min_remove: 120, total checkouts: 169") are ignored
 *
 * A product (ISV, name) sums count, "# reservations" and inuse over all its
 * pools, whatever their versions. A pool is token-based when the word
 * "token" (any case) appears after its version or in its count line: the
 * sample outputs at hand show no token pool, so the exact wording RLM uses
 * is not relied upon. Counts are whole numbers of at most 2^53; another
 * value is an error and makes the product's sum NAN. A pool line with no
 * count line after it is an error.
 *
 * A line 'Error connecting to "rlm" server' (or to an ISV server) makes
 * connected 0 and is the error; the lines after it explain it and are not
 * reported. Output with no "rlm status on" line and no pool section is not
 * connected either ("no rlm status in the output"). The other lines rlmstat -a
 * prints (banner, server status and statistics, the ISV server table, the
 * license usage lines) are recognised and ignored.
 */
#ifndef PARSE_RLMSTAT_H
#define PARSE_RLMSTAT_H

#include <stddef.h>

#define PARSE_RLMSTAT_MAX_PRODUCTS 4096 /* the rest: one error */
#define PARSE_RLMSTAT_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_rlmstat_product {
	char *isv; /* ISV server name ("" if no pool header said) */
	char *name; /* product name, as given */
	double count; /* licences (tokens for token-based), summed */
	double inuse; /* summed */
	double reserved; /* "# reservations", summed */
	int token_based; /* any of its pools */
	size_t pools; /* pools summed */
};

struct parse_rlmstat {
	int connected; /* the server answered */
	char *error; /* when not connected, why; NULL otherwise */
	struct parse_rlmstat_product *products; /* in order of appearance */
	size_t nproducts;
	char **errors; /* "line 12: ..." */
	size_t nerrors;
	size_t skipped; /* lines not understood */
};

/*
 * Parse buf[0..len) into *out, which is always filled; release it with
 * parse_rlmstat_free (which also accepts a zeroed struct).
 */
void parse_rlmstat(const char *buf, size_t len, struct parse_rlmstat *out);
void parse_rlmstat_free(struct parse_rlmstat *);

#endif
