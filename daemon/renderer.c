/*
 * The renderer of renderer.h. One child per picture (posix_spawn, which
 * is safe on the dashboard's worker thread): the chart goes down its
 * standard input (chart_wire.h), the answer comes back on its standard
 * output, "ok LEN\n" and the PNG or "error MESSAGE\n"; its standard error
 * is the daemon's, where fontconfig's warnings go. A child that overruns
 * RENDERER_TIMEOUT_MS is killed. Its exit status is read when it is still
 * there: the subreaper (procreap.c) may have reaped it first, and the
 * answer says all that matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chart.h"
#include "chart_wire.h"
#include "renderer.h"
#include "xmalloc.h"

extern char **environ;

#define RENDERER_NAME "itfollow-render"
#define RENDERER_MAX_PNG (64 * 1024 * 1024)

/* Nobody but root and this user can change what path names. */
static int
renderer_safe(const char *path, int dir, char **cause)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a %s", path, dir ? "folder" : "file");
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		xasprintf(cause,
		    "%s: refused: it can be written by others than root and the daemon's user",
		    path);
		return -1;
	}
	if (!dir && access(path, X_OK) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
renderer_check(const char *path, char **cause)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int rc;

	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	rc = renderer_safe(dir, 1, cause);
	free(dir);
	return rc == 0 ? renderer_safe(path, 0, cause) : -1;
}

int
renderer_find(char **path, char **cause)
{
	const char *const rel[] = { RENDERER_NAME, ITF_RENDERER_REL };
	char exe[PATH_MAX], *slash, *first = NULL;
	ssize_t n;
	size_t i;

	*path = NULL;
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0) {
		xasprintf(cause, "/proc/self/exe: %s", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	for (i = 0; i < sizeof rel / sizeof rel[0]; i++) {
		xasprintf(path, "%s/%s", exe, rel[i]);
		if (access(*path, F_OK) == 0) {
			free(first);
			return renderer_check(*path, cause);
		}
		if (first == NULL)
			first = *path;
		else
			free(*path);
		*path = NULL;
	}
	xasprintf(cause, "no %s next to the daemon (%s) nor at %s/%s",
	    RENDERER_NAME, first, exe, ITF_RENDERER_REL);
	free(first);
	return -1;
}

/* A pipe's end above the standard ones, so the child's dup2s cannot
 * overwrite one another when the daemon runs without a standard input. */
static int
renderer_high(int fd)
{
	int h;

	if (fd > 2)
		return fd;
	h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return h;
}

static int
renderer_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	fds[0] = renderer_high(fds[0]);
	fds[1] = renderer_high(fds[1]);
	return fds[0] < 0 || fds[1] < 0 ? -1 : 0;
}

static pid_t
renderer_spawn(const char *path, int *in, int *out, char **cause)
{
	char *argv[] = { (char *)RENDERER_NAME, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, e;
	sigset_t none, def;
	pid_t pid = -1;

	if (renderer_pipe(pin) != 0 || renderer_pipe(pout) != 0) {
		xasprintf(cause, "renderer: pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	/* Nothing else of the daemon's: its sockets, files and journal. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGCHLD);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGINT);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawn(&pid, path, &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (e != 0) {
		xasprintf(cause, "%s: %s", path, strerror(e));
		pid = -1;
	}
out:
	if (pin[0] >= 0)
		close(pin[0]);
	if (pout[1] >= 0)
		close(pout[1]);
	if (pid < 0) {
		if (pin[1] >= 0)
			close(pin[1]);
		if (pout[0] >= 0)
			close(pout[0]);
		return -1;
	}
	*in = pin[1];
	*out = pout[0];
	return pid;
}

static long long
renderer_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The answer so far, and the request still to write. */
struct renderer_io {
	const char *req;
	size_t reqlen, off;
	char *ans;
	size_t len, cap;
};

/* Read what is there: 1 at the end, 0 for more, -1 past the limit. */
static int
renderer_read(int fd, struct renderer_io *io)
{
	ssize_t n;

	if (io->cap - io->len < 65536) {
		io->cap = io->cap * 2 + 65536;
		io->ans = xrealloc(io->ans, io->cap);
	}
	n = read(fd, io->ans + io->len, io->cap - io->len);
	if (n == 0)
		return 1;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : 1;
	io->len += (size_t)n;
	return io->len > RENDERER_MAX_PNG ? -1 : 0;
}

/* Write the request and read the whole answer, by the deadline. */
static int
renderer_talk(int in, int out, struct renderer_io *io, char **cause)
{
	long long end = renderer_ms() + RENDERER_TIMEOUT_MS, left;
	struct pollfd p[2];
	ssize_t n;
	int rc;

	fcntl(in, F_SETFL, O_NONBLOCK);
	for (;;) {
		if ((left = end - renderer_ms()) <= 0) {
			xasprintf(cause, "the renderer took more than %d ms",
			    RENDERER_TIMEOUT_MS);
			break;
		}
		p[0] = (struct pollfd){ .fd = in, .events = POLLOUT };
		p[1] = (struct pollfd){ .fd = out, .events = POLLIN };
		if (poll(p, 2, (int)left) < 0 && errno != EINTR) {
			xasprintf(cause, "renderer: poll: %s", strerror(errno));
			break;
		}
		if (in >= 0 && (p[0].revents & (POLLOUT | POLLERR))) {
			n = write(in, io->req + io->off, io->reqlen - io->off);
			if (n > 0)
				io->off += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
			    io->off == io->reqlen) {
				close(in);
				in = -1; /* poll skips it */
			}
		}
		if (p[1].revents == 0)
			continue;
		if ((rc = renderer_read(out, io)) != 0) {
			if (in >= 0)
				close(in);
			if (rc < 0)
				xasprintf(cause,
				    "the renderer's answer is over %d bytes",
				    RENDERER_MAX_PNG);
			return rc > 0 ? 0 : -1;
		}
	}
	if (in >= 0)
		close(in);
	return -1;
}

/* "ok LEN\n" and the picture, or "error MESSAGE\n". */
static int
renderer_answer(struct renderer_io *io, int status, void **png, size_t *len,
    char **cause)
{
	char *nl = io->len > 0 ? memchr(io->ans, '\n', io->len) : NULL;
	unsigned long long n;
	char *end;

	if (nl != NULL && strncmp(io->ans, "ok ", 3) == 0) {
		n = strtoull(io->ans + 3, &end, 10);
		if (end == nl && n > 0 &&
		    n == io->len - (size_t)(nl + 1 - io->ans)) {
			*png = xmalloc(n);
			memcpy(*png, nl + 1, n);
			*len = n;
			return 0;
		}
	}
	if (nl != NULL && strncmp(io->ans, "error ", 6) == 0) {
		*nl = '\0';
		xasprintf(cause, "the renderer: %s", io->ans + 6);
	} else if (status != -1 && WIFSIGNALED(status))
		xasprintf(cause, "the renderer was killed by signal %d",
		    WTERMSIG(status));
	else if (status != -1)
		xasprintf(cause,
		    "the renderer gave no picture (exit status %d, %zu bytes of answer)",
		    WEXITSTATUS(status), io->len);
	else
		xasprintf(cause, "the renderer gave no picture (%zu bytes)",
		    io->len);
	return -1;
}

int
renderer_draw(const char *path, const struct chart *c, int width, int height,
    void **png, size_t *len, char **cause)
{
	struct renderer_io io = { 0 };
	char *req = NULL;
	size_t reqlen = 0;
	int in, out, status = -1, rc;
	FILE *f;
	pid_t pid;

	*png = NULL;
	*len = 0;
	if (renderer_check(path, cause) != 0)
		return -1;
	if ((f = open_memstream(&req, &reqlen)) == NULL) {
		xasprintf(cause, "renderer: %s", strerror(errno));
		return -1;
	}
	rc = chart_wire_write(f, c, width, height);
	fclose(f);
	if (rc != 0 || (pid = renderer_spawn(path, &in, &out, cause)) < 0) {
		if (rc != 0)
			xasprintf(cause, "renderer: cannot write the chart");
		free(req);
		return -1;
	}
	io.req = req;
	io.reqlen = reqlen;
	rc = renderer_talk(in, out, &io, cause);
	close(out);
	if (rc != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (rc == 0)
		rc = renderer_answer(&io, status, png, len, cause);
	free(io.ans);
	free(req);
	return rc;
}
