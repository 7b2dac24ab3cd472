/*
 * Rows at their own times. A run's rows are kept as flat entries (series,
 * time, data source, value, how it is stored) and sorted once when the
 * run ends; each series learns its template from the first rows it gets,
 * as a dynamic series' first run does, and keeps its last stored time and
 * the last raw values that rates are computed from, so that rows out of
 * order are skipped before the store and values out of bounds are seen
 * before rrdtool turns them into unknowns.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect_rows.h"
#include "log.h"
#include "store_rrd.h"
#include "xmalloc.h"

#define COLLECT_ROWS_MAX 100000 /* values one run may give */
#define COLLECT_ROWS_DS_MAX 256 /* data sources a series learns */
#define COLLECT_ROWS_SERIES_MAX 256 /* series one instance fills */
#define COLLECT_ROWS_SUFFIX "_value" /* of a name the daemon owns */
#define COLLECT_ROWS_BAD_LOGGED 5 /* bad rows logged per run */

struct collect_rows_entry {
	uint32_t series; /* index in rows->subs */
	uint32_t seq; /* order of arrival */
	long long time;
	char name[IDENT_DS_MAX + 1];
	double value;
	struct itf_ds_spec spec;
};

struct collect_rows {
	char **subs; /* "" for the instance's own series */
	size_t nsubs;
	struct collect_rows_entry *e;
	size_t n, cap;
	size_t bad; /* rows refused */
};

struct collect_rows_series {
	char *sub; /* "" for the own series */
	char *id;
	char *path;
	struct tmpl *tmpl; /* learned from its first rows */
	time_t last; /* last time submitted */
	const struct tmpl *btmpl; /* what raw[] is for */
	double *raw; /* last raw value of each data source */
	time_t raw_t;
	unsigned char *warned; /* per data source: out of bounds logged */
	int warned_old, warned_new, warned_clash;
};

struct collect_rows_state {
	struct collect_rows_series *s;
	size_t n;
	int warned_reserved, warned_many;
};

static const char *const collect_rows_types[] = { "GAUGE", "COUNTER", "DERIVE",
	"ABSOLUTE" };

int
collect_rows_reserved(const struct tmpl *t, const char *ds,
    char out[IDENT_DS_MAX + 1])
{
	size_t n, keep;

	if (template_ds_index(t, ds) == -1)
		return 0;
	n = strlen(ds);
	keep = IDENT_DS_MAX - (sizeof COLLECT_ROWS_SUFFIX - 1);
	if (n > keep)
		n = keep;
	memcpy(out, ds, n);
	memcpy(out + n, COLLECT_ROWS_SUFFIX, sizeof COLLECT_ROWS_SUFFIX);
	return 1;
}

/* [a-z0-9_-]+, and "<series>-<sub>" an id. */
static int
collect_rows_valid_sub(const struct itf_instance *inst, const char *sub)
{
	char id[IDENT_MAX + 2];
	const char *p;

	if (*sub == '\0')
		return 0;
	for (p = sub; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		        *p == '_' || *p == '-'))
			return 0;
	}
	if ((size_t)snprintf(id, sizeof id, "%s-%s", inst->series, sub) >=
	    sizeof id)
		return 0;
	return ident_valid(id);
}

/* Refuse a row: logged for the first few of a run. */
static int
collect_rows_refuse(struct collect_rows *r, const struct itf_instance *inst,
    const char *why, const char *what)
{
	char a[IDENT_SHOW_SIZE];

	if (r->bad++ < COLLECT_ROWS_BAD_LOGGED)
		log_warn("%s: %s \"%s\"; the row is not stored", inst->key, why,
		    ident_show(what, a));
	return -1;
}

/* The index of sub in the run's list, added if need be. */
static uint32_t
collect_rows_sub(struct collect_rows *r, const char *sub)
{
	size_t i;

	for (i = 0; i < r->nsubs; i++) {
		if (strcmp(r->subs[i], sub) == 0)
			return (uint32_t)i;
	}
	r->subs = xreallocarray(r->subs, r->nsubs + 1, sizeof *r->subs);
	r->subs[r->nsubs] = xstrdup(sub);
	return (uint32_t)r->nsubs++;
}

/* A name the daemon owns, renamed; logged once per instance. */
static void
collect_rows_rename(const struct itf_instance *inst,
    struct collect_rows_state **state, const char *ds,
    char out[IDENT_DS_MAX + 1])
{
	if (*state == NULL)
		*state = xcalloc(1, sizeof **state);
	if ((*state)->warned_reserved)
		return;
	(*state)->warned_reserved = 1;
	log_warn(
	    "%s: the program's \"%s\" is a name the daemon keeps for itself; stored as \"%s\" (logged once)",
	    inst->key, ds, out);
}

int
collect_rows_add(struct collect_rows **rows, struct itf_instance *inst,
    struct collect_rows_state **state, time_t slot, const char *sub,
    long long time, const char *const *names, const double *values,
    const struct itf_ds_spec *specs, size_t n)
{
	struct collect_rows *r;
	struct collect_rows_entry *e;
	uint32_t si;
	size_t i;

	if (*rows == NULL)
		*rows = xcalloc(1, sizeof **rows);
	r = *rows;
	if (sub != NULL && !collect_rows_valid_sub(inst, sub))
		return collect_rows_refuse(r, inst, "bad sub-series name", sub);
	if (time < 0)
		return collect_rows_refuse(r, inst, "bad time of", "a row");
	for (i = 0; i < n; i++) {
		if (!ident_valid_ds(names[i]))
			return collect_rows_refuse(r, inst,
			    "bad data source name", names[i]);
	}
	if (r->n + n > COLLECT_ROWS_MAX)
		return collect_rows_refuse(r, inst, "too many values in a run;",
		    "more");
	if (n == 0)
		return 0;
	si = collect_rows_sub(r, sub != NULL ? sub : "");
	if (r->n + n > r->cap) {
		r->cap = r->cap * 2 + n;
		r->e = xreallocarray(r->e, r->cap, sizeof *r->e);
	}
	for (i = 0; i < n; i++) {
		e = &r->e[r->n];
		memset(e, 0, sizeof *e);
		e->series = si;
		e->seq = (uint32_t)r->n++;
		e->time = time != 0 ? time : (long long)slot;
		if (collect_rows_reserved(inst->tmpl, names[i], e->name))
			collect_rows_rename(inst, state, names[i], e->name);
		else
			strcpy(e->name, names[i]);
		e->value = values[i];
		if (specs != NULL)
			e->spec = specs[i];
		else {
			e->spec.type = ITF_DS_GAUGE;
			e->spec.min = e->spec.max = NAN;
		}
	}
	return 0;
}

void
collect_rows_free(struct collect_rows *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsubs; i++)
		free(r->subs[i]);
	free(r->subs);
	free(r->e);
	free(r);
}

static void
collect_rows_series_free(struct collect_rows_series *s)
{
	free(s->sub);
	free(s->id);
	free(s->path);
	template_unref(s->tmpl);
	free(s->raw);
	free(s->warned);
}

void
collect_rows_state_free(struct collect_rows_state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++)
		collect_rows_series_free(&st->s[i]);
	free(st->s);
	free(st);
}

/* The series of sub ("" for the own one), made on first use; or NULL. */
static struct collect_rows_series *
collect_rows_series(struct collect_rows_state **state,
    const struct itf_instance *inst, const char *sub)
{
	struct collect_rows_state *st;
	struct collect_rows_series *s;
	size_t i;

	if (*state == NULL)
		*state = xcalloc(1, sizeof **state);
	st = *state;
	for (i = 0; i < st->n; i++) {
		if (strcmp(st->s[i].sub, sub) == 0)
			return &st->s[i];
	}
	if (st->n == COLLECT_ROWS_SERIES_MAX) {
		if (!st->warned_many)
			log_warn(
			    "%s: more than %d series; \"%s\" is not stored (logged once)",
			    inst->key, COLLECT_ROWS_SERIES_MAX, sub);
		st->warned_many = 1;
		return NULL;
	}
	st->s = xreallocarray(st->s, st->n + 1, sizeof *st->s);
	s = &st->s[st->n++];
	memset(s, 0, sizeof *s);
	s->sub = xstrdup(sub);
	if (*sub == '\0')
		s->id = xstrdup(inst->series);
	else
		xasprintf(&s->id, "%s-%s", inst->series, sub);
	return s;
}

/* The rate (or value) a data source of type ds->type makes of v at t. */
static double
collect_rows_rate(const struct tmpl_ds *ds, double v, double prev, time_t t,
    time_t prev_t)
{
	double d;

	if (strcmp(ds->type, "GAUGE") == 0)
		return v;
	if (prev_t == 0 || t <= prev_t || isnan(prev))
		return NAN;
	if (strcmp(ds->type, "ABSOLUTE") == 0)
		return v / (double)(t - prev_t);
	d = v - prev;
	/* rrdtool's counter wrap: 32 bits, else 64. */
	if (d < 0 && strcmp(ds->type, "COUNTER") == 0)
		d +=
		    prev < 4294967296.0 ? 4294967296.0 : 18446744073709551616.0;
	return d / (double)(t - prev_t);
}

/* Values against their bounds, as rrdtool will see them; counted, logged
 * once per data source. */
static void
collect_rows_bounds(struct collect_rows_series *s,
    const struct itf_instance *inst, const struct tmpl *t, time_t when,
    const double *vals, uint64_t *count)
{
	const struct tmpl_ds *ds;
	double x;
	size_t i;

	if (s->btmpl != t) {
		free(s->raw);
		free(s->warned);
		s->raw = xcalloc(t->nds + 1, sizeof *s->raw);
		s->warned = xcalloc(t->nds + 1, 1);
		for (i = 0; i < t->nds; i++)
			s->raw[i] = NAN;
		s->btmpl = t;
		s->raw_t = 0;
	}
	for (i = 0; i < t->nds; i++) {
		ds = &t->ds[i];
		x = isnan(vals[i])
		    ? NAN
		    : collect_rows_rate(ds, vals[i], s->raw[i], when, s->raw_t);
		s->raw[i] = vals[i];
		if (isnan(x) ||
		    ((isnan(ds->min) || x >= ds->min) &&
		        (isnan(ds->max) || x <= ds->max)))
			continue;
		(*count)++;
		if (s->warned[i])
			continue;
		s->warned[i] = 1;
		log_warn(
		    "%s: %s: %s %.17g is outside its bounds [%.17g, %.17g] and is stored as unknown (logged once)",
		    inst->key, s->id, ds->name, x, ds->min, ds->max);
	}
	s->raw_t = when;
}

void
collect_rows_check_own(struct collect_rows_state **state,
    const struct itf_instance *inst, const struct tmpl *t, time_t when,
    const double *vals, uint64_t *out_of_bounds)
{
	struct collect_rows_series *s;

	if ((s = collect_rows_series(state, inst, "")) == NULL)
		return;
	collect_rows_bounds(s, inst, t, when, vals, out_of_bounds);
	if (when > s->last)
		s->last = when; /* rows after it must come later */
}

/* By series, then time, then arrival. */
static int
collect_rows_cmp(const void *a, const void *b)
{
	const struct collect_rows_entry *x = a, *y = b;

	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The template a series' first rows make: its data sources in order. */
static struct tmpl *
collect_rows_learn(const struct itf_instance *inst,
    const struct collect_rows_entry *e, size_t n)
{
	struct tmpl_ds *ds;
	struct tmpl *t;
	size_t i, k, nds = 0;

	ds = xcalloc(COLLECT_ROWS_DS_MAX + 1, sizeof *ds);
	for (i = 0; i < n && nds < COLLECT_ROWS_DS_MAX; i++) {
		for (k = 0; k < nds; k++) {
			if (strcmp(ds[k].name, e[i].name) == 0)
				break;
		}
		if (k < nds)
			continue;
		strcpy(ds[nds].name, e[i].name);
		strcpy(ds[nds].type,
		    (unsigned)e[i].spec.type <= ITF_DS_ABSOLUTE
		        ? collect_rows_types[e[i].spec.type]
		        : "GAUGE");
		ds[nds].heartbeat = 2 * inst->tmpl->step;
		ds[nds].min = e[i].spec.min;
		ds[nds].max = e[i].spec.max;
		if (!isnan(ds[nds].min) && !isnan(ds[nds].max) &&
		    ds[nds].min >= ds[nds].max)
			ds[nds].min = ds[nds].max = NAN;
		nds++;
	}
	t = template_extend(inst->tmpl, ds, nds);
	free(ds);
	return t;
}

/* 1 if a configured collector of the system writes that series already. */
static int
collect_rows_clash(const struct itf_instance *inst, const char *id)
{
	const struct conf_system *sys = inst->system;
	size_t i;

	for (i = 0; sys != NULL && i < sys->ninsts; i++) {
		if (sys->insts[i] != inst &&
		    strcmp(sys->insts[i]->series, id) == 0)
			return 1;
	}
	return 0;
}

/* Make s ready for its rows e[0..n): path and template. 0, or -1. */
static int
collect_rows_prepare(struct collect_rows_series *s,
    const struct collect_rows_ctx *ctx, const struct collect_rows_entry *e,
    size_t n)
{
	struct itf_instance *inst = ctx->inst;

	if (s->sub[0] != '\0' && collect_rows_clash(inst, s->id)) {
		if (!s->warned_clash)
			log_warn(
			    "%s: series \"%s\" is another collector's; not stored (logged once)",
			    inst->key, s->id);
		s->warned_clash = 1;
		return -1;
	}
	if (s->path == NULL)
		s->path = store_path(store_data_dir(ctx->store),
		    inst->perspective, inst->system->id, s->id);
	if (s->path == NULL)
		return -1;
	if (s->tmpl == NULL) {
		if (s->sub[0] == '\0' && *ctx->dyn != NULL)
			s->tmpl = template_ref(*ctx->dyn);
		else
			s->tmpl = collect_rows_learn(inst, e, n);
		if (s->sub[0] == '\0' && *ctx->dyn == NULL)
			*ctx->dyn = template_ref(s->tmpl);
	}
	return 0;
}

/* One update of s at t from entries e[0..n), all of that time. */
static struct store_item *
collect_rows_item(struct collect_rows_series *s,
    const struct collect_rows_ctx *ctx, time_t t,
    const struct collect_rows_entry *e, size_t n)
{
	const struct tmpl *base = ctx->inst->tmpl;
	struct store_item *it;
	size_t i;
	int idx;

	it = store_item_new(s->path, s->tmpl, ctx->step, t);
	for (i = 0; i < n; i++) {
		if ((idx = template_ds_index(s->tmpl, e[i].name)) != -1) {
			it->vals[idx] = e[i].value;
			continue;
		}
		if (!s->warned_new)
			log_warn(
			    "%s: %s: data source \"%s\" appeared after the series was made; not stored (logged once)",
			    ctx->inst->key, s->id, e[i].name);
		s->warned_new = 1;
	}
	if ((idx = template_ds_index(base, "up")) != -1)
		it->vals[idx] = ctx->up;
	if ((idx = template_ds_index(base, "reason")) != -1)
		it->vals[idx] = ctx->reason;
	return it;
}

/* The rows of one series, e[0..n) sorted by time. */
static void
collect_rows_series_submit(struct collect_rows_series *s,
    const struct collect_rows_ctx *ctx, const struct collect_rows_entry *e,
    size_t n)
{
	struct store_item *it, *last = NULL;
	size_t i, k;
	time_t t;

	if (collect_rows_prepare(s, ctx, e, n) != 0)
		return;
	for (i = 0; i < n; i += k) {
		t = (time_t)e[i].time;
		for (k = 1; i + k < n && e[i + k].time == e[i].time; k++)
			;
		if (t <= s->last) {
			(*ctx->skipped)++;
			if (!s->warned_old)
				log_warn(
				    "%s: %s: values at %lld are not after the last stored (%lld); skipped (logged once)",
				    ctx->inst->key, s->id, (long long)t,
				    (long long)s->last);
			s->warned_old = 1;
			continue;
		}
		it = collect_rows_item(s, ctx, t, e + i, k);
		collect_rows_bounds(s, ctx->inst, s->tmpl, t, it->vals,
		    ctx->out_of_bounds);
		s->last = t;
		if (last != NULL)
			store_submit(ctx->store, last);
		last = it;
	}
	if (last == NULL)
		return;
	if (ctx->last != NULL)
		ctx->last(ctx->arg, s->id, last);
	store_submit(ctx->store, last);
}

void
collect_rows_submit(struct collect_rows *r, const struct collect_rows_ctx *ctx)
{
	struct collect_rows_series *s;
	size_t i, k;

	if (r->bad > COLLECT_ROWS_BAD_LOGGED)
		log_warn("%s: %zu rows refused in this run (%d logged)",
		    ctx->inst->key, r->bad, COLLECT_ROWS_BAD_LOGGED);
	if (r->n > 1)
		qsort(r->e, r->n, sizeof *r->e, collect_rows_cmp);
	for (i = 0; i < r->n; i += k) {
		for (k = 1;
		     i + k < r->n && r->e[i + k].series == r->e[i].series; k++)
			;
		s = collect_rows_series(ctx->state, ctx->inst,
		    r->subs[r->e[i].series]);
		if (s != NULL)
			collect_rows_series_submit(s, ctx, r->e + i, k);
	}
}
