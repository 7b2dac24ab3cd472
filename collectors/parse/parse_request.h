/*
 * The status server's HTTP/1.1 request parser (RFC 9112), pure: a buffer
 * in, a verdict out; no I/O. The server takes no request body, so only the
 * request line and the header fields are read:
 *
 *	request   = *( CRLF ) request-line *( field-line CRLF ) CRLF
 *	request-line = method SP request-target SP HTTP-version CRLF
 *	field-line = field-name ":" OWS field-value OWS
 *
 * Strict where laxness lets two parsers read one message two ways: a bare
 * LF or bare CR, white space before a field's colon, a folded (obs-fold)
 * line, a second Host, Content-Length values that disagree or are not
 * digits, and Transfer-Encoding beside Content-Length are each a 400. A
 * body announced in any way (Content-Length above 0, Transfer-Encoding) is
 * a 413: the server reads none, so it answers and closes. Methods other
 * than GET and HEAD are a 405, an HTTP version other than 1.x a 505, a
 * request-target over PARSE_REQUEST_PATH_MAX bytes a 414, more than
 * PARSE_REQUEST_FIELDS_MAX field lines a 431. The request-target is
 * origin-form ("/a/b?q") or absolute-form ("http://host/a/b?q", RFC 9112
 * 3.2.2); its path is kept as sent (not decoded), without the query.
 */
#ifndef PARSE_REQUEST_H
#define PARSE_REQUEST_H

#include <stddef.h>

#define PARSE_REQUEST_PATH_MAX 2048
#define PARSE_REQUEST_FIELDS_MAX 100

enum parse_request_method {
	PARSE_REQUEST_GET,
	PARSE_REQUEST_HEAD,
	PARSE_REQUEST_OTHER
};

struct parse_request {
	int code; /* 0: a request to serve; else the status to answer */
	const char *error; /* why code is not 0 (a static string) */
	enum parse_request_method method;
	int minor; /* HTTP/1.minor */
	int keep_alive; /* the connection may carry another request */
	char path[PARSE_REQUEST_PATH_MAX + 1];
};

/* How far parse_request_end has looked; zeroed before a request. */
struct parse_request_scan {
	size_t pos; /* the next byte to look at */
	size_t line; /* where the current line starts */
	int started; /* a line other than an empty one was seen */
};

/*
 * Where the request's header section ends in buf[0..len): the offset just
 * past its empty line, 0 when it has not ended yet, or -1 when a bare LF
 * or bare CR came first. *scan remembers how far earlier calls looked (buf
 * only grows between them), so that a request arriving a byte at a time
 * is not scanned again from its start each time. Empty lines before the
 * request line are skipped (RFC 9112 2.2).
 */
long parse_request_end(const char *buf, size_t len,
    struct parse_request_scan *scan);

/*
 * Parse the header section buf[0..len) that parse_request_end found into
 * *out, which is always filled: out->code 0, or the status to answer with
 * out->error.
 */
void parse_request(const char *buf, size_t len, struct parse_request *out);

#endif
