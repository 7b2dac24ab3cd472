/*
 * The Tags column of a FOCUS row, read without a JSON library: a scanner
 * for the plain objects exports hold (string or null values, no escapes,
 * nesting or non-ASCII), on the text as it lies in the CSV record, its
 * quotes still doubled when the field was quoted. Anything else it leaves
 * to jansson (parse_focus.c), which has the last word.
 */
#include <string.h>

#include "parse_focus.h"

/*
 * A plain JSON string without escapes at s (after its opening quote): its
 * closing quote, or NULL. qw 2: the text is still CSV-quoted, every quote
 * doubled.
 */
static const char *
parse_focus_tag_string(const char *s, const char *e, int qw)
{
	for (; s < e; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"')
			return qw == 1 || (s + 1 < e && s[1] == '"') ? s : NULL;
		if (c == '\\' || c < 0x20 || c >= 0x80)
			return NULL;
	}
	return NULL;
}

static const char *
parse_focus_tag_space(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	return s;
}

/* A quote (two when qw is 2) at s. */
static int
parse_focus_tag_quote(const char *s, const char *e, int qw)
{
	return e - s >= qw && s[0] == '"' && (qw == 1 || s[1] == '"');
}

int
parse_focus_tag_quoted(const char *s, size_t len, const char *key,
    const char **v, size_t *vlen, int qw)
{
	const char *e = s + len, *k, *ke, *x, *xe;
	size_t klen = strlen(key);
	int found = 0, match;

	s = parse_focus_tag_space(s, e);
	if (s == e || *s != '{')
		return -1;
	s = parse_focus_tag_space(s + 1, e);
	if (s < e && *s == '}')
		return parse_focus_tag_space(s + 1, e) == e ? 0 : -1;
	for (;;) {
		if (!parse_focus_tag_quote(s, e, qw))
			return -1;
		k = s + qw;
		if ((ke = parse_focus_tag_string(k, e, qw)) == NULL)
			return -1;
		match = (size_t)(ke - k) == klen && memcmp(k, key, klen) == 0;
		s = parse_focus_tag_space(ke + qw, e);
		if (s == e || *s != ':')
			return -1;
		s = parse_focus_tag_space(s + 1, e);
		if (parse_focus_tag_quote(s, e, qw)) {
			x = s + qw;
			if ((xe = parse_focus_tag_string(x, e, qw)) == NULL)
				return -1;
			s = xe + qw;
			if (match) { /* the last of duplicates wins */
				found = 1;
				*v = x;
				*vlen = (size_t)(xe - x);
			}
		} else if (e - s >= 4 && memcmp(s, "null", 4) == 0) {
			s += 4;
			if (match)
				found = 0;
		} else
			return -1;
		s = parse_focus_tag_space(s, e);
		if (s < e && *s == ',') {
			s = parse_focus_tag_space(s + 1, e);
			continue;
		}
		if (s < e && *s == '}')
			return parse_focus_tag_space(s + 1, e) == e ? found
			                                            : -1;
		return -1;
	}
}

int
parse_focus_tag(const char *s, size_t len, const char *key, const char **v,
    size_t *vlen)
{
	return parse_focus_tag_quoted(s, len, key, v, vlen, 1);
}
