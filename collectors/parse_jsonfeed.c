/*
 * JSON feeds on jansson: the document is decoded once and kept; each read
 * walks it along an RFC 6901 pointer, token by token, unescaping into a
 * buffer as long as the pointer. Numbers in strings are checked against a
 * plain decimal syntax before strtod sees them, so "nan", "inf", hex and
 * blanks are refused (LC_NUMERIC must be "C", the default).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
				    "\"%s\" is not an index of the array at "
				    "\"%s\"",
				    parse_util_quote(tok, n, q, sizeof q), qp);
				break;
			}
			if ((next = json_array_get(v, index)) == NULL) {
				parse_jsonfeed_cause(cause,
				    "no element %zu in the array at \"%s\" "
				    "(%zu elements)",
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
