/*
 * Daemons that share a PostgreSQL journal share the collectors. Each
 * collector (by its key: "system/series", "feed/id") runs on the live
 * member that rendezvous hashing of its key over the members' names
 * ranks first, among the collector members of its zone (a collector
 * without a zone: among all); a member that joins or leaves moves only its
 * own share. Moves are timed so that every slot of a collector runs once:
 *
 * - a member joins: the collectors it gets move at a time all members
 *   derive from its registration (joined + CLUSTER_HANDOFF_MS, server
 *   clock); the old owner runs the slots before it, the new one those from
 *   it, and reads the series' journal state once the old owner's last run
 *   is written (its runs meanwhile are held by the journal);
 * - a member leaves (stops, or misses its lease): the others start its
 *   collectors at once from the journal's state; the slots in between are
 *   not run, and the journal has them as unknown time.
 *
 * This runs on the loop thread; members.c does the database work.
 */
#ifndef CLUSTER_H
#define CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "members.h"

/* How long after a member registers the collectors it gets move to it. */
#define CLUSTER_HANDOFF_MS 3000

struct conf;
struct collect;
struct journal;
struct event_base;
struct evbuffer;
struct cluster;

/*
 * The configuration's fingerprint as members compare it: every collector
 * and feed (type, settings, zone), the maintenance windows and the
 * notifiers; not the daemon's own settings (name, zone, listen address,
 * paths), which differ between members. out holds 17 bytes (hex).
 */
void cluster_hash(const struct conf *, char *out);
/*
 * The member (index into v) that runs key of zone (NULL: any): the
 * highest rendezvous score among the collector members of the zone.
 * (size_t)-1 when no member may run it.
 */
size_t cluster_pick(const struct member *v, size_t n, const char *key,
    const char *zone);

/* This daemon as a member of c's journal; nothing is done yet. */
struct cluster *cluster_new(struct event_base *, const struct conf *c,
    struct collect *, struct journal *);
/* Join the members (at start, blocking). 0, or -1 with *cause. */
int cluster_join(struct cluster *, char **cause);
/*
 * Decide what runs here, and have co ask (collect_set_owner). After the
 * journal is started (its states are read), before the first apply.
 */
int cluster_start(struct cluster *);
/* A new configuration (a reload), before collect_apply takes it. */
void cluster_conf(struct cluster *, const struct conf *);
/* Stop; with leave, the others take over at once (after the journal has
 * written everything). */
void cluster_stop(struct cluster *, int leave);
void cluster_free(struct cluster *);
/* /metrics: who this member is, what runs here, moves. */
void cluster_metrics(struct cluster *, struct evbuffer *);
/* Why the cluster is not healthy, in buf; 0 when it is. */
int cluster_problem(struct cluster *, char *buf, size_t len);

#endif
