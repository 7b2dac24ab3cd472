/*
 * Availability of a system over a period read from its RRD `up` series,
 * for when no outage journal is at hand: the same figures as the
 * journal's availability_system() (availability.h), in the same terms,
 * with the rows' known time as the known time and no maintenance.
 * availability_of() chooses between the two.
 */
#ifndef RRDAVAIL_H
#define RRDAVAIL_H

#include <stddef.h>

struct avail;
struct conf;
struct period;

/*
 * The availability of system's first quality series (see
 * graph_quality_series) over the period, at the finest archive that covers
 * it (hourly for a quarter: outages closer than that count as one, and
 * their down time is the rows' (1 - up) times the step). A system without
 * such a series or file has no known time (availability NAN) and returns
 * 0. Returns 0, or -1 with a message in err (unknown system, unreadable
 * file).
 */
int rrdavail_system(const struct conf *, const char *system,
    const struct period *, struct avail *out, char *err, size_t errlen);

#endif
