/*
 * The live dashboard, and /api/v1/availability (each system's availability
 * over 24 hours and 30 days, as the pages show it). The loop thread only
 * routes: it checks the path
 * (ids through their patterns, nothing else reaches a file name), answers
 * 404 or a cached graph at once, and otherwise hands a job with a copy of
 * what the pages need of the running configuration to the worker thread.
 * The worker writes the page (tools/report/dashpage.c, shared with `itfollow
 * dashboard`) or builds the graph's chart and has itfollow-render draw it
 * (renderer.c: the daemon maps no drawing library), then passes the job
 * back through a pipe; the loop sends the reply. Graphs are kept
 * DASHBOARD_CACHE_S seconds.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "collect.h"
#include "conf.h"
#include "dashboard.h"
#include "dashpage.h"
#include "ident.h"
#include "idindex.h"
#include "journal.h"
#include "log.h"
#include "period.h"
#include "renderer.h"
#include "status.h"
#include "xmalloc.h"

#define DASHBOARD_CACHE_S 30
#define DASHBOARD_CACHE_MAX 256
#define DASHBOARD_REFRESH_S 60
#define DASHBOARD_QUEUE_MAX 1000

enum dashboard_kind {
	DASHBOARD_INDEX,
	DASHBOARD_SYSTEM,
	DASHBOARD_PERSPECTIVE,
	DASHBOARD_PORTFOLIO,
	DASHBOARD_GRAPH,
	DASHBOARD_AVAILABILITY, /* /api/v1/availability: JSON */
};

/* A system's open outage, read on the loop thread. */
struct dashboard_outage {
	char id[IDENT_MAX + 1];
	char text[128];
};

struct dashboard_job {
	struct dashboard_job *next;
	struct httpd_req *req;
	enum dashboard_kind kind;
	char arg[IDENT_MAX + 1];
	char key[256]; /* the graph's path */
	struct dashpage_graph graph;
	struct conf *conf; /* the copy the worker reads */
	struct dashboard_outage *outages;
	size_t noutages;
	int code;
	char *body;
	size_t len;
};

struct dashboard_cached {
	char key[256];
	void *png;
	size_t len;
	time_t until;
};

struct dashboard {
	struct event_base *base;
	struct status *status;
	struct event *ev; /* the pipe's read end: finished jobs */
	int fds[2];
	pthread_t thread;
	pthread_mutex_t lock; /* the queue, stop and the cache */
	pthread_cond_t cond;
	struct dashboard_job *head, **tail;
	size_t queued;
	int stop;
	struct dashboard_cached cache[DASHBOARD_CACHE_MAX];
	char *renderer; /* itfollow-render's path, or NULL: */
	char *renderer_cause; /* why there is none */
};

static struct conf_maint *
dashboard_maint_copy(const struct conf_maint *w, size_t n)
{
	struct conf_maint *out = xcalloc(n + 1, sizeof *out);

	if (n > 0)
		memcpy(out, w, n * sizeof *out);
	return out;
}

/* The feeds, by id and type: amounts say their currency from the state
 * of the cost feeds. */
static void
dashboard_feeds_copy(struct conf *n, const struct conf *c)
{
	struct itf_collector_ops *ops;
	size_t i;

	n->nfeeds = c->nfeeds;
	n->feeds = xcalloc(c->nfeeds + 1, sizeof *n->feeds);
	for (i = 0; i < c->nfeeds; i++) {
		n->feeds[i] = xcalloc(1, sizeof *n->feeds[i]);
		n->feeds[i]->series = xstrdup(c->feeds[i]->series);
		ops = xcalloc(1, sizeof *ops);
		ops->name = xstrdup(c->feeds[i]->ops->name);
		n->feeds[i]->ops = ops;
	}
}

/* What the pages read of a configuration, copied: a reload frees the
 * running one while the worker may still be writing a page. */
static struct conf *
dashboard_conf_copy(const struct conf *c)
{
	struct conf *n = xcalloc(1, sizeof *n);
	struct conf_system *s, *o;
	struct itf_instance *in;
	size_t i, k;

	n->file = xstrdup(c->file);
	n->data_dir = xstrdup(c->data_dir);
	/* The windows too: availability leaves maintenance out. */
	n->maint = dashboard_maint_copy(c->maint, c->nmaint);
	n->nmaint = c->nmaint;
	dashboard_feeds_copy(n, c);
	/* A shared journal is read where it is. */
	if (c->journal != NULL) {
		n->journal = xstrdup(c->journal);
		n->member = xstrdup(c->member);
		if (c->journal_password_file != NULL)
			n->journal_password_file =
			    xstrdup(c->journal_password_file);
	}
	/* And the zone, the service hours and holidays. */
	n->tz = tz_dup(c->tz);
	hours_copy(&n->hours, &c->hours);
	n->nsystems = c->nsystems;
	n->systems = xcalloc(c->nsystems + 1, sizeof *n->systems);
	/* Indexed as the model is: a page of every system looks each one up
	 * a dozen times (availability, hours, windows, templates). */
	n->sysindex = idindex_new();
	for (i = 0; i < c->nsystems; i++) {
		o = c->systems[i];
		s = n->systems[i] = xcalloc(1, sizeof *s);
		s->id = xstrdup(o->id);
		idindex_put(n->sysindex, s->id, s);
		s->name = o->name ? xstrdup(o->name) : NULL;
		s->owner = o->owner ? xstrdup(o->owner) : NULL;
		s->category = xstrdup(o->category);
		s->portfolio = xstrdup(o->portfolio);
		s->maint = dashboard_maint_copy(o->maint, o->nmaint);
		s->nmaint = o->nmaint;
		hours_copy(&s->hours, &o->hours);
		s->ninsts = o->ninsts;
		s->insts = xcalloc(o->ninsts + 1, sizeof *s->insts);
		for (k = 0; k < o->ninsts; k++) {
			in = s->insts[k] = xcalloc(1, sizeof *in);
			in->series = xstrdup(o->insts[k]->series);
			in->perspective = xstrdup(o->insts[k]->perspective);
			in->tmpl = xcalloc(1, sizeof *in->tmpl);
			in->tmpl->name = xstrdup(o->insts[k]->tmpl != NULL
			        ? o->insts[k]->tmpl->name
			        : "");
		}
	}
	return n;
}

static void
dashboard_conf_free(struct conf *n)
{
	struct conf_system *s;
	size_t i, k;

	if (n == NULL)
		return;
	for (i = 0; i < n->nsystems; i++) {
		s = n->systems[i];
		for (k = 0; k < s->ninsts; k++) {
			free(s->insts[k]->series);
			free(s->insts[k]->perspective);
			free(s->insts[k]->tmpl->name);
			free(s->insts[k]->tmpl);
			free(s->insts[k]);
		}
		free(s->insts);
		free(s->id);
		free(s->name);
		free(s->owner);
		free(s->category);
		free(s->portfolio);
		free(s->maint);
		hours_free(&s->hours);
		free(s);
	}
	for (i = 0; i < n->nfeeds; i++) {
		free((char *)n->feeds[i]->ops->name);
		free((void *)n->feeds[i]->ops);
		free(n->feeds[i]->series);
		free(n->feeds[i]);
	}
	free(n->feeds);
	idindex_free(n->sysindex);
	free(n->maint);
	tz_free(n->tz);
	hours_free(&n->hours);
	free(n->systems);
	free(n->file);
	free(n->data_dir);
	free(n->journal);
	free(n->member);
	free(n->journal_password_file);
	free(n);
}

static void
dashboard_job_free(struct dashboard_job *j)
{
	dashboard_conf_free(j->conf);
	free(j->outages);
	free(j->body);
	free(j);
}

static void
dashboard_reply(struct httpd_req *req, int code, const char *type,
    const void *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add(b, body, len);
	status_reply(req, code, type, b);
	evbuffer_free(b);
}

static void
dashboard_not_found(struct httpd_req *req)
{
	static const char msg[] = "not found\n";

	dashboard_reply(req, 404, "text/plain", msg, sizeof msg - 1);
}

/* A cached graph, copied (the lock held by the caller). */
static int
dashboard_cache_get(struct dashboard *d, const char *key, time_t now,
    void **png, size_t *len)
{
	size_t i;

	for (i = 0; i < DASHBOARD_CACHE_MAX; i++) {
		if (d->cache[i].png != NULL && d->cache[i].until > now &&
		    strcmp(d->cache[i].key, key) == 0) {
			*png = xmalloc(d->cache[i].len);
			memcpy(*png, d->cache[i].png, d->cache[i].len);
			*len = d->cache[i].len;
			return 0;
		}
	}
	return -1;
}

static void
dashboard_cache_put(struct dashboard *d, const char *key, const void *png,
    size_t len, time_t now)
{
	size_t i, pick = 0;

	for (i = 0; i < DASHBOARD_CACHE_MAX; i++) {
		if (d->cache[i].png == NULL || d->cache[i].until <= now ||
		    strcmp(d->cache[i].key, key) == 0) {
			pick = i;
			break;
		}
		if (d->cache[i].until < d->cache[pick].until)
			pick = i;
	}
	free(d->cache[pick].png);
	snprintf(d->cache[pick].key, sizeof d->cache[pick].key, "%s", key);
	d->cache[pick].png = xmalloc(len);
	memcpy(d->cache[pick].png, png, len);
	d->cache[pick].len = len;
	d->cache[pick].until = now + DASHBOARD_CACHE_S;
}

static const char *
dashboard_outage(const struct dashpage *page, const char *system)
{
	const struct dashboard_job *j = page->arg;
	size_t i;

	for (i = 0; i < j->noutages; i++) {
		if (strcmp(j->outages[i].id, system) == 0)
			return j->outages[i].text;
	}
	return NULL;
}

/* Loop: the open outages of the journal, for the worker's pages. */
static void
dashboard_outages(struct dashboard_job *j, const struct conf *conf)
{
	const struct conf_system *s;
	const char *reason;
	char when[32];
	time_t start;
	size_t i, k;

	for (i = 0; i < conf->nsystems; i++) {
		s = conf->systems[i];
		for (k = 0; k < s->ninsts; k++) {
			if (strcmp(s->insts[k]->perspective, "quality") != 0 ||
			    !journal_open_outage(s->id, s->insts[k]->series,
			        &start, &reason))
				continue;
			j->outages = xreallocarray(j->outages, j->noutages + 1,
			    sizeof *j->outages);
			tz_iso(conf->tz, start, when, sizeof when);
			snprintf(j->outages[j->noutages].id,
			    sizeof j->outages[j->noutages].id, "%s", s->id);
			snprintf(j->outages[j->noutages].text,
			    sizeof j->outages[j->noutages].text,
			    "%s since %s (%s)", s->insts[k]->series, when,
			    reason);
			j->noutages++;
			break;
		}
	}
}

/* Worker: a graph's chart, built here from the job's copy of the running
 * configuration, drawn by the renderer. A graph that cannot be drawn is a
 * 503 that says why; the daemon carries on. */
static void
dashboard_graph(struct dashboard *d, struct dashboard_job *j)
{
	struct chart *c;
	char err[512], *cause = NULL;
	void *png;
	int rc;

	if (dashpage_chart(j->conf, &j->graph, time(NULL), &c, err,
	        sizeof err) != 0) {
		log_warn("dashboard: %s: %s", j->key, err);
		j->code = 404;
		return;
	}
	/* Missing at start: looked for again (an upgrade may bring it). */
	if (d->renderer == NULL) {
		free(d->renderer_cause);
		d->renderer_cause = NULL;
		renderer_find(&d->renderer, &d->renderer_cause);
	}
	if (d->renderer == NULL) {
		cause = xstrdup(d->renderer_cause);
		rc = -1;
	} else
		rc = renderer_draw(d->renderer, c, j->graph.width,
		    j->graph.height, &png, &j->len, &cause);
	chart_free(c);
	if (rc != 0) {
		log_warn("dashboard: %s: %s", j->key, cause);
		j->len = (size_t)xasprintf(&j->body, "%s\n", cause);
		free(cause);
		j->code = 503;
		return;
	}
	j->body = png;
	j->code = 200;
	pthread_mutex_lock(&d->lock);
	dashboard_cache_put(d, j->key, png, j->len, time(NULL));
	pthread_mutex_unlock(&d->lock);
}

/* Worker: make the job's page or graph. */
static void
dashboard_work(struct dashboard *d, struct dashboard_job *j)
{
	struct dashpage page;
	FILE *f;
	int rc = 0;

	if (j->kind == DASHBOARD_GRAPH) {
		dashboard_graph(d, j);
		return;
	}
	if (j->kind == DASHBOARD_AVAILABILITY) {
		if ((f = open_memstream(&j->body, &j->len)) == NULL) {
			j->code = 503;
			return;
		}
		dashpage_api_availability(j->conf, time(NULL), f);
		fclose(f);
		j->code = 200;
		return;
	}
	memset(&page, 0, sizeof page);
	page.conf = j->conf;
	page.live = 1;
	page.refresh = DASHBOARD_REFRESH_S;
	page.now = time(NULL);
	page.outage = dashboard_outage;
	page.arg = j;
	if ((f = open_memstream(&j->body, &j->len)) == NULL) {
		j->code = 503;
		return;
	}
	if (j->kind == DASHBOARD_INDEX)
		dashpage_index(&page, f);
	else if (j->kind == DASHBOARD_SYSTEM)
		rc = dashpage_system(&page, f, j->arg);
	else if (j->kind == DASHBOARD_PORTFOLIO)
		rc = dashpage_portfolio(&page, f, j->arg);
	else
		rc = dashpage_perspective(&page, f, j->arg);
	fclose(f);
	dashpage_free(&page);
	j->code = rc == 0 ? 200 : 404;
}

static void *
dashboard_thread(void *arg)
{
	struct dashboard *d = arg;
	struct dashboard_job *j;

	pthread_mutex_lock(&d->lock);
	for (;;) {
		while (d->head == NULL && !d->stop)
			pthread_cond_wait(&d->cond, &d->lock);
		if (d->stop)
			break;
		j = d->head;
		if ((d->head = j->next) == NULL)
			d->tail = &d->head;
		d->queued--;
		pthread_mutex_unlock(&d->lock);
		dashboard_work(d, j);
		while (write(d->fds[1], &j, sizeof j) != sizeof j) {
			if (errno != EINTR) {
				log_warn("dashboard: pipe: %s",
				    strerror(errno));
				break;
			}
		}
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static const char *
dashboard_type(enum dashboard_kind kind)
{
	switch (kind) {
	case DASHBOARD_GRAPH:
		return "image/png";
	case DASHBOARD_AVAILABILITY:
		return "application/json";
	case DASHBOARD_INDEX:
	case DASHBOARD_SYSTEM:
	case DASHBOARD_PERSPECTIVE:
	case DASHBOARD_PORTFOLIO:
		break;
	}
	return "text/html; charset=utf-8";
}

/* Loop: finished jobs come back; reply. */
static void
dashboard_done_cb(evutil_socket_t fd, short events, void *arg)
{
	struct dashboard_job *j;

	while (read(fd, &j, sizeof j) == sizeof j) {
		if (j->code == 200)
			dashboard_reply(j->req, 200, dashboard_type(j->kind),
			    j->body, j->len);
		else if (j->code == 404)
			dashboard_not_found(j->req);
		else if (j->body != NULL)
			dashboard_reply(j->req, j->code, "text/plain", j->body,
			    j->len);
		else
			dashboard_reply(j->req, 503, "text/plain", "busy\n", 5);
		dashboard_job_free(j);
	}
}

/* Route a path; 0 with the job filled, -1 for 404. */
static int
dashboard_route(const struct conf *conf, const char *path,
    struct dashboard_job *j)
{
	const char *rest;

	if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
		j->kind = DASHBOARD_INDEX;
		return 0;
	}
	if (strcmp(path, "/api/v1/availability") == 0) {
		j->kind = DASHBOARD_AVAILABILITY;
		return 0;
	}
	if (strncmp(path, "/system/", 8) == 0) {
		rest = path + 8;
		if (!ident_valid(rest) || conf_find_system(conf, rest) == NULL)
			return -1;
		j->kind = DASHBOARD_SYSTEM;
		snprintf(j->arg, sizeof j->arg, "%s", rest);
		return 0;
	}
	if (strncmp(path, "/portfolio/", 11) == 0) {
		rest = path + 11;
		if (!ident_valid_portfolio(rest))
			return -1;
		j->kind = DASHBOARD_PORTFOLIO;
		snprintf(j->arg, sizeof j->arg, "%s", rest);
		return 0;
	}
	if (strncmp(path, "/perspective/", 13) == 0) {
		rest = path + 13;
		if (!ident_valid_perspective(rest))
			return -1;
		j->kind = DASHBOARD_PERSPECTIVE;
		snprintf(j->arg, sizeof j->arg, "%s", rest);
		return 0;
	}
	if (strncmp(path, "/graph/", 7) == 0 &&
	    dashpage_parse_graph(path, 1, &j->graph) == 0) {
		if (strcmp(j->graph.scope, "system") == 0 &&
		    conf_find_system(conf, j->graph.id) == NULL)
			return -1;
		j->kind = DASHBOARD_GRAPH;
		snprintf(j->key, sizeof j->key, "%s", path);
		return 0;
	}
	return -1;
}

static void
dashboard_cb(struct status *st, struct httpd_req *req, const char *path,
    void *arg)
{
	struct dashboard *d = arg;
	struct conf *conf = collect_conf(status_collect(st));
	struct dashboard_job *j;
	void *png;
	size_t len;
	int hit;

	if (path == NULL || conf == NULL) {
		dashboard_not_found(req);
		return;
	}
	j = xcalloc(1, sizeof *j);
	if (dashboard_route(conf, path, j) != 0) {
		free(j);
		dashboard_not_found(req);
		return;
	}
	pthread_mutex_lock(&d->lock);
	hit = j->kind == DASHBOARD_GRAPH &&
	    dashboard_cache_get(d, j->key, time(NULL), &png, &len) == 0;
	if (hit || d->queued >= DASHBOARD_QUEUE_MAX) {
		pthread_mutex_unlock(&d->lock);
		if (hit) {
			dashboard_reply(req, 200, "image/png", png, len);
			free(png);
		} else
			dashboard_reply(req, 503, "text/plain", "busy\n", 5);
		free(j);
		return;
	}
	j->req = req;
	j->conf = dashboard_conf_copy(conf);
	if (j->kind != DASHBOARD_GRAPH)
		dashboard_outages(j, conf);
	*d->tail = j;
	d->tail = &j->next;
	d->queued++;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

struct dashboard *
dashboard_start(struct status *status, struct event_base *base)
{
	static const char *const paths[] = { "/", "/index.html", "/system/",
		"/perspective/", "/portfolio/", "/graph/",
		"/api/v1/availability" };
	struct dashboard *d = xcalloc(1, sizeof *d);
	size_t i;

	d->base = base;
	d->status = status;
	d->tail = &d->head;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	if (pipe2(d->fds, O_CLOEXEC) != 0 ||
	    fcntl(d->fds[0], F_SETFL, O_NONBLOCK) != 0) {
		log_warn("dashboard: pipe: %s", strerror(errno));
		free(d);
		return NULL;
	}
	d->ev = event_new(base, d->fds[0], EV_READ | EV_PERSIST,
	    dashboard_done_cb, d);
	event_add(d->ev, NULL);
	if (pthread_create(&d->thread, NULL, dashboard_thread, d) != 0) {
		log_warn("dashboard: cannot start its thread");
		event_free(d->ev);
		close(d->fds[0]);
		close(d->fds[1]);
		free(d);
		return NULL;
	}
	/* Found once, checked again before each use. */
	if (renderer_find(&d->renderer, &d->renderer_cause) != 0)
		log_warn("dashboard: graphs cannot be drawn: %s",
		    d->renderer_cause);
	for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
		status_route(status, paths[i], dashboard_cb, d);
	return d;
}

void
dashboard_free(struct dashboard *d)
{
	struct dashboard_job *j;
	size_t i;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_cond_signal(&d->cond);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	/* What was waiting or done is dropped; httpd frees the requests. */
	while ((j = d->head) != NULL) {
		d->head = j->next;
		dashboard_job_free(j);
	}
	while (read(d->fds[0], &j, sizeof j) == sizeof j)
		dashboard_job_free(j);
	event_free(d->ev);
	close(d->fds[0]);
	close(d->fds[1]);
	for (i = 0; i < DASHBOARD_CACHE_MAX; i++)
		free(d->cache[i].png);
	free(d->renderer);
	free(d->renderer_cause);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->cond);
	free(d);
}
