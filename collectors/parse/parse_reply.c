/*
 * The head of an HTTP/1.x response, as parse_reply.h describes it: the
 * status line checked as far as it has come, then field lines up to the
 * empty one. Each call reads from the start (a head is at most a few
 * kilobytes).
 */
#include <string.h>

#include "parse_reply.h"

/* RFC 9110 5.6.2: tchar. */
static int
parse_reply_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* A byte of a reason phrase or a field value. */
static int
parse_reply_text(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * The rest of a line from buf[i]: text up to its CRLF. The offset past the
 * CRLF, 0 when more is needed, -1 (r->error: a control character in what,
 * or a bare CR) when it is not.
 */
static long
parse_reply_eol(const char *buf, size_t i, size_t len, const char *ctl,
    struct parse_reply *r)
{
	for (; i < len && buf[i] != '\r'; i++) {
		if (!parse_reply_text((unsigned char)buf[i])) {
			r->error = ctl;
			return -1;
		}
	}
	if (i + 1 >= len)
		return 0;
	if (buf[i + 1] != '\n') {
		r->error = "a bare CR in the head";
		return -1;
	}
	return (long)(i + 2);
}

/*
 * The status line in buf[0..len): the offset past its CRLF, 0 when it is
 * well formed as far as it goes, -1 (r->error) when it is not.
 */
static long
parse_reply_status(const char *buf, size_t len, struct parse_reply *r)
{
	static const char proto[] = "HTTP/1.";
	/* What each position holds: 'p' proto, 'd' digit, ' ' SP. */
	static const char shape[] = "pppppppd ddd";
	size_t i, n = sizeof shape - 1;

	for (i = 0; i < len && i < n; i++) {
		if (shape[i] == 'p'       ? buf[i] != proto[i]
		        : shape[i] == ' ' ? buf[i] != ' '
		                          : buf[i] < '0' || buf[i] > '9') {
			r->error = "not an HTTP/1.x status line";
			return -1;
		}
	}
	if (len < n)
		return 0;
	r->minor = buf[7] - '0';
	r->code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (r->code < 100 || r->code > 599) {
		r->error = "a status code out of 100 to 599";
		return -1;
	}
	if (len > n && buf[n] != ' ' && buf[n] != '\r') {
		r->error = "not an HTTP/1.x status line";
		return -1;
	}
	return parse_reply_eol(buf, n, len,
	    "a control character in the status line", r);
}

/*
 * The field line at buf[at..len): the offset past its CRLF, 0 when more
 * is needed, -1 (r->error) when it is not one.
 */
static long
parse_reply_field(const char *buf, size_t at, size_t len, struct parse_reply *r)
{
	size_t i = at;

	if (buf[i] == ' ' || buf[i] == '\t') {
		r->error = "a folded field line";
		return -1;
	}
	while (i < len && parse_reply_tchar((unsigned char)buf[i]))
		i++;
	if (i < len && (i == at || buf[i] != ':')) {
		r->error = "a field line without a name and a colon";
		return -1;
	}
	return parse_reply_eol(buf, i, len,
	    "a control character in a field line", r);
}

long
parse_reply_head(const char *buf, size_t len, struct parse_reply *r)
{
	size_t at;
	long end;

	memset(r, 0, sizeof *r);
	if (len > PARSE_REPLY_HEAD_MAX)
		len = PARSE_REPLY_HEAD_MAX + 1;
	if ((end = parse_reply_status(buf, len, r)) <= 0)
		goto more;
	for (at = (size_t)end; at < len; at = (size_t)end) {
		if (buf[at] == '\r') {
			if (at + 1 >= len)
				break;
			if (buf[at + 1] != '\n') {
				r->error = "a bare CR in the head";
				return -1;
			}
			if (at + 2 > PARSE_REPLY_HEAD_MAX)
				break;
			return (long)(at + 2);
		}
		if ((end = parse_reply_field(buf, at, len, r)) <= 0)
			goto more;
	}
	end = 0;
more:
	if (end == 0 && len > PARSE_REPLY_HEAD_MAX) {
		r->error = "a head over 8192 bytes";
		return -1;
	}
	return end;
}
