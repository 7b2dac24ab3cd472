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
 *   coverage_pct known / period: how much of the period the figures
 *                rest on
 *
 * Within service hours (conf_service_spans: the system's weekly local
 * hours less its holidays; every hour when none are configured) the same
 * figures count only the time inside them:
 *
 *   service_s    service time in the period
 *   service_unknown_s  service time no run covered
 *   service_availability_pct  up / known, both inside service hours and
 *                outside maintenance windows
 *   service_outages  the outages above (stretches of down time outside
 *                windows) that have any time inside service hours
 *   service_mttr_s  their down time inside service hours / their number
 *
 * A group (availability_group, availability_add) sums its systems'
 * seconds; outages add up, longest is the longest of all, mttr and mtbf
 * are over the sums.
 *
 * availability_of is the one computation every command shows (report,
 * scorecard, the figure printed on availability graphs, the dashboard,
 * the daemon's API): the journal's where <data_dir>/journal.sqlite
 * exists, else the `up` series' (rrdavail.h) in the same terms.
 */
#ifndef AVAILABILITY_H
#define AVAILABILITY_H

#include <stddef.h>
#include <time.h>

#include "period.h"
#include "span.h"

struct conf;

struct avail {
	time_t from, to;
	double availability_pct, raw_availability_pct; /* NAN when undefined */
	double coverage_pct; /* NAN for an empty period */
	long unknown_s, maintenance_s;
	int outages;
	long longest_outage_s;
	double mttr_s, mtbf_s; /* NAN when undefined */
	/* The seconds the figures come from, so that sums add up. */
	long period_s, known_s, up_s, known_nm_s, up_nm_s, down_nm_s;
	const char *source; /* "journal" or "rrd" */
	/* Within service hours: the same seconds, and the figures. */
	long svc_s, svc_known_s, svc_known_nm_s, svc_up_nm_s, svc_down_nm_s;
	int service_outages;
	long service_unknown_s;
	double service_availability_pct, service_mttr_s; /* NAN: undefined */
	int service_hours; /* 1 when service hours leave any time out */
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

/*
 * The availability of system over p: availability_system where the
 * journal exists, else rrdavail_system. Returns 0, or -1 with a message in
 * err.
 */
int availability_of(const struct conf *c, const char *system,
    const struct period *p, struct avail *out, char *err, size_t errlen);
/* 1 when the configuration's journal exists (journal_exists). */
int availability_has_journal(const struct conf *c);
/* 1 when system's service hours (or holidays) leave any time out. */
int availability_service_hours(const struct conf *c, const char *system);

/* A sum of systems: zeroed for p, each system added, then finished (its
 * percentages and means worked out from the seconds). */
void availability_zero(struct avail *, const struct period *p);
void availability_add(struct avail *sum, const struct avail *a);
void availability_finish(struct avail *);

/*
 * The journal's time spans of one system over p, for drawing: what runs
 * covered, the maintenance windows, outage time outside them (down: what
 * counts against availability) and inside them (planned), and known time
 * outside them (knm). Returns 0, or -1 with a message in err.
 */
struct avail_spans {
	struct spans known, maint, down, planned, knm;
	struct spans service; /* the service hours of the period */
};
int availability_spans(const struct conf *c, const char *system,
    const struct period *p, struct avail_spans *out, char *err, size_t errlen);
void availability_spans_free(struct avail_spans *);
/* Seconds of a normalised set within [from, to). */
long availability_within(const struct spans *, time_t from, time_t to);

#endif
