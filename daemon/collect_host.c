/*
 * The host services of the collector runtime: what a collector calls
 * while it runs (log, emit, emit_series, emit_row, events, secrets, reads
 * of stored values) and the series a feed run fills, found by hash and
 * checked against the caps. A run ends in collect_run.c.
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
#include "collect_priv.h"

struct collect *collect_self;

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
			log_warn(
			    "%s: data source \"%s\": not a valid name; not stored",
			    inst->key, ident_show(ds, a));
		return -1;
	}
	if (!(inst->ops->flags & ITF_COLLECTOR_DYNAMIC))
		return collect_host_emit(run, ds, value);
	/* up and reason are the daemon's: a value so named goes aside. */
	if (collect_rows_reserved(inst->tmpl, ds, own)) {
		if (!run->rt->warned_reserved)
			log_warn(
			    "%s: the program's \"%s\" is a name the daemon keeps for itself; stored as \"%s\" (logged once)",
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

static int
collect_host_id_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char **
collect_host_system_ids(const struct itf_instance *inst, size_t *n)
{
	const struct conf *conf = inst->conf;
	const char **ids;
	size_t i;

	ids = xcalloc(conf->nsystems + 1, sizeof *ids);
	for (i = 0; i < conf->nsystems; i++)
		ids[i] = conf->systems[i]->id;
	qsort(ids, conf->nsystems, sizeof *ids, collect_host_id_cmp);
	*n = conf->nsystems;
	return ids;
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

int
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
				log_err(
				    "%s: more than %d series-times in one run; the rest dropped",
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
	.system_ids = collect_host_system_ids,
};

const struct itf_host_services *
collect_host(void)
{
	return &collect_services;
}
