/*
 * Status server. /health says whether the loop turns (it answers at all)
 * and the writer keeps up; /metrics gives the counters in the Prometheus
 * text format. Served from the loop thread: handlers only read counters.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "dashboard.h"
#include "log.h"
#include "status.h"
#include "store_rrd.h"
#include "xmalloc.h"

/* Above this many queued writes the writer is not keeping up. */
#define STATUS_QUEUE_MAX 100000
/* A writer with work that has not moved for this long is stuck. */
#define STATUS_WRITER_STALL 30

struct status {
	struct evhttp *http;
	struct collect *co;
	struct store *store;
	struct dashboard *dash;
};

static void
status_reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void
status_health_cb(struct evhttp_request *req, void *arg)
{
	struct status *s = arg;
	struct store_stats ss;
	struct evbuffer *b = evbuffer_new();
	const char *problem = NULL;

	store_get_stats(s->store, &ss);
	if (ss.queued > STATUS_QUEUE_MAX)
		problem = "write queue is full: the writer does not keep up";
	else if (ss.queued > 0 && ss.writer_beat > STATUS_WRITER_STALL)
		problem = "the writer has not moved for 30 s";
	if (problem != NULL) {
		evbuffer_add_printf(b,
		    "{\"status\":\"fail\",\"reason\":\"%s\","
		    "\"queue\":%llu}\n",
		    problem, (unsigned long long)ss.queued);
		status_reply(req, 503, "Service Unavailable",
		    "application/json", b);
	} else {
		evbuffer_add_printf(b,
		    "{\"status\":\"ok\",\"queue\":%llu,"
		    "\"inflight\":%llu}\n",
		    (unsigned long long)ss.queued,
		    (unsigned long long)collect_inflight(s->co));
		status_reply(req, 200, "OK", "application/json", b);
	}
	evbuffer_free(b);
}

static void
status_metric(struct evbuffer *b, const char *name, const char *type,
    const char *help, unsigned long long v)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name,
	    help, name, type, name, v);
}

static void
status_metrics_cb(struct evhttp_request *req, void *arg)
{
	struct status *s = arg;
	struct collect_counters c;
	struct store_stats ss;
	struct evbuffer *b = evbuffer_new();
	int r;

	collect_get_counters(s->co, &c);
	store_get_stats(s->store, &ss);
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
	evbuffer_add_printf(b,
	    "# HELP itfollow_runs_failed_total Runs that "
	    "ended down or unknown, by reason.\n"
	    "# TYPE itfollow_runs_failed_total counter\n");
	for (r = 1; r <= ITF_REASON_MAX; r++) {
		if (c.by_reason[r] == 0)
			continue;
		evbuffer_add_printf(b,
		    "itfollow_runs_failed_total{reason="
		    "\"%s\"} %llu\n",
		    collect_reason_name(r), (unsigned long long)c.by_reason[r]);
	}
	status_metric(b, "itfollow_store_updates_total", "counter",
	    "RRD updates written.", ss.updates);
	status_metric(b, "itfollow_store_errors_total", "counter",
	    "RRD writes that failed.", ss.errors);
	status_metric(b, "itfollow_store_rejected_total", "counter",
	    "Updates at or before a file's last update, dropped.", ss.rejected);
	status_metric(b, "itfollow_store_created_total", "counter",
	    "RRD files created.", ss.created);
	status_metric(b, "itfollow_store_queue_depth", "gauge",
	    "Writes waiting for the writer thread.", ss.queued);
	status_reply(req, 200, "OK", "text/plain; version=0.0.4", b);
	evbuffer_free(b);
}

static void
status_other_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add_printf(b, "not found\n");
	status_reply(req, 404, "Not Found", "text/plain", b);
	evbuffer_free(b);
}

struct status *
status_start(struct event_base *base, const char *listen, struct collect *co,
    struct store *store, char **cause)
{
	struct status *s;
	char *host, *colon;
	long port;

	host = xstrdup(listen);
	if (host[0] == '[') {
		colon = strstr(host, "]:");
		if (colon == NULL)
			goto bad;
		*colon = '\0';
		memmove(host, host + 1, strlen(host));
		colon++;
	} else if ((colon = strrchr(host, ':')) == NULL)
		goto bad;
	*colon = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		goto bad;

	s = xcalloc(1, sizeof *s);
	s->co = co;
	s->store = store;
	s->http = evhttp_new(base);
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(s->http, 8192);
	evhttp_set_max_body_size(s->http, 0);
	evhttp_set_timeout(s->http, 10);
	evhttp_set_cb(s->http, "/health", status_health_cb, s);
	evhttp_set_cb(s->http, "/metrics", status_metrics_cb, s);
	evhttp_set_gencb(s->http, status_other_cb, s);
	if (evhttp_bind_socket(s->http, host, (ev_uint16_t)port) != 0) {
		xasprintf(cause, "status server: cannot listen on %s", listen);
		evhttp_free(s->http);
		free(s);
		free(host);
		return NULL;
	}
	s->dash = dashboard_start(base, s->http, co);
	free(host);
	return s;
bad:
	xasprintf(cause, "status_listen \"%s\" is not host:port", listen);
	free(host);
	return NULL;
}

void
status_free(struct status *s)
{
	if (s == NULL)
		return;
	dashboard_free(s->dash);
	evhttp_free(s->http);
	free(s);
}
