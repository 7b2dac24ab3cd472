/*
 * Notifier deliveries. Each notification (an event for one notifier) is a
 * delivery that owns copies of everything it needs, so a reload that
 * changes or removes the notifier does not disturb it; it tries, and on
 * failure arms a timer for its next try.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "curlev.h"
#include "log.h"
#include "maint.h"
#include "notify.h"
#include "period.h"
#include "proc.h"
#include "secret.h"
#include "xmalloc.h"

#define NOTIFY_BACKOFF_MAX_MS 300000
#define NOTIFY_RATE_BUCKETS 1024

/* When a notifier last told of one event of one series. */
struct notify_rate {
	struct notify_rate *next;
	char *key;
	time_t last;
};

struct notify_delivery {
	struct notify_delivery *prev, *next;
	struct notify *n;
	long long id;
	time_t t;
	char *notifier;
	char *event, *system, *series;
	int webhook;
	char **argv;
	char **env;
	char *url, *secret_header, *secret_file;
	char *user;
	long timeout_ms;
	char *body;
	char *payload; /* the event, as the journal keeps it */
	int attempts;
	struct event *retry;
	struct proc *proc;
	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
};

struct notify {
	struct event_base *base;
	struct journal *journal;
	struct notify_delivery *head;
	struct notify_rate *rates[NOTIFY_RATE_BUCKETS];
	struct notify_counters c;
	long long seq;
};

/* What an event says, for the environment and the JSON document. */
struct notify_what {
	const char *event;
	const char *system;
	const char *series;
	const char *reason;
	time_t start, end;
	double cert_days;
	time_t t;
};

struct notify *
notify_new(struct event_base *base, struct journal *journal)
{
	struct notify *n;

	n = xcalloc(1, sizeof *n);
	n->base = base;
	n->journal = journal;
	n->seq = (long long)time(NULL) * 1000000;
	return n;
}

static void
notify_strv_free(char **v)
{
	char **p;

	for (p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

static char **
notify_strv_dup(char *const *v)
{
	char **out;
	size_t i, n = 0;

	if (v == NULL)
		return NULL;
	while (v[n] != NULL)
		n++;
	out = xcalloc(n + 1, sizeof *out);
	for (i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void
notify_delivery_free(struct notify_delivery *d)
{
	struct notify *n = d->n;

	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		n->head = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	n->c.pending--;
	if (d->retry != NULL)
		event_free(d->retry);
	if (d->proc != NULL)
		proc_cancel(d->proc);
	if (d->easy != NULL) {
		curlev_remove(d->easy);
		curl_easy_cleanup(d->easy);
	}
	curl_slist_free_all(d->hdrs);
	free(d->notifier);
	free(d->event);
	free(d->system);
	free(d->series);
	notify_strv_free(d->argv);
	notify_strv_free(d->env);
	free(d->url);
	free(d->secret_header);
	free(d->secret_file);
	free(d->user);
	free(d->body);
	free(d->payload);
	free(d);
}

void
notify_free(struct notify *n)
{
	struct notify_rate *r, *next;
	size_t i;

	if (n == NULL)
		return;
	while (n->head != NULL) {
		log_warn("notifier %s: %s of %s/%s not delivered before exit",
		    n->head->notifier, n->head->event, n->head->system,
		    n->head->series);
		notify_delivery_free(n->head);
	}
	for (i = 0; i < NOTIFY_RATE_BUCKETS; i++) {
		for (r = n->rates[i]; r != NULL; r = next) {
			next = r->next;
			free(r->key);
			free(r);
		}
	}
	free(n);
}

void
notify_get_counters(struct notify *n, struct notify_counters *out)
{
	if (n == NULL) {
		memset(out, 0, sizeof *out);
		return;
	}
	*out = n->c;
}

/* 1 if the notifier may tell of this now (and it is noted as told). */
static int
notify_rate_ok(struct notify *n, const struct conf_notifier *nt,
    const struct notify_what *w)
{
	struct notify_rate *r;
	uint32_t h = 2166136261u;
	char *key;
	const char *p;

	xasprintf(&key, "%s|%s|%s|%s", nt->id, w->event, w->system, w->series);
	for (p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h %= NOTIFY_RATE_BUCKETS;
	for (r = n->rates[h]; r != NULL; r = r->next) {
		if (strcmp(r->key, key) == 0)
			break;
	}
	if (r != NULL) {
		free(key);
		if (w->t < r->last + nt->notify_interval)
			return 0;
		r->last = w->t;
		return 1;
	}
	r = xcalloc(1, sizeof *r);
	r->key = key;
	r->last = w->t;
	r->next = n->rates[h];
	n->rates[h] = r;
	return 1;
}

static int
notify_wants(const struct conf_notifier *nt, const char *system)
{
	char **p;

	if (nt->systems == NULL)
		return 1;
	for (p = nt->systems; *p != NULL; p++) {
		if (strcmp(*p, system) == 0)
			return 1;
	}
	return 0;
}

static void
notify_iso(time_t t, char *buf, size_t len)
{
	if (t == 0)
		buf[0] = '\0';
	else
		period_iso(t, buf, len);
}

static char **
notify_env(const struct conf *c, const char *notifier,
    const struct notify_what *w)
{
	struct conf_system *sys = conf_find_system(c, w->system);
	char start[32], end[32], now[32], **env;
	size_t i = 0;

	notify_iso(w->start, start, sizeof start);
	notify_iso(w->end, end, sizeof end);
	notify_iso(w->t, now, sizeof now);
	env = xcalloc(20, sizeof *env);
	xasprintf(&env[i++], "PATH=/usr/local/bin:/usr/bin:/bin");
	xasprintf(&env[i++], "ITF_EVENT=%s", w->event);
	xasprintf(&env[i++], "ITF_NOTIFIER=%s", notifier);
	xasprintf(&env[i++], "ITF_SYSTEM=%s", w->system);
	xasprintf(&env[i++], "ITF_SYSTEM_NAME=%s",
	    sys != NULL ? sys->name : w->system);
	xasprintf(&env[i++], "ITF_OWNER=%s", sys != NULL ? sys->owner : "");
	xasprintf(&env[i++], "ITF_SERIES=%s", w->series);
	xasprintf(&env[i++], "ITF_REASON=%s", w->reason);
	xasprintf(&env[i++], "ITF_TIME=%s", now);
	xasprintf(&env[i++], "ITF_START=%s", start);
	xasprintf(&env[i++], "ITF_START_EPOCH=%lld", (long long)w->start);
	xasprintf(&env[i++], "ITF_END=%s", end);
	xasprintf(&env[i++], "ITF_END_EPOCH=%lld", (long long)w->end);
	if (w->end != 0)
		xasprintf(&env[i++], "ITF_DURATION=%lld",
		    (long long)(w->end - w->start));
	else
		xasprintf(&env[i++], "ITF_DURATION=");
	if (!isnan(w->cert_days))
		xasprintf(&env[i++], "ITF_CERT_DAYS=%.0f", floor(w->cert_days));
	else
		xasprintf(&env[i++], "ITF_CERT_DAYS=");
	return env;
}

static char *
notify_body(const struct conf *c, const char *notifier, long long id,
    const struct notify_what *w)
{
	struct conf_system *sys = conf_find_system(c, w->system);
	char start[32], end[32], now[32], *s;
	json_t *o;

	notify_iso(w->start, start, sizeof start);
	notify_iso(w->end, end, sizeof end);
	notify_iso(w->t, now, sizeof now);
	o = json_object();
	json_object_set_new(o, "event", json_string(w->event));
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "notifier", json_string(notifier));
	json_object_set_new(o, "system", json_string(w->system));
	json_object_set_new(o, "system_name",
	    json_string(sys != NULL ? sys->name : w->system));
	json_object_set_new(o, "owner",
	    json_string(sys != NULL ? sys->owner : ""));
	json_object_set_new(o, "series", json_string(w->series));
	json_object_set_new(o, "reason", json_string(w->reason));
	json_object_set_new(o, "time", json_string(now));
	json_object_set_new(o, "start",
	    w->start != 0 ? json_string(start) : json_null());
	json_object_set_new(o, "end",
	    w->end != 0 ? json_string(end) : json_null());
	json_object_set_new(o, "duration_s",
	    w->end != 0 ? json_integer((json_int_t)(w->end - w->start))
	                : json_null());
	json_object_set_new(o, "cert_days",
	    isnan(w->cert_days) ? json_null() : json_real(w->cert_days));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		abort();
	return s;
}

static void notify_attempt(struct notify_delivery *);

static void
notify_journal(struct notify_delivery *d, int delivered, const char *error)
{
	struct journal_notice nc;

	memset(&nc, 0, sizeof nc);
	nc.id = d->id;
	nc.t = d->t;
	nc.notifier = d->notifier;
	nc.event = d->event;
	nc.system = d->system;
	nc.series = d->series;
	nc.payload = d->payload;
	nc.attempts = d->attempts;
	nc.delivered = delivered;
	nc.error = error;
	journal_notification(d->n->journal, &nc);
}

/* The event as JSON: what it takes to deliver it again after a restart. */
static char *
notify_payload(const struct notify_what *w)
{
	json_t *o;
	char *s;

	o = json_object();
	json_object_set_new(o, "event", json_string(w->event));
	json_object_set_new(o, "system", json_string(w->system));
	json_object_set_new(o, "series", json_string(w->series));
	json_object_set_new(o, "reason", json_string(w->reason));
	json_object_set_new(o, "start", json_integer((json_int_t)w->start));
	json_object_set_new(o, "end", json_integer((json_int_t)w->end));
	json_object_set_new(o, "time", json_integer((json_int_t)w->t));
	json_object_set_new(o, "cert_days",
	    isnan(w->cert_days) ? json_null() : json_real(w->cert_days));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (s == NULL)
		abort();
	return s;
}

static void
notify_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	notify_attempt(arg);
}

/* An attempt ended: delivered, or retried later, or given up. */
static void
notify_attempt_done(struct notify_delivery *d, const char *error)
{
	struct notify *n = d->n;
	struct timeval tv;
	long ms;

	notify_journal(d, error == NULL, error);
	if (error == NULL) {
		n->c.delivered++;
		log_info("notifier %s: %s of %s/%s delivered (attempt %d)",
		    d->notifier, d->event, d->system, d->series, d->attempts);
		notify_delivery_free(d);
		return;
	}
	n->c.failures++;
	if (d->attempts >= NOTIFY_MAX_ATTEMPTS) {
		n->c.given_up++;
		log_err(
		    "notifier %s: %s of %s/%s not delivered after %d attempts: %s",
		    d->notifier, d->event, d->system, d->series, d->attempts,
		    error);
		notify_delivery_free(d);
		return;
	}
	ms = 1000L << (d->attempts - 1);
	if (ms > NOTIFY_BACKOFF_MAX_MS)
		ms = NOTIFY_BACKOFF_MAX_MS;
	log_warn(
	    "notifier %s: %s of %s/%s failed (attempt %d): %s; retry in %ld s",
	    d->notifier, d->event, d->system, d->series, d->attempts, error,
	    ms / 1000);
	if (d->retry == NULL)
		d->retry = evtimer_new(n->base, notify_retry_cb, d);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(d->retry, &tv);
}

static void
notify_proc_done_cb(struct proc *p, const struct proc_result *res, void *arg)
{
	struct notify_delivery *d = arg;
	char err[128];

	d->proc = NULL;
	if (res->exec_errno != 0)
		snprintf(err, sizeof err, "cannot run %s: %s", d->argv[0],
		    strerror(res->exec_errno));
	else if (res->timed_out)
		snprintf(err, sizeof err, "%s timed out", d->argv[0]);
	else if (!res->exited)
		snprintf(err, sizeof err, "%s killed by signal %d", d->argv[0],
		    res->signal);
	else if (res->code != 0)
		snprintf(err, sizeof err, "%s exited %d", d->argv[0],
		    res->code);
	else {
		notify_attempt_done(d, NULL);
		return;
	}
	notify_attempt_done(d, err);
}

static void
notify_curl_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	struct notify_delivery *d = arg;
	long code = 0;
	char err[CURL_ERROR_SIZE + 32];

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(easy);
	d->easy = NULL;
	curl_slist_free_all(d->hdrs);
	d->hdrs = NULL;
	if (rc != CURLE_OK)
		snprintf(err, sizeof err, "%s",
		    d->errbuf[0] != '\0' ? d->errbuf : curl_easy_strerror(rc));
	else if (code < 200 || code > 299)
		snprintf(err, sizeof err, "HTTP status %ld", code);
	else {
		notify_attempt_done(d, NULL);
		return;
	}
	notify_attempt_done(d, err);
}

/* The answer's body is not needed: only its status. */
static size_t
notify_discard_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	return size * nmemb;
}

static int
notify_post(struct notify_delivery *d, char **cause)
{
	char *secret, *h;
	CURL *e;

	d->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (d->secret_header != NULL) {
		if ((secret = secret_read(d->secret_file, cause)) == NULL)
			return -1;
		xasprintf(&h, "%s: %s", d->secret_header, secret);
		secret_free(secret);
		d->hdrs = curl_slist_append(d->hdrs, h);
		explicit_bzero(h, strlen(h));
		free(h);
	}
	if ((e = curl_easy_init()) == NULL) {
		*cause = xstrdup("curl_easy_init failed");
		return -1;
	}
	d->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, d->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, d->timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, d->hdrs);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, d->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, notify_discard_cb);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "itfollowd/" ITF_VERSION);
	/* A silent resolver must not stop the loop (see http.c). */
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
	if (curlev_add(d->n->base, e, notify_curl_done_cb, d) != 0) {
		curl_easy_cleanup(e);
		*cause = xstrdup("curl refused the transfer");
		return -1;
	}
	d->easy = e;
	return 0;
}

static void
notify_attempt(struct notify_delivery *d)
{
	struct proc_opts o;
	struct passwd *pw;
	char *cause = NULL, err[256];
	int rc;

	d->attempts++;
	d->n->c.attempts++;
	if (d->webhook)
		rc = notify_post(d, &cause);
	else {
		memset(&o, 0, sizeof o);
		o.argv = (const char *const *)d->argv;
		o.env = (const char *const *)d->env;
		o.max_output = 4096;
		o.timeout_ms = (uint64_t)d->timeout_ms;
		/* As the exec collector: never as root. */
		if (geteuid() == 0) {
			if ((pw = getpwnam(d->user)) == NULL ||
			    pw->pw_uid == 0) {
				xasprintf(&cause, "no non-root user \"%s\"",
				    d->user);
				goto failed;
			}
			o.set_user = 1;
			o.uid = pw->pw_uid;
			o.gid = pw->pw_gid;
		}
		d->proc =
		    proc_start(d->n->base, &o, notify_proc_done_cb, d, &cause);
		rc = d->proc != NULL ? 0 : -1;
	}
	if (rc == 0)
		return;
failed:
	snprintf(err, sizeof err, "%s", cause != NULL ? cause : "failed");
	free(cause);
	curl_slist_free_all(d->hdrs);
	d->hdrs = NULL;
	notify_attempt_done(d, err);
}

/* A delivery of w by nt (id: new, or the journal's when resumed). */
static void
notify_deliver(struct notify *n, const struct conf *c,
    const struct conf_notifier *nt, const struct notify_what *w, long long id,
    int attempts)
{
	struct notify_delivery *d;

	d = xcalloc(1, sizeof *d);
	d->n = n;
	d->id = id;
	d->attempts = attempts;
	d->t = w->t;
	d->payload = notify_payload(w);
	d->notifier = xstrdup(nt->id);
	d->event = xstrdup(w->event);
	d->system = xstrdup(w->system);
	d->series = xstrdup(w->series);
	d->webhook = nt->webhook;
	d->timeout_ms = nt->timeout_ms;
	if (nt->webhook) {
		d->url = xstrdup(nt->url);
		if (nt->secret_header != NULL) {
			d->secret_header = xstrdup(nt->secret_header);
			d->secret_file = xstrdup(nt->secret_file);
		}
		d->body = notify_body(c, nt->id, d->id, w);
	} else {
		d->argv = notify_strv_dup(nt->argv);
		d->user = xstrdup(nt->user);
		d->env = notify_env(c, nt->id, w);
	}
	d->next = n->head;
	if (n->head != NULL)
		n->head->prev = d;
	n->head = d;
	n->c.pending++;
	notify_journal(d, 0, NULL);
	notify_attempt(d);
}

static void
notify_send(struct notify *n, const struct conf *c,
    const struct conf_notifier *nt, const struct notify_what *w)
{
	n->c.events++;
	if (!notify_rate_ok(n, nt, w)) {
		n->c.suppressed_rate++;
		log_debug(
		    "notifier %s: %s of %s/%s within notify_interval; not sent",
		    nt->id, w->event, w->system, w->series);
		return;
	}
	notify_deliver(n, c, nt, w, ++n->seq, 0);
}

struct notify_resume_ctx {
	struct notify *n;
	const struct conf *c;
};

static const char *
notify_json_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "";
}

static void
notify_resume_cb(const struct journal_notice *nc, void *arg)
{
	struct notify_resume_ctx *ctx = arg;
	const struct conf_notifier *nt = NULL;
	struct notify_what w;
	json_t *o, *days;
	size_t i;

	for (i = 0; i < ctx->c->nnotifiers && nt == NULL; i++) {
		if (strcmp(ctx->c->notifiers[i].id, nc->notifier) == 0)
			nt = &ctx->c->notifiers[i];
	}
	if (nt == NULL || (o = json_loads(nc->payload, 0, NULL)) == NULL) {
		log_warn(
		    "notifier %s: %s of %s/%s from before the restart dropped: %s",
		    nc->notifier, nc->event, nc->system, nc->series,
		    nt == NULL ? "no such notifier now" : "unreadable");
		return;
	}
	memset(&w, 0, sizeof w);
	w.event = notify_json_str(o, "event");
	w.system = notify_json_str(o, "system");
	w.series = notify_json_str(o, "series");
	w.reason = notify_json_str(o, "reason");
	w.start = (time_t)json_integer_value(json_object_get(o, "start"));
	w.end = (time_t)json_integer_value(json_object_get(o, "end"));
	w.t = (time_t)json_integer_value(json_object_get(o, "time"));
	days = json_object_get(o, "cert_days");
	w.cert_days = json_is_number(days) ? json_number_value(days) : NAN;
	log_info(
	    "notifier %s: %s of %s/%s from before the restart: delivering again",
	    nc->notifier, w.event, w.system, w.series);
	ctx->n->c.events++;
	notify_deliver(ctx->n, ctx->c, nt, &w, nc->id, nc->attempts);
	json_decref(o);
}

void
notify_resume(struct notify *n, const struct conf *c, struct journal *j)
{
	struct notify_resume_ctx ctx = { n, c };

	journal_pending_notices(j, NOTIFY_MAX_ATTEMPTS, notify_resume_cb, &ctx);
}

static void
notify_all(struct notify *n, const struct conf *c, const struct notify_what *w)
{
	size_t i;

	for (i = 0; i < c->nnotifiers; i++) {
		if (notify_wants(&c->notifiers[i], w->system))
			notify_send(n, c, &c->notifiers[i], w);
	}
}

void
notify_outage(struct notify *n, const struct conf *c,
    const struct journal_event *ev)
{
	struct notify_what w;

	if (n == NULL || c == NULL || c->nnotifiers == 0)
		return;
	memset(&w, 0, sizeof w);
	w.event =
	    ev->kind == JOURNAL_OUTAGE_START ? "outage_start" : "outage_end";
	w.system = ev->system;
	w.series = ev->series;
	w.reason = ev->reason;
	w.start = ev->start;
	w.end = ev->end;
	w.cert_days = NAN;
	w.t = ev->kind == JOURNAL_OUTAGE_START ? ev->start : ev->end;
	if (ev->planned) {
		n->c.suppressed_maintenance++;
		log_info("%s/%s: planned outage: %s notifies nobody",
		    ev->system, ev->series, w.event);
		return;
	}
	w.t = time(NULL);
	notify_all(n, c, &w);
}

void
notify_cert(struct notify *n, const struct conf *c, const char *system,
    const char *series, double days, long warn_days, time_t t)
{
	struct notify_what w;

	if (n == NULL || c == NULL || c->nnotifiers == 0 || isnan(days) ||
	    warn_days <= 0 || days >= (double)warn_days)
		return;
	if (maint_system_covers(c, system, t)) {
		n->c.suppressed_maintenance++;
		return;
	}
	memset(&w, 0, sizeof w);
	w.event = "cert_expiring";
	w.system = system;
	w.series = series;
	w.reason = "cert_expiring";
	w.cert_days = days;
	w.t = t;
	notify_all(n, c, &w);
}
