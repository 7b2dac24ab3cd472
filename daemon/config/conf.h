/*
 * The configuration: read with libconfig (this is its only user), checked
 * completely, every error reported as "file:line: message" before anything
 * starts. A loaded configuration owns its systems, their collector
 * instances (configured by their collector types) and the RRD templates.
 */
#ifndef CONF_H
#define CONF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hours.h"
#include "itfollow/collector.h"
#include "template.h"
#include "tz.h"

/* The build sets ITF_SYSCONFDIR to the install prefix's sysconfdir. */
#ifndef ITF_SYSCONFDIR
#define ITF_SYSCONFDIR "/etc"
#endif
#define CONF_DEFAULT_FILE ITF_SYSCONFDIR "/itfollow/itfollowd.conf"

struct conf_errors {
	char **msgs;
	size_t n;
};

/* Sort errors by file, then line, keeping the order within a line. */
void conf_errors_sort(struct conf_errors *);

struct conf_system;

/*
 * A maintenance window: one-off, [from, to), or weekly, from day (0
 * Monday .. 6 Sunday) at start (seconds after midnight UTC) for duration
 * seconds. Outages that start inside one are planned.
 */
struct conf_maint {
	int weekly;
	time_t from, to;
	int day;
	long start;
	long duration;
	int line;
};

/* A notifier: who hears of outages and expiring certificates. */
struct conf_notifier {
	char *id;
	int webhook; /* 0: exec */
	char **argv; /* exec: NULL-terminated */
	char *url; /* webhook */
	char *secret_header; /* webhook: NULL, or sent with secret_file's */
	char *secret_file;
	char **systems; /* only these (NULL-terminated); NULL: all */
	long notify_interval; /* seconds between repeats of one event */
	long timeout_ms;
	char *user; /* exec: who it runs as when the daemon is root */
	int line;
};

/* One configured collector. */
struct idindex;

/* Feeds: series one may fill (max_series), and new series (files) all
 * feeds together may make in an hour (daemon.max_new_series_per_hour). */
#define CONF_MAX_SERIES 500
#define CONF_NEW_SERIES_PER_HOUR 1000
#define CONF_MAX_SERIES_MAX 1000000

struct itf_instance {
	const struct itf_collector_ops *ops;
	const struct itf_host_services *host;
	void *state; /* the collector's, from configure */
	/* Repointed when a reload keeps it. A feed's: where it writes what
	 * nothing maps elsewhere (NULL: none). */
	struct conf_system *system;
	int feed; /* of the top-level feeds list */
	const struct conf *conf; /* the configuration it belongs to */
	char *series; /* a feed's: its id */
	char *perspective;
	char *key; /* "system/series", unique */
	char *fingerprint; /* all its settings: equal means unchanged */
	struct tmpl *tmpl;
	uint64_t interval_ms;
	uint64_t timeout_ms;
	const char *file; /* one copy for all of a file's (conf_collector.c) */
	int line;

	/* Its block of the configuration's settings, kept from conf_read
	 * (keep) until conf_settled; errs valid only while configure()
	 * runs. */
	const void *setting;
	struct conf_errors *errs;
	int users; /* a system's users = ...: its users series */
	char *type; /* the configuration's type */

	void *rt; /* the runtime's (collect.c) */

	unsigned fail_after; /* consecutive failures that make an outage */
	long cert_warn_days; /* notify below this many days (0: never) */
	unsigned max_series; /* a feed's: the most series it may fill */
	char *zone; /* only daemons of this daemon.zone run it (NULL: any) */
};

struct conf_system {
	char *id;
	char *name;
	char *owner;
	char *category;
	char *portfolio;
	int line;
	struct itf_instance **insts;
	size_t ninsts;
	struct conf_maint *maint; /* its own windows (the conf's apply too) */
	size_t nmaint;
	struct hours hours; /* its own service hours, holidays (replace the
	                       conf's) */
};

struct conf {
	char *file; /* as given, or "(embedded)" */
	int embedded;
	char *data_dir;
	char *templates_dir;
	char *status_listen;
	char *plugin_dir; /* NULL: no plugins */
	unsigned max_children;
	unsigned write_delay; /* store: seconds updates are held back */
	char *user; /* daemon.user: who to become when root, or NULL */
	char *group; /* daemon.group: NULL: the user's login group */
	int user_line;
	char *rrdcached; /* store: write through it (NULL: directly) */
	size_t buffer_max; /* store: values held while rrdcached is away */
	unsigned shard_k, shard_n; /* daemon.shard "k/n" (n 0: no shard) */
	unsigned max_new_series_per_hour; /* files feeds may make an hour */
	/* store.journal: a PostgreSQL connection string (NULL: the SQLite
	 * file in data_dir), and the file holding its password. */
	char *journal;
	char *journal_password_file;
	/* Daemons sharing a PostgreSQL journal: this one's name (default
	 * its host name), zone, role, and how often it says it is alive and
	 * how long the others wait before taking its collectors over. */
	char *member;
	char *zone;
	int viewer; /* daemon.role = "viewer": runs no collectors */
	unsigned heartbeat, lease; /* seconds */
	int log_level;
	uint64_t interval_ms;
	uint64_t timeout_ms;
	struct conf_system **systems;
	size_t nsystems;
	struct idindex *sysindex; /* systems by id (NULL: look through) */
	struct itf_instance **feeds;
	size_t nfeeds;
	struct tmpl **tmpls;
	size_t ntmpls;
	unsigned fail_after; /* defaults.fail_after (3) */
	long cert_warn_days; /* defaults.cert_warn_days (14) */
	long notify_interval; /* defaults.notify_interval (3600) */
	struct conf_maint *maint; /* windows of every system */
	size_t nmaint;
	struct conf_notifier *notifiers;
	size_t nnotifiers;
	struct tz *tz; /* daemon.timezone (NULL: UTC) */
	struct hours hours; /* top-level service hours and holidays */
	void *settings; /* libconfig's, while kept (conf_read's keep) */
};

/*
 * Read and check the configuration in file (or, when text is not NULL,
 * the text, reported under the name file): the model, read without side
 * effects. Nothing of a collector runs: no plugin is loaded (a plugin's
 * collector is known by its type's file, with conftype_unloaded_ops), no
 * configure is called, no secret is read, no file is made. Built-in
 * types' key tables are checked. Returns the configuration, or NULL with
 * every error in errs. With keep, the settings stay for the daemon's
 * instantiation (instance.h) until conf_settled, and the configuration is
 * returned even with errors, so that its collectors' errors are reported
 * along: the caller checks errs.
 */
struct conf *conf_read(const char *file, const char *text, int keep,
    struct conf_errors *errs);
/*
 * conf_read of file for a command about system id alone: every system is
 * read, but only id's collectors (confcut.h). A file that cannot be cut,
 * or that has an error in what is left, is read whole (its errors in
 * errs, as conf_read reports them). Not for the daemon, nor for a command
 * that reads other systems' collectors or series.
 */
struct conf *conf_read_system(const char *file, const char *id,
    struct conf_errors *errs);
/* Let go of the settings conf_read kept (instances' setting NULL). */
void conf_settled(struct conf *);
/*
 * Give inst, read with conftype_unloaded_ops, the ops of its plugin now
 * loaded: its keys checked, its default interval, perspective and
 * template taken. Errors go to errs. Settings must be kept.
 */
void conf_instance_typed(struct conf *, struct itf_instance *inst,
    const struct itf_collector_ops *ops, struct conf_errors *errs);
/* Free the arrays the list getters handed out during one configure. */
void conf_scratch_free(void);
/* Free a configuration, destroying the instances it still owns. */
void conf_free(struct conf *);
/* 1 if by names a tag systems are grouped by: category, portfolio, owner. */
int conf_is_tag(const char *by);
/* The value of that tag of sys ("(no owner)" for none); NULL: not a tag. */
const char *conf_system_tag(const struct conf_system *sys, const char *by);
/* A warning if the configuration file is readable by others. */
void conf_warn_mode(const struct conf *);
void conf_errors_add(struct conf_errors *, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void conf_errors_clear(struct conf_errors *);
void conf_instance_free(struct itf_instance *);

/* A loaded template by name, or NULL. */
struct tmpl *conf_template(const struct conf *, const char *name);
/* A configured system by id, or NULL. */
struct conf_system *conf_find_system(const struct conf *, const char *id);
/*
 * Give c the time zone of old, which a running daemon keeps until it
 * restarts (librrd draws its graph axes in the process's TZ, set once
 * before any thread starts). 1 when c named another zone.
 */
int conf_keep_timezone(struct conf *c, struct conf *old);
/* The service hours of system (its own, else the conf's) over [from, to),
 * in the conf's zone, into out. */
void conf_service_spans(const struct conf *, const char *system, time_t from,
    time_t to, struct spans *out);

/* The embedded default configuration, used when no file exists. */
extern const char conf_embedded[];

/* Host getters over the instance's block (valid during configure). */
int conf_inst_string(const struct itf_instance *, const char *, const char **);
int conf_inst_int(const struct itf_instance *, const char *, long long *);
int conf_inst_float(const struct itf_instance *, const char *, double *);
int conf_inst_bool(const struct itf_instance *, const char *, int *);
int conf_inst_strings(const struct itf_instance *, const char *,
    const char *const **, size_t *);
int conf_inst_pairs(const struct itf_instance *, const char *,
    const char *const **, const char *const **, size_t *);
int conf_inst_pair_list(const struct itf_instance *, const char *,
    const char *const **, const char *const **, size_t *);
void conf_inst_verror(const struct itf_instance *, const char *, const char *,
    va_list) __attribute__((format(printf, 3, 0)));

#endif
