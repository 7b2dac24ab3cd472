/*
 * RRD templates: the step, data sources and archives of a kind of series,
 * read from text files in the templates directory (one file per template,
 * NAME.tmpl). Templates are immutable once loaded and reference-counted,
 * because the store's writer thread holds them while the loop reloads.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

#include "ident.h"

struct tmpl_ds {
	char name[IDENT_DS_MAX + 1];
	char type[10]; /* GAUGE, COUNTER, DERIVE, ABSOLUTE, ... */
	unsigned heartbeat; /* seconds */
	double min, max; /* NAN for U */
};

struct tmpl_rra {
	char cf[8]; /* AVERAGE, MIN, MAX, LAST */
	double xff;
	unsigned resolution; /* seconds per row */
	unsigned retention; /* seconds kept */
};

struct tmpl {
	int refs;
	int dynamic; /* learned from a run: a file may have more DS */
	int replace; /* "mode replace": a run's values replace the days they
	                cover (cost rows arrive late and get corrected) */
	int count; /* "mode count": values are counts of events, added to the
	              row (bucket) their time falls in; a row holds exactly
	              the events counted in it (see store_rrd.h) */
	char *name;
	unsigned step;
	size_t nds;
	struct tmpl_ds *ds;
	size_t nrra;
	struct tmpl_rra *rra;
};

/*
 * Parse a template from buf. origin names the file for messages. Returns
 * the template, or NULL with every error in *errors (a NUL-separated list,
 * one "origin:line: message" each, *nerrors of them; caller frees).
 */
struct tmpl *template_parse(const char *name, const char *buf,
    const char *origin, char ***errors, size_t *nerrors);

/* Parse "90", "5m", "2d", "1y" into seconds. -1 when bad. */
long long template_duration(const char *s);

/* The index of a data source, or -1. */
int template_ds_index(const struct tmpl *t, const char *name);

/*
 * What a file of this template at step has (step may exceed the
 * template's own, e.g. a 300 s probe): data source i's heartbeat, at least
 * two steps; archive i's primary points per row and its rows, at least 2.
 */
unsigned template_file_hb(const struct tmpl *t, unsigned step, size_t i);
void template_file_rra(const struct tmpl *t, unsigned step, size_t i,
    unsigned *per, unsigned *rows);

/*
 * The librrd create arguments for a file of this template at step (which
 * may exceed the template's own step, e.g. a 300 s probe): DS:... and
 * RRA:... strings in *argv, *argc of them. Free with template_args_free.
 */
void template_create_args(const struct tmpl *t, unsigned step, char ***argv,
    int *argc);
void template_args_free(char **argv, int argc);

/*
 * A copy of base with more data sources appended (those not in base
 * already), marked dynamic: the template a collector's output makes.
 */
struct tmpl *template_extend(const struct tmpl *base, const struct tmpl_ds *ds,
    size_t n);

struct tmpl *template_ref(struct tmpl *t);
void template_unref(struct tmpl *t);

#endif
