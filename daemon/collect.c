/*
 * Collector runtime. Every instance has a slot timer; at each slot it
 * starts a run unless the previous one is still going (an overrun, counted).
 * A run ends in exactly one run_done(), which turns what the collector
 * emitted into a store item: data sources never emitted are stored as U,
 * and the host fills `up` and `reason` from the status when the collector
 * did not. Behind every collector's own timeout sits a hard deadline that
 * cancels the run, so no target can hold an instance forever.
 */
#include <event2/event.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "ident.h"
#include "log.h"
#include "scheduler.h"
#include "store_rrd.h"
#include "xmalloc.h"

/* Grace beyond a collector's timeout before the host cancels its run. */
#define COLLECT_GRACE_MS 2000

struct collect_rt;

/* At most this many data sources a dynamic series learns. */
#define COLLECT_DYN_MAX 256

struct itf_run {
	struct collect_rt *rt;
	uint64_t slot_ms;
	uint64_t start_ms;
	double *vals; /* by the instance's template's data sources */
	/* Data sources a dynamic collector declared beyond its template. */
	struct tmpl_ds *xds;
	double *xvals;
	size_t nx;
	struct event *deadline;
	int deadline_hit;
	int done;
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
	struct tmpl *dyn; /* dynamic: the template its first run made */
	int warned_new_ds; /* dynamic: a new data source was logged */
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
};

static struct collect *collect_self;

const char *
collect_reason_name(enum itf_reason r)
{
	switch (r) {
	case ITF_REASON_OK:
		return "ok";
	case ITF_REASON_TIMEOUT:
		return "timeout";
	case ITF_REASON_DNS:
		return "dns";
	case ITF_REASON_CONNECT:
		return "connect";
	case ITF_REASON_TLS:
		return "tls";
	case ITF_REASON_HTTP_STATUS:
		return "http_status";
	case ITF_REASON_BODY_MISMATCH:
		return "body_mismatch";
	case ITF_REASON_PROTOCOL:
		return "protocol";
	case ITF_REASON_RECV:
		return "recv";
	case ITF_REASON_SEND:
		return "send";
	case ITF_REASON_EXPECT_MISMATCH:
		return "expect_mismatch";
	case ITF_REASON_TOO_LARGE:
		return "too_large";
	case ITF_REASON_EXEC_FAILED:
		return "exec_failed";
	case ITF_REASON_PARSE_ERROR:
		return "parse_error";
	case ITF_REASON_CANCELLED:
		return "cancelled";
	case ITF_REASON_INTERNAL:
		return "internal";
	case ITF_REASON_CHECK_WARNING:
		return "check_warning";
	case ITF_REASON_CHECK_CRITICAL:
		return "check_critical";
	case ITF_REASON_CHECK_UNKNOWN:
		return "check_unknown";
	case ITF_REASON_AUTH:
		return "auth";
	case ITF_REASON_KILLED:
		return "killed";
	}
	return "invalid";
}

const char *
collect_status_name(enum itf_status s)
{
	switch (s) {
	case ITF_STATUS_UP:
		return "up";
	case ITF_STATUS_DOWN:
		return "down";
	case ITF_STATUS_UNKNOWN:
		return "unknown";
	}
	return "invalid";
}

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
	size_t i;

	if (!ident_valid_ds(ds))
		return -1;
	if (template_ds_index(inst->tmpl, ds) != -1 ||
	    !(inst->ops->flags & ITF_COLLECTOR_DYNAMIC))
		return collect_host_emit(run, ds, value);
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
	return inst->system->id;
}

static const char *
collect_host_instance_series(const struct itf_instance *inst)
{
	return inst->series;
}

static struct itf_instance *
collect_host_run_instance(struct itf_run *run)
{
	return run->rt->inst;
}

static void collect_host_run_done(struct itf_run *, enum itf_status,
    enum itf_reason, const char *);

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
};

const struct itf_host_services *
collect_host(void)
{
	return &collect_services;
}

/* Runs. */

static void
collect_fmt_value(char *buf, size_t len, double v)
{
	char *p;

	if (isnan(v)) {
		snprintf(buf, len, "U");
		return;
	}
	snprintf(buf, len, "%.6f", v);
	if ((p = strchr(buf, '.')) != NULL) {
		p += strlen(p) - 1;
		while (*p == '0')
			*p-- = '\0';
		if (*p == '.')
			*p = '\0';
	}
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
collect_test_line(struct collect *co, struct collect_rt *rt,
    struct store_item *it, enum itf_status status, enum itf_reason reason)
{
	struct itf_instance *inst = rt->inst;
	struct collect_result *res;
	char *line, *add, num[64];
	size_t i;

	xasprintf(&line, "%s %s %s status=%s reason=%s", inst->system->id,
	    inst->perspective, inst->series, collect_status_name(status),
	    collect_reason_name(reason));
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

static void
collect_run_free(struct itf_run *run)
{
	if (run->deadline != NULL)
		event_free(run->deadline);
	free(run->vals);
	free(run->xds);
	free(run->xvals);
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
	return it;
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
	if (status != ITF_STATUS_UP)
		co->c.failed++;
	/* State changes at info; a failure that goes on at debug. */
	log_msg((int)status != rt->last_status ? LOG_INFO : LOG_DEBUG,
	    "%s: %s (%s)%s%s", inst->key, collect_status_name(status),
	    collect_reason_name(reason), message != NULL ? ": " : "",
	    message != NULL ? message : "");
	rt->last_status = (int)status;

	if ((idx = template_ds_index(inst->tmpl, "up")) != -1 &&
	    isnan(run->vals[idx]) && status != ITF_STATUS_UNKNOWN)
		run->vals[idx] = status == ITF_STATUS_UP ? 1 : 0;
	if ((idx = template_ds_index(inst->tmpl, "reason")) != -1 &&
	    isnan(run->vals[idx]))
		run->vals[idx] = reason;

	it = collect_item(rt, run);
	if (co->test_mode)
		collect_test_line(co, rt, it, status, reason);
	collect_run_free(run);
	store_submit(co->store, it);
out:
	if (co->test_mode && co->inflight == 0)
		event_base_loopbreak(co->base);
}

static void
collect_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct itf_run *run = arg;
	struct collect_rt *rt = run->rt;

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

	run = xcalloc(1, sizeof *run);
	run->rt = rt;
	run->slot_ms = slot_ms;
	run->start_ms = scheduler_now_ms();
	run->vals = xcalloc(inst->tmpl->nds, sizeof *run->vals);
	for (i = 0; i < inst->tmpl->nds; i++)
		run->vals[i] = NAN;
	grace = inst->timeout_ms + COLLECT_GRACE_MS;
	tv.tv_sec = (time_t)(grace / 1000);
	tv.tv_usec = (suseconds_t)((grace % 1000) * 1000);
	run->deadline = evtimer_new(co->base, collect_deadline_cb, run);
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
	rt->path = store_path(store_data_dir(co->store), inst->perspective,
	    inst->system->id, inst->series);
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
	template_unref(rt->dyn);
	free(rt->path);
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

struct conf *
collect_conf(struct collect *co)
{
	return co->conf;
}

/* The instance of old with inst's key, if its settings are the same. */
static struct itf_instance **
collect_find_same(struct conf *old, const struct itf_instance *inst)
{
	struct conf_system *sys;
	size_t i, k;

	if (old == NULL)
		return NULL;
	for (i = 0; i < old->nsystems; i++) {
		sys = old->systems[i];
		if (strcmp(sys->id, inst->system->id) != 0)
			continue;
		for (k = 0; k < sys->ninsts; k++) {
			if (sys->insts[k] != NULL &&
			    strcmp(sys->insts[k]->key, inst->key) == 0 &&
			    strcmp(sys->insts[k]->fingerprint,
			        inst->fingerprint) == 0)
				return &sys->insts[k];
		}
	}
	return NULL;
}

void
collect_apply(struct collect *co, struct conf *conf)
{
	struct conf *old = co->conf;
	struct conf_system *sys;
	struct itf_instance **same, *inst;
	struct collect_rt *rt;
	size_t i, k, kept = 0, added = 0, removed = 0, order = 0;

	for (i = 0; i < conf->nsystems; i++) {
		sys = conf->systems[i];
		for (k = 0; k < sys->ninsts; k++) {
			inst = sys->insts[k];
			if ((same = collect_find_same(old, inst)) != NULL) {
				/* Unchanged: keep the running one. */
				conf_instance_free(inst);
				inst = sys->insts[k] = *same;
				*same = NULL;
				inst->system = sys;
				kept++;
				continue;
			}
			rt = collect_rt_new(co, inst);
			rt->order = order++;
			added++;
			if (co->test_mode)
				collect_start(rt,
				    scheduler_now_ms() / 1000 * 1000);
			else
				scheduler_job_start(&rt->job);
		}
	}
	if (old != NULL) {
		for (i = 0; i < old->nsystems; i++) {
			sys = old->systems[i];
			for (k = 0; k < sys->ninsts; k++) {
				if (sys->insts[k] == NULL)
					continue;
				if (sys->insts[k]->rt != NULL)
					collect_rt_free(sys->insts[k]->rt);
				removed++;
			}
		}
		conf_free(old);
	}
	co->conf = conf;
	log_info("configuration %s: %zu collectors (%zu kept, %zu new, %zu "
	         "removed)",
	    conf->file, kept + added, kept, added, removed);
}

void
collect_shutdown(struct collect *co)
{
	struct conf_system *sys;
	size_t i, k;

	if (co->conf == NULL)
		return;
	for (i = 0; i < co->conf->nsystems; i++) {
		sys = co->conf->systems[i];
		for (k = 0; k < sys->ninsts; k++) {
			if (sys->insts[k]->rt != NULL)
				collect_rt_free(sys->insts[k]->rt);
		}
	}
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
	for (i = 0; i < co->nresults; i++) {
		fprintf(f, "%s\n", co->results[i]->line);
		if (!co->results[i]->ran || co->results[i]->stored != 0)
			rc = 1;
	}
	return rc;
}
