/*
 * itf-attack: the hostile clients and servers of the hardening tests, on
 * loopback only, each stopping by itself after --duration seconds.
 *
 *   slowloris  N connections that each send a request head a byte per
 *              --interval, never finishing it; a connection the server
 *              closes is opened again at the next tick.
 *   trickle    N connections that each make one whole request, read the
 *              answer, then send the next request a byte per --interval.
 *   pipeline   N connections that send requests as fast as the socket
 *              takes them and never read an answer.
 *   capture    an HTTP server on --listen ADDR:PORT that appends every
 *              request it receives (head and body, as received) to --out
 *              and answers 200 with --body, or with --redirect URL a 307
 *              to URL: the "other origin" of the secret tests.
 *
 * At the end it prints one line of counts: connections opened, closed by
 * the server, answers seen, bytes sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4096
#define REQ "GET /health HTTP/1.1\r\nHost: attack\r\n"
#define TRICKLE "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
#define PIPELINED "GET /metrics HTTP/1.1\r\nHost: attack\r\n\r\n"

enum mode { SLOWLORIS, TRICKLE_MODE, PIPELINE, CAPTURE };

struct conn {
	int fd;
	size_t sent; /* of the trickled text */
	int state; /* trickle: 0 new, 1 asked, 2 answered (trickling) */
	char in[65536];
	size_t inlen;
};

static struct {
	enum mode mode;
	struct sockaddr_in target;
	int nconns, interval_ms, duration;
	const char *out, *body, *redirect, *pidfile;
	unsigned long long opened, closed, answers, bytes;
	volatile sig_atomic_t stop;
} A = { .nconns = 1, .interval_ms = 1000, .duration = 10, .body = "{}" };

static struct conn conns[MAX_CONNS];

static void
usage(void)
{
	fprintf(stderr,
	    "usage: itf-attack slowloris|trickle|pipeline --target ADDR:PORT "
	    "[--conns N] [--interval MS] [--duration S]\n"
	    "       itf-attack capture --listen ADDR:PORT --out FILE "
	    "[--body TEXT | --redirect URL] [--pidfile FILE] [--duration S]\n");
	exit(2);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void
conn_open(struct conn *c)
{
	memset(c, 0, sizeof *c);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd == -1)
		return;
	if (connect(c->fd, (struct sockaddr *)&A.target, sizeof A.target) !=
	        0 &&
	    errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	A.opened++;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	A.closed++;
}

static ssize_t
conn_send(struct conn *c, const char *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n > 0)
		A.bytes += (unsigned long long)n;
	return n;
}

/* The next byte of what a connection trickles (a request never done). */
static void
conn_trickle(struct conn *c)
{
	static const char head[] = REQ, more[] = TRICKLE;
	char b;

	if (c->sent < sizeof head - 1)
		b = head[c->sent];
	else
		b = more[(c->sent - (sizeof head - 1)) % (sizeof more - 1)];
	if (conn_send(c, &b, 1) == 1)
		c->sent++;
}

/* Read what came; 1 when the server closed the connection. */
static int
conn_read(struct conn *c)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			if (memmem(buf, (size_t)n, "HTTP/1.", 7) != NULL)
				A.answers++;
			if (A.mode == TRICKLE_MODE && c->state == 1 &&
			    memmem(buf, (size_t)n, "HTTP/1.1 ", 9) != NULL)
				c->state = 2;
			continue;
		}
		if (n == 0)
			return 1;
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
	}
}

/* Once per interval: every connection sends a byte; closed ones reopen. */
static void
tick(void)
{
	static const char req[] = REQ "\r\n";
	struct conn *c;
	int i;

	for (i = 0; i < A.nconns; i++) {
		c = &conns[i];
		if (c->fd == -1) {
			conn_open(c);
			continue;
		}
		if (A.mode == TRICKLE_MODE && c->state == 0) {
			if (conn_send(c, req, sizeof req - 1) ==
			    (ssize_t)(sizeof req - 1))
				c->state = 1;
			continue;
		}
		if (A.mode == TRICKLE_MODE && c->state == 1)
			continue;
		conn_trickle(c);
	}
}

static void
pipeline_fill(struct conn *c)
{
	static const char req[] = PIPELINED;
	char buf[64 * (sizeof req - 1)];
	size_t i;

	for (i = 0; i < 64; i++)
		memcpy(buf + i * (sizeof req - 1), req, sizeof req - 1);
	while (conn_send(c, buf, sizeof buf) > 0)
		;
}

static int
run_clients(void)
{
	struct pollfd pfd[MAX_CONNS];
	double end = now_s() + A.duration, next = 0;
	int i, n;

	for (i = 0; i < A.nconns; i++)
		conns[i].fd = -1;
	while (!A.stop && now_s() < end) {
		if (A.mode != PIPELINE && now_s() >= next) {
			tick();
			next = now_s() + A.interval_ms / 1000.0;
		}
		for (i = 0; i < A.nconns; i++) {
			if (A.mode == PIPELINE && conns[i].fd == -1)
				conn_open(&conns[i]);
			pfd[i].fd = conns[i].fd;
			pfd[i].events = A.mode == PIPELINE ? POLLOUT : POLLIN;
		}
		n = poll(pfd, (nfds_t)A.nconns, 50);
		for (i = 0; n > 0 && i < A.nconns; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if (A.mode == PIPELINE && (pfd[i].revents & POLLOUT))
				pipeline_fill(&conns[i]);
			if (pfd[i].revents & (POLLERR | POLLHUP) ||
			    (A.mode != PIPELINE && conn_read(&conns[i]))) {
				conn_close(&conns[i]);
				continue;
			}
		}
	}
	for (i = 0; i < A.nconns; i++) {
		if (conns[i].fd != -1)
			close(conns[i].fd);
	}
	return 0;
}

/* capture: a request is whole when its head and Content-Length are in. */
static int
capture_whole(const struct conn *c)
{
	const char *end = memmem(c->in, c->inlen, "\r\n\r\n", 4), *cl;
	size_t head;

	if (end == NULL)
		return c->inlen == sizeof c->in;
	head = (size_t)(end - c->in) + 4;
	cl = memmem(c->in, head, "Content-Length:", 15);
	if (cl == NULL)
		cl = memmem(c->in, head, "content-length:", 15);
	if (cl == NULL)
		return 1;
	return c->inlen >= head + strtoul(cl + 15, NULL, 10);
}

static void
capture_answer(struct conn *c)
{
	char buf[4096];
	FILE *f;
	int n;

	if ((f = fopen(A.out, "a")) != NULL) {
		fwrite(c->in, 1, c->inlen, f);
		fputs("\n--\n", f);
		fclose(f);
	}
	if (A.redirect != NULL)
		n = snprintf(buf, sizeof buf,
		    "HTTP/1.1 307 Temporary Redirect\r\nLocation: %s\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n",
		    A.redirect);
	else
		n = snprintf(buf, sizeof buf,
		    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
		    strlen(A.body), A.body);
	if (n > 0)
		(void)conn_send(c, buf, (size_t)n);
	A.answers++;
	shutdown(c->fd, SHUT_WR);
	conn_close(c);
}

static void
capture_accept(int lfd)
{
	int i, fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) != -1) {
		for (i = 0; i < MAX_CONNS && conns[i].fd != -1; i++)
			;
		if (i == MAX_CONNS) {
			close(fd);
			continue;
		}
		memset(&conns[i], 0, sizeof conns[i]);
		conns[i].fd = fd;
		A.opened++;
	}
}

static int
run_capture(void)
{
	struct pollfd pfd[MAX_CONNS + 1];
	double end = now_s() + A.duration;
	int lfd, one = 1, i;
	ssize_t n;
	FILE *f;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&A.target, sizeof A.target) != 0 ||
	    listen(lfd, 128) != 0) {
		perror("itf-attack: capture");
		return 1;
	}
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	if (A.pidfile != NULL && (f = fopen(A.pidfile, "w")) != NULL) {
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}
	while (!A.stop && now_s() < end) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < MAX_CONNS; i++) {
			pfd[i + 1].fd = conns[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, MAX_CONNS + 1, 100) <= 0)
			continue;
		if (pfd[0].revents & POLLIN)
			capture_accept(lfd);
		for (i = 0; i < MAX_CONNS; i++) {
			if (conns[i].fd == -1 || pfd[i + 1].revents == 0 ||
			    pfd[i + 1].fd != conns[i].fd)
				continue;
			n = recv(conns[i].fd, conns[i].in + conns[i].inlen,
			    sizeof conns[i].in - conns[i].inlen, 0);
			if (n <= 0) {
				conn_close(&conns[i]);
				continue;
			}
			conns[i].inlen += (size_t)n;
			if (capture_whole(&conns[i]))
				capture_answer(&conns[i]);
		}
	}
	close(lfd);
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	A.stop = 1;
}

int
main(int argc, char **argv)
{
	int i, rc;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "slowloris") == 0)
		A.mode = SLOWLORIS;
	else if (strcmp(argv[1], "trickle") == 0)
		A.mode = TRICKLE_MODE;
	else if (strcmp(argv[1], "pipeline") == 0)
		A.mode = PIPELINE;
	else if (strcmp(argv[1], "capture") == 0)
		A.mode = CAPTURE;
	else
		usage();
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--target") == 0 ||
		    strcmp(argv[i], "--listen") == 0) {
			if (parse_addr(argv[i + 1], &A.target) != 0)
				usage();
		} else if (strcmp(argv[i], "--conns") == 0)
			A.nconns = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--interval") == 0)
			A.interval_ms = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--duration") == 0)
			A.duration = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--out") == 0)
			A.out = argv[i + 1];
		else if (strcmp(argv[i], "--body") == 0)
			A.body = argv[i + 1];
		else if (strcmp(argv[i], "--redirect") == 0)
			A.redirect = argv[i + 1];
		else if (strcmp(argv[i], "--pidfile") == 0)
			A.pidfile = argv[i + 1];
		else
			usage();
	}
	if (i != argc || A.nconns < 1 || A.nconns > MAX_CONNS ||
	    A.interval_ms < 1 || A.duration < 1 ||
	    (A.mode == CAPTURE && A.out == NULL))
		usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	rc = A.mode == CAPTURE ? run_capture() : run_clients();
	printf("opened %llu closed %llu answers %llu bytes %llu\n", A.opened,
	    A.closed, A.answers, A.bytes);
	return rc;
}
