/*
 * The tool's side of /api/v1/flush: before it reads an RRD file it asks
 * the daemon on status_listen to write what it holds back for it
 * (store.write_delay), so that a graph, a report or an export shows every
 * value the daemon has received. The first ASKFLUSH_FILES files are asked
 * for one by one (`itfollow last` costs the daemon one file); a command
 * that reads more asks once for every file, and no more. A daemon that
 * does not answer (not running) holds nothing; one that answers late or
 * with an error is reported once and the files are read as they are.
 *
 * The request is one GET over a socket of our own, not libcurl: it goes
 * to our own daemon, and loading libcurl and what it links would cost a
 * one-graph command more than the graph's data. The answer's head is
 * read under one deadline, at most PARSE_REPLY_HEAD_MAX bytes, and
 * parsed by parse_reply.c; its body is not read.
 */
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "askflush.h"
#include "conf.h"
#include "parse_reply.h"
#include "xmalloc.h"

#define ASKFLUSH_FILES 8
#define ASKFLUSH_TIMEOUT_MS 15000L
#define ASKFLUSH_CONNECT_MS 1000L

static unsigned askflush_asked;
static int askflush_done; /* every file asked for, or no daemon */

/* Where the daemon listens: the host to connect to, as a URL names it. */
struct askflush_addr {
	char *host; /* for getaddrinfo: "127.0.0.1", "::1", a name */
	char *authority; /* for the URL and Host: "127.0.0.1:8080" */
	const char *port;
};

static long long
askflush_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* status_listen's host and port, wildcards turned into the loopback: 0,
 * or -1 when it has no port. */
static int
askflush_addr(const char *listen, struct askflush_addr *a)
{
	const char *colon = strrchr(listen, ':');
	char *h;
	size_t n;

	if (colon == NULL)
		return -1;
	h = xstrndup(listen, (size_t)(colon - listen));
	if ((n = strlen(h)) >= 2 && h[0] == '[' && h[n - 1] == ']') {
		memmove(h, h + 1, n - 2);
		h[n - 2] = '\0';
	}
	if (h[0] == '\0' || strcmp(h, "*") == 0 || strcmp(h, "0.0.0.0") == 0) {
		free(h);
		h = xstrdup("127.0.0.1");
	} else if (strcmp(h, "::") == 0) {
		free(h);
		h = xstrdup("::1");
	}
	a->host = h;
	a->port = colon + 1;
	xasprintf(&a->authority, strchr(h, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    h, a->port);
	return 0;
}

/* What follows /api/v1/flush for path: "" (every file) or "/p/s/x". */
static char *
askflush_what(const struct conf *conf, const char *path)
{
	size_t dlen = strlen(conf->data_dir), plen = strlen(path);
	char *rel;

	if (askflush_asked >= ASKFLUSH_FILES ||
	    strncmp(path, conf->data_dir, dlen) != 0 ||
	    strncmp(path + dlen, "/rrd/", 5) != 0 || plen < dlen + 5 + 4 ||
	    strcmp(path + plen - 4, ".rrd") != 0) {
		askflush_done = 1;
		return xstrdup("");
	}
	askflush_asked++;
	rel = xstrndup(path + dlen + 4, plen - dlen - 4 - 4);
	return rel;
}

/* Wait for events on fd until deadline (ms): 1 ready, 0 timed out. */
static int
askflush_wait(int fd, short events, long long deadline)
{
	struct pollfd pfd = { fd, events, 0 };
	long long left;
	int rc;

	while ((left = deadline - askflush_now_ms()) > 0) {
		rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return 1; /* the call that follows says why */
	}
	return 0;
}

/* Connect a socket to one address within ASKFLUSH_CONNECT_MS: the
 * socket, or -1 with *err (an errno; ETIMEDOUT when it took too long). */
static int
askflush_connect_one(const struct addrinfo *ai, int *err)
{
	socklen_t len = sizeof(int);
	int fd;

	*err = 0;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		*err = errno;
	else if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		*err = errno;
		if (*err == EINPROGRESS) {
			*err = ETIMEDOUT;
			if (askflush_wait(fd, POLLOUT,
			        askflush_now_ms() + ASKFLUSH_CONNECT_MS) &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) !=
			        0)
				*err = errno;
		}
	}
	if (*err == 0)
		return fd;
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * Connect to a, trying each of its addresses (a name may give ::1 and
 * 127.0.0.1): the socket, -1 with *refused set when every address
 * refused (nobody listens), or -1 with *cause.
 */
static int
askflush_connect(const struct askflush_addr *a, int *refused, char **cause)
{
	struct addrinfo hints, *ai = NULL, *p;
	int fd = -1, err = 0, other = 0, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(a->host, a->port, &hints, &ai)) != 0) {
		xasprintf(cause, "cannot resolve %s: %s", a->host,
		    gai_strerror(rc));
		return -1;
	}
	for (p = ai; p != NULL && fd == -1; p = p->ai_next) {
		if ((fd = askflush_connect_one(p, &err)) == -1 &&
		    err != ECONNREFUSED)
			other = err;
	}
	freeaddrinfo(ai);
	if (fd != -1)
		return fd;
	if (other == 0)
		*refused = 1;
	else if (other == ETIMEDOUT)
		xasprintf(cause, "no connection after %ld ms",
		    ASKFLUSH_CONNECT_MS);
	else
		xasprintf(cause, "cannot connect: %s", strerror(other));
	return -1;
}

/* Send all of req on fd before deadline: 0, or -1 with *cause. */
static int
askflush_send(int fd, const char *req, long long deadline, char **cause)
{
	size_t off = 0, len = strlen(req);
	ssize_t n;

	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			xasprintf(cause, "cannot send: %s", strerror(errno));
			return -1;
		}
		if (!askflush_wait(fd, POLLOUT, deadline)) {
			xasprintf(cause, "no answer within %ld ms",
			    ASKFLUSH_TIMEOUT_MS);
			return -1;
		}
	}
	return 0;
}

/* Read the answer's head on fd before deadline: its status code, or -1
 * with *cause. */
static int
askflush_recv(int fd, long long deadline, char **cause)
{
	char buf[PARSE_REPLY_HEAD_MAX + 1];
	struct parse_reply r;
	size_t len = 0;
	ssize_t n;
	long end;

	for (;;) {
		if (!askflush_wait(fd, POLLIN, deadline)) {
			xasprintf(cause, "no answer within %ld ms",
			    ASKFLUSH_TIMEOUT_MS);
			return -1;
		}
		n = recv(fd, buf + len, sizeof buf - len, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			xasprintf(cause, "cannot read the answer: %s",
			    strerror(errno));
			return -1;
		}
		len += (size_t)n;
		if ((end = parse_reply_head(buf, len, &r)) > 0)
			return r.code;
		if (end < 0) {
			xasprintf(cause, "not an HTTP answer: %s", r.error);
			return -1;
		}
		if (n == 0) {
			xasprintf(cause,
			    "the connection closed before an answer");
			return -1;
		}
	}
}

/*
 * GET path of the daemon at a: its status code, 0 when nobody listens
 * (no daemon), or -1 with *cause.
 */
static int
askflush_get(const struct askflush_addr *a, const char *path, char **cause)
{
	long long deadline = askflush_now_ms() + ASKFLUSH_TIMEOUT_MS;
	int fd, refused = 0, code = -1;
	char *req;

	if ((fd = askflush_connect(a, &refused, cause)) == -1)
		return refused ? 0 : -1;
	xasprintf(&req,
	    "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: itfollow/" ITF_VERSION
	    "\r\nConnection: close\r\n\r\n",
	    path, a->authority);
	if (askflush_send(fd, req, deadline, cause) == 0)
		code = askflush_recv(fd, deadline, cause);
	free(req);
	close(fd);
	return code;
}

void
askflush_file(const struct conf *conf, const char *path)
{
	struct askflush_addr a;
	char *what, *target, *cause = NULL;
	int code;

	if (askflush_done || conf->status_listen == NULL)
		return;
	if (askflush_addr(conf->status_listen, &a) != 0)
		return;
	what = askflush_what(conf, path);
	xasprintf(&target, "/api/v1/flush%s", what);
	code = askflush_get(&a, target, &cause);
	/* Nobody listening: no daemon, nothing held. */
	if (code == 0)
		askflush_done = 1;
	else if (code != 200) {
		fprintf(stderr,
		    "itfollow: http://%s%s: %s (reading the files as they are; values the daemon holds back may be missing)\n",
		    a.authority, target,
		    code == -1        ? cause
		        : code == 404 ? "not served"
		                      : "refused");
		askflush_done = 1;
	}
	free(cause);
	free(target);
	free(what);
	free(a.host);
	free(a.authority);
}
