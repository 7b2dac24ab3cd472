/*
 * Availability of a system, or of a group of systems, over a period,
 * computed from the journal (<data_dir>/journal.sqlite) and the
 * maintenance windows of the configuration. Every figure is in seconds of
 * the period [from, to), UTC:
 *
 *   known        time covered by a recorded run (up or down) of a series
 *                of the system: a run at t covers [t, t + interval)
 *   unknown_s    period - known (the daemon was not running, no data)
 *   maintenance_s  time inside a maintenance window of the system or of
 *                all systems
 *   down         known time inside an outage of any series of the system
 *                (from the first of fail_after consecutive failures to the
 *                first success)
 *   availability_pct      up / (known - maintenance), up = known - down,
 *                         both outside maintenance windows: that is,
 *                         up / (period - maintenance - unknown), time both
 *                         unknown and in maintenance counted once
 *   raw_availability_pct  up / known, maintenance ignored:
 *                         up / (period - unknown)
 *   outages      stretches of down time outside maintenance (a planned
 *                outage that overruns its window counts from its end)
 *   longest_outage_s, mttr_s (mean length of those), mtbf_s (up time
 *                outside maintenance / outages)
 *
 * A group (availability_group) sums its systems' seconds; outages add up,
 * longest is the longest of all, mttr and mtbf are over the sums.
 */
#ifndef AVAILABILITY_H
#define AVAILABILITY_H

#include <stddef.h>
#include <time.h>

#include "period.h"

struct conf;

struct avail {
	time_t from, to;
	double availability_pct, raw_availability_pct; /* NAN when undefined */
	long unknown_s, maintenance_s;
	int outages;
	long longest_outage_s;
	double mttr_s, mtbf_s; /* NAN when undefined */
};

/*
 * The availability of system over p. Returns 0, or -1 with a message in
 * err (unknown system, unreadable journal).
 */
int availability_system(const struct conf *c, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen);
/*
 * The availability of the systems whose tag by ("category", "portfolio"
 * or "owner") is value, over p. Returns 0, or -1 with a message in err.
 */
int availability_group(const struct conf *c, const char *by, const char *value,
    const struct period *p, struct avail *out, char *err, size_t errlen);

#endif
