/*
 * Child processes on the event loop: a program run by argv (never through a
 * shell) in its own process group, with an explicit environment, as a given
 * user, its output read through pipes up to a cap, killed with its whole
 * group at its timeout (SIGTERM, then SIGKILL), reaped through a pidfd on
 * the loop. At most a fixed number run at once; the rest wait their turn.
 * A child that runs on (stream mode) has its output handed over line by
 * line as it comes instead, at a bounded rate, and is stopped gently.
 */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct proc;

/*
 * A line a child that runs on printed (stream mode): fd 1 (stdout) or 2
 * (stderr), without its newline, len bytes (it may hold NUL bytes); cut
 * when the line was longer than max_line and the rest was dropped.
 */
typedef void (*proc_line_cb)(struct proc *, int fd, const char *line,
    size_t len, int cut, void *arg);

struct proc_opts {
	const char *const *argv; /* argv[0] is the program's path */
	const char *const *env; /* "NAME=value", NULL-terminated */
	int set_user; /* switch to uid/gid in the child */
	uid_t uid;
	gid_t gid;
	size_t max_output; /* bytes of stdout kept; the rest discarded */
	uint64_t timeout_ms; /* from the child's start */
	/*
	 * Stream mode, for a child that may run on (a collectd program):
	 * when line is set, stdout and stderr go to it line by line as they
	 * come (nothing is kept for the result) and there is no timeout; the
	 * child counts against the number that may run at once until its
	 * owner says it runs on (proc_runs_on). At most max_rate bytes a
	 * second are read from it; beyond, reading pauses for the rest of
	 * that second and the child blocks on its pipe (logged once).
	 */
	proc_line_cb line;
	size_t max_line; /* longest line handed over (cut beyond) */
	size_t max_rate; /* bytes a second read at most */
};

struct proc_result {
	int exited; /* 1: exited with code; 0: killed by signal */
	int code;
	int signal;
	int timed_out; /* it ran into its timeout and was killed */
	int exec_errno; /* the program could not be run (0 if it was) */
	const char *out; /* stdout, NUL-terminated, outlen bytes */
	size_t outlen;
	int truncated; /* stdout went over max_output */
	const char *err; /* the start of stderr, NUL-terminated */
	size_t errlen;
};

typedef void (
    *proc_done_cb)(struct proc *, const struct proc_result *, void *arg);

/*
 * Run a program; done is called once from the loop when it has ended
 * (unless cancelled). Returns the handle, or NULL with *cause.
 */
struct proc *proc_start(struct event_base *, const struct proc_opts *,
    proc_done_cb done, void *arg, char **cause);
/* Kill the child's group and forget it: no callback; it is still reaped. */
void proc_cancel(struct proc *);
/*
 * Ask the child's group to stop (SIGTERM) and forget it: no callback; what
 * is left after grace_ms is killed (SIGKILL), and it is still reaped.
 * proc_shutdown gives children in stream mode the same chance.
 */
void proc_stop(struct proc *, uint64_t grace_ms);
/* The child's process id (0 while it waits its turn). */
pid_t proc_pid(const struct proc *);
/* A child in stream mode runs on for good: it stops counting against the
 * number that may run at once, and one that waits may start. */
void proc_runs_on(struct proc *);
/* At exit: kill and reap every child, free every handle (children in
 * stream mode get SIGTERM and PROC_STREAM_GRACE_MS first). */
#define PROC_STREAM_GRACE_MS 2000
void proc_shutdown(void);
/* The umask children start with (the daemon's own until set). */
void proc_set_umask(unsigned);
/* The soft RLIMIT_NOFILE children start with (0: the daemon's own). */
void proc_set_nofile(unsigned long long);
/* How many children may run at once (default 32). */
void proc_set_max(unsigned);
/* Children running and waiting now. */
unsigned proc_running(void);
unsigned proc_waiting(void);

#endif
