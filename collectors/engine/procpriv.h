/*
 * The inside of a child process handle, shared by proc.c (starting,
 * watching, reaping, stopping) and proc_stream.c (stream mode: output
 * handed over line by line at a bounded rate). No other file includes it.
 */
#ifndef PROCPRIV_H
#define PROCPRIV_H

#include <stddef.h>
#include <sys/queue.h>
#include <sys/types.h>
#include <time.h>

#include "proc.h"

#define PROC_ERR_MAX 4096

struct event;

struct proc {
	TAILQ_ENTRY(proc) entry; /* in proc_queue or proc_live */
	struct event_base *base;
	struct proc_opts opts;
	char **argv;
	char **env;
	proc_done_cb done;
	void *arg;

	pid_t pid;
	int out_fd, err_fd, exec_fd, pid_fd;
	struct event *out_ev, *err_ev, *pid_ev, *timer;
	char *out;
	size_t outlen;
	char err[PROC_ERR_MAX + 1];
	size_t errlen;
	int truncated;
	int timed_out;
	int killed; /* SIGKILL sent */
	int cancelled; /* nobody waits for the result */
	int waiting; /* queued, not started */
	int launch_errno; /* fork or pipes failed */

	/* Stream mode (opts.line): partial lines, the rate, a pause. */
	struct proc_lines {
		char *buf; /* max_line + 1 bytes */
		size_t len;
		int dropping; /* a line went over: drop up to its newline */
	} lines[2]; /* stdout, stderr */
	time_t rate_sec;
	size_t rate_bytes;
	struct event *resume;
	int warned_rate;
	int shut; /* proc_shutdown ended it; the owner frees it */
	int released; /* runs on: no longer held to proc_max */
};

/* Stream mode: line buffers for a new handle (opts.line set). */
void proc_stream_init(struct proc *);
/* A stream's pipe: a bounded amount each time; 1 at EOF or error. */
int proc_stream_read(struct proc *, int fd, int is_out);
/* What is left of both streams' last lines, handed over. */
void proc_stream_flush(struct proc *);

#endif
