/*
 * The status server's connections: accept, read one request head at a
 * time (parse_request.c), hand it to the status server, write its reply,
 * and keep every connection inside the bounds httpd.h lists. A connection
 * is READING (its request head, against a deadline), HANDLING (a handler
 * holds its request; nothing is read), or WRITING (its reply; nothing is
 * read). Connections reading are kept in the order they started waiting,
 * so the one that has waited longest is the first made to give way. A
 * streamed reply is made while WRITING, a write per turn of the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "log.h"
#include "parse_request.h"
#include "xmalloc.h"

#define HTTPD_ACCEPT_BATCH 16
#define HTTPD_BACKLOG 128

enum httpd_state { HTTPD_READING, HTTPD_HANDLING, HTTPD_WRITING };

struct httpd_conn;

struct httpd_req {
	struct httpd_conn *conn;
	enum httpd_method method;
	char path[PARSE_REQUEST_PATH_MAX + 1];
};

struct httpd_conn {
	TAILQ_ENTRY(httpd_conn) entry; /* all, or zombies */
	TAILQ_ENTRY(httpd_conn) rentry; /* reading, while READING */
	struct httpd *h;
	int fd; /* -1: closed while a handler holds its request */
	unsigned char addr[17]; /* family, then the address */
	enum httpd_state state;
	struct event *rev, *wev, *timer;
	struct evbuffer *in, *out;
	struct parse_request_scan scan;
	unsigned requests;
	int keep_alive; /* of the request being answered */
	int eof; /* the client sent FIN */
	int minor, chunked; /* HTTP/1.minor of the request; its reply's */
	struct httpd_req req;
	/* A streamed reply being made: produce is NULL when none. */
	httpd_stream_cb produce;
	httpd_stream_free_cb done;
	void *sarg;
	struct evbuffer *piece;
	time_t stream_end; /* the whole answer's deadline (monotonic s) */
};

TAILQ_HEAD(httpd_conns, httpd_conn);

struct httpd {
	struct event_base *base;
	int fd;
	struct event *lev, *pause;
	httpd_request_cb cb;
	void *arg;
	struct httpd_conns all, reading, zombies;
	size_t nreading;
	int fd_ceiling, nofile;
	struct httpd_stats st;
	struct log_limit pause_log;
};

static void httpd_read_cb(evutil_socket_t, short, void *);
static void httpd_write_cb(evutil_socket_t, short, void *);
static void httpd_timer_cb(evutil_socket_t, short, void *);

static void
httpd_timer(struct httpd_conn *c, int secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(c->timer, &tv);
}

/* Close the socket and stop its events; the struct may live on. */
static void
httpd_close_fd(struct httpd_conn *c)
{
	struct httpd *h = c->h;

	if (c->fd == -1)
		return;
	if (c->state == HTTPD_READING) {
		TAILQ_REMOVE(&h->reading, c, rentry);
		h->nreading--;
	}
	TAILQ_REMOVE(&h->all, c, entry);
	h->st.connections--;
	event_free(c->rev);
	event_free(c->wev);
	event_free(c->timer);
	c->rev = c->wev = c->timer = NULL;
	close(c->fd);
	c->fd = -1;
}

static time_t
httpd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* The streamed reply is whole or abandoned: free its producer's state. */
static void
httpd_stream_stop(struct httpd_conn *c)
{
	if (c->produce == NULL)
		return;
	c->produce = NULL;
	c->done(c->sarg);
	evbuffer_free(c->piece);
	c->piece = NULL;
}

static void
httpd_conn_free(struct httpd_conn *c)
{
	httpd_stream_stop(c);
	httpd_close_fd(c);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	free(c);
}

/*
 * A short answer to a connection about to be closed, written without
 * waiting; what the client sent is read first, so that closing does not
 * reset the connection and lose the answer.
 */
static void
httpd_last_word(int fd, int code, const char *reason, const char *text)
{
	char buf[512];
	int n;

	while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;
	n = snprintf(buf, sizeof buf,
	    "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n%s",
	    code, reason, strlen(text), text);
	if (n > 0 && (size_t)n < sizeof buf)
		(void)send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
}

static const char *
httpd_reason(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Error";
	}
}

/* Answer code with text and close: bad requests, deadlines, caps. */
static void
httpd_give_up(struct httpd_conn *c, int code, const char *text)
{
	char msg[160];

	snprintf(msg, sizeof msg, "%s\n", text);
	httpd_last_word(c->fd, code, httpd_reason(code), msg);
	httpd_conn_free(c);
}

/* The connection that has waited longest for its request (from addr). */
static struct httpd_conn *
httpd_oldest_reading(struct httpd *h, const unsigned char *addr)
{
	struct httpd_conn *c;

	TAILQ_FOREACH(c, &h->reading, rentry)
	{
		if (addr == NULL || memcmp(c->addr, addr, sizeof c->addr) == 0)
			return c;
	}
	return NULL;
}

static void
httpd_to_reading(struct httpd_conn *c)
{
	struct httpd *h = c->h;

	c->state = HTTPD_READING;
	memset(&c->scan, 0, sizeof c->scan);
	TAILQ_INSERT_TAIL(&h->reading, c, rentry);
	h->nreading++;
	event_add(c->rev, NULL);
	httpd_timer(c, HTTPD_REQUEST_S);
}

static void
httpd_leave_reading(struct httpd_conn *c, enum httpd_state to)
{
	struct httpd *h = c->h;

	TAILQ_REMOVE(&h->reading, c, rentry);
	h->nreading--;
	event_del(c->rev);
	c->state = to;
}

/* A request head is whole in c->in: parse it and hand it on. */
static void
httpd_serve(struct httpd_conn *c, long end)
{
	struct httpd *h = c->h;
	struct parse_request pr;
	const char *buf;

	buf = (const char *)evbuffer_pullup(c->in, end);
	parse_request(buf, (size_t)end, &pr);
	evbuffer_drain(c->in, (size_t)end);
	if (pr.code != 0) {
		h->st.bad_requests++;
		log_debug("status: request refused (%d): %s", pr.code,
		    pr.error);
		httpd_give_up(c, pr.code, pr.error);
		return;
	}
	httpd_leave_reading(c, HTTPD_HANDLING);
	httpd_timer(c, HTTPD_HANDLE_S);
	c->requests++;
	c->keep_alive =
	    pr.keep_alive && !c->eof && c->requests < HTTPD_REQUESTS_MAX;
	c->minor = pr.minor;
	c->req.method =
	    pr.method == PARSE_REQUEST_HEAD ? HTTPD_HEAD : HTTPD_GET;
	memcpy(c->req.path, pr.path, sizeof c->req.path);
	/* The handler may answer at once, and c be gone after. */
	h->cb(&c->req, h->arg);
}

/* Look at what c->in holds: a whole request is served. */
static void
httpd_process(struct httpd_conn *c)
{
	size_t len = evbuffer_get_length(c->in);
	const char *buf;
	long end;

	if (len == 0) {
		if (c->eof)
			httpd_conn_free(c);
		return;
	}
	buf = (const char *)evbuffer_pullup(c->in, -1);
	end = parse_request_end(buf, len, &c->scan);
	if (end > 0) {
		httpd_serve(c, end);
		return;
	}
	if (end < 0) {
		c->h->st.bad_requests++;
		httpd_give_up(c, 400, "a bare LF or CR in the request head");
	} else if (len >= HTTPD_HEADERS_MAX) {
		c->h->st.bad_requests++;
		httpd_give_up(c, 431, "the request head is too large");
	} else if (c->eof)
		httpd_conn_free(c);
}

static void
httpd_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd_conn *c = arg;
	size_t have = evbuffer_get_length(c->in);
	int n;

	if (c->state != HTTPD_READING)
		return;
	if (have < HTTPD_HEADERS_MAX && !c->eof) {
		n = evbuffer_read(c->in, c->fd,
		    (int)(HTTPD_HEADERS_MAX - have));
		if (n == 0)
			c->eof = 1;
		else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			httpd_conn_free(c);
			return;
		}
	}
	httpd_process(c);
}

/* Pieces of a streamed reply (chunks in HTTP/1.1) until HTTPD_STREAM_LOW
 * bytes are unsent: the client has HTTPD_WRITE_S more, to stream_end. */
static void
httpd_stream_fill(struct httpd_conn *c)
{
	size_t n;
	time_t left;
	int last;

	while (c->produce != NULL &&
	    evbuffer_get_length(c->out) < HTTPD_STREAM_LOW) {
		left = c->stream_end - httpd_now();
		httpd_timer(c,
		    left < 1                   ? 1
		        : left < HTTPD_WRITE_S ? (int)left
		                               : HTTPD_WRITE_S);
		last = c->produce(c->piece, c->sarg);
		n = evbuffer_get_length(c->piece);
		if (n > 0 && c->chunked)
			evbuffer_add_printf(c->out, "%zx\r\n", n);
		evbuffer_add_buffer(c->out, c->piece);
		if (n > 0 && c->chunked)
			evbuffer_add(c->out, "\r\n", 2);
		if (last) {
			if (c->chunked)
				evbuffer_add(c->out, "0\r\n\r\n", 5);
			httpd_stream_stop(c);
		} else if (n == 0)
			break; /* nothing this time: again on the next turn */
	}
}

/* Write what is pending; when all is out, read the next request. */
static void
httpd_write(struct httpd_conn *c)
{
	int n;

	httpd_stream_fill(c);
	while (evbuffer_get_length(c->out) > 0) {
		n = evbuffer_write(c->out, c->fd);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			event_add(c->wev, NULL);
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			httpd_conn_free(c);
			return;
		}
		if (c->produce != NULL)
			break; /* the next piece on the next turn */
	}
	if (c->produce != NULL) {
		event_add(c->wev, NULL);
		return;
	}
	event_del(c->wev);
	if (!c->keep_alive) {
		shutdown(c->fd, SHUT_WR);
		httpd_conn_free(c);
		return;
	}
	httpd_to_reading(c);
	/* A request that came with the last one (pipelined) is served on
	 * the next turn of the loop, not from inside this reply. */
	if (evbuffer_get_length(c->in) > 0)
		event_active(c->rev, EV_READ, 0);
}

static void
httpd_write_cb(evutil_socket_t fd, short what, void *arg)
{
	httpd_write(arg);
}

static void
httpd_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd_conn *c = arg;
	struct httpd *h = c->h;

	switch (c->state) {
	case HTTPD_READING:
		if (evbuffer_get_length(c->in) == 0 && c->requests > 0) {
			httpd_conn_free(c); /* an idle keep-alive: quietly */
			return;
		}
		h->st.timeouts++;
		httpd_give_up(c, 408, "the request took too long");
		return;
	case HTTPD_HANDLING:
		/* The handler still holds the request: close, keep it. */
		h->st.timeouts++;
		httpd_close_fd(c);
		TAILQ_INSERT_TAIL(&h->zombies, c, entry);
		return;
	case HTTPD_WRITING:
		h->st.timeouts++;
		httpd_conn_free(c);
		return;
	}
}

enum httpd_method
httpd_req_method(const struct httpd_req *req)
{
	return req->method;
}

const char *
httpd_req_path(const struct httpd_req *req)
{
	return req->path;
}

int
httpd_req_loopback(const struct httpd_req *req)
{
	static const unsigned char v6lo[16] = { [15] = 1 };
	static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const unsigned char *a = req->conn->addr;

	if (a[0] == AF_INET)
		return a[1] == 127;
	if (a[0] == AF_INET6)
		return memcmp(a + 1, v6lo, 16) == 0 ||
		    (memcmp(a + 1, v4mapped, 12) == 0 && a[13] == 127);
	return 0;
}

/* A request whose connection was closed while a handler held it. */
static void
httpd_zombie_free(struct httpd_conn *c)
{
	TAILQ_REMOVE(&c->h->zombies, c, entry);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	free(c);
}

void
httpd_reply(struct httpd_req *req, int code, const char *type,
    struct evbuffer *body)
{
	struct httpd_conn *c = req->conn;
	size_t len = body != NULL ? evbuffer_get_length(body) : 0;

	if (c->fd == -1) {
		httpd_zombie_free(c);
		if (body != NULL)
			evbuffer_drain(body, len);
		return;
	}
	evbuffer_add_printf(c->out,
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\nConnection: %s\r\n\r\n",
	    code, httpd_reason(code), type, len,
	    c->keep_alive ? "keep-alive" : "close");
	if (body != NULL) {
		if (req->method == HTTPD_HEAD)
			evbuffer_drain(body, len);
		else
			evbuffer_remove_buffer(body, c->out, len);
	}
	c->state = HTTPD_WRITING;
	httpd_timer(c, HTTPD_WRITE_S);
	httpd_write(c);
}

void
httpd_reply_stream(struct httpd_req *req, int code, const char *type,
    httpd_stream_cb produce, httpd_stream_free_cb done, void *arg)
{
	struct httpd_conn *c = req->conn;

	if (c->fd == -1) {
		httpd_zombie_free(c);
		done(arg);
		return;
	}
	c->chunked = c->minor >= 1;
	if (!c->chunked)
		c->keep_alive = 0; /* the close ends the body */
	evbuffer_add_printf(c->out,
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%sCache-Control: no-store\r\nConnection: %s\r\n\r\n",
	    code, httpd_reason(code), type,
	    c->chunked ? "Transfer-Encoding: chunked\r\n" : "",
	    c->keep_alive ? "keep-alive" : "close");
	c->state = HTTPD_WRITING;
	httpd_timer(c, HTTPD_WRITE_S);
	if (req->method == HTTPD_HEAD)
		done(arg);
	else {
		c->produce = produce;
		c->done = done;
		c->sarg = arg;
		c->piece = evbuffer_new();
		c->stream_end = httpd_now() + HTTPD_STREAM_S;
	}
	httpd_write(c);
}

/* Stop accepting for a while: at the descriptor reserve, or on error. */
static void
httpd_pause(struct httpd *h, const char *why)
{
	struct timeval tv = { HTTPD_PAUSE_MS / 1000,
		(HTTPD_PAUSE_MS % 1000) * 1000 };

	h->st.accept_pauses++;
	event_del(h->lev);
	evtimer_add(h->pause, &tv);
	log_limited(&h->pause_log, LOG_WARNING,
	    "status server: not accepting connections for %d ms: %s",
	    HTTPD_PAUSE_MS, why);
}

static void
httpd_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd *h = arg;

	event_add(h->lev, NULL);
}

static void
httpd_addr_key(const struct sockaddr_storage *ss, unsigned char key[17])
{
	memset(key, 0, 17);
	key[0] = (unsigned char)ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    16);
}

/*
 * Room for a new connection from addr: 0, after closing the connection
 * that has waited longest for its request when a cap is reached; -1 when
 * every connection is busy answering (the new one is refused).
 */
static int
httpd_make_room(struct httpd *h, const unsigned char *addr)
{
	struct httpd_conn *c, *victim = NULL;
	size_t same = 0;

	TAILQ_FOREACH(c, &h->all, entry)
	{
		if (memcmp(c->addr, addr, sizeof c->addr) == 0)
			same++;
	}
	if (same >= HTTPD_PER_ADDR_MAX) {
		if ((victim = httpd_oldest_reading(h, addr)) == NULL)
			return -1;
	} else if (h->nreading >= HTTPD_READING_MAX ||
	    h->st.connections >= HTTPD_CONNS_MAX) {
		if ((victim = httpd_oldest_reading(h, NULL)) == NULL)
			return -1;
	}
	if (victim == NULL)
		return 0;
	if (evbuffer_get_length(victim->in) == 0 && victim->requests > 0) {
		httpd_conn_free(victim); /* idle between requests */
		return 0;
	}
	h->st.refused++;
	httpd_give_up(victim, 503, "too many connections");
	return 0;
}

static void
httpd_admit(struct httpd *h, int fd, const struct sockaddr_storage *ss)
{
	struct httpd_conn *c;
	unsigned char key[17];

	httpd_addr_key(ss, key);
	if (httpd_make_room(h, key) != 0) {
		h->st.refused++;
		httpd_last_word(fd, 503, "Service Unavailable",
		    "too many connections\n");
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->h = h;
	c->fd = fd;
	memcpy(c->addr, key, sizeof c->addr);
	c->req.conn = c;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->rev = event_new(h->base, fd, EV_READ | EV_PERSIST, httpd_read_cb, c);
	c->wev =
	    event_new(h->base, fd, EV_WRITE | EV_PERSIST, httpd_write_cb, c);
	c->timer = evtimer_new(h->base, httpd_timer_cb, c);
	TAILQ_INSERT_TAIL(&h->all, c, entry);
	h->st.connections++;
	h->st.accepted++;
	httpd_to_reading(c);
	/* Most clients' requests are there already: serve them now, before
	 * anyone else can make them give way. */
	httpd_read_cb(fd, EV_READ, c);
}

/*
 * A connection accepted at or above the ceiling: the one that has waited
 * longest for its request makes room, and the new one moves into its
 * descriptor (below the ceiling), so that a slow crowd cannot keep a new
 * request out. -1 (fd closed) when every connection is busy answering.
 */
static int
httpd_below(struct httpd *h, int fd)
{
	struct httpd_conn *victim = httpd_oldest_reading(h, NULL);
	int low;

	if (victim == NULL) {
		close(fd);
		return -1;
	}
	if (evbuffer_get_length(victim->in) != 0 || victim->requests == 0) {
		h->st.refused++;
		httpd_give_up(victim, 503, "too many connections");
	} else
		httpd_conn_free(victim);
	low = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	close(fd);
	if (low != -1 && low >= h->fd_ceiling) {
		close(low);
		low = -1;
	}
	return low;
}

static void
httpd_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct httpd *h = arg;
	struct sockaddr_storage ss;
	socklen_t sl;
	char why[128];
	int i, fd;

	for (i = 0; i < HTTPD_ACCEPT_BATCH; i++) {
		sl = sizeof ss;
		fd = accept4(h->fd, (struct sockaddr *)&ss, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EPROTO || errno == EPERM)
				continue;
			snprintf(why, sizeof why, "accept: %s",
			    strerror(errno));
			httpd_pause(h, why);
			return;
		}
		if (fd >= h->fd_ceiling && (fd = httpd_below(h, fd)) == -1) {
			snprintf(why, sizeof why,
			    "descriptor %d reached: the %d above it are kept for probes and the store",
			    h->fd_ceiling, h->nofile - h->fd_ceiling);
			httpd_pause(h, why);
			return;
		}
		httpd_admit(h, fd, &ss);
	}
}

/* Descriptors at and above the ceiling are never taken by accept. */
static void
httpd_fd_ceiling(struct httpd *h)
{
	struct rlimit rl;
	rlim_t cur = 1024, reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		cur = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1048576
		    ? 1048576
		    : rl.rlim_cur;
	reserve =
	    cur / 4 > HTTPD_FD_RESERVE_MIN ? cur / 4 : HTTPD_FD_RESERVE_MIN;
	h->nofile = (int)cur;
	h->fd_ceiling =
	    cur <= reserve + 8 ? (int)(cur / 2) : (int)(cur - reserve);
}

static int
httpd_listen(const char *host, int port, char **cause)
{
	struct addrinfo hints, *res = NULL;
	char serv[16];
	int fd, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &res)) != 0) {
		xasprintf(cause, "status server: %s: %s", host,
		    gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family,
	    res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, HTTPD_BACKLOG) != 0) {
		xasprintf(cause, "status server: cannot listen on %s:%d: %s",
		    host, port, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

struct httpd *
httpd_new(struct event_base *base, const char *host, int port,
    httpd_request_cb cb, void *arg, char **cause)
{
	struct httpd *h;
	int fd;

	if ((fd = httpd_listen(host, port, cause)) == -1)
		return NULL;
	h = xcalloc(1, sizeof *h);
	h->base = base;
	h->fd = fd;
	h->cb = cb;
	h->arg = arg;
	TAILQ_INIT(&h->all);
	TAILQ_INIT(&h->reading);
	TAILQ_INIT(&h->zombies);
	httpd_fd_ceiling(h);
	h->st.fd_ceiling = (uint64_t)h->fd_ceiling;
	h->lev = event_new(base, fd, EV_READ | EV_PERSIST, httpd_accept_cb, h);
	h->pause = evtimer_new(base, httpd_resume_cb, h);
	event_add(h->lev, NULL);
	return h;
}

void
httpd_free(struct httpd *h)
{
	struct httpd_conn *c;

	if (h == NULL)
		return;
	while ((c = TAILQ_FIRST(&h->all)) != NULL)
		httpd_conn_free(c);
	while ((c = TAILQ_FIRST(&h->zombies)) != NULL) {
		TAILQ_REMOVE(&h->zombies, c, entry);
		httpd_conn_free(c);
	}
	event_free(h->lev);
	event_free(h->pause);
	close(h->fd);
	free(h);
}

void
httpd_get_stats(struct httpd *h, struct httpd_stats *out)
{
	*out = h->st;
}
