/*
 * The subreaper of procreap.h. Processes are read from /proc/N/stat (pid,
 * parent, process group): the kernel offers no cheaper list of a
 * process's descendants without CONFIG_PROC_CHILDREN. Looked at only at a
 * timeout, every PROCREAP_SWEEP_S seconds and at exit, never per run.
 */
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "procreap.h"
#include "xmalloc.h"

struct procreap_ps {
	pid_t pid, ppid, pgrp;
};

/* After a group is killed, what it left is reaped at these delays (ms). */
static const int procreap_soon_ms[] = { 5, 50, 500 };

static struct {
	struct event *timer;
	struct event *soon; /* reaps after a kill, at procreap_soon_ms */
	int soon_step;
	procreap_tracked_fn tracked;
	unsigned long killed;
	struct log_limit log;
} procreap;

/* One process's line of /proc/N/stat: 0, or -1 if it is gone. */
static int
procreap_stat(const char *name, struct procreap_ps *ps)
{
	char path[64], buf[512], *rp;
	ssize_t n;
	int fd, ppid, pgrp;

	snprintf(path, sizeof path, "/proc/%s/stat", name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp ...": comm may hold anything. */
	if ((rp = strrchr(buf, ')')) == NULL ||
	    sscanf(rp + 1, " %*c %d %d", &ppid, &pgrp) != 2)
		return -1;
	ps->pid = (pid_t)atoi(name);
	ps->ppid = (pid_t)ppid;
	ps->pgrp = (pid_t)pgrp;
	return 0;
}

/* Every process now. */
static size_t
procreap_scan(struct procreap_ps **out)
{
	struct procreap_ps *ps = NULL;
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			ps = xreallocarray(ps, cap, sizeof *ps);
		}
		if (procreap_stat(de->d_name, &ps[n]) == 0)
			n++;
	}
	closedir(d);
	*out = ps;
	return n;
}

/* The descendants of root in ps (root not among them). */
static size_t
procreap_descendants(const struct procreap_ps *ps, size_t n, pid_t root,
    pid_t **out)
{
	pid_t *list = xcalloc(n + 1, sizeof *list);
	size_t k = 0, i, j;

	list[k++] = root;
	for (i = 0; i < k; i++) {
		for (j = 0; j < n; j++) {
			if (ps[j].ppid == list[i] && ps[j].pid != root &&
			    k < n + 1)
				list[k++] = ps[j].pid;
		}
	}
	memmove(list, list + 1, (k - 1) * sizeof *list);
	*out = list;
	return k - 1;
}

static pid_t
procreap_pgrp(const struct procreap_ps *ps, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ps[i].pid == pid)
			return ps[i].pgrp;
	}
	return 0;
}

unsigned
procreap_kill_tree(pid_t pid, int sig, pid_t skip)
{
	struct procreap_ps *ps;
	pid_t *d;
	size_t n, k, i;
	unsigned sent = 0;

	n = procreap_scan(&ps);
	k = procreap_descendants(ps, n, pid, &d);
	for (i = 0; i < k; i++) {
		if (skip != 0 && procreap_pgrp(ps, n, d[i]) == skip)
			continue;
		if (kill(d[i], sig) == 0)
			sent++;
	}
	free(d);
	free(ps);
	return sent;
}

/* Kill what a child the daemon does not run holds, then the child. */
static void
procreap_kill_orphan(const struct procreap_ps *ps, size_t n, pid_t pid)
{
	pid_t *d;
	size_t k, i;

	k = procreap_descendants(ps, n, pid, &d);
	for (i = 0; i < k; i++)
		kill(d[i], SIGKILL);
	free(d);
	if (kill(pid, SIGKILL) == 0) {
		procreap.killed++;
		log_limited(&procreap.log, LOG_WARNING,
		    "killed process %ld, which a check program left running (%lu so far)",
		    (long)pid, procreap.killed);
	}
}

void
procreap_sweep(int kill_live)
{
	struct procreap_ps *ps;
	pid_t me = getpid();
	size_t n, i;

	n = procreap_scan(&ps);
	for (i = 0; i < n; i++) {
		if (ps[i].ppid != me || procreap.tracked(ps[i].pid))
			continue;
		if (kill_live)
			procreap_kill_orphan(ps, n, ps[i].pid);
		/* Reaped now if it is over; a killed one soon is. */
		while (
		    waitpid(ps[i].pid, NULL, WNOHANG) == -1 && errno == EINTR)
			;
	}
	free(ps);
}

void
procreap_reap(void)
{
	siginfo_t si;

	if (procreap.tracked == NULL)
		return;
	for (;;) {
		memset(&si, 0, sizeof si);
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
		    si.si_pid == 0 || procreap.tracked(si.si_pid))
			return; /* none, or proc.c's own: its pidfd says */
		while (
		    waitpid(si.si_pid, NULL, WNOHANG) == -1 && errno == EINTR)
			;
	}
}

static void
procreap_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	procreap_sweep(0);
}

static void
procreap_soon_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, 0 };
	int ms;

	procreap_reap();
	if (++procreap.soon_step >=
	    (int)(sizeof procreap_soon_ms / sizeof procreap_soon_ms[0]))
		return;
	ms = procreap_soon_ms[procreap.soon_step];
	tv.tv_usec = ms * 1000;
	evtimer_add(procreap.soon, &tv);
}

void
procreap_reap_soon(void)
{
	struct timeval tv = { 0, procreap_soon_ms[0] * 1000 };

	if (procreap.soon == NULL)
		return;
	procreap_reap();
	procreap.soon_step = 0;
	evtimer_add(procreap.soon, &tv);
}

void
procreap_init(struct event_base *base, procreap_tracked_fn tracked)
{
	struct timeval tv = { PROCREAP_SWEEP_S, 0 };

	if (procreap.timer != NULL)
		return;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		log_warn(
		    "exec: cannot become a child subreaper: %s; a check program's setsid children may outlive it",
		    strerror(errno));
	procreap.tracked = tracked;
	procreap.timer =
	    event_new(base, -1, EV_PERSIST, procreap_timer_cb, NULL);
	event_add(procreap.timer, &tv);
	procreap.soon = evtimer_new(base, procreap_soon_cb, NULL);
}

unsigned long
procreap_killed(void)
{
	return procreap.killed;
}

void
procreap_shutdown(void)
{
	struct procreap_ps *ps;
	pid_t me = getpid();
	size_t n, i;

	if (procreap.timer == NULL)
		return;
	procreap_sweep(1);
	/* What was killed is gone in a moment: wait for it. */
	n = procreap_scan(&ps);
	for (i = 0; i < n; i++) {
		if (ps[i].ppid == me && !procreap.tracked(ps[i].pid))
			while (
			    waitpid(ps[i].pid, NULL, 0) == -1 && errno == EINTR)
				;
	}
	free(ps);
	event_free(procreap.timer);
	procreap.timer = NULL;
	event_free(procreap.soon);
	procreap.soon = NULL;
}
