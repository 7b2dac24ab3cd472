/*
 * Parser of Munin plugin output, config and values. Both are "KEY VALUE"
 * lines (LF or CRLF), so they share the line splitting; each line is handled
 * on its own and a bad one costs only itself. Fields (config) and values are
 * found again through a small hash index, so work stays linear in the input
 * whatever the number of fields.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_munin.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_MUNIN_QUOTE 64 /* bytes of input quoted in an error */
#define PARSE_MUNIN_EPOCH 18 /* digits of an epoch: fits a long long */
#define PARSE_MUNIN_SLOTS (2 * PARSE_MUNIN_MAX_FIELDS) /* never full */

/*
 * Open addressing over the entries kept: index + 1, 0 if free. The keys are
 * field names (config) or data source names (values), NUL-free strings that
 * key() gives for an entry.
 */
struct parse_munin_index {
	unsigned short slots[PARSE_MUNIN_SLOTS];
	const char *(*key)(const void *entries, size_t i);
	const void *entries;
};

/* One line, cut into its key and the rest. */
struct parse_munin_line {
	unsigned no;
	const char *p, *end; /* the line, trimmed */
	const char *key, *kend;
	const char *name, *nend; /* key before its first '.', if it has one */
	const char *attr, *aend; /* key after its first '.', or NULL */
	const char *val, *vend; /* the rest, trimmed */
};

static const char *const parse_munin_types[] = { "GAUGE", "COUNTER", "DERIVE",
	"ABSOLUTE" };

/* Errors go to the list given, PARSE_MUNIN_MAX_ERRORS at most. */
#define parse_munin_error(errors, nerrors, ...) \
	parse_util_error(errors, nerrors, PARSE_MUNIN_MAX_ERRORS, __VA_ARGS__)

/* A number, or U for NAN. */
static int
parse_munin_number_or_u(const char *p, const char *end, double *v)
{
	if (end - p == 1 && *p == 'U') {
		*v = NAN;
		return 0;
	}
	return parse_util_number(p, end, v) == 0 ? 0 : -1;
}

/* The slot of key p[0..n): its entry's, or the free one where it goes. */
static unsigned short *
parse_munin_slot(struct parse_munin_index *ix, const char *p, size_t n)
{
	uint32_t h = parse_util_hash(PARSE_UTIL_HASH, p, n);
	unsigned short *slot;
	const char *k;

	for (h %= PARSE_MUNIN_SLOTS;; h = (h + 1) % PARSE_MUNIN_SLOTS) {
		slot = &ix->slots[h];
		if (*slot == 0)
			return slot;
		k = ix->key(ix->entries, *slot - 1u);
		if (strncmp(k, p, n) == 0 && k[n] == '\0')
			return slot;
	}
}

static const char *
parse_munin_field_key(const void *entries, size_t i)
{
	return ((const struct parse_munin_field *)entries)[i].name;
}

static const char *
parse_munin_value_key(const void *entries, size_t i)
{
	return ((const struct parse_munin_value *)entries)[i].ds;
}

/* [a-zA-Z_][a-zA-Z0-9_]* */
static int
parse_munin_valid_name(const char *p, const char *end)
{
	const char *q;

	for (q = p; q < end; q++) {
		if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    *q == '_' || (q > p && *q >= '0' && *q <= '9'))
			continue;
		return 0;
	}
	return q > p;
}

/*
 * The next non-blank, non-comment line from *pp into *l; 0 at the end. The
 * key is the first word, the value the rest.
 */
static int
parse_munin_next(const char **pp, const char *end, unsigned *no,
    struct parse_munin_line *l)
{
	const char *p = *pp, *eol, *q;
	struct parse_util_span t;

	while (p < end) {
		(*no)++;
		t = parse_util_trim(p, parse_util_line(p, end, pp));
		if (t.p == t.end || *t.p == '#') {
			p = *pp;
			continue;
		}
		p = t.p;
		eol = t.end;
		memset(l, 0, sizeof *l);
		l->no = *no;
		l->p = l->key = p;
		l->end = eol;
		for (q = p; q < eol && !parse_util_blank(*q); q++)
			;
		l->kend = q;
		l->val = parse_util_skip_blanks(q, eol);
		l->vend = eol;
		l->name = l->key;
		if ((q = memchr(l->key, '.', (size_t)(l->kend - l->key))) !=
		    NULL) {
			l->nend = q;
			l->attr = q + 1;
			l->aend = l->kend;
		} else
			l->nend = l->kend;
		return 1;
	}
	*pp = end;
	return 0;
}

/*
 * The graph that config lines go to: the plugin's own, or a multigraph
 * section; its fields are found again through its own index.
 */
struct parse_munin_target {
	char **title, **vlabel;
	struct parse_munin_field **fields;
	size_t *nfields;
	size_t cap;
	struct parse_munin_index ix;
	int full;
};

/* Errors of a config go to its list. */
#define parse_munin_cerror(out, ...) \
	parse_munin_error(&(out)->errors, &(out)->nerrors, __VA_ARGS__)

/* The field of the line, created if need be; NULL if there are too many. */
static struct parse_munin_field *
parse_munin_field(struct parse_munin_config *out, struct parse_munin_target *g,
    const struct parse_munin_line *l)
{
	struct parse_munin_field *f;
	size_t n = (size_t)(l->nend - l->name);
	unsigned short *slot;

	g->ix.entries = *g->fields;
	slot = parse_munin_slot(&g->ix, l->name, n);
	if (*slot != 0)
		return &(*g->fields)[*slot - 1];
	if (*g->nfields == PARSE_MUNIN_MAX_FIELDS) {
		if (!g->full) {
			parse_munin_cerror(out,
			    "line %u: more than %d fields, the rest are ignored",
			    l->no, PARSE_MUNIN_MAX_FIELDS);
		}
		g->full = 1;
		return NULL;
	}
	if (*g->nfields == g->cap) {
		g->cap = g->cap == 0 ? 8 : g->cap * 2;
		*g->fields =
		    xreallocarray(*g->fields, g->cap, sizeof **g->fields);
	}
	f = &(*g->fields)[(*g->nfields)++];
	*slot = (unsigned short)*g->nfields;
	memset(f, 0, sizeof *f);
	f->name = xstrndup(l->name, n); /* a valid name holds no NUL */
	parse_dsname(f->name, n, f->ds);
	strcpy(f->type, "GAUGE");
	f->min = f->max = NAN;
	return f;
}

/* FIELD.type: one of the four, any case. */
static void
parse_munin_config_type(struct parse_munin_config *out,
    struct parse_munin_field *f, const struct parse_munin_line *l)
{
	char q[PARSE_MUNIN_QUOTE + 4];
	size_t i, n = (size_t)(l->vend - l->val);

	for (i = 0; i < sizeof parse_munin_types / sizeof *parse_munin_types;
	     i++) {
		if (strlen(parse_munin_types[i]) == n &&
		    strncasecmp(parse_munin_types[i], l->val, n) == 0) {
			strcpy(f->type, parse_munin_types[i]);
			return;
		}
	}
	parse_munin_cerror(out, "line %u: field '%s': unknown type '%s'", l->no,
	    f->name, parse_util_quote(l->val, n, q, sizeof q));
}

/* A FIELD.attr line of the config. */
static void
parse_munin_config_field(struct parse_munin_config *out,
    struct parse_munin_target *g, const struct parse_munin_line *l)
{
	char q1[PARSE_MUNIN_QUOTE + 4], q2[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_field *f;
	double v;

	if (!parse_munin_valid_name(l->name, l->nend) || l->attr == l->aend) {
		parse_munin_cerror(out, "line %u: bad field name '%s'", l->no,
		    parse_util_quote(l->key, (size_t)(l->kend - l->key), q1,
		        sizeof q1));
		return;
	}
	if ((f = parse_munin_field(out, g, l)) == NULL)
		return;
	if (parse_util_equal(l->attr, l->aend, "label")) {
		free(f->label);
		f->label = parse_util_text(l->val, (size_t)(l->vend - l->val));
	} else if (parse_util_equal(l->attr, l->aend, "type")) {
		parse_munin_config_type(out, f, l);
	} else if (parse_util_equal(l->attr, l->aend, "min") ||
	    parse_util_equal(l->attr, l->aend, "max")) {
		if (parse_munin_number_or_u(l->val, l->vend, &v) != 0) {
			parse_munin_cerror(out,
			    "line %u: field '%s': bad %s '%s'", l->no,
			    parse_util_quote(l->name,
			        (size_t)(l->nend - l->name), q1, sizeof q1),
			    l->attr[1] == 'i' ? "min" : "max",
			    parse_util_quote(l->val, (size_t)(l->vend - l->val),
			        q2, sizeof q2));
			return;
		}
		if (l->attr[1] == 'i')
			f->min = v;
		else
			f->max = v;
	}
}

/*
 * Fields of a graph that differ by name but not by data source name would
 * write the same RRD data source: keep the first.
 */
static void
parse_munin_config_dedup(struct parse_munin_config *out,
    struct parse_munin_field *fields, size_t *nfields)
{
	char q1[PARSE_MUNIN_QUOTE + 4], q2[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_field *f;
	size_t i, j, n = 0;

	for (i = 0; i < *nfields; i++) {
		f = &fields[i];
		for (j = 0; j < n; j++) {
			if (strcmp(fields[j].ds, f->ds) == 0)
				break;
		}
		if (j == n) {
			if (n != i)
				fields[n] = *f;
			n++;
			continue;
		}
		parse_munin_cerror(out,
		    "field '%s': data source name '%s' already used by field '%s', ignored",
		    parse_util_quote_str(f->name, q1, sizeof q1), f->ds,
		    parse_util_quote_str(fields[j].name, q2, sizeof q2));
		free(f->name);
		free(f->label);
	}
	*nfields = n;
}

/* [A-Za-z0-9_.-]{1,PARSE_MUNIN_GRAPH_NAME} */
static int
parse_munin_valid_graph(const char *p, const char *end)
{
	const char *q;

	if (p == end || end - p > PARSE_MUNIN_GRAPH_NAME)
		return 0;
	for (q = p; q < end; q++) {
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		        (*q >= '0' && *q <= '9') || *q == '_' || *q == '.' ||
		        *q == '-'))
			return 0;
	}
	return 1;
}

/* Point g at the plugin's own graph. */
static void
parse_munin_target_top(struct parse_munin_config *out,
    struct parse_munin_target *g)
{
	memset(g, 0, sizeof *g);
	g->ix.key = parse_munin_field_key;
	g->title = &out->title;
	g->vlabel = &out->vlabel;
	g->fields = &out->fields;
	g->nfields = &out->nfields;
}

/*
 * A multigraph line: the fields of the graph so far are deduplicated, and
 * g points at the new section; 0, or -1 when its lines are to be skipped.
 */
static int
parse_munin_config_section(struct parse_munin_config *out,
    struct parse_munin_target *g, const struct parse_munin_line *l)
{
	char q[PARSE_MUNIN_QUOTE + 4], name[PARSE_MUNIN_GRAPH_NAME + 1];
	struct parse_munin_graph *gr;
	size_t n = (size_t)(l->vend - l->val);

	if (g->fields != NULL)
		parse_munin_config_dedup(out, *g->fields, g->nfields);
	memset(g, 0, sizeof *g);
	if (!parse_munin_valid_graph(l->val, l->vend)) {
		parse_munin_cerror(out,
		    "line %u: bad multigraph name '%s'; its section is ignored",
		    l->no, parse_util_quote(l->val, n, q, sizeof q));
		return -1;
	}
	if (out->ngraphs == PARSE_MUNIN_MAX_GRAPHS) {
		parse_munin_cerror(out,
		    "line %u: more than %d multigraph sections, the rest are ignored",
		    l->no, PARSE_MUNIN_MAX_GRAPHS);
		return -1;
	}
	memcpy(name, l->val, n);
	name[n] = '\0';
	if (parse_munin_graph_find(out, name) != NULL) {
		parse_munin_cerror(out,
		    "line %u: multigraph '%s' again; its section is ignored",
		    l->no, name);
		return -1;
	}
	out->graphs =
	    xreallocarray(out->graphs, out->ngraphs + 1, sizeof *out->graphs);
	gr = &out->graphs[out->ngraphs++];
	memset(gr, 0, sizeof *gr);
	gr->name = xstrdup(name);
	g->ix.key = parse_munin_field_key;
	g->title = &gr->title;
	g->vlabel = &gr->vlabel;
	g->fields = &gr->fields;
	g->nfields = &gr->nfields;
	return 0;
}

/* A line of the config that is not a FIELD.attr one. */
static void
parse_munin_config_other(struct parse_munin_config *out,
    struct parse_munin_target *g, const struct parse_munin_line *l)
{
	char q[PARSE_MUNIN_QUOTE + 4];

	if (parse_util_equal(l->key, l->kend, "graph_title")) {
		free(*g->title);
		*g->title = parse_util_text(l->val, (size_t)(l->vend - l->val));
	} else if (parse_util_equal(l->key, l->kend, "graph_vlabel")) {
		free(*g->vlabel);
		*g->vlabel =
		    parse_util_text(l->val, (size_t)(l->vend - l->val));
	} else if (parse_util_prefix(l->key, l->kend, "graph_") == NULL &&
	    !parse_util_equal(l->key, l->kend, "host_name") &&
	    !parse_util_equal(l->key, l->kend, "update_rate")) {
		parse_munin_cerror(out, "line %u: unexpected line '%s'", l->no,
		    parse_util_quote(l->p, (size_t)(l->end - l->p), q,
		        sizeof q));
	}
}

void
parse_munin_config(const char *buf, size_t len, struct parse_munin_config *out)
{
	struct parse_munin_target g;
	struct parse_munin_line l;
	const char *p, *end;
	unsigned no = 0;
	int skip = 0;

	memset(out, 0, sizeof *out);
	parse_munin_target_top(out, &g);
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; parse_munin_next(&p, end, &no, &l);) {
		if (parse_util_equal(l.key, l.kend, "multigraph"))
			skip = parse_munin_config_section(out, &g, &l) != 0;
		else if (skip)
			continue;
		else if (l.attr != NULL)
			parse_munin_config_field(out, &g, &l);
		else
			parse_munin_config_other(out, &g, &l);
	}
	if (g.fields != NULL)
		parse_munin_config_dedup(out, *g.fields, g.nfields);
}

const struct parse_munin_graph *
parse_munin_graph_find(const struct parse_munin_config *mc, const char *name)
{
	size_t i;

	for (i = 0; i < mc->ngraphs; i++) {
		if (strcmp(mc->graphs[i].name, name) == 0)
			return &mc->graphs[i];
	}
	return NULL;
}

/* The EPOCH:N or N of a value line; 0 or -1. */
static int
parse_munin_value(const char *p, const char *end, long long *epoch, double *v)
{
	const char *colon;
	char buf[PARSE_MUNIN_EPOCH + 1];
	size_t n;

	*epoch = 0;
	if ((colon = memchr(p, ':', (size_t)(end - p))) != NULL) {
		n = (size_t)(colon - p);
		if (n == 0 || n > PARSE_MUNIN_EPOCH)
			return -1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (strspn(buf, "0123456789") != n)
			return -1;
		*epoch = strtoll(buf, NULL, 10);
		p = colon + 1;
	}
	return parse_munin_number_or_u(p, end, v);
}

/* The values parse: where it is, and the index of its section. */
struct parse_munin_vstate {
	struct parse_munin_values *out;
	struct parse_munin_index ix;
	size_t cap;
	char *graph; /* the section's name (a copy each value gets) */
	size_t insection; /* values kept in the section */
	int skip; /* the section's lines are ignored */
};

/* A multigraph line of the values: a new section, a new index. */
static void
parse_munin_values_section(struct parse_munin_vstate *vs,
    const struct parse_munin_line *l)
{
	char q[PARSE_MUNIN_QUOTE + 4];

	memset(vs->ix.slots, 0, sizeof vs->ix.slots);
	vs->insection = 0;
	free(vs->graph);
	vs->graph = NULL;
	vs->skip = !parse_munin_valid_graph(l->val, l->vend);
	if (vs->skip)
		parse_munin_error(&vs->out->errors, &vs->out->nerrors,
		    "line %u: bad multigraph name '%s'; its section is ignored",
		    l->no,
		    parse_util_quote(l->val, (size_t)(l->vend - l->val), q,
		        sizeof q));
	else
		vs->graph = xstrndup(l->val, (size_t)(l->vend - l->val));
}

/* A FIELD.value line: 1 when kept, 0 when not, -1 to stop (full). */
static int
parse_munin_values_line(struct parse_munin_vstate *vs,
    const struct parse_munin_line *l)
{
	struct parse_munin_values *out = vs->out;
	char q1[PARSE_MUNIN_QUOTE + 4], q2[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_value mv, *o;
	unsigned short *slot;

	memset(&mv, 0, sizeof mv);
	if (parse_munin_value(l->val, l->vend, &mv.epoch, &mv.value) != 0) {
		parse_munin_error(&out->errors, &out->nerrors,
		    "line %u: field '%s': bad value '%s'", l->no,
		    parse_util_quote(l->name, (size_t)(l->nend - l->name), q1,
		        sizeof q1),
		    parse_util_quote(l->val, (size_t)(l->vend - l->val), q2,
		        sizeof q2));
		return 0;
	}
	parse_dsname(l->name, (size_t)(l->nend - l->name), mv.ds);
	vs->ix.entries = out->values;
	slot = parse_munin_slot(&vs->ix, mv.ds, strlen(mv.ds));
	if (*slot != 0) {
		o = &out->values[*slot - 1];
		parse_munin_error(&out->errors, &out->nerrors,
		    "line %u: field '%s': %s, ignored", l->no,
		    parse_util_quote(l->name, (size_t)(l->nend - l->name), q1,
		        sizeof q1),
		    parse_util_equal(l->name, l->nend, o->name)
		        ? "value repeated"
		        : "data source name already has a value");
		return 0;
	}
	if (out->nvalues == PARSE_MUNIN_MAX_VALUES ||
	    vs->insection == PARSE_MUNIN_MAX_FIELDS) {
		parse_munin_error(&out->errors, &out->nerrors,
		    "line %u: more than %d values%s, the rest are ignored",
		    l->no,
		    vs->insection == PARSE_MUNIN_MAX_FIELDS
		        ? PARSE_MUNIN_MAX_FIELDS
		        : PARSE_MUNIN_MAX_VALUES,
		    vs->insection == PARSE_MUNIN_MAX_FIELDS && vs->graph != NULL
		        ? " in a section"
		        : "");
		return -1;
	}
	mv.name = xstrndup(l->name, (size_t)(l->nend - l->name));
	mv.graph = vs->graph != NULL ? xstrdup(vs->graph) : NULL;
	if (out->nvalues == vs->cap) {
		vs->cap = vs->cap == 0 ? 8 : vs->cap * 2;
		out->values =
		    xreallocarray(out->values, vs->cap, sizeof *out->values);
	}
	out->values[out->nvalues++] = mv;
	vs->insection++;
	*slot = (unsigned short)out->nvalues;
	return 1;
}

void
parse_munin_values(const char *buf, size_t len, struct parse_munin_values *out)
{
	struct parse_munin_vstate vs;
	char q[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_line l;
	const char *p, *end;
	unsigned no = 0;

	memset(out, 0, sizeof *out);
	memset(&vs, 0, sizeof vs);
	vs.out = out;
	vs.ix.key = parse_munin_value_key;
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; parse_munin_next(&p, end, &no, &l);) {
		if (parse_util_equal(l.key, l.kend, "multigraph")) {
			parse_munin_values_section(&vs, &l);
			continue;
		}
		if (vs.skip ||
		    (l.attr != NULL &&
		        parse_util_equal(l.attr, l.aend, "extinfo")))
			continue;
		if (l.attr == NULL ||
		    !parse_util_equal(l.attr, l.aend, "value") ||
		    !parse_munin_valid_name(l.name, l.nend)) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: unexpected line '%s'", l.no,
			    parse_util_quote(l.p, (size_t)(l.end - l.p), q,
			        sizeof q));
			continue;
		}
		/* Full in a section: the next section may still come. */
		if (parse_munin_values_line(&vs, &l) == -1) {
			if (out->nvalues == PARSE_MUNIN_MAX_VALUES)
				break;
			vs.skip = 1;
		}
	}
	free(vs.graph);
}

static void
parse_munin_fields_free(struct parse_munin_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].label);
	}
	free(f);
}

void
parse_munin_config_free(struct parse_munin_config *mc)
{
	size_t i;

	if (mc == NULL)
		return;
	parse_munin_fields_free(mc->fields, mc->nfields);
	for (i = 0; i < mc->ngraphs; i++) {
		parse_munin_fields_free(mc->graphs[i].fields,
		    mc->graphs[i].nfields);
		free(mc->graphs[i].name);
		free(mc->graphs[i].title);
		free(mc->graphs[i].vlabel);
	}
	free(mc->graphs);
	parse_util_errors_free(mc->errors, mc->nerrors);
	free(mc->title);
	free(mc->vlabel);
	memset(mc, 0, sizeof *mc);
}

void
parse_munin_values_free(struct parse_munin_values *mv)
{
	size_t i;

	if (mv == NULL)
		return;
	for (i = 0; i < mv->nvalues; i++) {
		free(mv->values[i].name);
		free(mv->values[i].graph);
	}
	free(mv->values);
	parse_util_errors_free(mv->errors, mv->nerrors);
	memset(mv, 0, sizeof *mv);
}
