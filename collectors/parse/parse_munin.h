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
 * FIELD is [a-zA-Z_][a-zA-Z0-9_]*. Numbers are decimal with an optional
 * exponent, finite, read with strtod (LC_NUMERIC must be "C").
 *
 * Multigraph plugins (run with MUNIN_CAP_MULTIGRAPH=1) print sections, in
 * their config and in their values alike:
 *	multigraph NAME		NAME [A-Za-z0-9_.-]{1,128}, e.g.
 *				"diskstats_latency" or "diskstats_latency.sda"
 * Each line after one belongs to that section, up to the next. What comes
 * before the first is the plugin's own graph (fields, title, vlabel); each
 * section is a graph of its own, with its own fields. A section named
 * again in the config is reported and its lines ignored.
 */
#ifndef PARSE_MUNIN_H
#define PARSE_MUNIN_H

#include <stddef.h>

#include "parse_dsname.h"

#define PARSE_MUNIN_MAX_FIELDS 256 /* of one graph; the rest: one error */
#define PARSE_MUNIN_MAX_GRAPHS \
	256 /* multigraph sections; the rest: one error */
#define PARSE_MUNIN_MAX_VALUES 4096 /* values in all; the rest: one error */
#define PARSE_MUNIN_MAX_ERRORS 64 /* the last says more were dropped */
#define PARSE_MUNIN_GRAPH_NAME 128 /* longest multigraph name */

struct parse_munin_field {
	char *name; /* field name as given */
	char ds[PARSE_DSNAME_SIZE]; /* parse_dsname(name) */
	char *label; /* NULL if none */
	char type[10]; /* GAUGE (default), COUNTER, DERIVE, ABSOLUTE */
	double min, max; /* NAN when absent */
};

/* A multigraph section of the config. */
struct parse_munin_graph {
	char *name; /* as given */
	char *title; /* graph_title, NULL if none */
	char *vlabel; /* graph_vlabel, NULL if none */
	struct parse_munin_field *fields; /* in order of first appearance */
	size_t nfields;
};

struct parse_munin_config {
	/* The plugin's own graph: what comes before any multigraph line. */
	char *title; /* graph_title, NULL if none */
	char *vlabel; /* graph_vlabel, NULL if none */
	struct parse_munin_field *fields; /* in order of first appearance */
	size_t nfields;
	struct parse_munin_graph *graphs; /* multigraph sections, in order */
	size_t ngraphs;
	char **errors; /* "line 3: ..." */
	size_t nerrors;
};

struct parse_munin_value {
	char *name; /* field name as given */
	char ds[PARSE_DSNAME_SIZE]; /* parse_dsname(name) */
	double value; /* NAN for U */
	long long epoch; /* 0 when none */
	char *graph; /* its multigraph section's name; NULL: none */
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
 * ones. Fields of one graph whose names differ but map to the same data
 * source name ("Load", "load") are kept once, the first, and the others
 * reported; so are repeated values of one field in one section. NUL bytes
 * in texts are replaced by '?'.
 */
void parse_munin_config(const char *buf, size_t len,
    struct parse_munin_config *out);
void parse_munin_values(const char *buf, size_t len,
    struct parse_munin_values *out);
void parse_munin_config_free(struct parse_munin_config *);
void parse_munin_values_free(struct parse_munin_values *);
/* The section of that name, or NULL. */
const struct parse_munin_graph *parse_munin_graph_find(
    const struct parse_munin_config *, const char *name);

#endif
