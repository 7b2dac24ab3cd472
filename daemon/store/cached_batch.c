/*
 * The updates sent to rrdcached in batches, and its STATS, on a
 * connection of our own: librrd's client sends one request and waits for
 * one answer per file, and resolves each file's path again. A batch is
 * BATCH (answered "0 Go ahead" when rrdcached's -P allows it), one UPDATE
 * line per command, a dot, then rrdcached's count of errors and, for each
 * refused command, its number and message (collectors/parse/
 * parse_cached.c reads the answers). Every send and read has a deadline:
 * an rrdcached that stops reading or answering is taken as gone after
 * CACHED_BATCH_TIMEOUT_MS. Only the store's writer thread calls these. A
 * broken connection, a deadline passed or an answer that is not
 * rrdcached's is CACHED_LOST: nothing of the batch can be trusted; a
 * refused command is CACHED_REFUSED for the file it was for.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cached.h"
#include "parse_cached.h"
#include "xmalloc.h"

/* rrdcached reads a command line into 4 KiB: each stays below that. */
#define CACHED_REQUEST_MAX 4000
/* rrdcached's port when the address has none. */
#define CACHED_PORT "42217"

/* One command of the batch. */
struct cached_cmd {
	uint32_t nvals; /* the updates it carries */
	uint32_t refused; /* rrdcached refused it: its message is in errs */
};

static int cached_fd = -1;
static char *cached_addr; /* what cached_fd is connected to */
static char *cached_buf; /* the batch's commands */
static size_t cached_len, cached_cap;
static struct cached_cmd *cached_cmds;
static size_t cached_ncmd, cached_capcmd;
static char *cached_errs; /* "<cmd>\0<message>\0" of each refused one */
static size_t cached_elen, cached_ecap;
static int cached_nobatch; /* rrdcached refused BATCH on this connection */
static char cached_rbuf[PARSE_CACHED_LINE_MAX + 1]; /* answer read */
static size_t cached_rlen;
static uint64_t cached_nacked; /* commands rrdcached took, since start */

static void
cached_batch_put(const char *s, size_t n)
{
	if (cached_len + n > cached_cap) {
		cached_cap = (cached_len + n) * 2;
		cached_buf = xrealloc(cached_buf, cached_cap);
	}
	memcpy(cached_buf + cached_len, s, n);
	cached_len += n;
}

/* A file name as rrdcached reads it: space and backslash escaped. */
static size_t
cached_batch_name(const char *name)
{
	const char *p, *run;
	size_t n = 0;

	for (p = run = name; *p != '\0'; p++) {
		if (*p != ' ' && *p != '\\')
			continue;
		cached_batch_put(run, (size_t)(p - run));
		cached_batch_put("\\", 1);
		n += (size_t)(p - run) + 1;
		run = p;
	}
	cached_batch_put(run, (size_t)(p - run));
	return n + (size_t)(p - run);
}

void
cached_batch_reset(void)
{
	cached_ncmd = 0;
	cached_len = 0;
	cached_elen = 0;
}

size_t
cached_batch_size(void)
{
	return cached_len;
}

/* A new command; its entry. */
static struct cached_cmd *
cached_batch_cmd(void)
{
	struct cached_cmd *c;

	if (cached_ncmd == cached_capcmd) {
		cached_capcmd = cached_capcmd == 0 ? 64 : cached_capcmd * 2;
		cached_cmds = xreallocarray(cached_cmds, cached_capcmd,
		    sizeof *cached_cmds);
	}
	c = &cached_cmds[cached_ncmd++];
	c->nvals = 0;
	c->refused = 0;
	return c;
}

size_t
cached_batch_add(const char *dir, const char *name, const char *const *vals,
    size_t n, size_t *ncmd)
{
	size_t first = cached_ncmd, i = 0, len, vlen;
	struct cached_cmd *c;

	*ncmd = 0;
	while (i < n) {
		c = cached_batch_cmd();
		(*ncmd)++;
		cached_batch_put("UPDATE ", 7);
		len = 7 + (dir != NULL ? cached_batch_name(dir) : 0);
		len += cached_batch_name(name);
		do {
			vlen = strlen(vals[i]);
			cached_batch_put(" ", 1);
			cached_batch_put(vals[i], vlen);
			len += vlen + 1;
			c->nvals++;
			i++;
		} while (
		    i < n && len + strlen(vals[i]) + 1 <= CACHED_REQUEST_MAX);
		cached_batch_put("\n", 1);
	}
	return first;
}

/* Connect to a unix socket path. The descriptor, or -1 with *cause. */
static int
cached_batch_dial_unix(const char *path, char **cause)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "rrdcached unix:%s: path too long", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		xasprintf(cause, "rrdcached unix:%s: %s", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* Split "host", "host:port", "[v6]:port" (a bare v6 address has no port). */
static void
cached_batch_hostport(const char *addr, char **host, const char **port)
{
	const char *colon = strrchr(addr, ':'), *end;

	*port = CACHED_PORT;
	if (addr[0] == '[') {
		if ((end = strchr(addr, ']')) == NULL)
			end = addr + strlen(addr);
		*host = xstrndup(addr + 1, (size_t)(end - addr - 1));
		if (end[0] == ']' && end[1] == ':')
			*port = end + 2;
	} else if (colon != NULL && strchr(addr, ':') == colon) {
		*host = xstrndup(addr, (size_t)(colon - addr));
		*port = colon + 1;
	} else
		*host = xstrdup(addr);
}

static int
cached_batch_dial_tcp(const char *addr, char **cause)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	const char *port;
	char *host;
	int fd = -1, error, saved = 0;

	cached_batch_hostport(addr, &host, &port);
	error = getaddrinfo(host, port, &hints, &res);
	free(host);
	if (error != 0) {
		xasprintf(cause, "rrdcached %s: %s", addr, gai_strerror(error));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd == -1)
			saved = errno;
		else if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd == -1)
		xasprintf(cause, "rrdcached %s: %s", addr, strerror(saved));
	return fd;
}

void
cached_batch_close(void)
{
	if (cached_fd != -1)
		close(cached_fd);
	cached_fd = -1;
	cached_rlen = 0;
}

int
cached_batch_open(const char *addr, char **cause)
{
	const char *path = strncmp(addr, "unix:", 5) == 0 ? addr + 5 : addr;
	int fd;

	cached_batch_close();
	fd = cached_is_unix(addr) ? cached_batch_dial_unix(path, cause)
	                          : cached_batch_dial_tcp(addr, cause);
	if (fd == -1)
		return CACHED_LOST;
	/* Every send and read waits in poll, up to its deadline. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		xasprintf(cause, "rrdcached %s: %s", addr, strerror(errno));
		close(fd);
		return CACHED_LOST;
	}
	cached_fd = fd;
	cached_nobatch = 0; /* asked again: its -P may have changed */
	if (addr != cached_addr) {
		free(cached_addr);
		cached_addr = xstrdup(addr);
	}
	return CACHED_OK;
}

/* Milliseconds left until the deadline (0: passed). */
static int
cached_batch_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? (int)ms : 0;
}

/* A refused command of the answer being read: its message kept. */
static void
cached_batch_refused(void *arg, size_t cmd, const char *msg, size_t len)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%zu", cmd);
	size_t need = (size_t)n + len + 2;

	(void)arg;
	if (cached_cmds[cmd - 1].refused)
		return; /* rrdcached says one thing of each */
	cached_cmds[cmd - 1].refused = 1;
	if (cached_elen + need > cached_ecap) {
		cached_ecap = (cached_elen + need) * 2;
		cached_errs = xrealloc(cached_errs, cached_ecap);
	}
	memcpy(cached_errs + cached_elen, num, (size_t)n + 1);
	memcpy(cached_errs + cached_elen + n + 1, msg, len);
	cached_errs[cached_elen + (size_t)n + 1 + len] = '\0';
	cached_elen += need;
}

/* Forget the first n bytes of the answer read. */
static void
cached_batch_drop(size_t n)
{
	memmove(cached_rbuf, cached_rbuf + n, cached_rlen - n);
	cached_rlen -= n;
}

/*
 * Read what has come and read it as the answer p: CACHED_OK when some came
 * (or none yet: again), CACHED_LOST when the connection is gone or the
 * answer is not rrdcached's, CACHED_REFUSED when it refused BATCH.
 */
static int
cached_batch_take(struct parse_cached *p, char **cause)
{
	ssize_t n;
	long used;

	n = recv(cached_fd, cached_rbuf + cached_rlen,
	    sizeof cached_rbuf - cached_rlen, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return CACHED_OK;
	if (n <= 0) {
		xasprintf(cause, "rrdcached: connection lost: %s",
		    n == 0 ? "closed" : strerror(errno));
		return CACHED_LOST;
	}
	cached_rlen += (size_t)n;
	used = parse_cached_feed(p, cached_rbuf, cached_rlen,
	    cached_batch_refused, NULL);
	if (used < 0 && p->refused) {
		/* Its one line read: the connection goes on without BATCH. */
		used = (char *)memchr(cached_rbuf, '\n', cached_rlen) -
		    cached_rbuf + 1;
		cached_batch_drop((size_t)used);
		xasprintf(cause, "rrdcached: %s", p->why);
		return CACHED_REFUSED;
	}
	if (used < 0) {
		xasprintf(cause, "rrdcached: %s", p->why);
		return CACHED_LOST;
	}
	cached_batch_drop((size_t)used);
	return CACHED_OK;
}

/*
 * Send buf[0..len) (none: only read) while reading the answer p, until it
 * is all sent and p is in state until, or the deadline passes.
 */
static int
cached_batch_io(const char *buf, size_t len, struct parse_cached *p,
    enum parse_cached_state until, const struct timespec *deadline,
    char **cause)
{
	struct pollfd pfd = { .fd = cached_fd };
	ssize_t w;
	int rc, ms;

	while (len > 0 || p->state != until) {
		pfd.events = (short)(POLLIN | (len > 0 ? POLLOUT : 0));
		if ((ms = cached_batch_left(deadline)) == 0) {
			xasprintf(cause,
			    "rrdcached: no answer within %d s: taken as gone",
			    CACHED_BATCH_TIMEOUT_MS / 1000);
			return CACHED_LOST;
		}
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		if ((pfd.revents & ~POLLOUT) != 0 &&
		    (rc = cached_batch_take(p, cause)) != CACHED_OK)
			return rc;
		if (len == 0 || (pfd.revents & POLLOUT) == 0)
			continue;
		w = send(cached_fd, buf, len, MSG_NOSIGNAL);
		if (w == -1 && errno != EAGAIN && errno != EINTR) {
			xasprintf(cause, "rrdcached: connection lost: %s",
			    strerror(errno));
			return CACHED_LOST;
		}
		if (w > 0) {
			buf += w;
			len -= (size_t)w;
		}
	}
	return CACHED_OK;
}

/*
 * Closed by rrdcached since the last request (it was started again):
 * connect again without an error, as librrd does; store_cached_check
 * tells whether the old one lost what it had taken.
 */
static int
cached_batch_alive(char **cause)
{
	char c;
	ssize_t n;

	if (cached_fd == -1 || cached_addr == NULL) {
		xasprintf(cause, "rrdcached: not connected");
		return CACHED_LOST;
	}
	n = recv(cached_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return CACHED_OK;
	return cached_batch_open(cached_addr, cause);
}

/* Bytes after a whole answer: it is not rrdcached's. */
static int
cached_batch_over(char **cause)
{
	if (cached_rlen == 0)
		return CACHED_OK;
	xasprintf(cause, "rrdcached: %zu bytes more than its answer",
	    cached_rlen);
	return CACHED_LOST;
}

static void
cached_batch_deadline(struct timespec *deadline)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += CACHED_BATCH_TIMEOUT_MS / 1000;
}

/* BATCH and its go ahead: CACHED_OK, _REFUSED (-P) or _LOST. */
static int
cached_batch_start(const struct timespec *deadline, char **cause)
{
	struct parse_cached p;

	parse_cached_init(&p, PARSE_CACHED_BATCH, cached_ncmd);
	return cached_batch_io("BATCH\n", 6, &p, PARSE_CACHED_COUNT, deadline,
	    cause);
}

int
cached_batch_refuses(void)
{
	return cached_nobatch;
}

/* The commands, after BATCH unless rrdcached refuses it, and the answer. */
static int
cached_batch_exchange(const struct timespec *deadline, char **cause)
{
	struct parse_cached p;
	int rc = CACHED_OK;

	if (!cached_nobatch &&
	    (rc = cached_batch_start(deadline, cause)) == CACHED_REFUSED) {
		/* -P lacks BATCH: each command alone (the store says so). */
		free(*cause);
		*cause = NULL;
		cached_nobatch = 1;
		rc = CACHED_OK;
	}
	if (rc != CACHED_OK)
		return rc;
	if (cached_nobatch)
		parse_cached_init(&p, PARSE_CACHED_EACH, cached_ncmd);
	else {
		parse_cached_init(&p, PARSE_CACHED_BATCH, cached_ncmd);
		p.state = PARSE_CACHED_COUNT;
		cached_batch_put(".\n", 2);
	}
	if ((rc = cached_batch_io(cached_buf, cached_len, &p, PARSE_CACHED_DONE,
	         deadline, cause)) != CACHED_OK)
		return rc;
	return cached_batch_over(cause);
}

int
cached_batch_send(char **cause)
{
	struct timespec deadline;
	size_t i;
	int rc;

	if (cached_ncmd == 0)
		return CACHED_OK;
	if ((rc = cached_batch_alive(cause)) != CACHED_OK)
		return rc;
	cached_batch_deadline(&deadline);
	if (cached_batch_exchange(&deadline, cause) != CACHED_OK) {
		cached_batch_close();
		return CACHED_LOST;
	}
	for (i = 0; i < cached_ncmd; i++)
		cached_nacked += !cached_cmds[i].refused;
	return CACHED_OK;
}

/* rrdcached's message for command i (refused). */
static const char *
cached_batch_message(size_t i)
{
	char num[24];
	size_t off = 0, n;

	n = (size_t)snprintf(num, sizeof num, "%zu", i + 1);
	while (off < cached_elen) {
		if (strcmp(cached_errs + off, num) == 0)
			return cached_errs + off + n + 1;
		off += strlen(cached_errs + off) + 1;
		off += strlen(cached_errs + off) + 1;
	}
	return "refused";
}

int
cached_batch_result(size_t first, size_t ncmd, size_t *sent, char **cause)
{
	size_t i;
	int rc = CACHED_OK;

	*sent = 0;
	for (i = first; i < first + ncmd; i++) {
		if (!cached_cmds[i].refused)
			*sent += cached_cmds[i].nvals;
		else if (rc == CACHED_OK) {
			xasprintf(cause, "%s", cached_batch_message(i));
			rc = CACHED_REFUSED;
		}
	}
	return rc;
}

uint64_t
cached_acked(void)
{
	return cached_nacked;
}

int
cached_received(uint64_t *n, char **cause)
{
	struct parse_cached p;
	struct timespec deadline;
	int rc;

	if ((rc = cached_batch_alive(cause)) != CACHED_OK)
		return rc;
	cached_batch_deadline(&deadline);
	parse_cached_init(&p, PARSE_CACHED_STATS, 0);
	if (cached_batch_io("STATS\n", 6, &p, PARSE_CACHED_DONE, &deadline,
	        cause) != CACHED_OK ||
	    cached_batch_over(cause) != CACHED_OK) {
		cached_batch_close();
		return CACHED_LOST;
	}
	if (!p.has_received) {
		xasprintf(cause, "rrdcached: STATS without UpdatesReceived");
		return CACHED_REFUSED;
	}
	*n = p.received;
	return CACHED_OK;
}
