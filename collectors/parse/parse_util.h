/*
 * Helpers shared by the pure parsers (parse_*.c): the capped error list,
 * quoting input in messages, cutting text into lines and words, strict
 * decimal numbers, the FNV-1a hash of their indexes, and the jansson
 * decoding and reporting that the JSON parsers have in common. Nothing here
 * keeps state; spans are p[0..end), strings may hold NUL bytes unless said.
 */
#ifndef PARSE_UTIL_H
#define PARSE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PARSE_UTIL_NUMBER 512 /* number texts this long or longer: refused */
#define PARSE_UTIL_HASH 0x811c9dc5u /* FNV-1a offset basis, a hash to start */

/* A span of the input. */
struct parse_util_span {
	const char *p, *end;
};

/*
 * Append a message to *errors (*nerrors of them), at most max: the last one
 * kept says "too many errors, the rest are not reported", later ones are
 * dropped. A message is cut at 511 bytes.
 */
void parse_util_error(char ***errors, size_t *nerrors, size_t max,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void parse_util_errors_free(char **errors, size_t nerrors);

/*
 * s[0..n) made fit for a message in buf (size bytes, at least 4): at most
 * size - 4 bytes, anything but printable ASCII as '?', and "..." when cut,
 * so that the message is one short, printable line whatever the input.
 * Returns buf.
 */
const char *parse_util_quote(const char *s, size_t n, char *buf, size_t size);
const char *parse_util_quote_str(const char *s, char *buf, size_t size);

/* A copy of p[0..n) as a string, NUL bytes turned into '?'. */
char *parse_util_text(const char *p, size_t n);

/* Blanks: space, tab, CR, VT, FF; not LF, not NUL. */
int parse_util_blank(char c);
const char *parse_util_skip_blanks(const char *p, const char *end);
/* p[0..end) without blanks at its ends. */
struct parse_util_span parse_util_trim(const char *p, const char *end);
/*
 * The line that starts at p: its end (the LF, or end if none) returned, the
 * start of the next line in *next. A CR before the LF is left in the line.
 */
const char *parse_util_line(const char *p, const char *end, const char **next);
/* The next blank-separated word of *pp into *w, moving past it; 0 if none. */
int parse_util_word(const char **pp, const char *end,
    struct parse_util_span *w);

/* Whether p[0..end) is the string s. */
int parse_util_equal(const char *p, const char *end, const char *s);
/* The text after prefix if p[0..end) starts with it, else NULL. */
const char *parse_util_prefix(const char *p, const char *end,
    const char *prefix);
/* First occurrence of needle in p[0..end), NULL if none. */
const char *parse_util_find(const char *p, const char *end, const char *needle);

/*
 * End of the decimal number (sign, digits, point, exponent) that starts at
 * p; p itself if there is none. An exponent without digits is not part of
 * it.
 */
const char *parse_util_scan_number(const char *p, const char *end);
/*
 * p[0..end) as a decimal number, all of it: 0 and *v when it is finite, 1
 * and *v infinite when it is out of range, -1 when it is no number or is
 * PARSE_UTIL_NUMBER bytes or longer. The syntax is checked first, so strtod
 * never sees "nan", "inf", hex or blanks; LC_NUMERIC must be "C".
 */
int parse_util_number(const char *p, const char *end, double *v);

/*
 * 32-bit FNV-1a over p[0..n), going on from h (PARSE_UTIL_HASH to start).
 * Data source names are made of it (parse_dsname.h): it never changes.
 */
uint32_t parse_util_hash(uint32_t h, const char *p, size_t n);

/* "an object", "an array", "a string", "a number", "a boolean", "null". */
const char *parse_util_json_type(const json_t *v);
/* jansson's message, which may quote input bytes, made printable. */
const char *parse_util_json_clean(json_error_t *e);
/*
 * buf[0..len) decoded whole, after a UTF-8 BOM if any: any value at the top,
 * integers as reals, NUL bytes allowed in strings. A key given twice fails
 * the document, unless errors is given: then it is reported there ("... its
 * last value is used") and the document decoded again. NULL on failure, with
 * "line L column C: why" in *error when error is not NULL. A document of
 * more than PARSE_UTIL_JSON_MAX_VALUES values is not decoded ("more than
 * ... values"): jansson would hold some 150 bytes for each.
 */
#define PARSE_UTIL_JSON_MAX_VALUES 1000000
/*
 * How many values buf[0..len) holds, about (one more than its ',', '['
 * and '{' outside strings): cheap, and never fewer than a valid document
 * has (a member counts as one value).
 */
size_t parse_util_json_values(const char *buf, size_t len);
json_t *parse_util_json_load(const char *buf, size_t len, char ***errors,
    size_t *nerrors, size_t max, char **error);
/*
 * The string v copied; NULL and an error "WHERE: NAME ..." when v is
 * missing (NULL; not reported with quiet), not a string, empty or holding a
 * NUL.
 */
char *parse_util_json_string(char ***errors, size_t *nerrors, size_t max,
    const char *where, const char *name, const json_t *v, int quiet);

#endif
