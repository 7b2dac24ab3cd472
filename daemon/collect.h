/*
 * The collector runtime: turns the configured instances into scheduled
 * runs, gives collectors their host services, enforces each run's deadline,
 * turns finished runs into store items, and keeps the counters the status
 * server reports.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "conf.h"
#include "itfollow/collector.h"

struct event_base;
struct evbuffer;
struct store;
struct collect;

struct collect_counters {
	uint64_t scheduled; /* slots that came */
	uint64_t started; /* runs started */
	uint64_t completed; /* runs finished (any status) */
	uint64_t ontime; /* runs started within 1 s of their slot */
	uint64_t overrun; /* slots skipped: the previous run still going */
	uint64_t missed; /* slots skipped: the loop was late */
	uint64_t failed; /* runs that ended down or unknown */
	uint64_t start_errors; /* runs that could not start */
	uint64_t deadline; /* runs cancelled at their hard deadline */
	uint64_t by_reason[ITF_REASON_MAX + 1];
	uint64_t rows_skipped; /* rows at or before their series' last */
	uint64_t out_of_bounds; /* values outside their data source's bounds */
	uint64_t events; /* events programs reported (PUTNOTIF) */
};

/* Runs of one collector type, for /metrics. */
#define COLLECT_DURATION_BUCKETS 12
extern const double collect_duration_bounds[COLLECT_DURATION_BUCKETS];
struct collect_type {
	char *name; /* the collector type, "http" */
	uint64_t by_reason[ITF_REASON_MAX + 1]; /* finished runs */
	/* Run durations: [i] counts those in (bound[i-1], bound[i]], the
	 * last slot those above every bound. */
	uint64_t duration[COLLECT_DURATION_BUCKETS + 1];
	uint64_t duration_count;
	double duration_sum; /* seconds */
};

/* What the last run of an instance found, for the status server. */
struct collect_state {
	int active; /* run here (not by another shard) */
	int ran; /* it has finished a run since it started */
	enum itf_status status;
	enum itf_reason reason;
	time_t last_run; /* when its last run ended */
	time_t last_success; /* 0: none yet */
	const struct tmpl *tmpl; /* of vals; NULL before the first value */
	const double *vals; /* the values it last stored (NAN: unknown) */
};

/* The host services collectors get (usable before collect_new for -n). */
const struct itf_host_services *collect_host(void);

/*
 * A runtime on base, writing to store. In test mode every instance runs
 * once, right away, and the results are kept for collect_test_report.
 */
struct collect *collect_new(struct event_base *, struct store *, int test_mode);
/* Tell j how each run ends, and n of expiring certificates (NULL: not). */
struct journal;
struct notify;
void collect_set_journal(struct collect *, struct journal *, struct notify *);
/* The journal and notifiers (NULL in test mode), for the status server:
 * journal_get_stats, notify_get_counters, journal_open_outage. */
struct journal *collect_journal_of(struct collect *);
struct notify *collect_notify_of(struct collect *);
/*
 * Make conf the running configuration (the runtime owns it from here).
 * Instances whose settings did not change keep their schedule; removed
 * ones have their runs cancelled.
 */
void collect_apply(struct collect *, struct conf *);
struct conf *collect_conf(struct collect *);
/* Counts the configurations applied: what holds a pointer into one (a
 * streamed /metrics) sees that it was replaced, and freed. */
uint64_t collect_generation(struct collect *);
/*
 * Who decides what runs here (the cluster of daemons sharing a journal):
 * cb says 1 when inst runs here, from the slot *from_ms (0: now), or 0
 * when not, after *until_ms (0: stop now; a run in flight finishes).
 * Asked at every apply and every collect_reassign. Without one, the shard
 * decides.
 */
typedef int (*collect_owner_cb)(const struct itf_instance *inst,
    uint64_t *from_ms, uint64_t *until_ms, void *arg);
void collect_set_owner(struct collect *, collect_owner_cb, void *arg);
/* Ask the owner again for every instance: start or stop them. */
void collect_reassign(struct collect *);
/* Run only part k of n of the instances (before the first apply). */
void collect_set_shard(struct collect *, unsigned k, unsigned n);
/* 1 if the instance of key runs in shard k of n. */
int collect_in_shard(const char *key, unsigned k, unsigned n);
/* Cancel every run in flight and stop every timer. */
void collect_shutdown(struct collect *);
void collect_free(struct collect *);
void collect_get_counters(struct collect *, struct collect_counters *);
uint64_t collect_inflight(struct collect *);
/* The per-type counters (n of them), valid until the next run ends. */
const struct collect_type *collect_types(struct collect *, size_t *n);
/* The state of an instance of the running configuration. -1 when it
 * does not run here (another shard's), with out->active 0. Thread: loop. */
int collect_state(const struct itf_instance *, struct collect_state *out);
/* Test mode: print a line per stored series; 0 when all ran and stored. */
int collect_test_report(struct collect *, FILE *);

#endif
