/*
 * The daemon's background threads (thread.h). On Linux a nice value is a
 * thread's own: setpriority on the thread's id lowers it alone.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "thread.h"

/* The lowest priority a nice value gives (getpriority(2)). */
#define THREAD_NICE_LOWEST 19

void
thread_background(const char *name)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	int prio;

	pthread_setname_np(pthread_self(), name);
	/* Relative to the daemon's own (it may run nice already), at most
	 * the lowest there is. Lowering is always allowed; should it fail,
	 * the thread runs on at the loop's priority, as it did. */
	errno = 0;
	prio = getpriority(PRIO_PROCESS, tid);
	if (prio == -1 && errno != 0)
		return;
	prio += THREAD_BACKGROUND_NICE;
	(void)setpriority(PRIO_PROCESS, tid,
	    prio > THREAD_NICE_LOWEST ? THREAD_NICE_LOWEST : prio);
}
