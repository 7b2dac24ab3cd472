/*
 * What a check program leaves behind. A child that starts a grandchild in
 * a session of its own (setsid) takes it out of the process group that
 * proc.c kills; the daemon is therefore a child subreaper
 * (PR_SET_CHILD_SUBREAPER): whatever its children leave running becomes
 * its child when their parent exits. At a child's timeout its descendants
 * are found through /proc while it lives: those outside its process group
 * are killed at once, the rest go with the group. At exit every child
 * proc.c does not run is killed. What exits on its own is reaped every
 * PROCREAP_SWEEP_S seconds (a notifier's mailer sent to the background
 * may finish its work).
 */
#ifndef PROCREAP_H
#define PROCREAP_H

#include <sys/types.h>

struct event_base;

#define PROCREAP_SWEEP_S 10

/* 1 if pid is a child proc.c runs (not to be swept). */
typedef int (*procreap_tracked_fn)(pid_t pid);

/* Become a subreaper and start sweeping; once (later calls do nothing). */
void procreap_init(struct event_base *, procreap_tracked_fn tracked);
/*
 * Send sig to every descendant of pid (not to pid itself), but to none in
 * process group skip (0: skip none). How many were signalled.
 */
unsigned procreap_kill_tree(pid_t pid, int sig, pid_t skip);
/* Reap every child of the daemon proc.c does not run that has exited;
 * with kill_live, kill the live ones (and theirs) first. */
void procreap_sweep(int kill_live);
/*
 * Reap what has exited among the children proc.c does not run, as far as
 * waitid shows them (up to the first of proc.c's own): after a child of
 * proc.c's ended, whose setsid children may have too. Cheap: no /proc.
 */
void procreap_reap(void);
/* As procreap_reap, now and again in a few ms: after a process group was
 * killed, its members that were reparented to the daemon die shortly. */
void procreap_reap_soon(void);
/* How many were killed so far (for the log and the tests). */
unsigned long procreap_killed(void);
/* At exit: sweep once more, waiting for what it kills, and stop. */
void procreap_shutdown(void);

#endif
