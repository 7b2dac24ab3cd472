/*
 * HTTP/1.1 request heads for the status server, read strictly (RFC 9112):
 * the grammar and every refusal are in parse_request.h. Pure: no I/O, no
 * allocation; a request is looked at once its header section is whole.
 */
#include <string.h>
#include <strings.h>

#include "parse_request.h"

long
parse_request_end(const char *buf, size_t len, struct parse_request_scan *scan)
{
	size_t i = scan->pos;

	while (i < len) {
		if (buf[i] == '\n')
			return -1;
		if (buf[i] != '\r') {
			i++;
			continue;
		}
		if (i + 1 == len)
			break;
		if (buf[i + 1] != '\n')
			return -1;
		if (i == scan->line && scan->started)
			return (long)(i + 2);
		if (i != scan->line)
			scan->started = 1;
		i += 2;
		scan->line = i;
	}
	scan->pos = i;
	return 0;
}

static int
parse_request_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

static void
parse_request_fail(struct parse_request *out, int code, const char *why)
{
	if (out->code != 0)
		return;
	out->code = code;
	out->error = why;
	out->keep_alive = 0;
}

/* The path of a request-target: "/p?q" or "http://host/p?q". */
static void
parse_request_target(const char *t, size_t n, struct parse_request *out)
{
	size_t i, start = 0, end;

	for (i = 0; i < n; i++) {
		if ((unsigned char)t[i] <= 0x20 ||
		    (unsigned char)t[i] >= 0x7f) {
			parse_request_fail(out, 400,
			    "a request-target holds a control character");
			return;
		}
	}
	if (n > 7 && strncasecmp(t, "http://", 7) == 0)
		start = 7;
	else if (n > 8 && strncasecmp(t, "https://", 8) == 0)
		start = 8;
	if (start != 0) {
		while (start < n && t[start] != '/' && t[start] != '?')
			start++;
	} else if (n == 0 || t[0] != '/') {
		parse_request_fail(out, 400,
		    "the request-target is not a path");
		return;
	}
	for (end = start; end < n && t[end] != '?' && t[end] != '#'; end++)
		;
	if (end - start > PARSE_REQUEST_PATH_MAX) {
		parse_request_fail(out, 414, "the path is too long");
		return;
	}
	if (end == start)
		memcpy(out->path, "/", 2);
	else {
		memcpy(out->path, t + start, end - start);
		out->path[end - start] = '\0';
	}
}

/* The request line, line[0..n) without its CRLF. */
static void
parse_request_line(const char *line, size_t n, struct parse_request *out)
{
	const char *sp1, *sp2, *v;
	size_t mlen, vlen, i;

	sp1 = memchr(line, ' ', n);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - line))
	                  : NULL;
	if (sp1 == NULL || sp2 == NULL || sp1 == line ||
	    memchr(sp2 + 1, ' ', n - (size_t)(sp2 + 1 - line)) != NULL) {
		parse_request_fail(out, 400, "a malformed request line");
		return;
	}
	mlen = (size_t)(sp1 - line);
	v = sp2 + 1;
	vlen = n - (size_t)(v - line);
	if (vlen != 8 || strncmp(v, "HTTP/", 5) != 0 || v[5] < '0' ||
	    v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9') {
		parse_request_fail(out, 400, "a malformed HTTP version");
		return;
	}
	if (v[5] != '1') {
		parse_request_fail(out, 505, "not HTTP/1.x");
		return;
	}
	out->minor = v[7] - '0';
	out->keep_alive = out->minor >= 1;
	for (i = 0; i < mlen; i++) {
		if (!parse_request_tchar(line[i])) {
			parse_request_fail(out, 400, "a malformed method");
			return;
		}
	}
	if (mlen == 3 && strncmp(line, "GET", 3) == 0)
		out->method = PARSE_REQUEST_GET;
	else if (mlen == 4 && strncmp(line, "HEAD", 4) == 0)
		out->method = PARSE_REQUEST_HEAD;
	else
		out->method = PARSE_REQUEST_OTHER;
	parse_request_target(sp1 + 1, (size_t)(sp2 - sp1 - 1), out);
}

/* What the header fields say about the message, gathered. */
struct parse_request_fields {
	int hosts;
	int has_length;
	unsigned long long length;
	int chunked; /* Transfer-Encoding seen */
	int close, keep_alive;
};

/* Content-Length: digits, or a list of equal values (RFC 9110 8.6). */
static void
parse_request_length(const char *v, size_t n, struct parse_request_fields *f,
    struct parse_request *out)
{
	unsigned long long x;
	size_t i = 0;

	while (i < n) {
		x = 0;
		if (v[i] < '0' || v[i] > '9') {
			parse_request_fail(out, 400,
			    "Content-Length is not a number");
			return;
		}
		for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
			if (x > 1000000000000ULL) {
				parse_request_fail(out, 400,
				    "Content-Length is too large");
				return;
			}
			x = x * 10 + (unsigned)(v[i] - '0');
		}
		if (f->has_length && x != f->length) {
			parse_request_fail(out, 400,
			    "Content-Length values disagree");
			return;
		}
		f->has_length = 1;
		f->length = x;
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (i < n && v[i++] != ',') {
			parse_request_fail(out, 400,
			    "Content-Length is not a number");
			return;
		}
		while (i < n && (v[i] == ' ' || v[i] == '\t'))
			i++;
	}
}

/* The tokens of a Connection field. */
static void
parse_request_connection(const char *v, size_t n,
    struct parse_request_fields *f)
{
	size_t i = 0, s;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		for (s = i; i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t';
		     i++)
			;
		if (i - s == 5 && strncasecmp(v + s, "close", 5) == 0)
			f->close = 1;
		if (i - s == 10 && strncasecmp(v + s, "keep-alive", 10) == 0)
			f->keep_alive = 1;
	}
}

/* One field line, line[0..n) without its CRLF. */
static void
parse_request_field(const char *line, size_t n, struct parse_request_fields *f,
    struct parse_request *out)
{
	const char *colon = memchr(line, ':', n), *v;
	size_t nlen, vlen, i;

	if (line[0] == ' ' || line[0] == '\t') {
		parse_request_fail(out, 400, "a folded field line");
		return;
	}
	if (colon == NULL || colon == line) {
		parse_request_fail(out, 400, "a field line without name");
		return;
	}
	nlen = (size_t)(colon - line);
	for (i = 0; i < nlen; i++) {
		if (!parse_request_tchar(line[i])) {
			parse_request_fail(out, 400, "a malformed field name");
			return;
		}
	}
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	for (i = 0; i < vlen; i++) {
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') ||
		    (unsigned char)v[i] == 0x7f) {
			parse_request_fail(out, 400,
			    "a field value holds a control character");
			return;
		}
	}
	if (nlen == 4 && strncasecmp(line, "Host", 4) == 0)
		f->hosts++;
	else if (nlen == 14 && strncasecmp(line, "Content-Length", 14) == 0)
		parse_request_length(v, vlen, f, out);
	else if (nlen == 17 && strncasecmp(line, "Transfer-Encoding", 17) == 0)
		f->chunked = 1;
	else if (nlen == 10 && strncasecmp(line, "Connection", 10) == 0)
		parse_request_connection(v, vlen, f);
}

/* What the fields together mean for the request. */
static void
parse_request_judge(const struct parse_request_fields *f,
    struct parse_request *out)
{
	if (f->chunked && f->has_length)
		parse_request_fail(out, 400,
		    "Transfer-Encoding with Content-Length");
	if (f->hosts > 1)
		parse_request_fail(out, 400, "more than one Host");
	if (f->hosts == 0 && out->minor >= 1)
		parse_request_fail(out, 400,
		    "an HTTP/1.1 request without Host");
	if (f->chunked || (f->has_length && f->length > 0))
		parse_request_fail(out, 413, "a request with a body");
	if (out->method == PARSE_REQUEST_OTHER)
		parse_request_fail(out, 405, "only GET and HEAD are served");
	if (out->code != 0)
		return;
	if (f->close)
		out->keep_alive = 0;
	else if (f->keep_alive)
		out->keep_alive = 1;
}

void
parse_request(const char *buf, size_t len, struct parse_request *out)
{
	struct parse_request_fields f;
	const char *p = buf, *end = buf + len, *eol;
	unsigned fields = 0;

	out->code = 0;
	out->error = NULL;
	out->method = PARSE_REQUEST_OTHER;
	out->minor = 0;
	out->keep_alive = 0;
	memcpy(out->path, "/", 2);
	memset(&f, 0, sizeof f);
	while (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	eol = p;
	while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
		eol++;
	if (eol + 1 >= end || eol == p) {
		parse_request_fail(out, 400, "no request line");
		return;
	}
	parse_request_line(p, (size_t)(eol - p), out);
	for (p = eol + 2; out->code == 0 && p + 1 < end; p = eol + 2) {
		for (eol = p;
		     eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n');
		     eol++)
			;
		if (eol + 1 >= end) {
			parse_request_fail(out, 400,
			    "a field line without CRLF");
			return;
		}
		if (eol == p)
			break; /* the empty line: the end */
		if (++fields > PARSE_REQUEST_FIELDS_MAX) {
			parse_request_fail(out, 431, "too many header fields");
			return;
		}
		parse_request_field(p, (size_t)(eol - p), &f, out);
	}
	if (out->code == 0)
		parse_request_judge(&f, out);
}
