/*
 * Maintenance windows as the configuration gives them (struct conf_maint):
 * where they fall in a period, and whether a moment lies in one. Pure: no
 * clock, no I/O.
 */
#ifndef MAINT_H
#define MAINT_H

#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "span.h"

/* Add the stretches of [from, to) inside the windows w[0..n) to out. */
void maint_spans(const struct conf_maint *w, size_t n, time_t from, time_t to,
    struct spans *out);
/* 1 if t lies in one of the windows w[0..n). */
int maint_covers(const struct conf_maint *w, size_t n, time_t t);
/* 1 if t lies in a window of system (its own or the conf's). */
int maint_system_covers(const struct conf *, const char *system, time_t t);
/* The windows of system (its own and the conf's) over [from, to), merged. */
void maint_system_spans(const struct conf *, const char *system, time_t from,
    time_t to, struct spans *out);

#endif
