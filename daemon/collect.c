/*
 * Collector runtime. Every instance has a slot timer; at each slot it
 * starts a run unless the previous one is still going (an overrun, counted).
 * A run ends in exactly one run_done(), which turns what the collector
 * emitted into a store item: data sources never emitted are stored as U,
 * and the host fills `up` and `reason` from the status when the collector
 * did not. Behind every collector's own timeout sits a hard deadline that
 * cancels the run, so no target can hold an instance forever.
 */
#include <errno.h>
#include <event2/event.h>
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "collect_rows.h"
#include "ident.h"
#include "journal.h"
#include "log.h"
#include "notify.h"
#include "readback.h"
#include "reason.h"
#include "scheduler.h"
#include "secret.h"
#include "seriescap.h"
#include "store_rrd.h"
#include "xmalloc.h"

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
	unsigned step;
	uint64_t overruns;
	size_t order;
	int last_status; /* of the last run, -1 before the first */
	struct event *deadline; /* the hard deadline of its runs */
	struct tmpl *dyn; /* dynamic: the template its first run made */
	struct seriescap *cap; /* a feed's series, against its caps */
	struct log_limit cap_log;
	int warned_new_ds; /* dynamic: a new data source was logged */
	int warned_reserved; /* dynamic: a value named up or reason logged */
	/* What the status server shows of it. */
	enum itf_reason last_reason;
	time_t last_run; /* when its last run ended (0: none yet) */
	time_t last_success;
	struct tmpl *last_tmpl; /* of last_vals */
	double *last_vals; /* the values its last run stored */
	/* Dynamic series: what emit_row's series learned, their bounds. */
	struct collect_rows_state *rows;
	/* Run by another member before from_ms, or after until_ms (0:
	 * none): only slots in between start here. */
	uint64_t from_ms, until_ms;
	int retiring; /* no more slots: freed when its run ends */
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

/* Upper bounds of the run duration histogram's buckets, in seconds. */
const double collect_duration_bounds[COLLECT_DURATION_BUCKETS] = { 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

static struct collect *collect_self;

/* Host services. */

static void
collect_host_log(const struct itf_instance *inst, enum itf_log_level level,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if ((int)level > log_get_level())
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (inst != NULL)
		log_msg((int)level, "%s: %s", inst->key, msg);
	else
		log_msg((int)level, "%s", msg);
	free(msg);
}

static struct event_base *
collect_host_base(void)
{
	return collect_self != NULL ? collect_self->base : NULL;
}

static void
collect_host_conf_error(const struct itf_instance *inst, const char *key,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_inst_verror(inst, key, fmt, ap);
	va_end(ap);
}

static uint64_t
collect_host_interval(const struct itf_instance *inst)
{
	return inst->interval_ms;
}

static uint64_t
collect_host_timeout(const struct itf_instance *inst)
{
	return inst->timeout_ms;
}

static int
collect_host_emit(struct itf_run *run, const char *ds, double value)
{
	int idx;

	idx = template_ds_index(run->rt->inst->tmpl, ds);
	if (idx == -1)
		return -1;
	run->vals[idx] = value;
	return 0;
}

static int
collect_host_emit_ds(struct itf_run *run, const char *ds, double value,
    const struct itf_ds_spec *spec)
{
	static const char *const types[] = { "GAUGE", "COUNTER", "DERIVE",
		"ABSOLUTE" };
	struct itf_instance *inst = run->rt->inst;
	struct tmpl_ds *d;
	char own[IDENT_DS_MAX + 1];
	size_t i;

	if (!ident_valid_ds(ds)) {
		char a[IDENT_SHOW_SIZE];

		if (run->bad_ids++ < COLLECT_BAD_IDS_LOGGED)
			log_warn("%s: data source \"%s\": not a valid name; "
			         "not stored",
			    inst->key, ident_show(ds, a));
		return -1;
	}
	if (!(inst->ops->flags & ITF_COLLECTOR_DYNAMIC))
		return collect_host_emit(run, ds, value);
	/* up and reason are the daemon's: a value so named goes aside. */
	if (collect_rows_reserved(inst->tmpl, ds, own)) {
		if (!run->rt->warned_reserved)
			log_warn(
			    "%s: the program's \"%s\" is a name the daemon "
			    "keeps for itself; stored as \"%s\" (logged "
			    "once)",
			    inst->key, ds, own);
		run->rt->warned_reserved = 1;
		ds = own;
	}
	for (i = 0; i < run->nx; i++) {
		if (strcmp(run->xds[i].name, ds) == 0) {
			run->xvals[i] = value;
			return 0;
		}
	}
	if (run->nx == COLLECT_DYN_MAX)
		return -1;
	run->xds = xreallocarray(run->xds, run->nx + 1, sizeof *run->xds);
	run->xvals = xreallocarray(run->xvals, run->nx + 1, sizeof *run->xvals);
	d = &run->xds[run->nx];
	memset(d, 0, sizeof *d);
	strcpy(d->name, ds);
	strcpy(d->type,
	    spec != NULL && (unsigned)spec->type <= ITF_DS_ABSOLUTE
	        ? types[spec->type]
	        : "GAUGE");
	d->heartbeat = 2 * inst->tmpl->step;
	d->min = spec != NULL ? spec->min : NAN;
	d->max = spec != NULL ? spec->max : NAN;
	if (!isnan(d->min) && !isnan(d->max) && d->min >= d->max)
		d->min = d->max = NAN;
	run->xvals[run->nx++] = value;
	return 0;
}

static const char *
collect_host_instance_system(const struct itf_instance *inst)
{
	return inst->system != NULL ? inst->system->id : NULL;
}

static const char *
collect_host_instance_series(const struct itf_instance *inst)
{
	return inst->series;
}

static int
collect_host_state_path(const struct itf_instance *inst, char *buf, size_t len)
{
	char *dir;
	int n;

	xasprintf(&dir, "%s/state", inst->conf->data_dir);
	if (mkdir(inst->conf->data_dir, 0750) != 0 && errno != EEXIST) {
		free(dir);
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		free(dir);
		return -1;
	}
	/* key is "system/series" or "feed/id": both ids, safe in a name. */
	n = snprintf(buf, len, "%s/%s", dir, inst->key);
	free(dir);
	if (n < 0 || (size_t)n >= len)
		return -1;
	*strrchr(buf, '/') = '-';
	return 0;
}

static int
collect_host_system_exists(const struct itf_instance *inst, const char *id)
{
	return conf_find_system(inst->conf, id) != NULL;
}

static uint32_t
collect_series_hash(const char *system, const char *perspective,
    const char *series)
{
	const char *parts[3] = { system, perspective, series };
	uint32_t h = 2166136261u;
	const char *p;
	size_t i;

	for (i = 0; i < 3; i++) {
		for (p = parts[i]; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ '/') * 16777619u;
	}
	return h;
}

static uint32_t
collect_group_hash(uint32_t series, long long time, size_t nbuckets)
{
	uint64_t h = ((uint64_t)series << 40) ^ (uint64_t)time;

	h *= 0x9e3779b97f4a7c15ULL;
	return (uint32_t)((h >> 29) & (nbuckets - 1));
}

static int
collect_series_is(const struct collect_series *cs, const char *system,
    const char *perspective, const char *series)
{
	return strcmp(cs->series, series) == 0 &&
	    strcmp(cs->system, system) == 0 &&
	    strcmp(cs->perspective, perspective) == 0;
}

/*
 * A series a run named that cannot be stored: never part of a path. The
 * first few of a run are logged (escaped: the name may hold anything),
 * then only counted; the count is logged when the run ends.
 */
static void
collect_bad_id(struct itf_run *run, const char *why, const char *system,
    const char *perspective, const char *series)
{
	char a[IDENT_SHOW_SIZE], b[IDENT_SHOW_SIZE], c[IDENT_SHOW_SIZE];

	if (run->bad_ids++ >= COLLECT_BAD_IDS_LOGGED)
		return;
	log_warn("%s: series \"%s/%s/%s\": %s; not stored", run->rt->inst->key,
	    ident_show(system, a), ident_show(perspective, b),
	    ident_show(series, c), why);
}

/* A value of a series refused at a cap: counted for the run's end. */
static int
collect_capped(struct itf_run *run, enum seriescap_verdict v)
{
	if (run->capped++ == 0)
		run->cap = v;
	seriescap_refused();
	return -1;
}

/*
 * May a feed's run fill a series new to the run? Its caps decide
 * (seriescap.h). Past max_series, what the feed does not fill yet is
 * refused before anything else is looked at: a feed may name millions.
 */
static int
collect_series_precheck(struct itf_run *run, const char *system,
    const char *perspective, const char *series)
{
	struct collect_rt *rt = run->rt;

	if (rt->cap == NULL)
		rt->cap = seriescap_new();
	if (seriescap_count(rt->cap) < rt->inst->max_series ||
	    seriescap_known(rt->cap, system, perspective, series))
		return 0;
	return collect_capped(run, SERIESCAP_FEED);
}

static enum seriescap_verdict
collect_series_admit(struct itf_run *run, const char *system,
    const char *perspective, const char *series)
{
	struct collect_rt *rt = run->rt;
	enum seriescap_verdict v;
	char *path;

	path = store_path(store_data_dir(rt->co->store), perspective, system,
	    series);
	if (path == NULL)
		return SERIESCAP_FEED; /* checked before: cannot happen */
	v = seriescap_admit(rt->cap, system, perspective, series, path,
	    rt->inst->max_series, rt->inst->conf->max_new_series_per_hour,
	    (int64_t)(scheduler_now_ms() / 1000));
	free(path);
	if (v != SERIESCAP_OK)
		collect_capped(run, v);
	return v;
}

/* The run's table of series, grown so that chains stay short. */
static void
collect_series_grow(struct itf_run *run)
{
	size_t i;
	uint32_t b;

	run->nsbuckets =
	    run->nsbuckets == 0 ? COLLECT_SERIES_BUCKETS : run->nsbuckets * 2;
	free(run->sbuckets);
	run->sbuckets = xcalloc(run->nsbuckets, sizeof *run->sbuckets);
	for (i = 0; i < run->nseries; i++) {
		b = collect_series_hash(run->series[i].system,
		        run->series[i].perspective, run->series[i].series) %
		    run->nsbuckets;
		run->series[i].hnext = run->sbuckets[b];
		run->sbuckets[b] = (uint32_t)i + 1;
	}
}

/* The run's series of that name, made (from template_name) if new. */
static int
collect_series_find(struct itf_run *run, const char *system,
    const char *perspective, const char *series, const char *template_name,
    uint32_t *out)
{
	struct itf_instance *inst = run->rt->inst;
	struct collect_series *cs;
	struct tmpl *t;
	uint32_t b, i;
	int refused;

	if (run->last_series != 0 &&
	    collect_series_is(&run->series[run->last_series - 1], system,
	        perspective, series)) {
		*out = run->last_series - 1;
		return 0;
	}
	if (run->nseries >= run->nsbuckets)
		collect_series_grow(run);
	b = collect_series_hash(system, perspective, series) % run->nsbuckets;
	for (i = run->sbuckets[b]; i != 0; i = run->series[i - 1].hnext) {
		if (collect_series_is(&run->series[i - 1], system, perspective,
		        series)) {
			if (run->series[i - 1].refused)
				return -1;
			run->last_series = i;
			*out = i - 1;
			return 0;
		}
	}
	if (inst->feed &&
	    collect_series_precheck(run, system, perspective, series) != 0)
		return -1;
	/* A new series: every name checked once, here. */
	if (!ident_valid(system) || !ident_valid_perspective(perspective) ||
	    !ident_valid(series)) {
		collect_bad_id(run, "not a valid id", system, perspective,
		    series);
		return -1;
	}
	if (strcmp(system, "unallocated") != 0 &&
	    !collect_host_system_exists(inst, system)) {
		collect_bad_id(run, "no such system", system, perspective,
		    series);
		return -1;
	}
	t = conf_template(inst->conf, template_name);
	if (t == NULL)
		return -1;
	refused = inst->feed &&
	    collect_series_admit(run, system, perspective, series) !=
	        SERIESCAP_OK;
	/* Refused for the hour, a name is kept (up to a bound) so that its
	 * next values are refused without another look for its file. */
	if (refused && run->capped > COLLECT_CAPPED_KEPT)
		return -1;
	if ((run->nseries & (run->nseries - 1)) == 0)
		run->series = xreallocarray(run->series,
		    run->nseries == 0 ? 1 : run->nseries * 2,
		    sizeof *run->series);
	cs = &run->series[run->nseries++];
	memset(cs, 0, sizeof *cs);
	cs->system = xstrdup(system);
	cs->perspective = xstrdup(perspective);
	cs->series = xstrdup(series);
	cs->tmpl = template_ref(t);
	cs->refused = refused;
	cs->hnext = run->sbuckets[b];
	run->sbuckets[b] = (uint32_t)run->nseries;
	if (refused)
		return -1;
	run->last_series = (uint32_t)run->nseries;
	*out = (uint32_t)run->nseries - 1;
	return 0;
}

static void
collect_groups_grow(struct itf_run *run)
{
	size_t i;
	uint32_t b;

	run->ngbuckets = run->ngbuckets ? run->ngbuckets * 2 : 1024;
	free(run->gbuckets);
	run->gbuckets = xcalloc(run->ngbuckets, sizeof *run->gbuckets);
	for (i = 0; i < run->ngroups; i++) {
		b = collect_group_hash(run->groups[i].series,
		    run->groups[i].time, run->ngbuckets);
		run->groups[i].hnext = run->gbuckets[b];
		run->gbuckets[b] = (uint32_t)i + 1;
	}
}

/* The end of the row of step seconds that holds time (UTC-aligned). */
static long long
collect_bucket_end(long long time, unsigned step)
{
	long long q = time / (long long)step;

	if (time < 0 && q * (long long)step != time)
		q--;
	return (q + 1) * (long long)step;
}

static int
collect_host_emit_series(struct itf_run *run, const char *system,
    const char *perspective, const char *series, const char *template_name,
    const char *ds, double value, long long time)
{
	struct itf_instance *inst = run->rt->inst;
	struct collect_group *g = NULL;
	struct tmpl *t;
	uint32_t b, si, i;
	size_t k;
	double *slot;
	int idx;

	if (time == 0)
		time = (long long)(run->slot_ms / 1000);
	if (collect_series_find(run, system, perspective, series, template_name,
	        &si) != 0)
		return -1;
	t = run->series[si].tmpl;
	if ((idx = template_ds_index(t, ds)) == -1)
		return -1;
	/* Counts go to the row their time falls in: [end - step, end). */
	if (t->count)
		time = collect_bucket_end(time, t->step);
	if (run->ngbuckets != 0) {
		b = collect_group_hash(si, time, run->ngbuckets);
		for (i = run->gbuckets[b]; i != 0;
		     i = run->groups[i - 1].hnext) {
			if (run->groups[i - 1].series == si &&
			    run->groups[i - 1].time == time) {
				g = &run->groups[i - 1];
				break;
			}
		}
	}
	if (g == NULL) {
		if (run->ngroups == COLLECT_GROUPS_MAX) {
			if (!run->warned_groups)
				log_err("%s: more than %d series-times in one "
				        "run; the rest dropped",
				    inst->key, COLLECT_GROUPS_MAX);
			run->warned_groups = 1;
			return -1;
		}
		if (run->ngroups >= run->ngbuckets)
			collect_groups_grow(run);
		if ((run->ngroups & (run->ngroups - 1)) == 0)
			run->groups = xreallocarray(run->groups,
			    run->ngroups == 0 ? 1 : run->ngroups * 2,
			    sizeof *run->groups);
		if (run->npool + t->nds > run->pool_cap) {
			run->pool_cap = run->pool_cap == 0
			    ? 64
			    : run->pool_cap * 2 + t->nds;
			run->pool = xreallocarray(run->pool, run->pool_cap,
			    sizeof *run->pool);
		}
		g = &run->groups[run->ngroups];
		g->series = si;
		g->time = time;
		g->off = run->npool;
		for (k = 0; k < t->nds; k++)
			run->pool[run->npool++] = NAN;
		b = collect_group_hash(si, time, run->ngbuckets);
		g->hnext = run->gbuckets[b];
		run->gbuckets[b] = (uint32_t)++run->ngroups;
	}
	slot = &run->pool[g->off + (size_t)idx];
	if (!t->count || isnan(*slot))
		*slot = value;
	else if (!isnan(value))
		*slot += value;
	return 0;
}

static int
collect_host_emit_row(struct itf_run *run, const char *sub, long long time,
    const char *const *names, const double *values,
    const struct itf_ds_spec *specs, size_t n)
{
	struct collect_rt *rt = run->rt;

	if (!(rt->inst->ops->flags & ITF_COLLECTOR_DYNAMIC))
		return -1;
	return collect_rows_add(&run->rows, rt->inst, &rt->rows,
	    (time_t)(run->slot_ms / 1000), sub, time, names, values, specs, n);
}

static void
collect_host_event(const struct itf_instance *inst, const char *severity,
    long long time, const char *source, const char *message)
{
	struct journal_note n;
	int level;

	level = strcmp(severity, "failure") == 0 ? LOG_WARNING
	    : strcmp(severity, "warning") == 0   ? LOG_NOTICE
	                                         : LOG_INFO;
	log_msg(level, "%s: event (%s)%s%s: %s", inst->key, severity,
	    source != NULL ? " from " : "", source != NULL ? source : "",
	    message);
	if (collect_self == NULL || collect_self->journal == NULL)
		return;
	memset(&n, 0, sizeof n);
	n.system = inst->system != NULL ? inst->system->id : "";
	n.series = inst->series;
	n.t = time != 0 ? (time_t)time : (time_t)(scheduler_now_ms() / 1000);
	n.severity = severity;
	n.source = source;
	n.message = message;
	journal_note(collect_self->journal, &n);
	collect_self->c.events++;
}

static struct itf_instance *
collect_host_run_instance(struct itf_run *run)
{
	return run->rt->inst;
}

static void collect_host_run_done(struct itf_run *, enum itf_status,
    enum itf_reason, const char *);
static void collect_retire(struct collect_rt *);
static void collect_retire_soon(struct collect_rt *);

/* The one place a collector's secret is read: at each use, never kept. */
static char *
collect_host_secret(const struct itf_instance *inst, const char *path,
    char **cause)
{
	char *s, *why = NULL;

	if ((s = secret_read(path, &why)) != NULL)
		return s;
	xasprintf(cause, "%s:%d: %s", inst->file, inst->line, why);
	free(why);
	return NULL;
}

static void
collect_readback_cb(struct itf_run *run, void *arg, int status,
    const struct itf_daily *days, size_t n, const char *error)
{
	(void)arg;
	run->readback = NULL;
	run->readback_done(run, run->readback_arg, status, days, n, error);
}

/* Stored values read back off the loop (readback.c); cancelled with the
 * run (collect_host_run_done). */
static int
collect_host_read_daily(struct itf_run *run, const char *perspective,
    const char *series, const char *ds, long long span_s, itf_daily_fn done,
    void *arg)
{
	struct itf_instance *inst = run->rt->inst;
	char *path, *what;

	if (run->readback != NULL || inst->system == NULL ||
	    !ident_valid_perspective(perspective) || !ident_valid(series) ||
	    !ident_valid_ds(ds) || span_s <= 0)
		return -1;
	path = store_path(inst->conf->data_dir, perspective, inst->system->id,
	    series);
	if (path == NULL)
		return -1;
	xasprintf(&what, "%s/%s", perspective, series);
	run->readback_done = done;
	run->readback_arg = arg;
	run->readback = readback_daily(collect_host_base(), path, what,
	    inst->system->id, ds, span_s, run, collect_readback_cb, NULL);
	free(what);
	free(path);
	return 0;
}

static const struct itf_host_services collect_services = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.log = collect_host_log,
	.event_base = collect_host_base,
	.conf_string = conf_inst_string,
	.conf_int = conf_inst_int,
	.conf_float = conf_inst_float,
	.conf_bool = conf_inst_bool,
	.conf_strings = conf_inst_strings,
	.conf_pairs = conf_inst_pairs,
	.conf_error = collect_host_conf_error,
	.interval_ms = collect_host_interval,
	.timeout_ms = collect_host_timeout,
	.emit = collect_host_emit,
	.run_done = collect_host_run_done,
	.run_instance = collect_host_run_instance,
	.emit_ds = collect_host_emit_ds,
	.conf_pair_list = conf_inst_pair_list,
	.instance_system = collect_host_instance_system,
	.instance_series = collect_host_instance_series,
	.emit_series = collect_host_emit_series,
	.system_exists = collect_host_system_exists,
	.state_path = collect_host_state_path,
	.emit_row = collect_host_emit_row,
	.event = collect_host_event,
	.secret = collect_host_secret,
	.read_daily = collect_host_read_daily,
};

const struct itf_host_services *
collect_host(void)
{
	return &collect_services;
}

/* Runs. */

/* The shortest text that reads back as v: "0.25", "19402850304", "U". */
static void
collect_fmt_value(char *buf, size_t len, double v)
{
	int prec;

	if (isnan(v)) {
		snprintf(buf, len, "U");
		return;
	}
	if (fabs(v) < 1e15 && v == trunc(v)) {
		snprintf(buf, len, "%.0f", v); /* 1200, never 1.2e+03 */
		if (strcmp(buf, "-0") == 0)
			snprintf(buf, len, "0");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(buf, len, "%.17g", v);
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

static struct collect_result *
collect_result_new(struct collect *co)
{
	struct collect_result *res;

	co->results =
	    xreallocarray(co->results, co->nresults + 1, sizeof *co->results);
	res = xcalloc(1, sizeof *res);
	res->stored = -1;
	co->results[co->nresults++] = res;
	return res;
}

static void
collect_test_line(struct collect *co, struct collect_rt *rt, const char *system,
    const char *perspective, const char *series, struct store_item *it,
    enum itf_status status, enum itf_reason reason)
{
	struct collect_result *res;
	char *line, *add, num[64];
	size_t i;

	xasprintf(&line, "%s %s %s status=%s reason=%s", system, perspective,
	    series, reason_status_name(status), reason_name(reason));
	for (i = 0; i < it->tmpl->nds; i++) {
		collect_fmt_value(num, sizeof num, it->vals[i]);
		xasprintf(&add, "%s %s=%s", line, it->tmpl->ds[i].name, num);
		free(line);
		line = add;
	}
	res = collect_result_new(co);
	res->order = rt->order;
	res->line = line;
	res->ran = 1;
	/* Set by the writer thread; read after store_stop() joined it. */
	it->result = &res->stored;
}

static int
collect_series_cmp(const void *a, const void *b)
{
	const struct collect_series *x = *(struct collect_series *const *)a;
	const struct collect_series *y = *(struct collect_series *const *)b;
	int c;

	if ((c = strcmp(x->system, y->system)) != 0)
		return c;
	if ((c = strcmp(x->perspective, y->perspective)) != 0)
		return c;
	return strcmp(x->series, y->series);
}

/* Sorting groups: their series' ranks, then times. */
static const struct collect_series *collect_sort_series;

static int
collect_group_cmp(const void *a, const void *b)
{
	const struct collect_group *x = a, *y = b;
	size_t rx = collect_sort_series[x->series].rank;
	size_t ry = collect_sort_series[y->series].rank;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

/* Order the run's groups by series name, then time. */
static void
collect_sort_groups(struct itf_run *run)
{
	struct collect_series **order;
	size_t i;

	order = xcalloc(run->nseries + 1, sizeof *order);
	for (i = 0; i < run->nseries; i++)
		order[i] = &run->series[i];
	qsort(order, run->nseries, sizeof *order, collect_series_cmp);
	for (i = 0; i < run->nseries; i++)
		order[i]->rank = i;
	free(order);
	collect_sort_series = run->series;
	qsort(run->groups, run->ngroups, sizeof *run->groups,
	    collect_group_cmp);
	collect_sort_series = NULL;
	/* The hash chains point at old places: no emits after this. */
	free(run->gbuckets);
	run->gbuckets = NULL;
	run->ngbuckets = 0;
}

/*
 * A replacing or counting item of a series' n groups: its rows. Its
 * values (what -T prints) are the last row's, or for counts the run's
 * sums.
 */
static struct store_item *
collect_rows_item(struct itf_run *run, const char *path, struct tmpl *t,
    unsigned step, const struct collect_group *g, size_t n)
{
	struct store_item *it;
	const double *v;
	size_t k, d;

	it = store_item_new_rows(path, t, step, n);
	for (k = 0; k < n; k++) {
		it->times[k] = (time_t)g[k].time;
		memcpy(it->rows + k * t->nds, run->pool + g[k].off,
		    t->nds * sizeof *it->rows);
	}
	memcpy(it->vals, run->pool + g[n - 1].off, t->nds * sizeof *it->vals);
	for (k = 0; t->count && k + 1 < n; k++) {
		v = run->pool + g[k].off;
		for (d = 0; d < t->nds; d++) {
			if (isnan(it->vals[d]))
				it->vals[d] = v[d];
			else if (!isnan(v[d]))
				it->vals[d] += v[d];
		}
	}
	return it;
}

/*
 * A feed run's values: one store item per series and time, each series'
 * in time order; for a replacing template (cost), one item per series
 * holding all its rows. In test mode a line per series, with its latest
 * values.
 */
static void
collect_submit_groups(struct collect_rt *rt, struct itf_run *run,
    enum itf_status status, enum itf_reason reason)
{
	struct collect *co = rt->co;
	struct collect_series *cs;
	struct collect_group *g;
	struct store_item *it;
	struct tmpl *t;
	unsigned step;
	char *path;
	size_t i, k, n;

	if (run->ngroups > 0)
		collect_sort_groups(run);
	for (i = 0; i < run->ngroups; i += n) {
		g = &run->groups[i];
		cs = &run->series[g->series];
		t = cs->tmpl;
		for (n = 1; i + n < run->ngroups &&
		     run->groups[i + n].series == g->series;
		     n++)
			;
		path = store_path(store_data_dir(co->store), cs->perspective,
		    cs->system, cs->series);
		if (path == NULL)
			continue; /* checked in emit_series: cannot happen */
		/* A feed run less often than the template's step grows it;
		 * a counting template's rows are its buckets, whatever the
		 * runs. */
		step = rt->step > t->step && !t->count ? rt->step : t->step;
		if (t->replace || t->count) {
			it = collect_rows_item(run, path, t, step, g, n);
			if (co->test_mode)
				collect_test_line(co, rt, cs->system,
				    cs->perspective, cs->series, it, status,
				    reason);
			store_submit(co->store, it);
			free(path);
			continue;
		}
		for (k = 0; k < n; k++) {
			it = store_item_new(path, t, step, (time_t)g[k].time);
			memcpy(it->vals, run->pool + g[k].off,
			    t->nds * sizeof *it->vals);
			if (co->test_mode && k == n - 1)
				collect_test_line(co, rt, cs->system,
				    cs->perspective, cs->series, it, status,
				    reason);
			store_submit(co->store, it);
		}
		free(path);
	}
}

static void
collect_run_free(struct itf_run *run)
{
	size_t i;

	for (i = 0; i < run->nseries; i++) {
		template_unref(run->series[i].tmpl);
		free(run->series[i].system);
		free(run->series[i].perspective);
		free(run->series[i].series);
	}
	free(run->series);
	free(run->sbuckets);
	free(run->groups);
	free(run->gbuckets);
	free(run->pool);
	if (run->deadline != NULL)
		evtimer_del(run->deadline);
	free(run->xds);
	free(run->xvals);
	collect_rows_free(run->rows);
	free(run);
}

/*
 * The store item of a run. A dynamic series' first run makes its template
 * (the collector's plus what the run declared); later runs fill that one,
 * and a data source it lacks is reported once, not stored.
 */
static struct store_item *
collect_item(struct collect_rt *rt, struct itf_run *run)
{
	struct itf_instance *inst = rt->inst;
	struct tmpl *t = inst->tmpl;
	struct store_item *it;
	size_t i;
	int idx;

	if (inst->ops->flags & ITF_COLLECTOR_DYNAMIC) {
		if (rt->dyn == NULL)
			rt->dyn =
			    template_extend(inst->tmpl, run->xds, run->nx);
		t = rt->dyn;
	}
	it = store_item_new(rt->path, t, rt->step,
	    (time_t)(run->slot_ms / 1000));
	for (i = 0; i < inst->tmpl->nds; i++)
		it->vals[i] = run->vals[i];
	for (i = 0; i < run->nx; i++) {
		if ((idx = template_ds_index(t, run->xds[i].name)) != -1) {
			it->vals[idx] = run->xvals[i];
			continue;
		}
		if (!rt->warned_new_ds)
			log_warn("%s: data source \"%s\" appeared after the "
			         "series was made; not stored (logged once)",
			    inst->key, run->xds[i].name);
		rt->warned_new_ds = 1;
	}
	if (inst->ops->flags & ITF_COLLECTOR_DYNAMIC)
		collect_rows_check_own(&rt->rows, inst, t, it->t, it->vals,
		    &rt->co->c.out_of_bounds);
	return it;
}

/* Tell the journal how the run ended; warn of an expiring certificate. */
static void
collect_journal(struct collect *co, struct collect_rt *rt, struct itf_run *run,
    enum itf_status status, enum itf_reason reason, const char *message)
{
	struct itf_instance *inst = rt->inst;
	struct journal_run jr;
	int idx;

	if (co->journal == NULL)
		return;
	memset(&jr, 0, sizeof jr);
	jr.system = inst->system != NULL ? inst->system->id : NULL;
	jr.series = inst->series;
	jr.collector = inst->ops->name;
	jr.feed = inst->feed;
	/* Availability is of the quality perspective: a cost or licence
	 * series has no outages, and its daily run covers no time. */
	jr.no_outages = strcmp(inst->perspective, "quality") != 0;
	jr.t = (time_t)(run->slot_ms / 1000);
	jr.interval = (unsigned)((inst->interval_ms + 999) / 1000);
	jr.fail_after = inst->fail_after;
	jr.status = status;
	jr.reason = reason;
	jr.message = message;
	journal_run(co->journal, co->conf, &jr);
	if (!inst->feed &&
	    (idx = template_ds_index(inst->tmpl, "cert_days")) != -1)
		notify_cert(co->notify, co->conf, inst->system->id,
		    inst->series, run->vals[idx], inst->cert_warn_days, jr.t);
}

/* 1 if the run gave its own series a value. */
static int
collect_emitted(const struct tmpl *t, const struct itf_run *run)
{
	size_t i;

	for (i = 0; i < t->nds; i++) {
		if (!isnan(run->vals[i]))
			return 1;
	}
	return run->nx > 0;
}

/* The counters of a collector type, made on its first run. */
static struct collect_type *
collect_type_get(struct collect *co, const char *name)
{
	struct collect_type *ct;
	size_t i;

	for (i = 0; i < co->ntypes; i++) {
		if (strcmp(co->types[i].name, name) == 0)
			return &co->types[i];
	}
	co->types = xreallocarray(co->types, co->ntypes + 1, sizeof *co->types);
	ct = &co->types[co->ntypes++];
	memset(ct, 0, sizeof *ct);
	ct->name = xstrdup(name);
	return ct;
}

/* Count a finished run by type, reason and duration; keep its state. */
static void
collect_account(struct collect_rt *rt, struct itf_run *run,
    enum itf_status status, enum itf_reason reason)
{
	struct collect_type *ct;
	uint64_t now = scheduler_now_ms();
	double secs;
	size_t b;

	ct = collect_type_get(rt->co, rt->inst->ops->name);
	ct->by_reason[reason]++;
	secs = now > run->start_ms ? (double)(now - run->start_ms) / 1000 : 0;
	for (b = 0; b < COLLECT_DURATION_BUCKETS; b++) {
		if (secs <= collect_duration_bounds[b])
			break;
	}
	ct->duration[b]++;
	ct->duration_sum += secs;
	ct->duration_count++;
	rt->last_reason = reason;
	rt->last_run = (time_t)(now / 1000);
	if (status == ITF_STATUS_UP)
		rt->last_success = rt->last_run;
}

/* Keep a copy of what a run stored, for the status server. */
static void
collect_keep_values(struct collect_rt *rt, const struct store_item *it)
{
	if (rt->last_tmpl != it->tmpl) {
		template_unref(rt->last_tmpl);
		rt->last_tmpl = template_ref(it->tmpl);
		free(rt->last_vals);
		rt->last_vals = xcalloc(it->tmpl->nds + 1, sizeof *it->vals);
	}
	memcpy(rt->last_vals, it->vals, it->tmpl->nds * sizeof *it->vals);
}

/* The run's values of its own series, as counts at the run's time. */
static void
collect_own_counts(struct itf_instance *inst, struct itf_run *run)
{
	size_t i;

	for (i = 0; i < inst->tmpl->nds; i++) {
		if (!isnan(run->vals[i]))
			collect_host_emit_series(run, inst->system->id,
			    inst->perspective, inst->series, inst->tmpl->name,
			    inst->tmpl->ds[i].name, run->vals[i], 0);
	}
}

/* What a row callback of collect_submit_rows needs. */
struct collect_rows_cb {
	struct collect_rt *rt;
	enum itf_status status;
	enum itf_reason reason;
	int stored;
};

static void
collect_rows_last_cb(void *arg, const char *series, struct store_item *it)
{
	struct collect_rows_cb *cb = arg;
	struct collect_rt *rt = cb->rt;
	struct itf_instance *inst = rt->inst;

	cb->stored++;
	if (strcmp(series, inst->series) == 0)
		collect_keep_values(rt, it);
	if (rt->co->test_mode)
		collect_test_line(rt->co, rt, inst->system->id,
		    inst->perspective, series, it, cb->status, cb->reason);
}

/* A run's rows at their times (emit_row): each with the run's verdict. */
static void
collect_submit_rows(struct collect_rt *rt, struct itf_run *run,
    enum itf_status status, enum itf_reason reason)
{
	struct collect *co = rt->co;
	struct collect_rows_cb cb = { rt, status, reason, 0 };
	struct collect_rows_ctx ctx;
	struct collect_result *res;

	memset(&ctx, 0, sizeof ctx);
	ctx.inst = rt->inst;
	ctx.state = &rt->rows;
	ctx.store = co->store;
	ctx.dyn = &rt->dyn;
	ctx.step = rt->step;
	ctx.up = status == ITF_STATUS_UP ? 1
	    : status == ITF_STATUS_DOWN  ? 0
	                                 : NAN;
	ctx.reason = reason;
	ctx.skipped = &co->c.rows_skipped;
	ctx.out_of_bounds = &co->c.out_of_bounds;
	ctx.last = collect_rows_last_cb;
	ctx.arg = &cb;
	collect_rows_submit(run->rows, &ctx);
	if (co->test_mode && cb.stored == 0) {
		res = collect_result_new(co);
		res->order = rt->order;
		res->ran = 1;
		res->stored = 0;
		xasprintf(&res->line,
		    "%s %s %s (nothing stored) status=%s "
		    "reason=%s",
		    rt->inst->system->id, rt->inst->perspective,
		    rt->inst->series, reason_status_name(status),
		    reason_name(reason));
	}
}

/* A run refused series at a cap: say which, with the figures. */
static void
collect_log_capped(struct collect_rt *rt, const struct itf_run *run)
{
	const struct itf_instance *inst = rt->inst;

	switch (run->cap) {
	case SERIESCAP_FEED:
		log_limited(&rt->cap_log, LOG_WARNING,
		    "%s: too_many_series: %zu values of new series refused; "
		    "the feed fills %u, its max_series (%s:%d)",
		    inst->key, run->capped, seriescap_count(rt->cap),
		    inst->file, inst->line);
		break;
	case SERIESCAP_HOUR:
		log_limited(&rt->cap_log, LOG_WARNING,
		    "%s: too_many_series: %zu values of new series refused; "
		    "feeds made %u new series this hour "
		    "(daemon.max_new_series_per_hour)",
		    inst->key, run->capped,
		    inst->conf->max_new_series_per_hour);
		break;
	case SERIESCAP_OK:
		break;
	}
}

static void
collect_host_run_done(struct itf_run *run, enum itf_status status,
    enum itf_reason reason, const char *message)
{
	struct collect_rt *rt = run->rt;
	struct collect *co = rt->co;
	struct itf_instance *inst = rt->inst;
	struct store_item *it;
	int idx;

	if (run->done) {
		log_err("%s: collector %s ended a run twice", inst->key,
		    inst->ops->name);
		return;
	}
	run->done = 1;
	rt->run = NULL;
	co->inflight--;
	if (run->readback != NULL) {
		readback_cancel(run->readback);
		run->readback = NULL;
	}
	if (run->bad_ids > COLLECT_BAD_IDS_LOGGED)
		log_warn("%s: %zu names refused in this run (%d logged)",
		    inst->key, run->bad_ids, COLLECT_BAD_IDS_LOGGED);
	if (run->capped > 0 && reason != ITF_REASON_CANCELLED) {
		collect_log_capped(rt, run);
		status = ITF_STATUS_DOWN;
		reason = ITF_REASON_TOO_MANY_SERIES;
	}
	if (run->deadline_hit) {
		status = ITF_STATUS_DOWN;
		reason = ITF_REASON_TIMEOUT;
	}
	if (reason > ITF_REASON_MAX)
		reason = ITF_REASON_INTERNAL;
	if (status == ITF_STATUS_UNKNOWN && reason == ITF_REASON_CANCELLED) {
		/* Shutdown or reload: the probe did not run, write nothing. */
		log_debug("%s: run cancelled", inst->key);
		collect_run_free(run);
		goto out;
	}
	co->c.completed++;
	co->c.by_reason[reason]++;
	collect_account(rt, run, status, reason);
	if (status != ITF_STATUS_UP)
		co->c.failed++;
	/* State changes at info; a failure that goes on at debug. */
	log_msg((int)status != rt->last_status ? LOG_INFO : LOG_DEBUG,
	    "%s: %s (%s)%s%s", inst->key, reason_status_name(status),
	    reason_name(reason), message != NULL ? ": " : "",
	    message != NULL ? message : "");
	rt->last_status = (int)status;
	collect_journal(co, rt, run, status, reason, message);

	if ((idx = template_ds_index(inst->tmpl, "up")) != -1 &&
	    isnan(run->vals[idx]) && status != ITF_STATUS_UNKNOWN)
		run->vals[idx] = status == ITF_STATUS_UP ? 1 : 0;
	if ((idx = template_ds_index(inst->tmpl, "reason")) != -1 &&
	    isnan(run->vals[idx]))
		run->vals[idx] = reason;

	if (run->rows != NULL) {
		collect_submit_rows(rt, run, status, reason);
		collect_run_free(run);
		goto out;
	}
	/* A count of the collector's own series adds to its row, as a
	 * feed's counts do. */
	if (!inst->feed && inst->tmpl->count)
		collect_own_counts(inst, run);
	/* A feed, or a collector that gave series values at their times
	 * (users, whose series is replaced), stores those, or nothing: a
	 * replacing or counting series never gets a row of unknowns. */
	if (inst->feed || run->ngroups > 0 ||
	    ((inst->tmpl->replace || inst->tmpl->count) &&
	        !collect_emitted(inst->tmpl, run))) {
		collect_submit_groups(rt, run, status, reason);
		if (co->test_mode && run->ngroups == 0) {
			/* Say what the feed found, even if it wrote nothing. */
			struct collect_result *res = collect_result_new(co);
			res->order = rt->order;
			res->ran = 1;
			res->stored = 0;
			xasprintf(&res->line, "%s - %s status=%s reason=%s",
			    inst->key, "(nothing stored)",
			    reason_status_name(status), reason_name(reason));
		}
		collect_run_free(run);
		goto out;
	}
	it = collect_item(rt, run);
	collect_keep_values(rt, it);
	if (co->test_mode)
		collect_test_line(co, rt, inst->system->id, inst->perspective,
		    inst->series, it, status, reason);
	collect_run_free(run);
	store_submit(co->store, it);
out:
	if (co->test_mode && co->inflight == 0)
		event_base_loopbreak(co->base);
	if (rt->retiring)
		collect_retire_soon(rt);
}

static void
collect_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collect_rt *rt = arg;
	struct itf_run *run = rt->run;

	if (run == NULL)
		return;

	log_warn("%s: run passed its deadline (%llu ms); cancelling",
	    rt->inst->key,
	    (unsigned long long)(rt->inst->timeout_ms + COLLECT_GRACE_MS));
	rt->co->c.deadline++;
	run->deadline_hit = 1;
	rt->inst->ops->cancel(rt->inst->state, run);
	if (rt->run == run) {
		/* The collector did not end it: end it here. */
		collect_host_run_done(run, ITF_STATUS_DOWN, ITF_REASON_TIMEOUT,
		    "deadline");
	}
}

static void
collect_start(struct collect_rt *rt, uint64_t slot_ms)
{
	struct collect *co = rt->co;
	struct itf_instance *inst = rt->inst;
	struct itf_run *run;
	struct timeval tv;
	uint64_t grace;
	size_t i;

	/* One allocation: the run and its values. */
	run = xmalloc(sizeof *run + inst->tmpl->nds * sizeof *run->vals);
	memset(run, 0, sizeof *run);
	run->rt = rt;
	run->slot_ms = slot_ms;
	run->start_ms = scheduler_now_ms();
	run->vals = (double *)(run + 1);
	for (i = 0; i < inst->tmpl->nds; i++)
		run->vals[i] = NAN;
	grace = inst->timeout_ms + COLLECT_GRACE_MS;
	tv.tv_sec = (time_t)(grace / 1000);
	tv.tv_usec = (suseconds_t)((grace % 1000) * 1000);
	if (rt->deadline == NULL)
		rt->deadline = evtimer_new(co->base, collect_deadline_cb, rt);
	run->deadline = rt->deadline;
	evtimer_add(run->deadline, &tv);

	rt->run = run;
	co->inflight++;
	co->c.started++;
	if (run->start_ms <= slot_ms + 1000)
		co->c.ontime++;
	if (inst->ops->start(inst->state, run) != 0) {
		log_err("%s: %s collector could not start a run", inst->key,
		    inst->ops->name);
		co->c.start_errors++;
		if (rt->run == run) {
			rt->run = NULL;
			co->inflight--;
			collect_run_free(run);
		}
		if (co->test_mode) {
			struct collect_result *res = collect_result_new(co);
			res->order = rt->order;
			xasprintf(&res->line,
			    "%s %s %s status=unknown "
			    "reason=internal",
			    inst->system->id, inst->perspective, inst->series);
			res->ran = 0;
			if (co->inflight == 0)
				event_base_loopbreak(co->base);
		}
	}
}

static void
collect_slot_cb(struct sched_job *job, uint64_t slot_ms, uint64_t missed,
    void *arg)
{
	struct collect_rt *rt = arg;
	struct collect *co = rt->co;

	/* Another member's slots: before a hand-over to here, or after one
	 * from here. */
	if (rt->from_ms != 0 && slot_ms < rt->from_ms)
		return;
	if (rt->until_ms != 0 && slot_ms >= rt->until_ms) {
		collect_retire(rt);
		return;
	}
	co->c.scheduled += 1 + missed;
	co->c.missed += missed;
	if (rt->run != NULL) {
		co->c.overrun++;
		if (rt->overruns++ % 100 == 0)
			log_warn("%s: previous run still going at the next "
			         "slot; skipped (overrun %llu)",
			    rt->inst->key, (unsigned long long)rt->overruns);
		return;
	}
	collect_start(rt, slot_ms);
}

static struct collect_rt *
collect_rt_new(struct collect *co, struct itf_instance *inst)
{
	struct collect_rt *rt;
	uint64_t step;

	rt = xcalloc(1, sizeof *rt);
	rt->co = co;
	rt->inst = inst;
	rt->last_status = -1;
	if (!inst->feed)
		rt->path = store_path(store_data_dir(co->store),
		    inst->perspective, inst->system->id, inst->series);
	step = (inst->interval_ms + 999) / 1000;
	rt->step = step > inst->tmpl->step ? (unsigned)step : inst->tmpl->step;
	inst->rt = rt;
	scheduler_job_init(&rt->job, co->base, inst->key, inst->interval_ms,
	    collect_slot_cb, rt);
	return rt;
}

static void
collect_rt_free(struct collect_rt *rt)
{
	struct itf_instance *inst = rt->inst;

	rt->retiring = 0; /* freed here, not when the cancelled run ends */
	scheduler_job_stop(&rt->job);
	if (rt->run != NULL)
		inst->ops->cancel(inst->state, rt->run);
	if (rt->run != NULL) {
		log_err("%s: collector %s did not end a cancelled run",
		    inst->key, inst->ops->name);
		collect_host_run_done(rt->run, ITF_STATUS_UNKNOWN,
		    ITF_REASON_CANCELLED, NULL);
	}
	scheduler_job_free(&rt->job);
	if (rt->deadline != NULL)
		event_free(rt->deadline);
	if (rt->retire_ev != NULL)
		event_free(rt->retire_ev);
	template_unref(rt->dyn);
	collect_rows_state_free(rt->rows);
	template_unref(rt->last_tmpl);
	free(rt->last_vals);
	free(rt->path);
	seriescap_free(rt->cap);
	inst->rt = NULL;
	free(rt);
}

struct collect *
collect_new(struct event_base *base, struct store *store, int test_mode)
{
	struct collect *co;

	co = xcalloc(1, sizeof *co);
	co->base = base;
	co->store = store;
	co->test_mode = test_mode;
	collect_self = co;
	return co;
}

void
collect_set_journal(struct collect *co, struct journal *j, struct notify *n)
{
	co->journal = j;
	co->notify = n;
}

struct journal *
collect_journal_of(struct collect *co)
{
	return co->journal;
}

struct notify *
collect_notify_of(struct collect *co)
{
	return co->notify;
}

struct conf *
collect_conf(struct collect *co)
{
	return co->conf;
}

/* Every instance slot of a configuration: systems' collectors, then feeds. */
static struct itf_instance ***
collect_slots(struct conf *conf, size_t *n)
{
	struct itf_instance ***slots;
	struct conf_system *sys;
	size_t i, k, total = conf->nfeeds;

	for (i = 0; i < conf->nsystems; i++)
		total += conf->systems[i]->ninsts;
	slots = xcalloc(total + 1, sizeof *slots);
	*n = 0;
	for (i = 0; i < conf->nsystems; i++) {
		sys = conf->systems[i];
		for (k = 0; k < sys->ninsts; k++)
			slots[(*n)++] = &sys->insts[k];
	}
	for (i = 0; i < conf->nfeeds; i++)
		slots[(*n)++] = &conf->feeds[i];
	return slots;
}

/* An instance of the running configuration, sorted by key for reloads. */
struct collect_old {
	struct itf_instance *inst;
	struct itf_instance **slot;
};

static int
collect_old_cmp(const void *a, const void *b)
{
	const struct collect_old *x = a, *y = b;

	return strcmp(x->inst->key, y->inst->key);
}

/* The slot of the running instance that is inst's unchanged twin. */
static struct itf_instance **
collect_find_same(struct collect_old *old, size_t nold,
    const struct itf_instance *inst)
{
	struct collect_old key, *hit;

	if (nold == 0)
		return NULL;
	key.inst = (struct itf_instance *)inst;
	hit = bsearch(&key, old, nold, sizeof *old, collect_old_cmp);
	if (hit == NULL || *hit->slot == NULL ||
	    strcmp(hit->inst->fingerprint, inst->fingerprint) != 0)
		return NULL;
	return hit->slot;
}

void
collect_set_shard(struct collect *co, unsigned k, unsigned n)
{
	co->shard_k = k;
	co->shard_n = n;
}

/*
 * 1 if inst runs here: with n shards, the one its key ("system/series")
 * hashes to. The hash is FNV-1a, fixed, so every daemon sharing the
 * configuration agrees and an instance keeps its shard across restarts.
 */
int
collect_in_shard(const char *key, unsigned k, unsigned n)
{
	uint32_t h = 2166136261u;

	if (n <= 1)
		return 1;
	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % n == k;
}

void
collect_set_owner(struct collect *co, collect_owner_cb cb, void *arg)
{
	co->owner = cb;
	co->owner_arg = arg;
}

/* 1 if inst runs here (from *from_ms); 0 if not (after *until_ms). */
static int
collect_runs_here(struct collect *co, const struct itf_instance *inst,
    uint64_t *from_ms, uint64_t *until_ms)
{
	*from_ms = *until_ms = 0;
	if (co->owner != NULL && !co->test_mode)
		return co->owner(inst, from_ms, until_ms, co->owner_arg);
	return collect_in_shard(inst->key, co->shard_k, co->shard_n);
}

/* Its series now runs elsewhere: the journal forgets what it knew. */
static void
collect_retired(struct collect_rt *rt)
{
	struct itf_instance *inst = rt->inst;

	log_debug("%s: runs elsewhere now", inst->key);
	if (!inst->feed)
		journal_release(rt->co->journal, inst->system->id,
		    inst->series);
	collect_rt_free(rt);
}

static void
collect_retire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct collect_rt *rt = arg;

	(void)fd;
	(void)what;
	if (rt->retiring && rt->run == NULL)
		collect_retired(rt);
}

/* Free a retiring runtime from the loop, not from inside its callbacks
 * (a slot's, a run's end, a deadline's), which still use it. */
static void
collect_retire_soon(struct collect_rt *rt)
{
	struct timeval tv = { 0, 0 };

	if (rt->retire_ev == NULL)
		rt->retire_ev =
		    evtimer_new(rt->co->base, collect_retire_cb, rt);
	evtimer_add(rt->retire_ev, &tv);
}

/* No more slots here; a run in flight ends first. */
static void
collect_retire(struct collect_rt *rt)
{
	if (rt->retiring)
		return;
	scheduler_job_stop(&rt->job);
	rt->retiring = 1;
	if (rt->run == NULL)
		collect_retire_soon(rt);
}

void
collect_reassign(struct collect *co)
{
	struct itf_instance ***slots, *inst;
	struct collect_rt *rt;
	uint64_t from, until, now = scheduler_now_ms();
	size_t n, i;

	if (co->conf == NULL || co->test_mode)
		return;
	slots = collect_slots(co->conf, &n);
	co->nmine = 0;
	for (i = 0; i < n; i++) {
		inst = *slots[i];
		rt = inst->rt;
		if (collect_runs_here(co, inst, &from, &until)) {
			co->nmine++;
			if (rt != NULL && !rt->retiring) {
				rt->until_ms = 0;
				continue;
			}
			if (rt == NULL) {
				rt = collect_rt_new(co, inst);
				rt->order = i;
			}
			/* (A retiring one runs on: its slots come back.) */
			rt->retiring = 0;
			rt->until_ms = 0;
			rt->from_ms = from;
			scheduler_job_start(&rt->job);
		} else if (rt != NULL && !rt->retiring) {
			rt->until_ms = until;
			if (until == 0 || until <= now)
				collect_retire(rt);
		}
	}
	free(slots);
}

void
collect_apply(struct collect *co, struct conf *conf)
{
	struct conf *old = co->conf;
	struct itf_instance ***slots, ***oslots = NULL, **same, *inst;
	struct collect_old *olds = NULL;
	struct collect_rt **started;
	size_t n, nold = 0, i, kept = 0, added = 0, removed = 0;
	uint64_t from, until;

	slots = collect_slots(conf, &n);
	if (old != NULL) {
		oslots = collect_slots(old, &nold);
		olds = xcalloc(nold + 1, sizeof *olds);
		for (i = 0; i < nold; i++) {
			olds[i].inst = *oslots[i];
			olds[i].slot = oslots[i];
		}
		if (nold > 1)
			qsort(olds, nold, sizeof *olds, collect_old_cmp);
	}
	started = xcalloc(n + 1, sizeof *started);
	co->nall = n;
	co->nmine = 0;
	for (i = 0; i < n; i++) {
		inst = *slots[i];
		if (collect_runs_here(co, inst, &from, &until))
			co->nmine++;
		same = collect_find_same(olds, nold, inst);
		if (same != NULL) {
			/* Unchanged: keep the running one (and its timer). */
			(*same)->system = inst->system;
			(*same)->conf = conf;
			if ((*same)->ops->reloaded != NULL)
				(*same)->ops->reloaded((*same)->state);
			conf_instance_free(inst);
			*slots[i] = *same;
			*same = NULL;
			kept++;
			continue;
		}
		if (!collect_runs_here(co, inst, &from, &until))
			continue; /* another shard's, or member's */
		if (inst->ops->start == NULL)
			continue; /* a plugin not loaded (plugin_defer) */
		started[added] = collect_rt_new(co, inst);
		started[added]->order = i;
		started[added]->from_ms = from;
		added++;
	}
	for (i = 0; i < nold; i++) {
		if (*oslots[i] == NULL)
			continue;
		if ((*oslots[i])->rt != NULL)
			collect_rt_free((*oslots[i])->rt);
		removed++;
	}
	free(olds);
	free(oslots);
	free(slots);
	conf_free(old);
	co->conf = conf;
	/* Started once the configuration (its templates) is in place. */
	for (i = 0; i < added; i++) {
		if (co->test_mode)
			collect_start(started[i],
			    scheduler_now_ms() / 1000 * 1000);
		else
			scheduler_job_start(&started[i]->job);
	}
	free(started);
	log_info("configuration %s: %zu collectors (%zu kept, %zu new, %zu "
	         "removed)",
	    conf->file, kept + added, kept, added, removed);
	if (co->shard_n > 1)
		log_notice("shard %u/%u: %zu of %zu collectors run here",
		    co->shard_k, co->shard_n, co->nmine, co->nall);
}

void
collect_shutdown(struct collect *co)
{
	struct itf_instance ***slots;
	size_t n, i;

	if (co->conf == NULL)
		return;
	slots = collect_slots(co->conf, &n);
	for (i = 0; i < n; i++) {
		if ((*slots[i])->rt != NULL)
			collect_rt_free((*slots[i])->rt);
	}
	free(slots);
}

void
collect_free(struct collect *co)
{
	size_t i;

	if (co == NULL)
		return;
	collect_shutdown(co);
	conf_free(co->conf);
	for (i = 0; i < co->nresults; i++) {
		free(co->results[i]->line);
		free(co->results[i]);
	}
	free(co->results);
	for (i = 0; i < co->ntypes; i++)
		free(co->types[i].name);
	free(co->types);
	if (collect_self == co)
		collect_self = NULL;
	free(co);
}

void
collect_get_counters(struct collect *co, struct collect_counters *out)
{
	*out = co->c;
}

uint64_t
collect_inflight(struct collect *co)
{
	return co->inflight;
}

const struct collect_type *
collect_types(struct collect *co, size_t *n)
{
	*n = co->ntypes;
	return co->types;
}

int
collect_state(const struct itf_instance *inst, struct collect_state *out)
{
	const struct collect_rt *rt = inst->rt;

	memset(out, 0, sizeof *out);
	if (rt == NULL)
		return -1;
	out->active = 1;
	out->ran = rt->last_status != -1;
	out->status =
	    out->ran ? (enum itf_status)rt->last_status : ITF_STATUS_UNKNOWN;
	out->reason = rt->last_reason;
	out->last_run = rt->last_run;
	out->last_success = rt->last_success;
	out->tmpl = rt->last_tmpl;
	out->vals = rt->last_vals;
	return 0;
}

static int
collect_result_cmp(const void *a, const void *b)
{
	const struct collect_result *const *x = a, *const *y = b;

	return (*x)->order < (*y)->order ? -1 : (*x)->order > (*y)->order;
}

int
collect_test_report(struct collect *co, FILE *f)
{
	size_t i;
	int rc = 0;

	if (co->nresults > 1)
		qsort(co->results, co->nresults, sizeof *co->results,
		    collect_result_cmp);
	if (co->shard_n > 1)
		fprintf(f, "# shard %u/%u: %zu of %zu collectors run here\n",
		    co->shard_k, co->shard_n, co->nmine, co->nall);
	for (i = 0; i < co->nresults; i++) {
		fprintf(f, "%s\n", co->results[i]->line);
		if (!co->results[i]->ran || co->results[i]->stored != 0)
			rc = 1;
	}
	return rc;
}
