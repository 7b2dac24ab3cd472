/*
 * Status server. Routes live in a small table that other files add to
 * (status_route); /health, /metrics and /api/v1/systems are the built-in
 * ones. /health is 200 while the loop turns on time (a heartbeat timer
 * measures its lag) and the writer keeps up, 503 with the reason
 * otherwise. Everything is served from the loop thread: handlers only read
 * counters and state. Connections, requests, time and descriptors are
 * bounded by httpd.c, which reads and answers the HTTP.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "httpd.h"
#include "log.h"
#include "reason.h"
#include "scheduler.h"
#include "status.h"
#include "store_rrd.h"
#include "xmalloc.h"

/* Above this many queued writes the writer is not keeping up. */
#define STATUS_QUEUE_MAX 100000
/* A writer with work that has not moved for this long is stuck. */
#define STATUS_WRITER_STALL 30
/* Held updates older than write_delay plus this: the writer lags. */
#define STATUS_OLDEST_SLACK 60
/* The heartbeat's period, and the lag above which the loop is late. */
#define STATUS_BEAT_MS 1000
/* A finer heartbeat, for the worst lag since start (/metrics). */
#define STATUS_TICK_MS 50
#define STATUS_LAG_MAX_MS 2000
#define STATUS_MAX_ROUTES 32
/* A piece of /metrics's series: this many bytes, or series looked at. */
#define STATUS_PIECE_BYTES 16384
#define STATUS_PIECE_VISITS 4096

struct status_route {
	char *path;
	int prefix; /* path ends in '/': everything below it */
	status_route_cb cb;
	void *arg;
};

struct status {
	struct httpd *httpd;
	struct collect *co;
	struct store *store;
	struct status_route routes[STATUS_MAX_ROUTES];
	size_t nroutes;
	status_outage_cb outage;
	void *outage_arg;
	status_extra_cb extra;
	void *extra_arg;
	status_problem_cb problem;
	void *problem_arg;

	struct event *beat;
	uint64_t beat_ms; /* when the heartbeat last fired */
	uint64_t lag_ms; /* how late it was then */
	struct event *tick;
	uint64_t tick_ms; /* when the fine heartbeat last fired */
	uint64_t lag_max_ms; /* its worst lateness since start */
};

void
status_reply(struct httpd_req *req, int code, const char *type,
    struct evbuffer *body)
{
	httpd_reply(req, code, type, body);
}

struct collect *
status_collect(struct status *s)
{
	return s->co;
}

struct store *
status_store(struct status *s)
{
	return s->store;
}

/* Why the daemon is not healthy, in buf; 0 when it is. */
static int
status_problem(struct status *s, char *buf, size_t len)
{
	struct store_stats ss;
	uint64_t now = scheduler_now_ms();

	store_get_stats(s->store, &ss);
	if (now > s->beat_ms + STATUS_BEAT_MS + STATUS_LAG_MAX_MS)
		snprintf(buf, len, "the event loop has not turned for %llu ms",
		    (unsigned long long)(now - s->beat_ms));
	else if (s->lag_ms > STATUS_LAG_MAX_MS)
		snprintf(buf, len, "the event loop ran %llu ms late",
		    (unsigned long long)s->lag_ms);
	else if (ss.queued > STATUS_QUEUE_MAX)
		snprintf(buf, len,
		    "%llu writes queued (bound %d): the writer does not keep up",
		    (unsigned long long)ss.queued, STATUS_QUEUE_MAX);
	else if (ss.queued > 0 && ss.writer_beat > STATUS_WRITER_STALL)
		snprintf(buf, len, "the writer has not moved for %llu s",
		    (unsigned long long)ss.writer_beat);
	else if (ss.cached_down)
		snprintf(buf, len,
		    "rrdcached is unreachable: %llu values buffered, %llu dropped",
		    (unsigned long long)ss.buffered,
		    (unsigned long long)ss.dropped);
	else if (ss.oldest_age > ss.delay + STATUS_OLDEST_SLACK)
		snprintf(buf, len, "the oldest queued write is %llu s old",
		    (unsigned long long)ss.oldest_age);
	else if (s->problem != NULL)
		return s->problem(buf, len, s->problem_arg);
	else
		return 0;
	return 1;
}

static void
status_health_cb(struct status *s, struct httpd_req *req, const char *path,
    void *arg)
{
	struct store_stats ss;
	struct evbuffer *b = evbuffer_new();
	json_t *o;
	char problem[256], *text;

	store_get_stats(s->store, &ss);
	o = json_object();
	if (status_problem(s, problem, sizeof problem)) {
		json_object_set_new(o, "status", json_string("fail"));
		json_object_set_new(o, "reason", json_string(problem));
	} else
		json_object_set_new(o, "status", json_string("ok"));
	json_object_set_new(o, "queue", json_integer((json_int_t)ss.queued));
	json_object_set_new(o, "inflight",
	    json_integer((json_int_t)collect_inflight(s->co)));
	json_object_set_new(o, "loop_lag_ms",
	    json_integer((json_int_t)s->lag_ms));
	text = json_dumps(o, JSON_COMPACT);
	evbuffer_add_printf(b, "%s\n", text);
	status_reply(req, json_object_get(o, "reason") != NULL ? 503 : 200,
	    "application/json", b);
	free(text);
	json_decref(o);
	evbuffer_free(b);
}

void
status_metric(struct evbuffer *b, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name,
	    help, name, type, name, v);
}

static void
status_head(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* A label value: ids are safe, but escape what the format asks anyway. */
static void
status_label(struct evbuffer *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

/* Runs and their durations, by collector type (and reason). */
static void
status_metrics_types(struct status *s, struct evbuffer *b)
{
	const struct collect_type *ct;
	size_t n, i, k;
	uint64_t cum;
	int r;

	ct = collect_types(s->co, &n);
	status_head(b, "itfollow_runs_total", "counter",
	    "Runs finished, by collector type and reason.");
	for (i = 0; i < n; i++) {
		for (r = 0; r <= ITF_REASON_MAX; r++) {
			if (ct[i].by_reason[r] == 0)
				continue;
			evbuffer_add_printf(b,
			    "itfollow_runs_total{type=\"%s\",reason=\"%s\"} %llu\n",
			    ct[i].name, reason_name(r),
			    (unsigned long long)ct[i].by_reason[r]);
		}
	}
	status_head(b, "itfollow_run_duration_seconds", "histogram",
	    "How long runs took, by collector type.");
	for (i = 0; i < n; i++) {
		cum = 0;
		for (k = 0; k < COLLECT_DURATION_BUCKETS; k++) {
			cum += ct[i].duration[k];
			evbuffer_add_printf(b,
			    "itfollow_run_duration_seconds_bucket{type=\"%s\",le=\"%g\"} %llu\n",
			    ct[i].name, collect_duration_bounds[k],
			    (unsigned long long)cum);
		}
		evbuffer_add_printf(b,
		    "itfollow_run_duration_seconds_bucket{type=\"%s\",le=\"+Inf\"} %llu\nitfollow_run_duration_seconds_sum{type=\"%s\"} %.6f\nitfollow_run_duration_seconds_count{type=\"%s\"} %llu\n",
		    ct[i].name, (unsigned long long)ct[i].duration_count,
		    ct[i].name, ct[i].duration_sum, ct[i].name,
		    (unsigned long long)ct[i].duration_count);
	}
}

/*
 * /metrics's per-series lines are streamed (httpd_reply_stream): made a
 * piece at a time from a cursor, so that the answer is never whole in
 * memory. The cursor holds indexes, never pointers, into the running
 * configuration: a reload between pieces frees it. The pass that was being
 * made when that happens ends there (its lines of the new configuration
 * could repeat or miss series of the old at the same indexes); the next
 * pass is made whole from the new one.
 */
struct status_stream {
	struct status *s;
	uint64_t generation; /* collect_generation at the last piece */
	int pass; /* 0: itfollow_up, 1: last success, 2: done */
	int headed; /* the pass's HELP and TYPE are out */
	size_t sys, inst; /* the next instance of the pass */
	struct evbuffer *head; /* what comes before the series, made at once */
	struct evbuffer *tail; /* and after them */
};

static void
status_series_head(struct evbuffer *b, int pass)
{
	if (pass == 0)
		status_head(b, "itfollow_up", "gauge",
		    "1 if the last run of the series found it up, 0 if down.");
	else
		status_head(b, "itfollow_last_success_timestamp_seconds",
		    "gauge", "When a collector last ended up (Unix time).");
}

/* Current up (pass 0), or the last success (pass 1) of one series. */
static void
status_series_line(struct evbuffer *b, int pass, const struct conf_system *sys,
    const struct itf_instance *inst)
{
	struct collect_state st;

	if (collect_state(inst, &st) != 0 || !st.ran)
		return;
	if (pass == 0 && st.status == ITF_STATUS_UNKNOWN)
		return;
	if (pass == 1 && st.last_success == 0)
		return;
	evbuffer_add_printf(b, "%s{system=\"",
	    pass == 0 ? "itfollow_up"
	              : "itfollow_last_success_timestamp_seconds");
	status_label(b, sys->id);
	if (pass == 0) {
		evbuffer_add_printf(b, "\",perspective=\"");
		status_label(b, inst->perspective);
	}
	evbuffer_add_printf(b, "\",series=\"");
	status_label(b, inst->series);
	if (pass == 0)
		evbuffer_add_printf(b, "\"} %d\n", st.status == ITF_STATUS_UP);
	else
		evbuffer_add_printf(b, "\"} %lld\n",
		    (long long)st.last_success);
}

/* The next pass: the current one is whole, or cut short by a reload. */
static void
status_stream_next_pass(struct status_stream *ss)
{
	ss->pass++;
	ss->headed = 0;
	ss->sys = ss->inst = 0;
}

/* A piece of the series lines: up to STATUS_PIECE_BYTES or _VISITS. */
static void
status_stream_series(struct status_stream *ss, struct evbuffer *out)
{
	const struct conf *conf = collect_conf(ss->s->co);
	const struct conf_system *sys;
	size_t visits = 0;

	if (collect_generation(ss->s->co) != ss->generation) {
		ss->generation = collect_generation(ss->s->co);
		if (ss->headed)
			status_stream_next_pass(ss);
	}
	while (ss->pass < 2 && visits < STATUS_PIECE_VISITS &&
	    evbuffer_get_length(out) < STATUS_PIECE_BYTES) {
		if (conf == NULL) {
			ss->pass = 2;
			break;
		}
		if (!ss->headed) {
			status_series_head(out, ss->pass);
			ss->headed = 1;
		}
		if (ss->sys >= conf->nsystems) {
			status_stream_next_pass(ss);
			continue;
		}
		sys = conf->systems[ss->sys];
		if (ss->inst >= sys->ninsts) {
			ss->sys++;
			ss->inst = 0;
			continue;
		}
		status_series_line(out, ss->pass, sys, sys->insts[ss->inst]);
		ss->inst++;
		visits++;
	}
}

static int
status_stream_produce(struct evbuffer *out, void *arg)
{
	struct status_stream *ss = arg;

	evbuffer_add_buffer(out, ss->head); /* the first piece only */
	status_stream_series(ss, out);
	if (ss->pass < 2)
		return 0;
	evbuffer_add_buffer(out, ss->tail);
	return 1;
}

static void
status_stream_free(void *arg)
{
	struct status_stream *ss = arg;

	evbuffer_free(ss->head);
	evbuffer_free(ss->tail);
	free(ss);
}

static void status_metrics_tail(struct status *, struct evbuffer *);

static void
status_metrics_store(struct status *s, struct evbuffer *b)
{
	struct store_stats ss;

	store_get_stats(s->store, &ss);
	status_metric(b, "itfollow_store_updates_total", "counter",
	    "RRD updates written.", ss.updates);
	status_metric(b, "itfollow_store_errors_total", "counter",
	    "RRD writes that failed.", ss.errors);
	status_metric(b, "itfollow_write_errors_total", "counter",
	    "RRD writes that failed (as itfollow_store_errors_total).",
	    ss.errors);
	status_metric(b, "itfollow_store_rejected_total", "counter",
	    "Updates at or before a file's last update, dropped.", ss.rejected);
	status_metric(b, "itfollow_store_created_total", "counter",
	    "RRD files created.", ss.created);
	status_metric(b, "itfollow_store_queue_depth", "gauge",
	    "Writes waiting for the writer thread.", ss.queued);
	status_metric(b, "itfollow_store_oldest_queued_seconds", "gauge",
	    "Age of the oldest update the writer holds.", ss.oldest_age);
	status_metric(b, "itfollow_store_write_delay_seconds", "gauge",
	    "How long each file's updates are held back (store.write_delay).",
	    ss.delay);
	status_metric(b, "itfollow_rrdcached_up", "gauge",
	    "1 while connected to rrdcached (0 when not, or not used).",
	    ss.cached_up);
	status_metric(b, "itfollow_rrdcached_buffered", "gauge",
	    "Values held while rrdcached is unreachable.", ss.buffered);
	status_metric(b, "itfollow_rrdcached_dropped_total", "counter",
	    "Values dropped: rrdcached unreachable and the buffer full.",
	    ss.dropped);
	status_metric(b, "itfollow_rrdcached_reconnects_total", "counter",
	    "Connections to rrdcached made again after one dropped.",
	    ss.reconnects);
	status_metric(b, "itfollow_rrdcached_replayed_total", "counter",
	    "Updates sent again after rrdcached lost them going away.",
	    ss.replayed);
}

/* The status server's own connections. */
static void
status_metrics_httpd(struct status *s, struct evbuffer *b)
{
	struct httpd_stats hs;

	httpd_get_stats(s->httpd, &hs);
	status_metric(b, "itfollow_status_connections", "gauge",
	    "Status server connections open now.", hs.connections);
	status_metric(b, "itfollow_status_accepted_total", "counter",
	    "Status server connections accepted.", hs.accepted);
	status_metric(b, "itfollow_status_refused_total", "counter",
	    "Status connections answered 503 at a connection cap.", hs.refused);
	status_metric(b, "itfollow_status_timeouts_total", "counter",
	    "Status connections closed at a deadline.", hs.timeouts);
	status_metric(b, "itfollow_status_bad_requests_total", "counter",
	    "Status requests refused as malformed or not served (4xx, 5xx).",
	    hs.bad_requests);
	status_metric(b, "itfollow_status_accept_pauses_total", "counter",
	    "Times accepting paused: at the descriptor reserve or an accept error.",
	    hs.accept_pauses);
	status_metric(b, "itfollow_status_fd_ceiling", "gauge",
	    "Descriptor number the status server never accepts at or above.",
	    hs.fd_ceiling);
}

static void
status_metrics_cb(struct status *s, struct httpd_req *req, const char *path,
    void *arg)
{
	struct collect_counters c;
	struct evbuffer *b = evbuffer_new();
	struct status_stream *ss;
	int r;

	collect_get_counters(s->co, &c);
	status_metric(b, "itfollow_runs_scheduled_total", "counter",
	    "Slots that came due.", c.scheduled);
	status_metric(b, "itfollow_runs_started_total", "counter",
	    "Runs started.", c.started);
	status_metric(b, "itfollow_runs_completed_total", "counter",
	    "Runs finished, whatever their result.", c.completed);
	status_metric(b, "itfollow_runs_ontime_total", "counter",
	    "Runs started within 1 s of their slot.", c.ontime);
	status_metric(b, "itfollow_runs_overrun_total", "counter",
	    "Slots skipped because the previous run was still going.",
	    c.overrun);
	status_metric(b, "itfollow_runs_missed_total", "counter",
	    "Slots skipped because the loop was late.", c.missed);
	status_metric(b, "itfollow_runs_start_errors_total", "counter",
	    "Runs that could not start.", c.start_errors);
	status_metric(b, "itfollow_runs_deadline_total", "counter",
	    "Runs cancelled at their hard deadline.", c.deadline);
	status_metric(b, "itfollow_runs_inflight", "gauge",
	    "Runs in flight now.", collect_inflight(s->co));
	status_metric(b, "itfollow_rows_skipped_total", "counter",
	    "Rows of values at or before their series' last stored time, skipped.",
	    c.rows_skipped);
	status_metric(b, "itfollow_values_out_of_bounds_total", "counter",
	    "Values outside their data source's bounds (stored as unknown).",
	    c.out_of_bounds);
	status_metric(b, "itfollow_program_events_total", "counter",
	    "Events programs reported (collectd PUTNOTIF), kept in the journal.",
	    c.events);
	status_head(b, "itfollow_runs_failed_total", "counter",
	    "Runs that ended down or unknown, by reason.");
	for (r = 1; r <= ITF_REASON_MAX; r++) {
		if (c.by_reason[r] == 0)
			continue;
		evbuffer_add_printf(b,
		    "itfollow_runs_failed_total{reason=\"%s\"} %llu\n",
		    reason_name(r), (unsigned long long)c.by_reason[r]);
	}
	status_metrics_types(s, b);
	ss = xcalloc(1, sizeof *ss);
	ss->s = s;
	ss->generation = collect_generation(s->co);
	ss->head = b;
	ss->tail = evbuffer_new();
	status_metrics_tail(s, ss->tail);
	httpd_reply_stream(req, 200, "text/plain; version=0.0.4",
	    status_stream_produce, status_stream_free, ss);
}

/* After the series: the store, the extras, the loop and the server. */
static void
status_metrics_tail(struct status *s, struct evbuffer *b)
{
	status_metrics_store(s, b);
	if (s->extra != NULL)
		s->extra(b, s->extra_arg);
	status_head(b, "itfollow_status_loop_lag_seconds", "gauge",
	    "How late the last heartbeat of the event loop fired.");
	evbuffer_add_printf(b, "itfollow_status_loop_lag_seconds %.3f\n",
	    (double)s->lag_ms / 1000);
	status_head(b, "itfollow_status_loop_lag_max_seconds", "gauge",
	    "The latest a 50 ms heartbeat of the event loop fired since start.");
	evbuffer_add_printf(b, "itfollow_status_loop_lag_max_seconds %.3f\n",
	    (double)s->lag_max_ms / 1000);
	status_metrics_httpd(s, b);
	status_head(b, "itfollow_build_info", "gauge",
	    "The running version, as a label.");
	evbuffer_add_printf(b, "itfollow_build_info{version=\"%s\"} 1\n",
	    ITF_VERSION);
}

static json_t *
status_time(time_t t)
{
	return t == 0 ? json_null() : json_integer((json_int_t)t);
}

/* One series of a system, as /api/v1/systems shows it. */
static json_t *
status_api_series(struct status *s, const struct conf_system *sys,
    const struct itf_instance *inst)
{
	struct collect_state st;
	json_t *o, *vals, *outage = NULL;
	size_t i;

	o = json_object();
	json_object_set_new(o, "series", json_string(inst->series));
	json_object_set_new(o, "perspective", json_string(inst->perspective));
	json_object_set_new(o, "type", json_string(inst->ops->name));
	json_object_set_new(o, "interval_s",
	    json_real((double)inst->interval_ms / 1000));
	collect_state(inst, &st);
	json_object_set_new(o, "active", json_boolean(st.active));
	json_object_set_new(o, "state",
	    st.ran ? json_string(reason_status_name(st.status)) : json_null());
	json_object_set_new(o, "reason",
	    st.ran ? json_string(reason_name(st.reason)) : json_null());
	json_object_set_new(o, "last_run", status_time(st.last_run));
	json_object_set_new(o, "last_success", status_time(st.last_success));
	vals = json_object();
	for (i = 0; st.tmpl != NULL && i < st.tmpl->nds; i++)
		json_object_set_new(vals, st.tmpl->ds[i].name,
		    isnan(st.vals[i]) ? json_null() : json_real(st.vals[i]));
	json_object_set_new(o, "values", vals);
	if (s->outage != NULL)
		outage = s->outage(sys->id, inst->series, s->outage_arg);
	json_object_set_new(o, "outage", outage != NULL ? outage : json_null());
	return o;
}

static json_t *
status_opt_string(const char *v)
{
	return v != NULL ? json_string(v) : json_null();
}

static void
status_api_systems_cb(struct status *s, struct httpd_req *req, const char *path,
    void *arg)
{
	const struct conf *conf = collect_conf(s->co);
	const struct conf_system *sys;
	struct evbuffer *b = evbuffer_new();
	json_t *root, *list, *o, *series;
	size_t i, k;
	char *text;

	root = json_object();
	list = json_array();
	for (i = 0; conf != NULL && i < conf->nsystems; i++) {
		sys = conf->systems[i];
		o = json_object();
		json_object_set_new(o, "id", json_string(sys->id));
		json_object_set_new(o, "name", status_opt_string(sys->name));
		json_object_set_new(o, "owner", status_opt_string(sys->owner));
		json_object_set_new(o, "category",
		    status_opt_string(sys->category));
		json_object_set_new(o, "portfolio",
		    status_opt_string(sys->portfolio));
		series = json_array();
		for (k = 0; k < sys->ninsts; k++)
			json_array_append_new(series,
			    status_api_series(s, sys, sys->insts[k]));
		json_object_set_new(o, "series", series);
		json_array_append_new(list, o);
	}
	json_object_set_new(root, "systems", list);
	/* 17 significant digits: every double prints as itself. */
	text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(17));
	evbuffer_add_printf(b, "%s\n", text);
	status_reply(req, 200, "application/json", b);
	free(text);
	json_decref(root);
	evbuffer_free(b);
}

static void
status_not_found(struct httpd_req *req)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add_printf(b, "not found\n");
	status_reply(req, 404, "text/plain", b);
	evbuffer_free(b);
}

static void
status_dispatch_cb(struct httpd_req *req, void *arg)
{
	struct status *s = arg;
	const struct status_route *best = NULL;
	const char *path = httpd_req_path(req);
	size_t i, len, best_len = 0;

	for (i = 0; i < s->nroutes; i++) {
		len = strlen(s->routes[i].path);
		if (s->routes[i].prefix
		        ? strncmp(path, s->routes[i].path, len) != 0
		        : strcmp(path, s->routes[i].path) != 0)
			continue;
		if (best == NULL || len > best_len) {
			best = &s->routes[i];
			best_len = len;
		}
	}
	if (best == NULL) {
		status_not_found(req);
		return;
	}
	best->cb(s, req, path, best->arg);
}

void
status_route(struct status *s, const char *path, status_route_cb cb, void *arg)
{
	struct status_route *r = NULL;
	size_t i;

	for (i = 0; i < s->nroutes; i++) {
		if (strcmp(s->routes[i].path, path) == 0)
			r = &s->routes[i];
	}
	if (r == NULL) {
		if (s->nroutes == STATUS_MAX_ROUTES) {
			log_err("status: more than %d routes; %s not served",
			    STATUS_MAX_ROUTES, path);
			return;
		}
		r = &s->routes[s->nroutes++];
		r->path = xstrdup(path);
		/* "/" is the root page only: no route catches everything. */
		r->prefix = strlen(path) > 1 && path[strlen(path) - 1] == '/';
	}
	r->cb = cb;
	r->arg = arg;
}

void
status_set_metrics(struct status *s, status_extra_cb cb, void *arg)
{
	s->extra = cb;
	s->extra_arg = arg;
}

void
status_set_problem(struct status *s, status_problem_cb cb, void *arg)
{
	s->problem = cb;
	s->problem_arg = arg;
}

void
status_set_outage(struct status *s, status_outage_cb cb, void *arg)
{
	s->outage = cb;
	s->outage_arg = arg;
}

static void
status_beat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct status *s = arg;
	uint64_t now = scheduler_now_ms();

	s->lag_ms = now > s->beat_ms + STATUS_BEAT_MS
	    ? now - s->beat_ms - STATUS_BEAT_MS
	    : 0;
	s->beat_ms = now;
}

static void
status_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct status *s = arg;
	uint64_t now = scheduler_now_ms();

	if (now > s->tick_ms + STATUS_TICK_MS &&
	    now - s->tick_ms - STATUS_TICK_MS > s->lag_max_ms)
		s->lag_max_ms = now - s->tick_ms - STATUS_TICK_MS;
	s->tick_ms = now;
}

/* Split "host:port" or "[v6]:port". 0, or -1 when it is neither. */
static int
status_split(const char *listen, char **host, long *port)
{
	char *colon;

	*host = xstrdup(listen);
	if ((*host)[0] == '[') {
		if ((colon = strstr(*host, "]:")) == NULL)
			goto bad;
		*colon = '\0';
		memmove(*host, *host + 1, strlen(*host));
		colon++;
	} else if ((colon = strrchr(*host, ':')) == NULL)
		goto bad;
	*colon = '\0';
	*port = strtol(colon + 1, NULL, 10);
	if (*port < 1 || *port > 65535)
		goto bad;
	return 0;
bad:
	free(*host);
	*host = NULL;
	return -1;
}

struct status *
status_start(struct event_base *base, const char *listen, struct collect *co,
    struct store *store, char **cause)
{
	struct status *s;
	struct timeval tv = { STATUS_BEAT_MS / 1000, 0 };
	struct timeval tick = { 0, STATUS_TICK_MS * 1000 };
	char *host;
	long port;

	if (status_split(listen, &host, &port) != 0) {
		xasprintf(cause, "status_listen \"%s\" is not host:port",
		    listen);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->co = co;
	s->store = store;
	s->httpd =
	    httpd_new(base, host, (int)port, status_dispatch_cb, s, cause);
	free(host);
	if (s->httpd == NULL) {
		free(s);
		return NULL;
	}
	status_route(s, "/health", status_health_cb, NULL);
	status_route(s, "/metrics", status_metrics_cb, NULL);
	status_route(s, "/api/v1/systems", status_api_systems_cb, NULL);
	s->beat_ms = scheduler_now_ms();
	s->beat = event_new(base, -1, EV_PERSIST, status_beat_cb, s);
	event_add(s->beat, &tv);
	s->tick_ms = s->beat_ms;
	s->tick = event_new(base, -1, EV_PERSIST, status_tick_cb, s);
	event_add(s->tick, &tick);
	return s;
}

void
status_free(struct status *s)
{
	size_t i;

	if (s == NULL)
		return;
	event_free(s->beat);
	event_free(s->tick);
	httpd_free(s->httpd);
	for (i = 0; i < s->nroutes; i++)
		free(s->routes[i].path);
	free(s);
}
