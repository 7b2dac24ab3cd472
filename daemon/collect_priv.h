/*
 * What the files of the collector runtime share (collect.c schedules and
 * applies configurations, collect_host.c offers the host services a
 * collector calls, collect_run.c turns an ended run into store items):
 * a run, an instance's runtime side, the runtime itself. Nothing else
 * includes this.
 */
#ifndef COLLECT_PRIV_H
#define COLLECT_PRIV_H

#include <event2/event.h>
#include <stdint.h>
#include <time.h>

#include "collect.h"
#include "log.h"
#include "scheduler.h"
#include "seriescap.h"

/* Grace beyond a collector's timeout before the host cancels its run. */
#define COLLECT_GRACE_MS 2000

struct collect_rt;

/* At most this many data sources a dynamic series learns. */
#define COLLECT_DYN_MAX 256
/* At most this many series-times one feed run may fill. */
#define COLLECT_GROUPS_MAX 2000000
#define COLLECT_SERIES_BUCKETS 1024 /* at first; doubled as it fills */
/* Names refused at a cap kept per run, so their values are refused fast. */
#define COLLECT_CAPPED_KEPT 4096
/* Refused ids logged per run; the rest are counted. */
#define COLLECT_BAD_IDS_LOGGED 5

/*
 * A series a feed run filled (emit_series). Its values, one group per
 * time, are kept compact: a feed that fills 300 systems' cost for a year
 * makes 110,000 groups, which must not cost a few hundred bytes each.
 */
struct collect_series {
	uint32_t hnext; /* index + 1 of the next in its bucket, 0: none */
	char *system;
	char *perspective;
	char *series;
	struct tmpl *tmpl;
	size_t rank; /* its place in name order, when submitted */
	int refused; /* past a cap (seriescap.h): nothing is kept */
};

/* The values one feed run gives one series at one time (in run->pool). */
struct collect_group {
	uint32_t series;
	uint32_t hnext; /* index + 1, 0: none */
	long long time;
	size_t off; /* of its tmpl->nds values in run->pool */
};

struct itf_run {
	struct collect_rt *rt;
	uint64_t slot_ms;
	uint64_t start_ms;
	double *vals; /* by the instance's template's data sources */
	/* Data sources a dynamic collector declared beyond its template. */
	struct tmpl_ds *xds;
	double *xvals;
	size_t nx;
	/* Feeds: what the run gave other series (emit_series). */
	struct collect_series *series;
	size_t nseries;
	uint32_t *sbuckets;
	size_t nsbuckets;
	uint32_t last_series; /* index + 1 of the last one emitted to */
	struct collect_group *groups;
	size_t ngroups;
	uint32_t *gbuckets;
	size_t ngbuckets;
	double *pool;
	size_t npool, pool_cap;
	int warned_groups;
	size_t bad_ids; /* ids refused in this run (the first few logged) */
	size_t capped; /* values of new series refused at a cap */
	enum seriescap_verdict cap; /* the first cap that refused one */
	struct event *deadline;
	int deadline_hit;
	int done;
	/* Dynamic rows at their own times (emit_row); NULL: none. */
	struct collect_rows *rows;
	/* A read of stored values in flight (read_daily), and for whom. */
	struct readback *readback;
	itf_daily_fn readback_done;
	void *readback_arg;
};

/* The runtime side of one instance. */
struct collect_rt {
	struct collect *co;
	struct itf_instance *inst;
	struct sched_job job;
	struct itf_run *run;
	char *path;
	uint64_t overruns;
	size_t order;
	int last_status; /* of the last run, -1 before the first */
	int retiring; /* no more slots: freed when its run ends */
	struct tmpl *dyn; /* dynamic: the template its first run made */
	struct seriescap *cap; /* a feed's series, against its caps */
	struct log_limit cap_log;
	int warned_new_ds; /* dynamic: a new data source was logged */
	int warned_reserved; /* dynamic: a value named up or reason logged */
	/* What the status server shows of it. */
	enum itf_reason last_reason;
	unsigned step; /* beside the other ints: no padding */
	time_t last_run; /* when its last run ended (0: none yet) */
	time_t last_success;
	struct tmpl *last_tmpl; /* of last_vals */
	double *last_vals; /* the values its last run stored */
	/* Dynamic series: what emit_row's series learned, their bounds. */
	struct collect_rows_state *rows;
	/* Run by another member before from_ms, or after until_ms (0:
	 * none): only slots in between start here. */
	uint64_t from_ms, until_ms;
	struct event *retire_ev; /* frees it outside the callbacks */
};

/* A test-mode result. */
struct collect_result {
	size_t order; /* the instance's place in the configuration */
	char *line;
	int stored; /* set by the writer thread */
	int ran;
};

struct collect {
	struct event_base *base;
	struct store *store;
	struct conf *conf;
	uint64_t generation; /* configurations applied */
	int test_mode;
	uint64_t inflight;
	struct collect_counters c;
	struct collect_result **results;
	size_t nresults;
	struct journal *journal; /* NULL: none (test mode) */
	struct notify *notify;
	struct collect_type *types; /* by collector type, for /metrics */
	size_t ntypes;
	unsigned shard_k, shard_n; /* runs part k of n (n 0: all) */
	size_t nmine, nall; /* instances run here, of all configured */
	collect_owner_cb owner; /* NULL: the shard decides */
	void *owner_arg;
};

/* The runtime the host services answer for (one per process). */
extern struct collect *collect_self;

void collect_host_run_done(struct itf_run *, enum itf_status, enum itf_reason,
    const char *);
void collect_retire(struct collect_rt *);
void collect_retire_soon(struct collect_rt *);
int collect_host_emit_series(struct itf_run *, const char *, const char *,
    const char *, const char *, const char *, double, long long);
void collect_run_free(struct itf_run *);
struct collect_result *collect_result_new(struct collect *);

#endif /* COLLECT_PRIV_H */
