/*
 * Child processes on the event loop: a program run by argv (never through a
 * shell) in its own process group, with an explicit environment, as a given
 * user, its output read through pipes up to a cap, killed with its whole
 * group at its timeout (SIGTERM, then SIGKILL), reaped through a pidfd on
 * the loop. At most a fixed number run at once; the rest wait their turn.
 */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct proc;

struct proc_opts {
	const char *const *argv; /* argv[0] is the program's path */
	const char *const *env; /* "NAME=value", NULL-terminated */
	int set_user; /* switch to uid/gid in the child */
	uid_t uid;
	gid_t gid;
	size_t max_output; /* bytes of stdout kept; the rest discarded */
	uint64_t timeout_ms; /* from the child's start */
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
/* At exit: kill and reap every child, free every handle. */
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
