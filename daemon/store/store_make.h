/*
 * Making an RRD file of a template without holding the whole file in
 * memory: the same bytes librrd's create writes, streamed (store_make.c).
 */
#ifndef STORE_MAKE_H
#define STORE_MAKE_H

#include <stddef.h>
#include <time.h>

#include "template.h"

/*
 * Write the file of template t at step (at least the template's) into
 * path, created or truncated with mode: last update start (librrd's
 * --start), every row unknown. A template whose data source types or
 * consolidation functions librrd's RRD format has no plain form for is
 * refused. Returns 0, or -1 with *cause (the error alone, e.g. "No space
 * left on device", or what is wrong with the template, naming it); the
 * file is then left as far as it was written (the caller unlinks it).
 * Memory used does not grow with the file's size.
 */
int store_make(const char *path, const struct tmpl *t, unsigned step,
    time_t start, unsigned mode, char **cause);

/* The bytes such a file takes (headers and rows). */
size_t store_make_size(const struct tmpl *t, unsigned step);

#endif
