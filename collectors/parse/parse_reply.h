/*
 * The head of an HTTP/1.x response (RFC 9112), pure: a buffer in, a
 * verdict out; no I/O. The tool reads its own daemon's answer to a flush
 * request with it (tools/askflush.c), where only the status matters:
 *
 *	reply       = status-line *( field-line CRLF ) CRLF
 *	status-line = "HTTP/1." DIGIT SP 3DIGIT [ SP reason-phrase ] CRLF
 *	field-line  = field-name ":" OWS field-value OWS
 *
 * field-name is a token; reason-phrase and field-value are visible
 * characters, spaces, tabs and bytes of 0x80 and above. Strict: a bare LF
 * or bare CR, a line folded on the next (obs-fold), a status code out of
 * 100 to 599, or a head longer than PARSE_REPLY_HEAD_MAX bytes is an
 * error. The body is not read.
 */
#ifndef PARSE_REPLY_H
#define PARSE_REPLY_H

#include <stddef.h>

#define PARSE_REPLY_HEAD_MAX 8192

struct parse_reply {
	int code; /* the status code, 100 to 599 */
	int minor; /* HTTP/1.minor */
	const char *error; /* why it is not a reply (a static string) */
};

/*
 * Read the head in buf[0..len): the offset just past its empty line, with
 * r->code and r->minor, when it is complete and well formed; 0 when what
 * there is is well formed so far and more is needed; -1 with r->error
 * when it is not a reply (or its head is over PARSE_REPLY_HEAD_MAX).
 */
long parse_reply_head(const char *buf, size_t len, struct parse_reply *r);

#endif
