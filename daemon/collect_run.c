/*
 * The end of a collector run: what it emitted becomes a store item (data
 * sources never emitted stored as U, up and reason filled from the status),
 * a feed's series and dynamic rows are submitted, the journal and the
 * counters learn the outcome, and test mode prints a line per run.
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

struct collect_result *
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

void
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
		event_free(run->deadline);
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
			log_warn(
			    "%s: data source \"%s\" appeared after the series was made; not stored (logged once)",
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
		    "%s %s %s (nothing stored) status=%s reason=%s",
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
		    "%s: too_many_series: %zu values of new series refused; the feed fills %u, its max_series (%s:%d)",
		    inst->key, run->capped, seriescap_count(rt->cap),
		    inst->file, inst->line);
		break;
	case SERIESCAP_HOUR:
		log_limited(&rt->cap_log, LOG_WARNING,
		    "%s: too_many_series: %zu values of new series refused; feeds made %u new series this hour (daemon.max_new_series_per_hour)",
		    inst->key, run->capped,
		    inst->conf->max_new_series_per_hour);
		break;
	case SERIESCAP_OK:
		break;
	}
}

/*
 * What a run's own status becomes: a run that refused series at a cap or
 * hit its hard deadline is down for that reason. Logs the refusals.
 */
static void
collect_run_verdict(struct collect_rt *rt, struct itf_run *run,
    enum itf_status *status, enum itf_reason *reason)
{
	struct itf_instance *inst = rt->inst;

	if (run->bad_ids > COLLECT_BAD_IDS_LOGGED)
		log_warn("%s: %zu names refused in this run (%d logged)",
		    inst->key, run->bad_ids, COLLECT_BAD_IDS_LOGGED);
	if (run->capped > 0 && *reason != ITF_REASON_CANCELLED) {
		collect_log_capped(rt, run);
		*status = ITF_STATUS_DOWN;
		*reason = ITF_REASON_TOO_MANY_SERIES;
	}
	if (run->deadline_hit) {
		*status = ITF_STATUS_DOWN;
		*reason = ITF_REASON_TIMEOUT;
	}
	if (*reason > ITF_REASON_MAX)
		*reason = ITF_REASON_INTERNAL;
}

/* Counts, logs and journals the outcome of a run that ran. */
static void
collect_run_outcome(struct collect_rt *rt, struct itf_run *run,
    enum itf_status status, enum itf_reason reason, const char *message)
{
	struct collect *co = rt->co;
	struct itf_instance *inst = rt->inst;

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
}

/*
 * Stores what a run that ran gave: its dynamic rows, its series values
 * at their times, or its row. Frees the run.
 */
static void
collect_run_store(struct collect_rt *rt, struct itf_run *run,
    enum itf_status status, enum itf_reason reason)
{
	struct collect *co = rt->co;
	struct itf_instance *inst = rt->inst;
	struct store_item *it;
	int idx;

	if ((idx = template_ds_index(inst->tmpl, "up")) != -1 &&
	    isnan(run->vals[idx]) && status != ITF_STATUS_UNKNOWN)
		run->vals[idx] = status == ITF_STATUS_UP ? 1 : 0;
	if ((idx = template_ds_index(inst->tmpl, "reason")) != -1 &&
	    isnan(run->vals[idx]))
		run->vals[idx] = reason;

	if (run->rows != NULL) {
		collect_submit_rows(rt, run, status, reason);
		collect_run_free(run);
		return;
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
		return;
	}
	it = collect_item(rt, run);
	collect_keep_values(rt, it);
	if (co->test_mode)
		collect_test_line(co, rt, inst->system->id, inst->perspective,
		    inst->series, it, status, reason);
	collect_run_free(run);
	store_submit(co->store, it);
}

/* The one end of every run (host service run_done). */
void
collect_host_run_done(struct itf_run *run, enum itf_status status,
    enum itf_reason reason, const char *message)
{
	struct collect_rt *rt = run->rt;
	struct collect *co = rt->co;

	if (run->done) {
		log_err("%s: collector %s ended a run twice", rt->inst->key,
		    rt->inst->ops->name);
		return;
	}
	run->done = 1;
	rt->run = NULL;
	co->inflight--;
	if (run->readback != NULL) {
		readback_cancel(run->readback);
		run->readback = NULL;
	}
	collect_run_verdict(rt, run, &status, &reason);
	if (status == ITF_STATUS_UNKNOWN && reason == ITF_REASON_CANCELLED) {
		/* Shutdown or reload: the probe did not run, write nothing. */
		log_debug("%s: run cancelled", rt->inst->key);
		collect_run_free(run);
	} else {
		collect_run_outcome(rt, run, status, reason, message);
		collect_run_store(rt, run, status, reason);
	}
	if (co->test_mode && co->inflight == 0)
		event_base_loopbreak(co->base);
	if (rt->retiring)
		collect_retire_soon(rt);
}
