/*
 * Template files. The format is one directive per line, '#' comments:
 *
 *	step 60
 *	ds NAME TYPE HEARTBEAT MIN MAX       (MIN/MAX a number or U)
 *	rra CF XFF RESOLUTION RETENTION      (durations: 60, 1m, 1h, 2d, 5y)
 *	mode replace | count                 (optional: see template.h)
 *
 * Archives are given as durations rather than rows so a series probed less
 * often than the template's step still keeps the same history.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "xmalloc.h"

struct tmpl_errs {
	const char *origin;
	char ***errors;
	size_t *nerrors;
};

static void __attribute__((format(printf, 3, 4)))
template_error(struct tmpl_errs *e, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	xasprintf(&full, "%s:%u: %s", e->origin, line, msg);
	free(msg);
	*e->errors =
	    xreallocarray(*e->errors, *e->nerrors + 1, sizeof **e->errors);
	(*e->errors)[(*e->nerrors)++] = full;
}

long long
template_duration(const char *s)
{
	char *end;
	long long n, mult = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoll(s, &end, 10);
	if (n <= 0 || n > 1000000000LL)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	case 'y':
		mult = 365 * 86400LL;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (n * mult > 100 * 365 * 86400LL)
		return -1;
	return n * mult;
}

static int
template_number(const char *s, double *out)
{
	char *end;

	if (strcmp(s, "U") == 0) {
		*out = NAN;
		return 0;
	}
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(*out))
		return -1;
	return 0;
}

static int
template_in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
	}
	return 0;
}

static void
template_ds(struct tmpl *t, char **w, int n, struct tmpl_errs *e, unsigned line)
{
	static const char *const types[] = { "GAUGE", "COUNTER", "DERIVE",
		"ABSOLUTE", "DCOUNTER", "DDERIVE", NULL };
	struct tmpl_ds ds;
	long long hb;

	if (n != 6) {
		template_error(e, line, "ds wants NAME TYPE HEARTBEAT MIN MAX");
		return;
	}
	memset(&ds, 0, sizeof ds);
	if (!ident_valid_ds(w[1])) {
		template_error(e, line,
		    "bad data source name \"%s\" (want [a-z0-9_]{1,19})", w[1]);
		return;
	}
	if (template_ds_index(t, w[1]) != -1) {
		template_error(e, line, "duplicate data source \"%s\"", w[1]);
		return;
	}
	if (!template_in(w[2], types)) {
		template_error(e, line, "unknown data source type \"%s\"",
		    w[2]);
		return;
	}
	if ((hb = template_duration(w[3])) == -1) {
		template_error(e, line, "bad heartbeat \"%s\"", w[3]);
		return;
	}
	if (template_number(w[4], &ds.min) != 0 ||
	    template_number(w[5], &ds.max) != 0) {
		template_error(e, line, "bad min or max (a number or U)");
		return;
	}
	if (!isnan(ds.min) && !isnan(ds.max) && ds.min >= ds.max) {
		template_error(e, line, "min is not below max");
		return;
	}
	strcpy(ds.name, w[1]);
	strcpy(ds.type, w[2]);
	ds.heartbeat = (unsigned)hb;
	t->ds = xreallocarray(t->ds, t->nds + 1, sizeof *t->ds);
	t->ds[t->nds++] = ds;
}

static void
template_rra(struct tmpl *t, char **w, int n, struct tmpl_errs *e,
    unsigned line)
{
	static const char *const cfs[] = { "AVERAGE", "MIN", "MAX", "LAST",
		NULL };
	struct tmpl_rra rra;
	long long res, ret;

	if (n != 5) {
		template_error(e, line,
		    "rra wants CF XFF RESOLUTION RETENTION");
		return;
	}
	memset(&rra, 0, sizeof rra);
	if (!template_in(w[1], cfs)) {
		template_error(e, line, "unknown consolidation \"%s\"", w[1]);
		return;
	}
	if (template_number(w[2], &rra.xff) != 0 || isnan(rra.xff) ||
	    rra.xff < 0 || rra.xff >= 1) {
		template_error(e, line, "bad xff \"%s\" (0 <= xff < 1)", w[2]);
		return;
	}
	if ((res = template_duration(w[3])) == -1 ||
	    (ret = template_duration(w[4])) == -1) {
		template_error(e, line, "bad resolution or retention");
		return;
	}
	if (ret < res) {
		template_error(e, line, "retention is shorter than resolution");
		return;
	}
	strcpy(rra.cf, w[1]);
	rra.resolution = (unsigned)res;
	rra.retention = (unsigned)ret;
	t->rra = xreallocarray(t->rra, t->nrra + 1, sizeof *t->rra);
	t->rra[t->nrra++] = rra;
}

static void
template_line(struct tmpl *t, char *s, struct tmpl_errs *e, unsigned line)
{
	char *w[8], *p;
	int n = 0;
	long long step;

	if ((p = strchr(s, '#')) != NULL)
		*p = '\0';
	while ((p = strsep(&s, " \t\r")) != NULL) {
		if (*p == '\0')
			continue;
		if (n == 8) {
			template_error(e, line, "too many words");
			return;
		}
		w[n++] = p;
	}
	if (n == 0)
		return;
	if (strcmp(w[0], "step") == 0) {
		if (n != 2 || (step = template_duration(w[1])) == -1) {
			template_error(e, line, "step wants one duration");
			return;
		}
		t->step = (unsigned)step;
	} else if (strcmp(w[0], "mode") == 0) {
		if (n == 2 && strcmp(w[1], "replace") == 0)
			t->replace = 1;
		else if (n == 2 && strcmp(w[1], "count") == 0)
			t->count = 1;
		else
			template_error(e, line,
			    "mode wants \"replace\" or \"count\"");
	} else if (strcmp(w[0], "ds") == 0)
		template_ds(t, w, n, e, line);
	else if (strcmp(w[0], "rra") == 0)
		template_rra(t, w, n, e, line);
	else
		template_error(e, line, "unknown directive \"%s\"", w[0]);
}

/* A counting template's data sources hold counts: GAUGE or ABSOLUTE. */
static void
template_check_count(const struct tmpl *t, struct tmpl_errs *e)
{
	size_t i;

	for (i = 0; t->count && i < t->nds; i++) {
		if (strcmp(t->ds[i].type, "GAUGE") != 0 &&
		    strcmp(t->ds[i].type, "ABSOLUTE") != 0)
			template_error(e, 1,
			    "mode count wants GAUGE or ABSOLUTE data sources, not %s (%s)",
			    t->ds[i].type, t->ds[i].name);
	}
}

struct tmpl *
template_parse(const char *name, const char *buf, const char *origin,
    char ***errors, size_t *nerrors)
{
	struct tmpl *t;
	struct tmpl_errs e = { origin, errors, nerrors };
	const char *p = buf, *nl;
	size_t before = *nerrors;
	unsigned line = 0;
	char *copy;

	t = xcalloc(1, sizeof *t);
	t->refs = 1;
	t->name = xstrdup(name);
	while (*p != '\0') {
		line++;
		nl = strchr(p, '\n');
		copy = xstrndup(p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		template_line(t, copy, &e, line);
		free(copy);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (*nerrors == before) {
		if (t->step == 0)
			template_error(&e, 1, "no step");
		if (t->nds == 0)
			template_error(&e, 1, "no data source");
		if (t->nrra == 0)
			template_error(&e, 1, "no archive");
		else if (t->count &&
		    (t->nrra != 1 || t->rra[0].resolution != t->step))
			template_error(&e, 1,
			    "mode count keeps one archive whose rows are the step (they are the buckets counts add up in)");
		template_check_count(t, &e);
	}
	if (*nerrors != before) {
		template_unref(t);
		return NULL;
	}
	return t;
}

int
template_ds_index(const struct tmpl *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nds; i++) {
		if (strcmp(t->ds[i].name, name) == 0)
			return (int)i;
	}
	return -1;
}

static void
template_fmt_limit(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "U");
	else
		snprintf(buf, len, "%.17g", v);
}

unsigned
template_file_hb(const struct tmpl *t, unsigned step, size_t i)
{
	unsigned hb = t->ds[i].heartbeat;

	if (step < t->step)
		step = t->step;
	if (hb < 2 * step && step != t->step)
		hb = 2 * step;
	return hb;
}

void
template_file_rra(const struct tmpl *t, unsigned step, size_t i, unsigned *per,
    unsigned *rows)
{
	if (step < t->step)
		step = t->step;
	*per = (t->rra[i].resolution + step / 2) / step;
	if (*per == 0)
		*per = 1;
	*rows = (t->rra[i].retention + *per * step - 1) / (*per * step);
	if (*rows < 2)
		*rows = 2;
}

void
template_create_args(const struct tmpl *t, unsigned step, char ***argv,
    int *argc)
{
	char min[32], max[32];
	unsigned per, rows;
	size_t i;
	int n = 0;

	if (step < t->step)
		step = t->step;
	*argv = xcalloc(t->nds + t->nrra, sizeof **argv);
	for (i = 0; i < t->nds; i++) {
		template_fmt_limit(min, sizeof min, t->ds[i].min);
		template_fmt_limit(max, sizeof max, t->ds[i].max);
		xasprintf(&(*argv)[n++], "DS:%s:%s:%u:%s:%s", t->ds[i].name,
		    t->ds[i].type, template_file_hb(t, step, i), min, max);
	}
	for (i = 0; i < t->nrra; i++) {
		template_file_rra(t, step, i, &per, &rows);
		xasprintf(&(*argv)[n++], "RRA:%s:%g:%u:%u", t->rra[i].cf,
		    t->rra[i].xff, per, rows);
	}
	*argc = n;
}

void
template_args_free(char **argv, int argc)
{
	int i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

struct tmpl *
template_extend(const struct tmpl *base, const struct tmpl_ds *ds, size_t n)
{
	struct tmpl *t;
	size_t i;

	t = xcalloc(1, sizeof *t);
	t->refs = 1;
	t->dynamic = 1;
	t->name = xstrdup(base->name);
	t->step = base->step;
	t->ds = xcalloc(base->nds + n, sizeof *t->ds);
	memcpy(t->ds, base->ds, base->nds * sizeof *t->ds);
	t->nds = base->nds;
	for (i = 0; i < n; i++) {
		if (template_ds_index(t, ds[i].name) == -1)
			t->ds[t->nds++] = ds[i];
	}
	t->rra = xcalloc(base->nrra, sizeof *t->rra);
	memcpy(t->rra, base->rra, base->nrra * sizeof *t->rra);
	t->nrra = base->nrra;
	return t;
}

struct tmpl *
template_ref(struct tmpl *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void
template_unref(struct tmpl *t)
{
	if (t == NULL || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	free(t->name);
	free(t->ds);
	free(t->rra);
	free(t);
}
