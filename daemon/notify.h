/*
 * Notifications: on an outage's start and end, and on a certificate that
 * expires within cert_warn_days, the configured notifiers run: exec (a
 * program by argv, the event in ITF_* environment variables, as Nagios
 * gives notification commands theirs) and webhook (a JSON POST through the
 * libcurl engine, a secret header read from a file). Planned outages and
 * anything during a maintenance window notify nobody; a notifier hears of
 * the same event of the same series at most once per notify_interval; a
 * failed delivery is retried with exponential backoff (1 s doubling to 5
 * min, at most NOTIFY_MAX_ATTEMPTS tries). Each notification and how its
 * delivery went is in the journal (notifications table). Nothing here
 * blocks the loop.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>
#include <time.h>

#include "journal.h"

#define NOTIFY_MAX_ATTEMPTS 12

struct conf;
struct event_base;
struct notify;

/* For /metrics. */
struct notify_counters {
	uint64_t events; /* notifications due (per notifier) */
	uint64_t suppressed_maintenance; /* not sent: planned / maintenance */
	uint64_t suppressed_rate; /* not sent: within notify_interval */
	uint64_t attempts; /* deliveries tried */
	uint64_t delivered;
	uint64_t failures; /* attempts that failed */
	uint64_t given_up; /* notifications dropped after the last attempt */
	uint64_t pending; /* waiting for delivery or a retry now */
};

struct notify *notify_new(struct event_base *, struct journal *);
/* Cancel every delivery in flight and free. */
void notify_free(struct notify *);
/* An outage started or ended (journal event). c: the running conf. */
void notify_outage(struct notify *, const struct conf *c,
    const struct journal_event *);
/* A run of an https series measured days left on its certificate. */
void notify_cert(struct notify *, const struct conf *c, const char *system,
    const char *series, double days, long warn_days, time_t t);
void notify_get_counters(struct notify *, struct notify_counters *);
/*
 * Deliver again what the journal holds as undelivered from before the
 * last stop (by the notifiers of c that have the same id).
 */
void notify_resume(struct notify *, const struct conf *c, struct journal *);

#endif
