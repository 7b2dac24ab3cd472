/*
 * Output of Munin plugins
 * (http://guide.munin-monitoring.org/en/latest/reference/plugin.html): what
 * "plugin config" prints (graph and field attributes) and what a plain run
 * prints (FIELD.value lines). Pure: a buffer (any bytes) in, a struct out;
 * a bad line is reported in the error list and the others are kept.
 *
 * Config lines:
 *	graph_title TEXT	graph_vlabel TEXT	(other graph_* ignored)
 *	FIELD.label TEXT
 *	FIELD.type GAUGE|COUNTER|DERIVE|ABSOLUTE	(GAUGE if not given)
 *	FIELD.min N	FIELD.max N	(N a number, or U for none)
 *	FIELD.ATTR ...	(draw, info, warning, cdef, value...: ignored)
 *	# comment, blank lines, host_name and update_rate lines: ignored
 * Value lines:
 *	FIELD.value N	FIELD.value EPOCH:N	(N a number or U)
 *	FIELD.extinfo TEXT	(ignored), # comment, blank lines
 * FIELD is [a-zA-Z_][a-zA-Z0-9_]*. A "multigraph" line is an error and ends
 * the parse: one plugin is one graph here. Numbers are decimal with an
 * optional exponent, finite, read with strtod (LC_NUMERIC must be "C").
 */
#ifndef PARSE_MUNIN_H
#define PARSE_MUNIN_H

#include <stddef.h>

#include "parse_dsname.h"

#define PARSE_MUNIN_MAX_FIELDS 256 /* fields or values; the rest: one error */
#define PARSE_MUNIN_MAX_ERRORS 64 /* the last says more were dropped */

struct parse_munin_field {
	char *name; /* field name as given */
	char ds[PARSE_DSNAME_SIZE]; /* parse_dsname(name) */
	char *label; /* NULL if none */
	char type[10]; /* GAUGE (default), COUNTER, DERIVE, ABSOLUTE */
	double min, max; /* NAN when absent */
};

struct parse_munin_config {
	char *title; /* graph_title, NULL if none */
	char *vlabel; /* graph_vlabel, NULL if none */
	struct parse_munin_field *fields; /* in order of first appearance */
	size_t nfields;
	char **errors; /* "line 3: ..." */
	size_t nerrors;
};

struct parse_munin_value {
	char *name; /* field name as given */
	char ds[PARSE_DSNAME_SIZE]; /* parse_dsname(name) */
	double value; /* NAN for U */
	long long epoch; /* 0 when none */
};

struct parse_munin_values {
	struct parse_munin_value *values; /* in order of appearance */
	size_t nvalues;
	char **errors;
	size_t nerrors;
};

/*
 * Parse buf[0..len) into *out, which is always filled; release it with the
 * _free function. Later graph_title or graph_vlabel lines replace earlier
 * ones. Fields whose names differ but map to the same data source name
 * ("Load", "load") are kept once, the first, and the others reported; so are
 * repeated values of one field. NUL bytes in texts are replaced by '?'.
 */
void parse_munin_config(const char *buf, size_t len,
    struct parse_munin_config *out);
void parse_munin_values(const char *buf, size_t len,
    struct parse_munin_values *out);
void parse_munin_config_free(struct parse_munin_config *);
void parse_munin_values_free(struct parse_munin_values *);

#endif
