/*
 * Child processes. fork() then, in the child, only async-signal-safe calls:
 * a new process group, the pipes on fds 1 and 2, every other fd closed,
 * the user switched, execve(). If execve fails the child writes its errno
 * to a close-on-exec pipe before _exit(127), so the parent can tell "could
 * not run" from "ran and failed" without ever blocking. The parent watches
 * stdout, stderr and a pidfd on the loop; when the child has exited, what is
 * left of its group is killed (a hanging grandchild would hold the pipes).
 * Stream mode's line cutting and rate limit are in proc_stream.c.
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "procreap.h"
#include "procpriv.h"
#include "xmalloc.h"

#define PROC_KILL_GRACE_MS 1000

static TAILQ_HEAD(, proc) proc_queue = TAILQ_HEAD_INITIALIZER(proc_queue);
static TAILQ_HEAD(, proc) proc_live = TAILQ_HEAD_INITIALIZER(proc_live);
static unsigned proc_max = 32;
static unsigned long long proc_nofile;
static int proc_umask = -1;
static unsigned proc_nrunning;
static unsigned proc_nwaiting;
static unsigned proc_nstreams; /* of proc_nrunning: released, running on */

static void proc_launch(struct proc *);

void
proc_set_umask(unsigned mask)
{
	proc_umask = (int)(mask & 0777);
}

void
proc_set_nofile(unsigned long long n)
{
	proc_nofile = n;
}

void
proc_set_max(unsigned n)
{
	proc_max = n > 0 ? n : 1;
}

unsigned
proc_running(void)
{
	return proc_nrunning;
}

unsigned
proc_waiting(void)
{
	return proc_nwaiting;
}

static char **
proc_copy(const char *const *v)
{
	char **c;
	size_t n = 0, i;

	while (v[n] != NULL)
		n++;
	c = xcalloc(n + 1, sizeof *c);
	for (i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

static void
proc_strv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void
proc_free(struct proc *p)
{
	if (p->out_ev != NULL)
		event_free(p->out_ev);
	if (p->err_ev != NULL)
		event_free(p->err_ev);
	if (p->pid_ev != NULL)
		event_free(p->pid_ev);
	if (p->timer != NULL)
		event_free(p->timer);
	if (p->out_fd != -1)
		close(p->out_fd);
	if (p->err_fd != -1)
		close(p->err_fd);
	if (p->exec_fd != -1)
		close(p->exec_fd);
	if (p->pid_fd != -1)
		close(p->pid_fd);
	proc_strv_free(p->argv);
	proc_strv_free(p->env);
	free(p->out);
	if (p->resume != NULL)
		event_free(p->resume);
	free(p->lines[0].buf);
	free(p->lines[1].buf);
	free(p);
}

/* 1 if pid is one of ours (procreap.c leaves it alone). */
static int
proc_tracked(pid_t pid)
{
	struct proc *p;

	TAILQ_FOREACH(p, &proc_live, entry)
	{
		if (p->pid == pid)
			return 1;
	}
	return 0;
}

/* Start the next waiting child, if there is room. */
static void
proc_next(void)
{
	struct proc *p;

	while (proc_nrunning - proc_nstreams < proc_max &&
	    (p = TAILQ_FIRST(&proc_queue)) != NULL) {
		TAILQ_REMOVE(&proc_queue, p, entry);
		proc_nwaiting--;
		p->waiting = 0;
		proc_launch(p);
	}
}

/* Read what a pipe has; 1 at EOF or error, 0 when more may come. */
static int
proc_read(struct proc *p, int fd, int is_out)
{
	char buf[16384];
	ssize_t n;
	size_t room, keep;

	if (p->opts.line != NULL)
		return proc_stream_read(p, fd, is_out);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return 1;
		if (is_out) {
			room = p->opts.max_output - p->outlen;
			keep = (size_t)n < room ? (size_t)n : room;
			if (keep < (size_t)n)
				p->truncated = 1;
			memcpy(p->out + p->outlen, buf, keep);
			p->outlen += keep;
			p->out[p->outlen] = '\0';
		} else {
			room = PROC_ERR_MAX - p->errlen;
			keep = (size_t)n < room ? (size_t)n : room;
			memcpy(p->err + p->errlen, buf, keep);
			p->errlen += keep;
			p->err[p->errlen] = '\0';
		}
	}
}

/* Stop watching a pipe and close it. */
static void
proc_close(struct event **ev, int *fd)
{
	if (*ev != NULL)
		event_free(*ev);
	*ev = NULL;
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void
proc_out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	if (proc_read(p, p->out_fd, 1))
		proc_close(&p->out_ev, &p->out_fd);
}

static void
proc_err_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;

	if (proc_read(p, p->err_fd, 0))
		proc_close(&p->err_ev, &p->err_fd);
}

/* A child is over: report (unless cancelled), free, start the next. */
static void
proc_end(struct proc *p, const struct proc_result *r)
{
	proc_nrunning--;
	if (p->released)
		proc_nstreams--;
	if (p->opts.line != NULL)
		proc_stream_flush(p); /* a last line without its newline */
	TAILQ_REMOVE(&proc_live, p, entry);
	if (!p->cancelled)
		p->done(p, r, p->arg);
	proc_free(p);
	proc_next();
}

static void
proc_exited(struct proc *p, int status)
{
	struct proc_result r;
	int e = 0;

	/* What is left of the group (grandchildren) goes too. */
	kill(-p->pid, SIGKILL);
	if (p->out_fd != -1)
		proc_read(p, p->out_fd, 1);
	if (p->err_fd != -1)
		proc_read(p, p->err_fd, 0);
	memset(&r, 0, sizeof r);
	if (p->exec_fd != -1 && read(p->exec_fd, &e, sizeof e) == sizeof e)
		r.exec_errno = e;
	r.exited = WIFEXITED(status);
	r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	r.timed_out = p->timed_out;
	r.out = p->out;
	r.outlen = p->outlen;
	r.truncated = p->truncated;
	r.err = p->err;
	r.errlen = p->errlen;
	proc_end(p, &r);
	procreap_reap_soon();
}

static void
proc_pid_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	int status;
	pid_t r;

	do
		r = waitpid(p->pid, &status, WNOHANG);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		return;
	if (r == -1) {
		log_err("%s: waitpid %ld: %s", __func__, (long)p->pid,
		    strerror(errno));
		status = 0;
	}
	proc_exited(p, status);
}

static void
proc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	struct timeval tv = { PROC_KILL_GRACE_MS / 1000,
		(PROC_KILL_GRACE_MS % 1000) * 1000 };

	if (!p->timed_out) {
		p->timed_out = 1;
		/* What left its group (setsid) would outlive it: killed. */
		procreap_kill_tree(p->pid, SIGKILL, p->pid);
		kill(-p->pid, SIGTERM);
		evtimer_add(p->timer, &tv);
		return;
	}
	if (!p->killed) {
		p->killed = 1;
		procreap_kill_tree(p->pid, SIGKILL, 0);
		kill(-p->pid, SIGKILL);
	}
}

/* In the child: nothing but async-signal-safe calls from here on. */
static void __attribute__((noreturn))
proc_child(struct proc *p, int out, int err, int exec_w)
{
	int e;

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(out, STDOUT_FILENO) == -1 || dup2(err, STDERR_FILENO) == -1)
		goto fail;
	if (exec_w != 3 && dup2(exec_w, 3) == -1)
		goto fail;
	fcntl(3, F_SETFD, FD_CLOEXEC);
	close_range(4, ~0U, 0);
	if (proc_umask != -1)
		umask((mode_t)proc_umask);
	/* The daemon raised its own limit; programs get the usual one. */
	if (proc_nofile != 0) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
		    proc_nofile < rl.rlim_cur) {
			rl.rlim_cur = (rlim_t)proc_nofile;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	/* Only root switches: after daemon.user, children run as the daemon. */
	if (p->opts.set_user && geteuid() == 0) {
		if (setgroups(0, NULL) != 0 || setgid(p->opts.gid) != 0 ||
		    setuid(p->opts.uid) != 0)
			goto fail;
	}
	execve(p->argv[0], p->argv, p->env);
fail:
	e = errno;
	if (write(3, &e, sizeof e) == -1)
		_exit(126);
	_exit(127);
}

static int
proc_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}

static void
proc_fail_later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct proc *p = arg;
	struct proc_result r;

	memset(&r, 0, sizeof r);
	r.exec_errno = p->launch_errno;
	r.code = -1;
	r.out = "";
	r.err = "";
	proc_end(p, &r);
}

static void
proc_close_pipes(int out[2], int err[2], int ex[2])
{
	if (out[1] != -1)
		close(out[1]);
	if (err[1] != -1)
		close(err[1]);
	if (ex[1] != -1)
		close(ex[1]);
	if (out[0] != -1)
		close(out[0]);
	if (err[0] != -1)
		close(err[0]);
	if (ex[0] != -1)
		close(ex[0]);
}

/* The child could not be started: say so, and report it from the loop. */
static void
proc_fail_later(struct proc *p)
{
	struct timeval tv;

	/* Report from the loop, never from inside proc_start's caller. */
	log_err("cannot run %s: %s", p->argv[0], strerror(errno));
	p->out_fd = p->err_fd = p->exec_fd = p->pid_fd = -1;
	p->launch_errno = errno != 0 ? errno : EIO;
	p->timer = evtimer_new(p->base, proc_fail_later_cb, p);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	evtimer_add(p->timer, &tv);
}

/* A started child: its pipes and pidfd on the loop, its timeout armed. */
static void
proc_watch(struct proc *p)
{
	struct timeval tv;

	p->out_ev =
	    event_new(p->base, p->out_fd, EV_READ | EV_PERSIST, proc_out_cb, p);
	p->err_ev =
	    event_new(p->base, p->err_fd, EV_READ | EV_PERSIST, proc_err_cb, p);
	p->pid_ev =
	    event_new(p->base, p->pid_fd, EV_READ | EV_PERSIST, proc_pid_cb, p);
	event_add(p->out_ev, NULL);
	event_add(p->err_ev, NULL);
	event_add(p->pid_ev, NULL);
	tv.tv_sec = (time_t)(p->opts.timeout_ms / 1000);
	tv.tv_usec = (suseconds_t)((p->opts.timeout_ms % 1000) * 1000);
	p->timer = evtimer_new(p->base, proc_timer_cb, p);
	if (p->opts.line == NULL) /* a stream has no timeout */
		evtimer_add(p->timer, &tv);
}

static void
proc_launch(struct proc *p)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, ex[2] = { -1, -1 };
	pid_t pid;
	int e;

	procreap_init(p->base, proc_tracked);
	proc_nrunning++;
	TAILQ_INSERT_TAIL(&proc_live, p, entry);
	if (proc_pipe(out) != 0 || proc_pipe(err) != 0 || proc_pipe(ex) != 0)
		goto fail;
	/* stdin: /dev/null, as fd 0 is whatever the daemon has. */
	if ((pid = fork()) == -1)
		goto fail;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null != -1 && null != 0) {
			dup2(null, 0);
			close(null);
		}
		proc_child(p, out[1], err[1], ex[1]);
	}
	close(out[1]);
	close(err[1]);
	close(ex[1]);
	p->pid = pid;
	setpgid(pid, pid); /* as the child does: no race with kill(-pid) */
	p->out_fd = out[0];
	p->err_fd = err[0];
	p->exec_fd = ex[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->err_fd, F_SETFL, O_NONBLOCK);
	fcntl(p->exec_fd, F_SETFL, O_NONBLOCK);
	if ((p->pid_fd = (int)pidfd_open(pid, 0)) == -1) {
		e = errno;
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = e;
		proc_fail_later(p);
		return;
	}
	proc_watch(p);
	return;
fail:
	e = errno;
	proc_close_pipes(out, err, ex);
	errno = e;
	proc_fail_later(p);
}

/*
 * At shutdown: every child in stream mode is asked to stop (SIGTERM) and
 * waited for up to PROC_STREAM_GRACE_MS; those that end are reaped, with
 * what is left of their group.
 */
static void
proc_term_streams(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct proc *p;
	int left, waited;

	TAILQ_FOREACH(p, &proc_live, entry)
	{
		if (p->opts.line != NULL && p->pid > 0)
			kill(-p->pid, SIGTERM);
	}
	for (waited = 0;; waited += 10) {
		left = 0;
		TAILQ_FOREACH(p, &proc_live, entry)
		{
			if (p->opts.line == NULL || p->pid <= 0)
				continue;
			if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
				kill(-p->pid, SIGKILL);
				p->pid = 0;
			} else
				left++;
		}
		if (left == 0 || waited >= PROC_STREAM_GRACE_MS)
			break;
		nanosleep(&ts, NULL);
	}
	TAILQ_FOREACH(p, &proc_live, entry)
	{
		if (p->opts.line != NULL && p->pid > 0)
			log_warn(
			    "%s: still running %d ms after SIGTERM; killed",
			    p->argv[0], PROC_STREAM_GRACE_MS);
	}
}

/* A stream proc_shutdown ended: its owner frees it (proc_stop). */
static void
proc_orphan(struct proc *p)
{
	proc_close(&p->out_ev, &p->out_fd);
	proc_close(&p->err_ev, &p->err_fd);
	proc_close(&p->pid_ev, &p->pid_fd);
	if (p->exec_fd != -1)
		close(p->exec_fd);
	p->exec_fd = -1;
	if (p->timer != NULL)
		event_free(p->timer);
	p->timer = NULL;
	if (p->resume != NULL)
		event_free(p->resume);
	p->resume = NULL;
	p->pid = 0;
	p->shut = 1;
	if (p->released)
		proc_nstreams--;
}

pid_t
proc_pid(const struct proc *p)
{
	return p->pid;
}

void
proc_runs_on(struct proc *p)
{
	if (p->released || p->waiting || p->shut)
		return;
	p->released = 1;
	proc_nstreams++;
	proc_next();
}

void
proc_stop(struct proc *p, uint64_t grace_ms)
{
	struct timeval tv;

	if (p->shut || p->waiting) {
		proc_cancel(p);
		return;
	}
	p->cancelled = 1;
	if (p->pid <= 0)
		return; /* it never ran: reported from the loop, then freed */
	kill(-p->pid, SIGTERM);
	p->timed_out = 1; /* so that the timer's next turn kills it */
	tv.tv_sec = (time_t)(grace_ms / 1000);
	tv.tv_usec = (suseconds_t)((grace_ms % 1000) * 1000);
	evtimer_add(p->timer, &tv);
}

struct proc *
proc_start(struct event_base *base, const struct proc_opts *opts,
    proc_done_cb done, void *arg, char **cause)
{
	struct proc *p;

	if (opts->argv == NULL || opts->argv[0] == NULL ||
	    opts->argv[0][0] != '/') {
		xasprintf(cause, "the program must be an absolute path");
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	p->base = base;
	p->opts = *opts;
	p->argv = proc_copy(opts->argv);
	p->env = proc_copy(opts->env);
	p->opts.argv = NULL;
	p->opts.env = NULL;
	p->done = done;
	p->arg = arg;
	p->out = xmalloc(opts->max_output + 1);
	p->out[0] = '\0';
	p->out_fd = p->err_fd = p->exec_fd = p->pid_fd = -1;
	if (opts->line != NULL)
		proc_stream_init(p);
	if (proc_nrunning - proc_nstreams >= proc_max) {
		p->waiting = 1;
		proc_nwaiting++;
		TAILQ_INSERT_TAIL(&proc_queue, p, entry);
		return p;
	}
	proc_launch(p);
	return p;
}

void
proc_shutdown(void)
{
	struct proc *p;

	proc_term_streams();
	while ((p = TAILQ_FIRST(&proc_queue)) != NULL) {
		TAILQ_REMOVE(&proc_queue, p, entry);
		proc_nwaiting--;
		if (p->opts.line != NULL) {
			p->waiting = 0;
			p->shut = 1; /* its owner frees it */
		} else
			proc_free(p);
	}
	while ((p = TAILQ_FIRST(&proc_live)) != NULL) {
		TAILQ_REMOVE(&proc_live, p, entry);
		proc_nrunning--;
		if (p->pid > 0) {
			procreap_kill_tree(p->pid, SIGKILL, 0);
			kill(-p->pid, SIGKILL);
			/* Killed: this wait is short. */
			while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
				;
		}
		if (p->opts.line != NULL && !p->cancelled)
			proc_orphan(p); /* its owner frees it */
		else
			proc_free(p);
	}
	/* And what they left running (setsid) is killed too. */
	procreap_shutdown();
}

void
proc_cancel(struct proc *p)
{
	if (p->shut) {
		proc_free(p);
		return;
	}
	if (p->waiting) {
		TAILQ_REMOVE(&proc_queue, p, entry);
		proc_nwaiting--;
		proc_free(p);
		return;
	}
	p->cancelled = 1;
	if (p->pid > 0) {
		procreap_kill_tree(p->pid, SIGKILL, 0);
		kill(-p->pid, SIGKILL);
		p->killed = 1;
	}
}