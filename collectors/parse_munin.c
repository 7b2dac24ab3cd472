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

/* The field of the line, created if need be; NULL if there are too many. */
static struct parse_munin_field *
parse_munin_field(struct parse_munin_config *out, size_t *cap,
    struct parse_munin_index *ix, const struct parse_munin_line *l, int *full)
{
	struct parse_munin_field *f;
	size_t n = (size_t)(l->nend - l->name);
	unsigned short *slot;

	ix->entries = out->fields;
	slot = parse_munin_slot(ix, l->name, n);
	if (*slot != 0)
		return &out->fields[*slot - 1];
	if (out->nfields == PARSE_MUNIN_MAX_FIELDS) {
		if (!*full) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: more than %d fields, the rest are "
			    "ignored",
			    l->no, PARSE_MUNIN_MAX_FIELDS);
		}
		*full = 1;
		return NULL;
	}
	if (out->nfields == *cap) {
		*cap = *cap == 0 ? 8 : *cap * 2;
		out->fields =
		    xreallocarray(out->fields, *cap, sizeof *out->fields);
	}
	f = &out->fields[out->nfields++];
	*slot = (unsigned short)out->nfields;
	memset(f, 0, sizeof *f);
	f->name = xstrndup(l->name, n); /* a valid name holds no NUL */
	parse_dsname(f->name, n, f->ds);
	strcpy(f->type, "GAUGE");
	f->min = f->max = NAN;
	return f;
}

/* A FIELD.attr line of the config. */
static void
parse_munin_config_field(struct parse_munin_config *out, size_t *cap,
    struct parse_munin_index *ix, const struct parse_munin_line *l, int *full)
{
	char q1[PARSE_MUNIN_QUOTE + 4], q2[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_field *f;
	double v;
	size_t i;

	if (!parse_munin_valid_name(l->name, l->nend) || l->attr == l->aend) {
		parse_munin_error(&out->errors, &out->nerrors,
		    "line %u: bad field name '%s'", l->no,
		    parse_util_quote(l->key, (size_t)(l->kend - l->key), q1,
		        sizeof q1));
		return;
	}
	if ((f = parse_munin_field(out, cap, ix, l, full)) == NULL)
		return;
	if (parse_util_equal(l->attr, l->aend, "label")) {
		free(f->label);
		f->label = parse_util_text(l->val, (size_t)(l->vend - l->val));
	} else if (parse_util_equal(l->attr, l->aend, "type")) {
		for (i = 0;
		     i < sizeof parse_munin_types / sizeof *parse_munin_types;
		     i++) {
			if (strlen(parse_munin_types[i]) ==
			        (size_t)(l->vend - l->val) &&
			    strncasecmp(parse_munin_types[i], l->val,
			        (size_t)(l->vend - l->val)) == 0) {
				strcpy(f->type, parse_munin_types[i]);
				return;
			}
		}
		parse_munin_error(&out->errors, &out->nerrors,
		    "line %u: field '%s': unknown type '%s'", l->no, f->name,
		    parse_util_quote(l->val, (size_t)(l->vend - l->val), q2,
		        sizeof q2));
	} else if (parse_util_equal(l->attr, l->aend, "min") ||
	    parse_util_equal(l->attr, l->aend, "max")) {
		if (parse_munin_number_or_u(l->val, l->vend, &v) != 0) {
			parse_munin_error(&out->errors, &out->nerrors,
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
 * Fields that differ by name but not by data source name would write the
 * same RRD data source: keep the first.
 */
static void
parse_munin_config_dedup(struct parse_munin_config *out)
{
	char q1[PARSE_MUNIN_QUOTE + 4], q2[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_field *f;
	size_t i, j, n = 0;

	for (i = 0; i < out->nfields; i++) {
		f = &out->fields[i];
		for (j = 0; j < n; j++) {
			if (strcmp(out->fields[j].ds, f->ds) == 0)
				break;
		}
		if (j == n) {
			if (n != i)
				out->fields[n] = *f;
			n++;
			continue;
		}
		parse_munin_error(&out->errors, &out->nerrors,
		    "field '%s': data source name '%s' already used by field "
		    "'%s', ignored",
		    parse_util_quote_str(f->name, q1, sizeof q1), f->ds,
		    parse_util_quote_str(out->fields[j].name, q2, sizeof q2));
		free(f->name);
		free(f->label);
	}
	out->nfields = n;
}

void
parse_munin_config(const char *buf, size_t len, struct parse_munin_config *out)
{
	struct parse_munin_index ix = { { 0 }, parse_munin_field_key, NULL };
	char q[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_line l;
	const char *p, *end;
	size_t cap = 0;
	unsigned no = 0;
	int full = 0;

	memset(out, 0, sizeof *out);
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; parse_munin_next(&p, end, &no, &l);) {
		if (l.attr != NULL) {
			parse_munin_config_field(out, &cap, &ix, &l, &full);
		} else if (parse_util_equal(l.key, l.kend, "graph_title")) {
			free(out->title);
			out->title =
			    parse_util_text(l.val, (size_t)(l.vend - l.val));
		} else if (parse_util_equal(l.key, l.kend, "graph_vlabel")) {
			free(out->vlabel);
			out->vlabel =
			    parse_util_text(l.val, (size_t)(l.vend - l.val));
		} else if (parse_util_equal(l.key, l.kend, "multigraph")) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: multigraph not supported, the rest is "
			    "ignored",
			    l.no);
			break;
		} else if (parse_util_prefix(l.key, l.kend, "graph_") == NULL) {
			if (!parse_util_equal(l.key, l.kend, "host_name") &&
			    !parse_util_equal(l.key, l.kend, "update_rate"))
				parse_munin_error(&out->errors, &out->nerrors,
				    "line %u: unexpected line '%s'", l.no,
				    parse_util_quote(l.p, (size_t)(l.end - l.p),
				        q, sizeof q));
		}
	}
	parse_munin_config_dedup(out);
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

void
parse_munin_values(const char *buf, size_t len, struct parse_munin_values *out)
{
	struct parse_munin_index ix = { { 0 }, parse_munin_value_key, NULL };
	char q1[PARSE_MUNIN_QUOTE + 4], q2[PARSE_MUNIN_QUOTE + 4];
	struct parse_munin_line l;
	struct parse_munin_value mv, *o;
	unsigned short *slot;
	const char *p, *end;
	size_t cap = 0;
	unsigned no = 0;

	memset(out, 0, sizeof *out);
	if (len == 0)
		buf = "";
	for (p = buf, end = buf + len; parse_munin_next(&p, end, &no, &l);) {
		if (parse_util_equal(l.key, l.kend, "multigraph")) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: multigraph not supported, the rest is "
			    "ignored",
			    l.no);
			break;
		}
		if (l.attr != NULL &&
		    parse_util_equal(l.attr, l.aend, "extinfo"))
			continue;
		if (l.attr == NULL ||
		    !parse_util_equal(l.attr, l.aend, "value") ||
		    !parse_munin_valid_name(l.name, l.nend)) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: unexpected line '%s'", l.no,
			    parse_util_quote(l.p, (size_t)(l.end - l.p), q1,
			        sizeof q1));
			continue;
		}
		memset(&mv, 0, sizeof mv);
		if (parse_munin_value(l.val, l.vend, &mv.epoch, &mv.value) !=
		    0) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: field '%s': bad value '%s'", l.no,
			    parse_util_quote(l.name, (size_t)(l.nend - l.name),
			        q1, sizeof q1),
			    parse_util_quote(l.val, (size_t)(l.vend - l.val),
			        q2, sizeof q2));
			continue;
		}
		parse_dsname(l.name, (size_t)(l.nend - l.name), mv.ds);
		ix.entries = out->values;
		slot = parse_munin_slot(&ix, mv.ds, strlen(mv.ds));
		if (*slot != 0) {
			o = &out->values[*slot - 1];
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: field '%s': %s, ignored", l.no,
			    parse_util_quote(l.name, (size_t)(l.nend - l.name),
			        q1, sizeof q1),
			    parse_util_equal(l.name, l.nend, o->name)
			        ? "value repeated"
			        : "data source name already has a value");
			continue;
		}
		if (out->nvalues == PARSE_MUNIN_MAX_FIELDS) {
			parse_munin_error(&out->errors, &out->nerrors,
			    "line %u: more than %d values, the rest are "
			    "ignored",
			    l.no, PARSE_MUNIN_MAX_FIELDS);
			break;
		}
		mv.name = xstrndup(l.name, (size_t)(l.nend - l.name));
		if (out->nvalues == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			out->values = xreallocarray(out->values, cap,
			    sizeof *out->values);
		}
		out->values[out->nvalues++] = mv;
		*slot = (unsigned short)out->nvalues;
	}
}

void
parse_munin_config_free(struct parse_munin_config *mc)
{
	size_t i;

	if (mc == NULL)
		return;
	for (i = 0; i < mc->nfields; i++) {
		free(mc->fields[i].name);
		free(mc->fields[i].label);
	}
	free(mc->fields);
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
	for (i = 0; i < mv->nvalues; i++)
		free(mv->values[i].name);
	free(mv->values);
	parse_util_errors_free(mv->errors, mv->nerrors);
	memset(mv, 0, sizeof *mv);
}
