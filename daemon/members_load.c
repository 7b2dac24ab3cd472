/*
 * What the membership's thread reads from the shared journal for the loop
 * thread, and hands over with the news: every open outage (for series
 * run elsewhere) and the states of series taken over here, asked for by
 * members_adopt with the time they may be read from.
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal_pg.h"
#include "log.h"
#include "members_priv.h"
#include "xmalloc.h"

static double
members_load_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec * 1000 + (double)ts.tv_nsec / 1e6;
}

struct members_opens {
	struct journal_open_row *v;
	size_t n;
};

static void
members_open_cb(const struct journal_open_row *r, void *arg)
{
	struct members_opens *o = arg;
	struct journal_open_row *c;

	o->v = xreallocarray(o->v, o->n + 1, sizeof *o->v);
	c = &o->v[o->n++];
	c->system = xstrdup(r->system);
	c->series = xstrdup(r->series);
	c->reason = xstrdup(r->reason);
	c->start = r->start;
	c->planned = r->planned;
}

static void
members_opens_free(struct journal_open_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)v[i].system);
		free((char *)v[i].series);
		free((char *)v[i].reason);
	}
	free(v);
}

/* The journal's open outages, for the series not run here. */
void
members_read_opens(struct members *m)
{
	struct members_opens o = { NULL, 0 };
	struct journal_load_cbs cb = { NULL, members_open_cb, NULL, &o };
	char *why = NULL;

	if (journal_pg_open_outages(m->conn, &cb, &why) != 0) {
		members_opens_free(o.v, o.n);
		members_failed(m, why);
		return;
	}
	pthread_mutex_lock(&m->lock);
	members_opens_free(m->news.opens, m->news.nopens);
	m->news.opens = o.v;
	m->news.nopens = o.n;
	m->news.have_opens = 1;
	members_wake(m);
	pthread_mutex_unlock(&m->lock);
}

struct members_batch {
	struct members_adopted *v;
	size_t n;
};

static struct members_adopted *
members_batch_find(struct members_batch *b, const char *system,
    const char *series)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		if (strcmp(b->v[i].system, system) == 0 &&
		    strcmp(b->v[i].series, series) == 0)
			return &b->v[i];
	}
	return NULL;
}

static void
members_state_cb(const struct journal_state_row *r, void *arg)
{
	struct members_adopted *a =
	    members_batch_find(arg, r->system, r->series);

	if (a == NULL || a->has_state)
		return;
	a->st = *r;
	a->st.system = a->system;
	a->st.series = a->series;
	a->st.state = xstrdup(r->state);
	a->st.first_reason = xstrdup(r->first_reason);
	a->has_state = 1;
}

static void
members_adopt_open_cb(const struct journal_open_row *r, void *arg)
{
	struct members_adopted *a =
	    members_batch_find(arg, r->system, r->series);

	if (a == NULL || a->has_open)
		return;
	a->open = *r;
	a->open.system = a->system;
	a->open.series = a->series;
	a->open.reason = xstrdup(r->reason);
	a->has_open = 1;
}

static void
members_adopted_free(struct members_adopted *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].system);
		free(v[i].series);
		if (v[i].has_state) {
			free((char *)v[i].st.state);
			free((char *)v[i].st.first_reason);
		}
		if (v[i].has_open)
			free((char *)v[i].open.reason);
	}
	free(v);
}

/* The requests that are due, taken off the list (the lock held). */
static void
members_due(struct members *m, struct members_batch *b)
{
	struct members_req **pp = &m->reqs, *r;
	double now = members_load_wall_ms();
	struct members_adopted *a;

	while ((r = *pp) != NULL) {
		if ((double)r->when_ms > now) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
		a = &b->v[b->n++];
		memset(a, 0, sizeof *a);
		a->system = r->system;
		a->series = r->series;
		free(r);
	}
}

/* Read the states of the series due; on failure they are asked again. */
void
members_read_adopted(struct members *m)
{
	struct members_batch b = { NULL, 0 };
	struct journal_load_cbs cb = { members_state_cb, members_adopt_open_cb,
		NULL, &b };
	const char **sys, **ser;
	struct members_req *r;
	char *why = NULL;
	size_t i;
	int rc;

	pthread_mutex_lock(&m->lock);
	members_due(m, &b);
	pthread_mutex_unlock(&m->lock);
	if (b.n == 0)
		return;
	sys = xcalloc(b.n + 1, sizeof *sys);
	ser = xcalloc(b.n + 1, sizeof *ser);
	for (i = 0; i < b.n; i++) {
		sys[i] = b.v[i].system;
		ser[i] = b.v[i].series;
	}
	rc = journal_pg_series(m->conn, sys, ser, b.n, &cb, &why);
	free(sys);
	free(ser);
	pthread_mutex_lock(&m->lock);
	if (rc != 0) {
		for (i = 0; i < b.n; i++) {
			r = xcalloc(1, sizeof *r);
			r->system = xstrdup(b.v[i].system);
			r->series = xstrdup(b.v[i].series);
			r->next = m->reqs;
			m->reqs = r;
		}
		pthread_mutex_unlock(&m->lock);
		members_adopted_free(b.v, b.n);
		members_failed(m, why);
		return;
	}
	m->news.adopted = xreallocarray(m->news.adopted,
	    m->news.nadopted + b.n + 1, sizeof *m->news.adopted);
	memcpy(m->news.adopted + m->news.nadopted, b.v, b.n * sizeof *b.v);
	m->news.nadopted += b.n;
	free(b.v);
	members_wake(m);
	pthread_mutex_unlock(&m->lock);
}

void
members_adopt(struct members *m, const char *system, const char *series,
    uint64_t when_ms)
{
	struct members_req *r;

	r = xcalloc(1, sizeof *r);
	r->system = xstrdup(system);
	r->series = xstrdup(series);
	r->when_ms = when_ms;
	pthread_mutex_lock(&m->lock);
	r->next = m->reqs;
	m->reqs = r;
	if ((double)when_ms <= members_load_wall_ms())
		pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

int
members_take(struct members *m, struct members_news *news)
{
	int any;

	pthread_mutex_lock(&m->lock);
	*news = m->news;
	any = m->news.have_view || m->news.have_opens || m->news.nadopted > 0 ||
	    m->news.evicted;
	memset(&m->news.view, 0, sizeof m->news.view);
	m->news.have_view = 0;
	m->news.evicted = 0;
	m->news.opens = NULL;
	m->news.nopens = 0;
	m->news.have_opens = 0;
	m->news.adopted = NULL;
	m->news.nadopted = 0;
	pthread_mutex_unlock(&m->lock);
	return any;
}

void
members_news_free(struct members_news *news)
{
	members_view_free(&news->view);
	members_opens_free(news->opens, news->nopens);
	members_adopted_free(news->adopted, news->nadopted);
	news->opens = NULL;
	news->nopens = 0;
	news->adopted = NULL;
	news->nadopted = 0;
}
