/*
 * The helpers every pure parser used to carry a copy of, in one place so
 * that they behave the same in all of them: error messages are capped and
 * quoted alike, lines, blanks and numbers are read alike. The messages made
 * here are part of the parsers' output (tests compare them): change none.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse_util.h"
#include "xmalloc.h"

#define PARSE_UTIL_JSON_FLAGS \
	(JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL)

void
parse_util_error(char ***errors, size_t *nerrors, size_t max, const char *fmt,
    ...)
{
	char msg[512];
	va_list ap;

	if (*nerrors >= max)
		return;
	if (*nerrors == max - 1)
		strcpy(msg, "too many errors, the rest are not reported");
	else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	*errors = xreallocarray(*errors, *nerrors + 1, sizeof **errors);
	(*errors)[(*nerrors)++] = xstrdup(msg);
}

void
parse_util_errors_free(char **errors, size_t nerrors)
{
	size_t i;

	for (i = 0; i < nerrors; i++)
		free(errors[i]);
	free(errors);
}

const char *
parse_util_quote(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, m = n > size - 4 ? size - 4 : n;

	for (i = 0; i < m; i++)
		buf[i] = (s[i] >= ' ' && s[i] <= '~') ? s[i] : '?';
	if (n > m) {
		memcpy(buf + m, "...", 3);
		m += 3;
	}
	buf[m] = '\0';
	return buf;
}

const char *
parse_util_quote_str(const char *s, char *buf, size_t size)
{
	return parse_util_quote(s, strlen(s), buf, size);
}

char *
parse_util_text(const char *p, size_t n)
{
	char *s = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = p[i] == '\0' ? '?' : p[i];
	s[n] = '\0';
	return s;
}

int
parse_util_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

const char *
parse_util_skip_blanks(const char *p, const char *end)
{
	while (p < end && parse_util_blank(*p))
		p++;
	return p;
}

struct parse_util_span
parse_util_trim(const char *p, const char *end)
{
	struct parse_util_span s;

	p = parse_util_skip_blanks(p, end);
	while (end > p && parse_util_blank(end[-1]))
		end--;
	s.p = p;
	s.end = end;
	return s;
}

const char *
parse_util_line(const char *p, const char *end, const char **next)
{
	const char *eol;

	if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL) {
		*next = end;
		return end;
	}
	*next = eol + 1;
	return eol;
}

int
parse_util_word(const char **pp, const char *end, struct parse_util_span *w)
{
	const char *p = parse_util_skip_blanks(*pp, end);

	if (p == end)
		return 0;
	w->p = p;
	while (p < end && !parse_util_blank(*p))
		p++;
	w->end = *pp = p;
	return 1;
}

int
parse_util_equal(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) == n && memcmp(p, s, n) == 0;
}

const char *
parse_util_prefix(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	if ((size_t)(end - p) < n || memcmp(p, prefix, n) != 0)
		return NULL;
	return p + n;
}

const char *
parse_util_find(const char *p, const char *end, const char *needle)
{
	return memmem(p, (size_t)(end - p), needle, strlen(needle));
}

const char *
parse_util_scan_number(const char *p, const char *end)
{
	const char *q = p, *e;
	int digits = 0;

	if (q < end && (*q == '+' || *q == '-'))
		q++;
	for (; q < end && *q >= '0' && *q <= '9'; q++)
		digits = 1;
	if (q < end && *q == '.') {
		for (q++; q < end && *q >= '0' && *q <= '9'; q++)
			digits = 1;
	}
	if (!digits)
		return p;
	if (q < end && (*q == 'e' || *q == 'E')) {
		e = q + 1;
		if (e < end && (*e == '+' || *e == '-'))
			e++;
		if (e < end && *e >= '0' && *e <= '9') {
			while (e < end && *e >= '0' && *e <= '9')
				e++;
			q = e;
		}
	}
	return q;
}

int
parse_util_number(const char *p, const char *end, double *v)
{
	char buf[PARSE_UTIL_NUMBER];
	size_t n = (size_t)(end - p);

	if (n == 0 || n >= sizeof buf || parse_util_scan_number(p, end) != end)
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	*v = strtod(buf, NULL);
	return isfinite(*v) ? 0 : 1;
}

uint32_t
parse_util_hash(uint32_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x01000193;
	}
	return h;
}

const char *
parse_util_json_type(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

const char *
parse_util_json_clean(json_error_t *e)
{
	char *p;

	for (p = e->text; *p != '\0'; p++) {
		if (*p < ' ' || *p > '~')
			*p = '?';
	}
	return e->text;
}

size_t
parse_util_json_values(const char *buf, size_t len)
{
	size_t i, n = 1;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				in_string = 0;
		} else if (buf[i] == '"')
			in_string = 1;
		else if (buf[i] == ',' || buf[i] == '[' || buf[i] == '{')
			n++;
	}
	return n;
}

json_t *
parse_util_json_load(const char *buf, size_t len, char ***errors,
    size_t *nerrors, size_t max, char **error)
{
	json_error_t e;
	json_t *root;

	/* jansson takes some 150 bytes a value: a bound on what it may. */
	if (parse_util_json_values(buf, len) > PARSE_UTIL_JSON_MAX_VALUES) {
		if (error != NULL)
			xasprintf(error,
			    "more than %d values: too many to load",
			    PARSE_UTIL_JSON_MAX_VALUES);
		return NULL;
	}
	if (len == 0)
		buf = "";
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	root = json_loadb(buf, len,
	    PARSE_UTIL_JSON_FLAGS | JSON_REJECT_DUPLICATES, &e);
	if (root == NULL && errors != NULL &&
	    json_error_code(&e) == json_error_duplicate_key) {
		parse_util_error(errors, nerrors, max,
		    "line %d column %d: %s; its last value is used", e.line,
		    e.column, parse_util_json_clean(&e));
		root = json_loadb(buf, len, PARSE_UTIL_JSON_FLAGS, &e);
	}
	if (root == NULL && error != NULL)
		xasprintf(error, "line %d column %d: %s", e.line, e.column,
		    parse_util_json_clean(&e));
	return root;
}

char *
parse_util_json_string(char ***errors, size_t *nerrors, size_t max,
    const char *where, const char *name, const json_t *v, int quiet)
{
	if (v == NULL) {
		if (!quiet)
			parse_util_error(errors, nerrors, max, "%s: no %s",
			    where, name);
		return NULL;
	}
	if (!json_is_string(v)) {
		parse_util_error(errors, nerrors, max,
		    "%s: %s is %s, not a string", where, name,
		    parse_util_json_type(v));
		return NULL;
	}
	if (json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		parse_util_error(errors, nerrors, max,
		    "%s: %s is empty or holds a NUL", where, name);
		return NULL;
	}
	return xstrdup(json_string_value(v));
}
