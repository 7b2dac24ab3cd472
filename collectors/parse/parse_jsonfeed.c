/*
 * JSON feeds on jansson: the document is decoded once and kept; each read
 * walks it along an RFC 6901 pointer, token by token, unescaping into a
 * buffer as long as the pointer. Numbers in strings are checked against a
 * plain decimal syntax before strtod sees them, so "nan", "inf", hex and
 * blanks are refused (LC_NUMERIC must be "C", the default). A list of
 * points is read element by element, each element a document of its own
 * for the row's pointers, and sorted as CSV rows are.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse_csvfeed.h"
#include "parse_jsonfeed.h"
#include "parse_time.h"
#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_JSONFEED_QUOTE 64 /* bytes quoted in a message */
#define PARSE_JSONFEED_MAX_EPOCH 9223372036.0 /* seconds whose ns fit */

struct parse_jsonfeed {
	json_t *root;
};

static void __attribute__((format(printf, 2, 3)))
parse_jsonfeed_cause(char **cause, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	*cause = xstrdup(msg);
}

struct parse_jsonfeed *
parse_jsonfeed_load(const char *buf, size_t len, char **cause)
{
	struct parse_jsonfeed *jf;
	json_t *root;

	/* No error list: a key given twice fails the document. */
	if ((root = parse_util_json_load(buf, len, NULL, NULL, 0, cause)) ==
	    NULL)
		return NULL;
	jf = xmalloc(sizeof *jf);
	jf->root = root;
	return jf;
}

void
parse_jsonfeed_free(struct parse_jsonfeed *jf)
{
	if (jf == NULL)
		return;
	json_decref(jf->root);
	free(jf);
}

int
parse_jsonfeed_pointer_valid(const char *pointer)
{
	const char *p;

	if (pointer == NULL)
		return 0;
	if (*pointer != '\0' && *pointer != '/')
		return 0;
	for (p = pointer; *p != '\0'; p++) {
		if (*p == '~' && p[1] != '0' && p[1] != '1')
			return 0;
	}
	return 1;
}

/* An array index token: "0" or digits without a leading zero; -1 if not. */
static int
parse_jsonfeed_index(const char *tok, size_t n, size_t *index)
{
	size_t i, v = 0;

	if (n == 0 || (n > 1 && tok[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return -1;
		if (v > ((size_t)-1 - 9) / 10)
			return -1; /* larger than any array */
		v = v * 10 + (size_t)(tok[i] - '0');
	}
	*index = v;
	return 0;
}

/* The value at pointer, or NULL and *cause. */
static json_t *
parse_jsonfeed_at(const struct parse_jsonfeed *jf, const char *pointer,
    char **cause)
{
	json_t *v = jf != NULL ? jf->root : NULL, *next;
	const char *p, *end;
	char *tok, q[PARSE_JSONFEED_QUOTE + 4], qp[PARSE_JSONFEED_QUOTE + 4];
	size_t n, index;
	int found = 0;

	if (v == NULL) {
		parse_jsonfeed_cause(cause, "no document");
		return NULL;
	}
	if (!parse_jsonfeed_pointer_valid(pointer)) {
		parse_jsonfeed_cause(cause, "bad JSON pointer \"%s\"",
		    pointer == NULL ? "(null)"
		                    : parse_util_quote(pointer, strlen(pointer),
		                          q, sizeof q));
		return NULL;
	}
	tok = xmalloc(strlen(pointer) + 1);
	for (p = pointer;; p = end) {
		if (*p == '\0') {
			found = 1;
			break;
		}
		/* One token, unescaped: ~1 is '/', ~0 is '~'. */
		for (end = ++p, n = 0; *end != '\0' && *end != '/'; end++) {
			if (*end == '~') {
				tok[n++] = *++end == '1' ? '/' : '~';
				continue;
			}
			tok[n++] = *end;
		}
		parse_util_quote(pointer, (size_t)(p - 1 - pointer), qp,
		    sizeof qp);
		if (json_is_object(v)) {
			if ((next = json_object_getn(v, tok, n)) == NULL) {
				parse_jsonfeed_cause(cause,
				    "no member \"%s\" in the object at \"%s\"",
				    parse_util_quote(tok, n, q, sizeof q), qp);
				break;
			}
		} else if (json_is_array(v)) {
			if (parse_jsonfeed_index(tok, n, &index) != 0) {
				parse_jsonfeed_cause(cause,
				    "\"%s\" is not an index of the array at \"%s\"",
				    parse_util_quote(tok, n, q, sizeof q), qp);
				break;
			}
			if ((next = json_array_get(v, index)) == NULL) {
				parse_jsonfeed_cause(cause,
				    "no element %zu in the array at \"%s\" (%zu elements)",
				    index, qp, json_array_size(v));
				break;
			}
		} else {
			parse_jsonfeed_cause(cause,
			    "\"%s\" is %s, not an object or array", qp,
			    parse_util_json_type(v));
			break;
		}
		v = next;
	}
	free(tok);
	return found ? v : NULL;
}

int
parse_jsonfeed_number(const struct parse_jsonfeed *jf, const char *pointer,
    double *out, char **cause)
{
	char q[PARSE_JSONFEED_QUOTE + 4];
	const char *s;
	json_t *v;
	size_t n;
	double d;

	if ((v = parse_jsonfeed_at(jf, pointer, cause)) == NULL)
		return -1;
	if (json_is_number(v))
		d = json_number_value(v);
	else if (json_is_string(v)) {
		s = json_string_value(v);
		n = json_string_length(v);
		/* Too large for a double: said below, as for numbers. */
		if (parse_util_number(s, s + n, &d) < 0) {
			parse_jsonfeed_cause(cause,
			    "the string \"%s\" is not a number",
			    parse_util_quote(s, n, q, sizeof q));
			return -1;
		}
	} else {
		parse_jsonfeed_cause(cause, "%s, not a number",
		    parse_util_json_type(v));
		return -1;
	}
	if (!isfinite(d)) {
		parse_jsonfeed_cause(cause, "the number is out of range");
		return -1;
	}
	*out = d;
	return 0;
}

int
parse_jsonfeed_time(const struct parse_jsonfeed *jf, const char *pointer,
    long long *epoch, char **cause)
{
	char q[PARSE_JSONFEED_QUOTE + 4];
	long long ns, secs;
	const char *s;
	json_t *v;
	double d;

	if ((v = parse_jsonfeed_at(jf, pointer, cause)) == NULL)
		return -1;
	if (json_is_number(v)) {
		d = floor(json_number_value(v));
		if (!(d >= -PARSE_JSONFEED_MAX_EPOCH &&
		        d <= PARSE_JSONFEED_MAX_EPOCH)) {
			parse_jsonfeed_cause(cause,
			    "the epoch time is out of range");
			return -1;
		}
		*epoch = (long long)d;
		return 0;
	}
	if (!json_is_string(v)) {
		parse_jsonfeed_cause(cause, "%s, not a time",
		    parse_util_json_type(v));
		return -1;
	}
	s = json_string_value(v);
	if (parse_time(s, json_string_length(v), &ns) != 0) {
		parse_jsonfeed_cause(cause, "the string \"%s\" is not a time",
		    parse_util_quote(s, json_string_length(v), q, sizeof q));
		return -1;
	}
	/* Seconds, rounded toward the past as for numbers. */
	secs = ns / 1000000000LL;
	if (ns % 1000000000LL < 0)
		secs--;
	*epoch = secs;
	return 0;
}

/* A row as read, with its element's index for errors and stable order. */
struct parse_jsonfeed_item {
	struct parse_csvfeed_row row;
	size_t index;
};

#define parse_jsonfeed_error(out, ...)                    \
	parse_util_error(&(out)->errors, &(out)->nerrors, \
	    PARSE_CSVFEED_MAX_ERRORS, __VA_ARGS__)

static int
parse_jsonfeed_cmp(const void *a, const void *b)
{
	const struct parse_jsonfeed_item *x = a, *y = b;

	if (x->row.time != y->row.time)
		return x->row.time < y->row.time ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Element i (the document el) made into a row; -1 when it has no time. */
static int
parse_jsonfeed_row(const struct parse_jsonfeed *el, size_t i, const char *time,
    const char *const *values, size_t nvalues, struct parse_csvfeed *out,
    struct parse_jsonfeed_item *it)
{
	char *cause = NULL, q[PARSE_JSONFEED_QUOTE + 4];
	size_t k;

	if (parse_jsonfeed_time(el, time, &it->row.time, &cause) != 0) {
		parse_jsonfeed_error(out,
		    "row %zu: time \"%s\": %s, row dropped", i,
		    parse_util_quote_str(time, q, sizeof q), cause);
		free(cause);
		return -1;
	}
	it->index = i;
	it->row.line = i;
	it->row.values = xcalloc(nvalues + 1, sizeof(double));
	for (k = 0; k < nvalues; k++) {
		if (parse_jsonfeed_number(el, values[k], &it->row.values[k],
		        &cause) == 0)
			continue;
		it->row.values[k] = NAN;
		parse_jsonfeed_error(out, "row %zu: \"%s\": %s", i,
		    parse_util_quote_str(values[k], q, sizeof q), cause);
		free(cause);
		cause = NULL;
	}
	return 0;
}

/* Sorted by time, equal times weeded out, into out->rows. */
static void
parse_jsonfeed_finish(struct parse_jsonfeed_item *items, size_t n,
    struct parse_csvfeed *out)
{
	struct parse_jsonfeed_item *prev = NULL;
	size_t i;

	if (n == 0)
		return;
	qsort(items, n, sizeof *items, parse_jsonfeed_cmp);
	out->rows = xreallocarray(NULL, n, sizeof *out->rows);
	for (i = 0; i < n; i++) {
		if (prev != NULL && prev->row.time == items[i].row.time) {
			parse_jsonfeed_error(out,
			    "row %zu: time %lld given before by row %zu, row dropped",
			    items[i].index, items[i].row.time, prev->index);
			free(items[i].row.values);
			continue;
		}
		out->rows[out->nrows++] = items[i].row;
		prev = &items[i];
	}
}

void
parse_jsonfeed_rows(const struct parse_jsonfeed *jf, const char *rows,
    const char *time, const char *const *values, size_t nvalues,
    struct parse_csvfeed *out)
{
	struct parse_jsonfeed_item *items;
	struct parse_jsonfeed el;
	char *cause = NULL, q[PARSE_JSONFEED_QUOTE + 4];
	size_t i, n, kept = 0;
	json_t *list;

	memset(out, 0, sizeof *out);
	out->ok = 1;
	parse_util_quote_str(rows, q, sizeof q);
	if ((list = parse_jsonfeed_at(jf, rows, &cause)) == NULL) {
		out->ok = 0;
		xasprintf(&out->error, "rows \"%s\": %s", q, cause);
		free(cause);
		return;
	}
	if (!json_is_array(list)) {
		out->ok = 0;
		xasprintf(&out->error, "rows \"%s\" is %s, not an array", q,
		    parse_util_json_type(list));
		return;
	}
	n = json_array_size(list);
	items = xcalloc(n + 1, sizeof *items);
	for (i = 0; i < n; i++) {
		if (kept == PARSE_CSVFEED_MAX_ROWS) {
			parse_jsonfeed_error(out,
			    "row %zu: more than %d rows, the rest are ignored",
			    i, PARSE_CSVFEED_MAX_ROWS);
			break;
		}
		el.root = json_array_get(list, i);
		if (parse_jsonfeed_row(&el, i, time, values, nvalues, out,
		        &items[kept]) == 0)
			kept++;
	}
	parse_jsonfeed_finish(items, kept, out);
	free(items);
}
