/*
 * The collectors' owners among the members, on the loop thread. The view
 * of live members comes from members.c; every change of it is turned into
 * per-collector decisions (run here from a slot, stop at a slot) that the
 * collector runtime asks for (collect_set_owner), and into the journal's
 * hand-over of the series' states (journal_expect, then journal_adopt
 * when members.c has read them).
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster.h"
#include "collect.h"
#include "conf.h"
#include "journal.h"
#include "log.h"
#include "members.h"
#include "status.h"
#include "xmalloc.h"

/* After a hand-over slot: the old owner's last run (its timeout and the
 * host's grace), its journal's next write, a margin. */
#define CLUSTER_ADOPT_SLACK_MS 5000
/* Keys named in a log line about a move; the rest are counted. */
#define CLUSTER_LOG_KEYS 5

/* One collector, as the cluster decides for it. */
struct cluster_key {
	char *key;
	char *system; /* NULL: a feed (no journal state) */
	char *series;
	char *zone;
	int journaled; /* its series has state in the journal */
	uint64_t timeout_ms;
	int mine; /* runs here, from from_ms (0: at once) */
	uint64_t from_ms;
	uint64_t until_ms; /* not mine: runs here until then (0: stopped) */
};

struct cluster {
	struct event_base *base;
	struct collect *co;
	struct journal *j;
	struct members *m;
	char *name;
	int viewer;
	char hash[17];
	struct cluster_key *keys; /* sorted by key */
	size_t nkeys;
	struct members_view view, before;
	size_t nmine, nunowned;
	char unowned_zone[65];
	int rejoining; /* evicted: the next view is a join */
	uint64_t takeovers, handed_in, handed_out;
	time_t last_change;
	int connected;
	char error[256];
	char conflict[256];
};

/* The configuration's fingerprint. */

static void
cluster_fnv(uint64_t *h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		*h = (*h ^ (unsigned char)*s) * 1099511628211ULL;
	*h = (*h ^ 0xffu) * 1099511628211ULL;
}

static int
cluster_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
cluster_fnv_maint(uint64_t *h, const struct conf_maint *w, size_t n)
{
	char buf[128];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%d/%lld/%lld/%d/%ld/%ld",
		    w[i].weekly, (long long)w[i].from, (long long)w[i].to,
		    w[i].day, w[i].start, w[i].duration);
		cluster_fnv(h, buf);
	}
}

static void
cluster_fnv_notifiers(uint64_t *h, const struct conf *c)
{
	const struct conf_notifier *nt;
	char *const *p;
	size_t i;

	for (i = 0; i < c->nnotifiers; i++) {
		nt = &c->notifiers[i];
		cluster_fnv(h, nt->id);
		cluster_fnv(h, nt->webhook ? nt->url : "exec");
		for (p = nt->argv; p != NULL && *p != NULL; p++)
			cluster_fnv(h, *p);
		for (p = nt->systems; p != NULL && *p != NULL; p++)
			cluster_fnv(h, *p);
	}
}

void
cluster_hash(const struct conf *c, char *out)
{
	uint64_t h = 14695981039346656037ULL;
	const struct conf_system *sys;
	char **fp;
	size_t i, k, n = 0;

	for (i = 0; i < c->nsystems; i++)
		n += c->systems[i]->ninsts;
	fp = xcalloc(n + c->nfeeds + 1, sizeof *fp);
	n = 0;
	for (i = 0; i < c->nsystems; i++) {
		sys = c->systems[i];
		for (k = 0; k < sys->ninsts; k++)
			fp[n++] = sys->insts[k]->fingerprint;
	}
	for (i = 0; i < c->nfeeds; i++)
		fp[n++] = c->feeds[i]->fingerprint;
	/* The order collectors are written in does not matter. */
	qsort(fp, n, sizeof *fp, cluster_str_cmp);
	for (i = 0; i < n; i++)
		cluster_fnv(&h, fp[i]);
	free(fp);
	for (i = 0; i < c->nsystems; i++) {
		sys = c->systems[i];
		cluster_fnv(&h, sys->id);
		cluster_fnv_maint(&h, sys->maint, sys->nmaint);
	}
	cluster_fnv_maint(&h, c->maint, c->nmaint);
	cluster_fnv_notifiers(&h, c);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Rendezvous hashing. */

static uint64_t
cluster_score(const char *member, const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	cluster_fnv(&h, member);
	cluster_fnv(&h, key);
	/* FNV's last bytes barely reach the high bits: mix (splitmix64). */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

size_t
cluster_pick(const struct member *v, size_t n, const char *key,
    const char *zone)
{
	size_t i, best = (size_t)-1;
	uint64_t s, top = 0;

	for (i = 0; i < n; i++) {
		if (v[i].viewer)
			continue;
		if (zone != NULL &&
		    (v[i].zone == NULL || strcmp(v[i].zone, zone) != 0))
			continue;
		s = cluster_score(v[i].name, key);
		if (best == (size_t)-1 || s > top ||
		    (s == top && strcmp(v[i].name, v[best].name) < 0)) {
			best = i;
			top = s;
		}
	}
	return best;
}

/* The owner of k in view, or NULL. */
static const struct member *
cluster_owner(const struct members_view *view, const struct cluster_key *k)
{
	size_t i = cluster_pick(view->v, view->n, k->key, k->zone);

	return i == (size_t)-1 ? NULL : &view->v[i];
}

/* A server time (s) as this host's clock (ms). */
static uint64_t
cluster_local_ms(const struct members_view *view, double server_s)
{
	double ms = server_s * 1000 - view->offset_ms;

	return ms > 0 ? (uint64_t)ms : 0;
}

/* The keys. */

static int
cluster_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cluster_key *)a)->key,
	    ((const struct cluster_key *)b)->key);
}

static struct cluster_key *
cluster_find(struct cluster *cl, const char *key)
{
	struct cluster_key k;

	if (cl->nkeys == 0)
		return NULL;
	k.key = (char *)key;
	return bsearch(&k, cl->keys, cl->nkeys, sizeof *cl->keys,
	    cluster_key_cmp);
}

static void
cluster_keys_free(struct cluster_key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(keys[i].key);
		free(keys[i].system);
		free(keys[i].series);
		free(keys[i].zone);
	}
	free(keys);
}

static void
cluster_key_init(struct cluster_key *k, const struct itf_instance *inst)
{
	memset(k, 0, sizeof *k);
	k->key = xstrdup(inst->key);
	if (!inst->feed) {
		k->system = xstrdup(inst->system->id);
		k->series = xstrdup(inst->series);
		k->journaled = strcmp(inst->perspective, "quality") == 0;
	}
	k->zone = inst->zone != NULL ? xstrdup(inst->zone) : NULL;
	k->timeout_ms = inst->timeout_ms;
}

/* The keys of c, sorted; *n of them. */
static struct cluster_key *
cluster_keys_of(const struct conf *c, size_t *n)
{
	struct cluster_key *keys;
	const struct conf_system *sys;
	size_t i, k, total = c->nfeeds;

	for (i = 0; i < c->nsystems; i++)
		total += c->systems[i]->ninsts;
	keys = xcalloc(total + 1, sizeof *keys);
	*n = 0;
	for (i = 0; i < c->nsystems; i++) {
		sys = c->systems[i];
		for (k = 0; k < sys->ninsts; k++)
			cluster_key_init(&keys[(*n)++], sys->insts[k]);
	}
	for (i = 0; i < c->nfeeds; i++)
		cluster_key_init(&keys[(*n)++], c->feeds[i]);
	qsort(keys, *n, sizeof *keys, cluster_key_cmp);
	return keys;
}

/* What a change of the view moved, for the log. */
struct cluster_move {
	const char *what;
	const char *who;
	uint64_t at_ms;
	const char *keys[CLUSTER_LOG_KEYS];
	size_t n;
};

struct cluster_moves {
	struct cluster_move v[16];
	size_t n;
};

static void
cluster_note(struct cluster_moves *mv, const char *what, const char *who,
    uint64_t at_ms, const char *key)
{
	struct cluster_move *m = NULL;
	size_t i;

	log_debug("cluster: %s %s: %s", what, who, key);
	for (i = 0; i < mv->n && m == NULL; i++) {
		if (mv->v[i].what == what && strcmp(mv->v[i].who, who) == 0)
			m = &mv->v[i];
	}
	if (m == NULL) {
		if (mv->n == sizeof mv->v / sizeof mv->v[0])
			return;
		m = &mv->v[mv->n++];
		memset(m, 0, sizeof *m);
		m->what = what;
		m->who = who;
		m->at_ms = at_ms;
	}
	if (m->n < CLUSTER_LOG_KEYS)
		m->keys[m->n] = key;
	m->n++;
}

/* A time in ms as 2026-01-02T03:04:05.678Z. */
static void
cluster_iso_ms(uint64_t ms, char *buf, size_t len)
{
	char sec[32];

	log_iso((time_t)(ms / 1000), sec, sizeof sec);
	snprintf(buf, len, "%.*s.%03uZ", (int)strcspn(sec, "Z"), sec,
	    (unsigned)(ms % 1000));
}

static void
cluster_log_moves(const struct cluster_moves *mv)
{
	const struct cluster_move *m;
	char keys[512], when[32];
	size_t i, k, off;

	for (i = 0; i < mv->n; i++) {
		m = &mv->v[i];
		off = 0;
		keys[0] = '\0';
		for (k = 0; k < m->n && k < CLUSTER_LOG_KEYS; k++)
			off += (size_t)snprintf(keys + off, sizeof keys - off,
			    "%s%s", k > 0 ? ", " : "", m->keys[k]);
		when[0] = '\0';
		if (m->at_ms != 0)
			cluster_iso_ms(m->at_ms, when, sizeof when);
		log_notice("cluster: %s %s%s%s: %zu collector(s): %s%s",
		    m->what, m->who, m->at_ms != 0 ? " at " : "", when, m->n,
		    keys, m->n > CLUSTER_LOG_KEYS ? ", ..." : "");
	}
}

/* Runs here from from_ms (0: now); its state is read at adopt_ms. */
static void
cluster_take(struct cluster *cl, struct cluster_key *k, uint64_t from_ms,
    uint64_t adopt_ms)
{
	uint64_t now = (uint64_t)time(NULL) * 1000;

	/* Still running here (a hand-over not yet due): just keep it. */
	if (!k->mine && k->until_ms > now) {
		k->mine = 1;
		k->from_ms = k->until_ms = 0;
		return;
	}
	k->mine = 1;
	k->from_ms = from_ms;
	k->until_ms = 0;
	if (k->journaled) {
		journal_expect(cl->j, k->system, k->series);
		members_adopt(cl->m, k->system, k->series, adopt_ms);
	}
}

/* Runs here until until_ms (0: stops now). */
static void
cluster_give(struct cluster_key *k, uint64_t until_ms)
{
	/* Handed on before it was handed here: it never runs here. */
	if (k->from_ms != 0 && until_ms <= k->from_ms)
		until_ms = 0;
	k->mine = 0;
	k->from_ms = 0;
	k->until_ms = until_ms;
}

/* A key whose owner went from a (old view) to this daemon (new). */
static void
cluster_gain(struct cluster *cl, struct cluster_key *k, const struct member *a,
    const struct member *b, const struct members_view *nv,
    struct cluster_moves *mv)
{
	uint64_t from;

	if (a != NULL && strcmp(a->name, cl->name) != 0 &&
	    members_find(nv, a->name) != NULL) {
		/* a is live: it runs the slots before the hand-over. */
		from = cluster_local_ms(nv, b->joined) + CLUSTER_HANDOFF_MS;
		cluster_take(cl, k, from,
		    from + k->timeout_ms + CLUSTER_ADOPT_SLACK_MS);
		cl->handed_in++;
		cluster_note(mv, "takes over from", a->name, from, k->key);
		return;
	}
	cluster_take(cl, k, 0, 0);
	if (a != NULL && strcmp(a->name, cl->name) != 0) {
		cl->takeovers++;
		cluster_note(mv, "took over from", a->name, 0, k->key);
	} else
		cluster_note(mv, "runs", cl->name, 0, k->key);
}

/* A key whose owner went from this daemon to b (NULL: nobody). */
static void
cluster_lose(struct cluster *cl, struct cluster_key *k, const struct member *b,
    const struct members_view *ov, const struct members_view *nv,
    struct cluster_moves *mv)
{
	uint64_t until;

	if (b != NULL && members_find(ov, b->name) == NULL) {
		/* b joined: this daemon runs the slots before it takes over. */
		until = cluster_local_ms(nv, b->joined) + CLUSTER_HANDOFF_MS;
		cluster_give(k, until);
		cl->handed_out++;
		cluster_note(mv, "hands over to", b->name, until, k->key);
		return;
	}
	cluster_give(k, 0);
	cluster_note(mv, "gave up to", b != NULL ? b->name : "(no member)", 0,
	    k->key);
}

/* Decide every key again: ov was the view, nv is. */
static void
cluster_rebalance(struct cluster *cl, const struct members_view *ov,
    const struct members_view *nv)
{
	struct cluster_moves mv;
	const struct member *a, *b;
	struct cluster_key *k;
	size_t i;

	memset(&mv, 0, sizeof mv);
	cl->nmine = cl->nunowned = 0;
	for (i = 0; i < cl->nkeys; i++) {
		k = &cl->keys[i];
		a = cluster_owner(ov, k);
		b = cluster_owner(nv, k);
		if (b != NULL && strcmp(b->name, cl->name) == 0) {
			if (!k->mine)
				cluster_gain(cl, k, a, b, nv, &mv);
		} else if (k->mine)
			cluster_lose(cl, k, b, ov, nv, &mv);
		if (k->mine)
			cl->nmine++;
		if (b == NULL && cl->nunowned++ == 0)
			snprintf(cl->unowned_zone, sizeof cl->unowned_zone,
			    "%s", k->zone != NULL ? k->zone : "(any)");
	}
	if (mv.n > 0)
		cl->last_change = time(NULL);
	cluster_log_moves(&mv);
	members_set_running(cl->m, cl->nmine);
}

/* Log who joined and who left between ov and nv. */
static void
cluster_log_view(const struct members_view *ov, const struct members_view *nv)
{
	const struct member *o;
	size_t i;

	for (i = 0; i < nv->n; i++) {
		o = members_find(ov, nv->v[i].name);
		if (o == NULL || o->joined != nv->v[i].joined)
			log_notice("cluster: member %s joined (%s%s%s, on %s)",
			    nv->v[i].name,
			    nv->v[i].viewer ? "viewer" : "collector",
			    nv->v[i].zone != NULL ? ", zone " : "",
			    nv->v[i].zone != NULL ? nv->v[i].zone : "",
			    nv->v[i].host);
	}
	for (i = 0; i < ov->n; i++) {
		if (members_find(nv, ov->v[i].name) == NULL)
			log_notice("cluster: member %s left", ov->v[i].name);
	}
}

/* The collector runtime asks. */
static int
cluster_owner_cb(const struct itf_instance *inst, uint64_t *from_ms,
    uint64_t *until_ms, void *arg)
{
	struct cluster_key *k = cluster_find(arg, inst->key);

	*from_ms = *until_ms = 0;
	if (k == NULL)
		return 0;
	if (k->mine) {
		*from_ms = k->from_ms;
		return 1;
	}
	*until_ms = k->until_ms;
	return 0;
}

/* What members.c found. */
static void
cluster_news_cb(void *arg)
{
	struct cluster *cl = arg;
	struct members_news news;
	struct members_adopted *a;
	struct members_view ov;
	size_t i;

	members_take(cl->m, &news);
	cl->connected = news.connected;
	snprintf(cl->error, sizeof cl->error, "%s", news.error);
	snprintf(cl->conflict, sizeof cl->conflict, "%s", news.conflict);
	if (news.evicted) {
		/* The others run what was here: stop, and get it back by
		 * hand-over, as a member that joins. */
		for (i = 0; i < cl->nkeys; i++) {
			if (cl->keys[i].mine)
				cluster_give(&cl->keys[i], 0);
		}
		cl->nmine = 0;
		cl->rejoining = 1;
		members_set_running(cl->m, 0);
	}
	if (news.have_view) {
		members_view_copy(&ov, &cl->view);
		if (cl->rejoining)
			members_view_drop(&ov, cl->name);
		cl->rejoining = 0;
		cluster_log_view(&cl->view, &news.view);
		members_view_free(&cl->view);
		members_view_copy(&cl->view, &news.view);
		cluster_rebalance(cl, &ov, &cl->view);
		members_view_free(&ov);
	}
	if (news.have_opens)
		journal_set_others(cl->j, news.opens, news.nopens);
	for (i = 0; i < news.nadopted; i++) {
		a = &news.adopted[i];
		journal_adopt(cl->j, collect_conf(cl->co), a->system, a->series,
		    a->has_state ? &a->st : NULL,
		    a->has_open ? &a->open : NULL);
	}
	members_news_free(&news);
	collect_reassign(cl->co);
}

struct cluster *
cluster_new(struct event_base *base, const struct conf *c, struct collect *co,
    struct journal *j)
{
	struct cluster *cl;

	cl = xcalloc(1, sizeof *cl);
	cl->base = base;
	cl->co = co;
	cl->j = j;
	cl->name = xstrdup(c->member);
	cl->viewer = c->viewer;
	cluster_hash(c, cl->hash);
	cl->keys = cluster_keys_of(c, &cl->nkeys);
	cl->m = members_new(c, cl->hash);
	cl->connected = 1;
	return cl;
}

int
cluster_join(struct cluster *cl, char **cause)
{
	return members_join(cl->m, &cl->before, &cl->view, cause);
}

int
cluster_start(struct cluster *cl)
{
	struct cluster_key *k;
	size_t i;

	cluster_rebalance(cl, &cl->before, &cl->view);
	members_view_free(&cl->before);
	/* What the journal read at start of series run elsewhere is theirs
	 * to keep up to date. */
	for (i = 0; i < cl->nkeys; i++) {
		k = &cl->keys[i];
		if (!k->mine && k->journaled)
			journal_release(cl->j, k->system, k->series);
	}
	collect_set_owner(cl->co, cluster_owner_cb, cl);
	if (members_start(cl->m, cl->base, cluster_news_cb, cl) != 0) {
		log_err("cluster: cannot start the membership thread");
		return -1;
	}
	log_notice("cluster: member %s runs %zu of %zu collectors%s", cl->name,
	    cl->nmine, cl->nkeys, cl->viewer ? " (a viewer)" : "");
	return 0;
}

void
cluster_conf(struct cluster *cl, const struct conf *c)
{
	struct cluster_key *keys, *old;
	size_t n, i;

	keys = cluster_keys_of(c, &n);
	for (i = 0; i < n; i++) {
		if ((old = cluster_find(cl, keys[i].key)) == NULL)
			continue;
		keys[i].mine = old->mine;
		keys[i].from_ms = old->from_ms;
		keys[i].until_ms = old->until_ms;
	}
	cluster_keys_free(cl->keys, cl->nkeys);
	cl->keys = keys;
	cl->nkeys = n;
	cluster_hash(c, cl->hash);
	members_set_hash(cl->m, cl->hash);
	/* New keys (and those whose zone changed) are decided as if nobody
	 * ran them: the view is the same before and after. */
	cluster_rebalance(cl, &cl->view, &cl->view);
}

void
cluster_stop(struct cluster *cl, int leave)
{
	if (cl != NULL)
		members_stop(cl->m, leave);
}

void
cluster_free(struct cluster *cl)
{
	if (cl == NULL)
		return;
	members_free(cl->m);
	members_view_free(&cl->view);
	members_view_free(&cl->before);
	cluster_keys_free(cl->keys, cl->nkeys);
	free(cl->name);
	free(cl);
}

void
cluster_metrics(struct cluster *cl, struct evbuffer *b)
{
	size_t i, live = 0;

	for (i = 0; i < cl->view.n; i++)
		live += !cl->view.v[i].viewer;
	evbuffer_add_printf(b,
	    "# HELP itfollow_cluster_info This daemon as a member of the shared journal.\n# TYPE itfollow_cluster_info gauge\nitfollow_cluster_info{member=\"%s\",role=\"%s\",config=\"%s\"} 1\n",
	    cl->name, cl->viewer ? "viewer" : "collector", cl->hash);
	status_metric(b, "itfollow_cluster_connected", "gauge",
	    "1 while the membership's database connection works.",
	    (unsigned long long)cl->connected);
	status_metric(b, "itfollow_cluster_members", "gauge",
	    "Live members that run collectors.", live);
	status_metric(b, "itfollow_cluster_collectors", "gauge",
	    "Collectors this member runs.", cl->nmine);
	status_metric(b, "itfollow_cluster_collectors_unowned", "gauge",
	    "Collectors no live member of their zone may run.", cl->nunowned);
	status_metric(b, "itfollow_cluster_takeovers_total", "counter",
	    "Collectors taken over here from members that left.",
	    cl->takeovers);
	status_metric(b, "itfollow_cluster_handovers_in_total", "counter",
	    "Collectors handed over to this member by live ones.",
	    cl->handed_in);
	status_metric(b, "itfollow_cluster_handovers_out_total", "counter",
	    "Collectors this member handed over to members that joined.",
	    cl->handed_out);
	status_metric(b, "itfollow_cluster_last_change_timestamp_seconds",
	    "gauge", "When collectors last moved to or from here.",
	    (unsigned long long)cl->last_change);
	evbuffer_add_printf(b,
	    "# HELP itfollow_cluster_collector_running 1 for each collector this member runs.\n# TYPE itfollow_cluster_collector_running gauge\n");
	for (i = 0; i < cl->nkeys; i++) {
		if (cl->keys[i].mine)
			evbuffer_add_printf(b,
			    "itfollow_cluster_collector_running{collector=\"%s\"} 1\n",
			    cl->keys[i].key);
	}
}

int
cluster_problem(struct cluster *cl, char *buf, size_t len)
{
	if (!cl->connected)
		snprintf(buf, len,
		    "the shared journal's membership is unreachable (%s): collectors run as last decided",
		    cl->error);
	else if (cl->conflict[0] != '\0')
		snprintf(buf, len, "%s", cl->conflict);
	else if (cl->nunowned > 0)
		snprintf(buf, len,
		    "%zu collector(s) have no live member to run them (zone %s, first)",
		    cl->nunowned, cl->unowned_zone);
	else
		return 0;
	return 1;
}
