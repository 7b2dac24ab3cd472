/*
 * The status server's HTTP/1.1 server: a listening socket on the event
 * loop and its connections, bounded in every dimension so that no client
 * can take more than its share of descriptors, memory or time.
 *
 * - Time: a request's whole header section must arrive within
 *   HTTPD_REQUEST_S of the connection's start or of the previous reply's
 *   end (a deadline, not an idle timer a trickle could reset); a reply
 *   must leave within HTTPD_WRITE_S; a handler has HTTPD_HANDLE_S. A
 *   streamed reply (httpd_reply_stream) is bounded twice: each piece must
 *   leave within HTTPD_WRITE_S of being made (a client must read at least
 *   HTTPD_STREAM_LOW bytes in that time), and the whole answer within
 *   HTTPD_STREAM_S; at either deadline the connection is closed and the
 *   producer's state freed.
 * - Memory: one request in flight per connection, at most
 *   HTTPD_HEADERS_MAX bytes read ahead, and nothing more read while a
 *   reply is unsent: a client that pipelines and never reads holds one
 *   reply, or of a streamed reply about HTTPD_STREAM_LOW bytes and one
 *   piece beyond.
 * - Connections: at most HTTPD_CONNS_MAX, HTTPD_PER_ADDR_MAX from one
 *   address, of which at most HTTPD_READING_MAX still reading their
 *   request; beyond, the connection that has waited longest for its
 *   request is answered 503 and closed to make room, so that a client
 *   sending its request at once (/health) is served whatever slow ones
 *   hold. A new connection's request is read at once when it is there.
 * - Descriptors: the server never keeps one of the last ones the process
 *   may open (a quarter of RLIMIT_NOFILE, at least HTTPD_FD_RESERVE_MIN):
 *   those are the probes' and the store's. A connection accepted into
 *   them takes the place of the one that has waited longest for its
 *   request; when there is none, or when accept fails (EMFILE, ENFILE,
 *   ENOBUFS), accepting pauses for HTTPD_PAUSE_MS instead of spinning,
 *   and the log says so at most once a minute, with counts.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stddef.h>
#include <stdint.h>

#define HTTPD_REQUEST_S 5
#define HTTPD_WRITE_S 10
#define HTTPD_STREAM_S 300
/* A streamed reply's next piece is made when less than this is unsent. */
#define HTTPD_STREAM_LOW 32768
#define HTTPD_HANDLE_S 60
#define HTTPD_HEADERS_MAX 8192
#define HTTPD_CONNS_MAX 64
#define HTTPD_PER_ADDR_MAX 32
#define HTTPD_READING_MAX 48
#define HTTPD_FD_RESERVE_MIN 64
#define HTTPD_PAUSE_MS 1000
/* Requests one connection may carry before it is closed. */
#define HTTPD_REQUESTS_MAX 1000

struct event_base;
struct evbuffer;
struct httpd;
struct httpd_req;

enum httpd_method { HTTPD_GET, HTTPD_HEAD };

/* Called for each request to serve; it answers with httpd_reply, now or
 * later from the loop. */
typedef void (*httpd_request_cb)(struct httpd_req *, void *arg);

/* What /metrics shows of the server. */
struct httpd_stats {
	uint64_t connections; /* open now */
	uint64_t accepted; /* connections taken */
	uint64_t refused; /* answered 503 at a cap (new or evicted) */
	uint64_t timeouts; /* closed at a deadline */
	uint64_t bad_requests; /* answered 4xx/5xx by the parser */
	uint64_t accept_pauses; /* accepting paused: reserve or error */
	uint64_t fd_ceiling; /* accept stops at this descriptor number */
};

/*
 * Listen on host:port (numeric or a name, IPv4 or IPv6). NULL with *cause
 * when it cannot. Every request goes to cb.
 */
struct httpd *httpd_new(struct event_base *, const char *host, int port,
    httpd_request_cb cb, void *arg, char **cause);
/* Close everything; requests a handler still holds are freed too. */
void httpd_free(struct httpd *);
void httpd_get_stats(struct httpd *, struct httpd_stats *);

enum httpd_method httpd_req_method(const struct httpd_req *);
/* The request's path as sent (not decoded), without the query. */
const char *httpd_req_path(const struct httpd_req *);
/* 1 when the client is on the loopback (127.0.0.0/8, ::1). */
int httpd_req_loopback(const struct httpd_req *);

/*
 * Answer req with code, a Content-Type and body (may be NULL; drained). A
 * HEAD request gets the headers only. After this req is gone. A request
 * whose connection closed meanwhile is freed without a word.
 */
void httpd_reply(struct httpd_req *, int code, const char *type,
    struct evbuffer *body);

/*
 * Adds the next piece of a streamed body to out; 1 when it was the last
 * (out may then hold nothing more), 0 when more is to come.
 */
typedef int (*httpd_stream_cb)(struct evbuffer *out, void *arg);
typedef void (*httpd_stream_free_cb)(void *arg);

/*
 * Answer req with code and a Content-Type, and a body made piece by piece
 * by produce(arg) whenever less than HTTPD_STREAM_LOW bytes are unsent: as
 * HTTP/1.1 chunks (Transfer-Encoding: chunked) to an HTTP/1.1 client, to
 * an HTTP/1.0 one as it comes, the end of the body being the close. A HEAD
 * request gets the headers only. done(arg) is called once, when the body
 * is whole or the connection is gone (closed, at a deadline, or the
 * server freed); after this call req is gone.
 */
void httpd_reply_stream(struct httpd_req *, int code, const char *type,
    httpd_stream_cb produce, httpd_stream_free_cb done, void *arg);

#endif
