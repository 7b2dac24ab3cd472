/*
 * collectd's types.db (types.db(5)): the data sets that a value list's type
 * names, as collectd reads them to store what its exec programs print.
 * Pure: a buffer (any bytes) in, a table out; a bad line is reported in the
 * error list and the others are kept.
 *
 *	# comment
 *	TYPE DS[, DS...]
 *	if_octets	rx:DERIVE:0:U, tx:DERIVE:0:U
 *
 * DS is NAME:KIND:MIN:MAX: NAME [A-Za-z0-9_]{1,63}, KIND one of GAUGE,
 * DERIVE, COUNTER, ABSOLUTE (any case), MIN and MAX decimal numbers or U
 * (none). TYPE is [A-Za-z0-9_]{1,127}: no '-', which separates a type from
 * its instance in an identifier. A DS is separated from the type and from
 * the next DS by blanks, a comma, or both (Debian's file has all three).
 * As in collectd, a type defined again replaces the earlier definition
 * (reported). Numbers are read with strtod, so LC_NUMERIC must be "C".
 */
#ifndef PARSE_TYPESDB_H
#define PARSE_TYPESDB_H

#include <stddef.h>

#define PARSE_TYPESDB_MAX_TYPES 4096 /* types kept; the rest: one error */
#define PARSE_TYPESDB_MAX_DS 64 /* data sources of one type */
#define PARSE_TYPESDB_MAX_ERRORS 64 /* the last says more were dropped */
#define PARSE_TYPESDB_NAME 63 /* longest DS name */
#define PARSE_TYPESDB_TYPE 127 /* longest type name */

enum parse_typesdb_kind {
	PARSE_TYPESDB_GAUGE,
	PARSE_TYPESDB_DERIVE,
	PARSE_TYPESDB_COUNTER,
	PARSE_TYPESDB_ABSOLUTE
};

struct parse_typesdb_ds {
	char name[PARSE_TYPESDB_NAME + 1];
	enum parse_typesdb_kind kind;
	double min, max; /* NAN for U */
};

struct parse_typesdb_type {
	char name[PARSE_TYPESDB_TYPE + 1];
	struct parse_typesdb_ds *ds;
	size_t nds; /* at least 1 */
};

struct parse_typesdb {
	struct parse_typesdb_type *types; /* sorted by name, each once */
	size_t ntypes;
	char **errors; /* "line 3: ..." */
	size_t nerrors;
};

/* Parse buf[0..len) into *out, always filled; free with parse_typesdb_free. */
void parse_typesdb(const char *buf, size_t len, struct parse_typesdb *out);
/* The type of that name (case matters, as in collectd), or NULL. */
const struct parse_typesdb_type *parse_typesdb_find(
    const struct parse_typesdb *, const char *name);
void parse_typesdb_free(struct parse_typesdb *);

#endif
