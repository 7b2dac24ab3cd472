/*
 * The daemon's background threads (thread.h). On Linux a nice value is a
 * thread's own: setpriority on the thread's id lowers it alone.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "thread.h"

void
thread_background(const char *name)
{
	pthread_setname_np(pthread_self(), name);
	/* Lowering is always allowed; should it fail, the thread runs on
	 * at the loop's priority, as it did. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
	    THREAD_BACKGROUND_NICE);
}
