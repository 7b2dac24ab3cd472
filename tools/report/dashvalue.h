/*
 * A system at a glance, for the dashboard's pages: its current state and
 * its last measured value with the unit, from its first quality series.
 */
#ifndef DASHVALUE_H
#define DASHVALUE_H

#include <stddef.h>
#include <time.h>

struct conf;

struct dashvalue {
	time_t when; /* of the last run stored, 0 when none */
	char text[64]; /* "25 ms", "load 0.52", "- (http_status)", "-" */
};

/*
 * "up", "down" or "unknown" (nothing stored in the last 10 minutes) for
 * system id at now, and its last value in *v.
 */
const char *dashvalue_system(const struct conf *, const char *id, time_t now,
    struct dashvalue *v);

/* A stored value ("1234.5678901") with at most six significant digits. */
void dashvalue_fmt(const char *raw, char *buf, size_t len);

#endif
