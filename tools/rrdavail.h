/*
 * Availability of a system over a period read from its RRD `up` series,
 * for when no outage journal is at hand. The same shape as the journal's
 * availability_system(): once the journal exists, reports take their
 * figures from there and this stays the fallback.
 */
#ifndef RRDAVAIL_H
#define RRDAVAIL_H

#include <stddef.h>

struct conf;
struct period;

struct rrdavail {
	double availability_pct; /* up / known time; NAN when none known */
	double raw_availability_pct; /* up / the whole period */
	long long unknown_s; /* no probe result (a gap, unknown rows) */
	long long maintenance_s; /* always 0: maintenance is in the journal */
	unsigned outages; /* runs of rows with up below 1 */
	long long longest_outage_s; /* down time of the longest run */
	long long mttr_s; /* down time / outages */
	long long mtbf_s; /* up time / outages */
	unsigned long step; /* the rows' resolution, seconds */
};

/*
 * The availability of system's first quality series (see
 * graph_quality_series) over the period, at the finest archive that covers
 * it (hourly for a quarter: outages closer than that count as one, and
 * their down time is the rows' (1 - up) times the step). A system without
 * such a series or file gives availability NAN and returns 0. Returns 0,
 * or -1 with a message in err (unknown system, unreadable file).
 */
int rrdavail_system(const struct conf *, const char *system,
    const struct period *, struct rrdavail *out, char *err, size_t errlen);

/*
 * The availability of system over the period from the outage journal
 * (availability_system) when <data_dir>/journal.sqlite exists, else from
 * the `up` series as above. *source says which: "journal" or "rrd".
 * Returns 0, or -1 with a message in err.
 */
int rrdavail_any(const struct conf *, const char *system, const struct period *,
    struct rrdavail *out, const char **source, char *err, size_t errlen);

#endif
