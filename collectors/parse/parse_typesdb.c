/*
 * Parser of collectd's types.db. Each line is cut into its type and its
 * comma-separated data sources; a bad line costs only itself. The types
 * are sorted once at the end, so a lookup is a binary search and the work
 * stays linear-logarithmic in the input.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_typesdb.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_TYPESDB_QUOTE 64 /* bytes of input quoted in an error */

static const char *const parse_typesdb_kinds[] = { "GAUGE", "DERIVE", "COUNTER",
	"ABSOLUTE" };

/* A type while parsing: where it was defined, to keep the last. */
struct parse_typesdb_entry {
	struct parse_typesdb_type t;
	unsigned line;
};

struct parse_typesdb_state {
	struct parse_typesdb *out;
	struct parse_typesdb_entry *e;
	size_t n, cap;
	unsigned line;
	int full;
};

#define parse_typesdb_error(out, ...)                     \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_TYPESDB_MAX_ERRORS, __VA_ARGS__)

/* [A-Za-z0-9_]{1,max} */
static int
parse_typesdb_name(const char *p, const char *end, size_t max)
{
	const char *q;

	if (p == end || (size_t)(end - p) > max)
		return 0;
	for (q = p; q < end; q++) {
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		        (*q >= '0' && *q <= '9') || *q == '_'))
			return 0;
	}
	return 1;
}

/* A bound: a number, or U for NAN. */
static int
parse_typesdb_bound(const char *p, const char *end, double *v)
{
	if (end - p == 1 && *p == 'U') {
		*v = NAN;
		return 0;
	}
	return parse_util_number(p, end, v) == 0 ? 0 : -1;
}

/* One NAME:KIND:MIN:MAX in p[0..end) into *ds; NULL, or why it is bad. */
static const char *
parse_typesdb_ds(const char *p, const char *end, struct parse_typesdb_ds *ds)
{
	const char *f[4], *fe[4], *c;
	size_t i, k;

	for (i = 0; i < 4; i++) {
		c = memchr(p, ':', (size_t)(end - p));
		if (i < 3 && c == NULL)
			return "not NAME:KIND:MIN:MAX";
		f[i] = p;
		fe[i] = i < 3 ? c : end;
		p = i < 3 ? c + 1 : end;
	}
	if (memchr(f[3], ':', (size_t)(fe[3] - f[3])) != NULL)
		return "not NAME:KIND:MIN:MAX";
	if (!parse_typesdb_name(f[0], fe[0], PARSE_TYPESDB_NAME))
		return "bad data source name";
	memcpy(ds->name, f[0], (size_t)(fe[0] - f[0]));
	ds->name[fe[0] - f[0]] = '\0';
	for (k = 0; k < 4; k++) {
		if (strlen(parse_typesdb_kinds[k]) == (size_t)(fe[1] - f[1]) &&
		    strncasecmp(parse_typesdb_kinds[k], f[1],
		        (size_t)(fe[1] - f[1])) == 0)
			break;
	}
	if (k == 4)
		return "unknown kind (want GAUGE, DERIVE, COUNTER or ABSOLUTE)";
	ds->kind = (enum parse_typesdb_kind)k;
	if (parse_typesdb_bound(f[2], fe[2], &ds->min) != 0)
		return "bad minimum";
	if (parse_typesdb_bound(f[3], fe[3], &ds->max) != 0)
		return "bad maximum";
	if (!isnan(ds->min) && !isnan(ds->max) && ds->min > ds->max)
		return "minimum above maximum";
	return NULL;
}

/* A separator of data sources: blanks, commas, or both. */
static int
parse_typesdb_sep(char c)
{
	return c == ',' || parse_util_blank(c);
}

/* The data sources of a line, p[0..end) after its type, into *t. */
static const char *
parse_typesdb_list(const char *p, const char *end, struct parse_typesdb_type *t)
{
	const char *q, *why;
	size_t i;

	for (;;) {
		while (p < end && parse_typesdb_sep(*p))
			p++;
		if (p == end)
			return t->nds == 0 ? "no data sources" : NULL;
		for (q = p; q < end && !parse_typesdb_sep(*q); q++)
			;
		if (t->nds == PARSE_TYPESDB_MAX_DS)
			return "too many data sources";
		t->ds = xreallocarray(t->ds, t->nds + 1, sizeof *t->ds);
		if ((why = parse_typesdb_ds(p, q, &t->ds[t->nds])) != NULL)
			return why;
		for (i = 0; i < t->nds; i++) {
			if (strcmp(t->ds[i].name, t->ds[t->nds].name) == 0)
				return "a data source name repeated";
		}
		t->nds++;
		p = q;
	}
}

static void
parse_typesdb_line(struct parse_typesdb_state *st, const char *p,
    const char *end)
{
	char q[PARSE_TYPESDB_QUOTE + 4];
	struct parse_typesdb_entry e;
	struct parse_util_span w;
	const char *why;

	memset(&e, 0, sizeof e);
	e.line = st->line;
	parse_util_word(&p, end, &w);
	if (!parse_typesdb_name(w.p, w.end, PARSE_TYPESDB_TYPE)) {
		parse_typesdb_error(st->out, "line %u: bad type name '%s'",
		    st->line,
		    parse_util_quote(w.p, (size_t)(w.end - w.p), q, sizeof q));
		return;
	}
	memcpy(e.t.name, w.p, (size_t)(w.end - w.p));
	why = parse_typesdb_list(p, end, &e.t);
	if (why != NULL) {
		parse_typesdb_error(st->out, "line %u: type '%s': %s", st->line,
		    e.t.name, why);
		free(e.t.ds);
		return;
	}
	if (st->n == PARSE_TYPESDB_MAX_TYPES) {
		parse_typesdb_error(st->out,
		    "line %u: more than %d types, the rest are ignored",
		    st->line, PARSE_TYPESDB_MAX_TYPES);
		st->full = 1;
		free(e.t.ds);
		return;
	}
	if (st->n == st->cap) {
		st->cap = st->cap == 0 ? 64 : st->cap * 2;
		st->e = xreallocarray(st->e, st->cap, sizeof *st->e);
	}
	st->e[st->n++] = e;
}

/* By name, then by line: the last definition of a name comes last. */
static int
parse_typesdb_cmp(const void *a, const void *b)
{
	const struct parse_typesdb_entry *x = a, *y = b;
	int c = strcmp(x->t.name, y->t.name);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sort, keep the last definition of each name, report the others. */
static void
parse_typesdb_finish(struct parse_typesdb_state *st)
{
	struct parse_typesdb *out = st->out;
	size_t i;

	if (st->n > 1)
		qsort(st->e, st->n, sizeof *st->e, parse_typesdb_cmp);
	out->types = xreallocarray(NULL, st->n + 1, sizeof *out->types);
	for (i = 0; i < st->n; i++) {
		if (i + 1 < st->n &&
		    strcmp(st->e[i].t.name, st->e[i + 1].t.name) == 0) {
			parse_typesdb_error(out,
			    "line %u: type '%s' defined again (first at line %u); the later one is used",
			    st->e[i + 1].line, st->e[i].t.name, st->e[i].line);
			free(st->e[i].t.ds);
			continue;
		}
		out->types[out->ntypes++] = st->e[i].t;
	}
	free(st->e);
}

void
parse_typesdb(const char *buf, size_t len, struct parse_typesdb *out)
{
	struct parse_typesdb_state st;
	struct parse_util_span t;
	const char *p, *end, *next;

	memset(out, 0, sizeof *out);
	memset(&st, 0, sizeof st);
	st.out = out;
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; p < end && !st.full; p = next) {
		st.line++;
		t = parse_util_trim(p, parse_util_line(p, end, &next));
		if (t.p == t.end || *t.p == '#')
			continue;
		parse_typesdb_line(&st, t.p, t.end);
	}
	parse_typesdb_finish(&st);
}

static int
parse_typesdb_key_cmp(const void *key, const void *elem)
{
	const struct parse_typesdb_type *t = elem;

	return strcmp(key, t->name);
}

const struct parse_typesdb_type *
parse_typesdb_find(const struct parse_typesdb *db, const char *name)
{
	if (db == NULL || db->ntypes == 0)
		return NULL;
	return bsearch(name, db->types, db->ntypes, sizeof *db->types,
	    parse_typesdb_key_cmp);
}

void
parse_typesdb_free(struct parse_typesdb *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ntypes; i++)
		free(db->types[i].ds);
	free(db->types);
	parse_util_errors_free(db->errors, db->nerrors);
	memset(db, 0, sizeof *db);
}
