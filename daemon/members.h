/*
 * The daemons that share a PostgreSQL journal, as its members table has
 * them. A member registers when it starts (refused when another daemon
 * of a different configuration, or of the same name, is live), says it is
 * alive every daemon.heartbeat seconds, and leaves when it stops. One
 * thread with its own connection does this, reads the table every second
 * and tells the loop thread what changed (members_take): which members
 * are live, the journal's open outages, and the states of series asked
 * for (members_adopt). A member whose last heartbeat is older than its
 * lease is dead: it is marked evicted, so that it learns, if it comes
 * back, that its collectors were taken over. After its own connection
 * comes back, a daemon waits a lease before it calls anyone dead (they
 * were cut off from the database just as it was).
 */
#ifndef MEMBERS_H
#define MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "journal_db.h"

struct conf;
struct event_base;
struct members;

/* One member as the table has it. */
struct member {
	char *name;
	char *zone; /* NULL: none */
	int viewer;
	char *config_hash;
	char *config_file;
	char *host;
	long pid;
	double joined; /* when it registered, server time (s) */
	double age; /* seconds since its last heartbeat */
	double lease;
};

/* The live members (sorted by name), and the server's clock. */
struct members_view {
	struct member *v;
	size_t n;
	double offset_ms; /* server clock - this host's clock */
};

/* The state of a series taken over, as the journal had it. */
struct members_adopted {
	char *system;
	char *series;
	int has_state, has_open;
	struct journal_state_row st; /* its strings owned here */
	struct journal_open_row open;
};

/* What the thread found since the last look. */
struct members_news {
	int have_view;
	struct members_view view;
	int connected; /* to the database now */
	char error[256]; /* why not, or why the last statement failed */
	int evicted; /* this daemon had been taken over: registered anew */
	int have_opens;
	struct journal_open_row *opens; /* every open outage */
	size_t nopens;
	struct members_adopted *adopted;
	size_t nadopted;
	char conflict[256]; /* a live member of another configuration */
};

/* This daemon as a member of c's journal, of configuration hash. */
struct members *members_new(const struct conf *c, const char *hash);
/*
 * Join (at start, blocking): connect, refuse a newer schema, a live member
 * of another configuration or of this name, bring the schema up to date,
 * register. *before: the live members before this one registered (a
 * predecessor of this name among them if it had not yet been taken over);
 * *after: with this one. 0, or -1 with *cause (nothing written then).
 */
int members_join(struct members *, struct members_view *before,
    struct members_view *after, char **cause);
/* Start the thread; it wakes cb on base's loop with news. */
int members_start(struct members *, struct event_base *, void (*cb)(void *),
    void *arg);
/* Read the state of a series taken over, not before when (this host's
 * clock, ms). Thread: loop. */
void members_adopt(struct members *, const char *system, const char *series,
    uint64_t when_ms);
/* The configuration's hash changed (a reload): said with each heartbeat. */
void members_set_hash(struct members *, const char *hash);
/* How many collectors run here (written with each heartbeat). */
void members_set_running(struct members *, size_t n);
/* What is new (taken: *news is then the caller's to free). 1 if any. */
int members_take(struct members *, struct members_news *news);
void members_news_free(struct members_news *);
/* Stop the thread (news it announced and the loop has not taken is
 * dropped); with leave, delete this member's row first. */
void members_stop(struct members *, int leave);
void members_free(struct members *);

void members_view_free(struct members_view *);
void members_view_copy(struct members_view *dst,
    const struct members_view *src);
/* Take the member of that name out of view. */
void members_view_drop(struct members_view *, const char *name);
/* The member of that name in view, or NULL. */
const struct member *members_find(const struct members_view *,
    const char *name);

#endif
