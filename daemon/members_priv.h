/*
 * What the files of the membership share (members.c registers and runs
 * the thread, members_view.c keeps views, members_load.c reads for the
 * loop): the member's state and the table's rows. Nothing else includes
 * this.
 */
#ifndef MEMBERS_PRIV_H
#define MEMBERS_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include "members.h"
#include "pqdl.h"

struct event;

/* A series whose state is asked for, from when. */
struct members_req {
	struct members_req *next;
	char *system;
	char *series;
	uint64_t when_ms;
};

/* A row of the table, dead or alive. */
struct members_row {
	struct member m;
	char *incarnation;
	int evicted;
};

struct members {
	char *conninfo, *where, *password_file;
	char *name, *incarnation, *zone, *hash, *file, *host;
	int viewer;
	unsigned heartbeat, lease;

	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping, leave;
	struct members_req *reqs;
	struct members_news news; /* gathered for the loop */
	size_t nrunning;
	struct event *ev;
	void (*cb)(void *);
	void *cb_arg;

	/* The thread's (the joining thread's before it starts). */
	PGconn *conn;
	uint64_t connected_ms; /* when the connection was made (monotonic) */
	uint64_t next_beat_ms, next_opens_ms;
	struct members_view last; /* the view last handed over */
	double offset_ms;
	int warned_down;
};

/* Tell the loop there is news (the lock held). */
void members_wake(struct members *);
/* A statement failed: note why (why is freed). */
void members_failed(struct members *, char *why);
/* The open outages, and the states of the series due (the thread). */
void members_read_opens(struct members *);
void members_read_adopted(struct members *);
/* Add e (copied) to v, names kept sorted; one of a name replaces. */
void members_view_put(struct members_view *, const struct member *e);
/* 1 if a and b list the same members (names, zones, roles, joins). */
int members_view_same(const struct members_view *a,
    const struct members_view *b);
void members_member_free(struct member *);

#endif
