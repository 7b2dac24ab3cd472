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

#include "collect_priv.h"

/* Upper bounds of the run duration histogram's buckets, in seconds. */
const double collect_duration_bounds[COLLECT_DURATION_BUCKETS] = { 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };

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
	/* The run's own: a few hundred runs are in flight, not one each of
	 * thousands of series kept for good. */
	run->deadline = evtimer_new(co->base, collect_deadline_cb, rt);
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
			    "%s %s %s status=unknown reason=internal",
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
			log_warn(
			    "%s: previous run still going at the next slot; skipped (overrun %llu)",
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

uint64_t
collect_generation(struct collect *co)
{
	return co->generation;
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
void
collect_retire_soon(struct collect_rt *rt)
{
	struct timeval tv = { 0, 0 };

	if (rt->retire_ev == NULL)
		rt->retire_ev =
		    evtimer_new(rt->co->base, collect_retire_cb, rt);
	evtimer_add(rt->retire_ev, &tv);
}

/* No more slots here; a run in flight ends first. */
void
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
	co->generation++;
	/* Started once the configuration (its templates) is in place. */
	for (i = 0; i < added; i++) {
		if (co->test_mode)
			collect_start(started[i],
			    scheduler_now_ms() / 1000 * 1000);
		else
			scheduler_job_start(&started[i]->job);
	}
	free(started);
	log_info(
	    "configuration %s: %zu collectors (%zu kept, %zu new, %zu removed)",
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
