/*
 * The daemon's event loop: one libevent base, its signals (SIGTERM and
 * SIGINT stop, SIGHUP reloads), the runtime, the store and the status
 * server.
 */
#ifndef LOOP_H
#define LOOP_H

#include "conf.h"

struct loop_opts {
	const char *conf_file; /* NULL: the embedded default */
	int test_mode;
	int trim_heap; /* glibc's allocator: give free pages back now and then */
};

/*
 * Run the daemon on conf (which the loop owns from here) until a signal
 * stops it. In test mode, run every collector once and print the results.
 * Returns the exit code.
 */
int loop_run(const struct loop_opts *, struct conf *conf);

#endif
