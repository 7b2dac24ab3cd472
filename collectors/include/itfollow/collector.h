/*
 * itfollow collector ABI: the one public header a collector is written
 * against, built-in or plugin.
 *
 * A collector type is a struct itf_collector_ops. The host hands every
 * callback a struct itf_host_services of function pointers, so a plugin
 * never links against daemon symbols. Both structs start with the ABI
 * version they were built for; fields are only ever appended, and a reader
 * checks the version before it reads a field added later
 * (`if (host->abi_version >= 2) ...`).
 *
 * Lifetime of an instance (one configured collector):
 *   configure  -> reads its settings through the host getters, validates
 *                 them, allocates its state;
 *   start      -> called once per scheduled run; the run ends in exactly one
 *                 host->run_done(), from start() itself or later from an
 *                 event callback on the host's event base;
 *   cancel     -> the host gives up on a run in flight (shutdown, reload,
 *                 deadline): release what the run holds, then call
 *                 run_done() with ITF_REASON_CANCELLED;
 *   destroy    -> frees the state; no run is in flight.
 * Every callback runs on the daemon's event loop thread and must not block.
 */
#ifndef ITFOLLOW_COLLECTOR_H
#define ITFOLLOW_COLLECTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Bump when a field is appended to either struct.
 *   1: the first.
 *   2: host: emit_ds, conf_pair_list, instance_system, instance_series;
 *      ops: flags (ITF_COLLECTOR_DYNAMIC).
 *   3: host: emit_series, system_exists, state_path; ops:
 *      default_interval, reloaded.
 *   4: host: emit_row, event.
 *   5: host: secret, read_daily, system_ids; struct itf_key: ranged,
 *      min, max,
 *      values, message (a plugin of an older version has keys of only
 *      name and type: the host reads them so).
 */
#define ITF_COLLECTOR_ABI_VERSION 5

/* A plugin (.so) exports this symbol, a function returning its ops. */
#define ITF_COLLECTOR_ENTRY "itf_collector_entry"

struct event_base;
struct itf_instance; /* one configured collector, owned by the host */
struct itf_run; /* one run of an instance, owned by the host */

/* The outcome of a run. */
enum itf_status {
	ITF_STATUS_UP = 0,
	ITF_STATUS_DOWN = 1,
	ITF_STATUS_UNKNOWN = 2
};

/*
 * Why a run ended as it did. The numbers are stored (the `reason` data
 * source of availability series), so they never change; new reasons are
 * appended.
 */
enum itf_reason {
	ITF_REASON_OK = 0,
	ITF_REASON_TIMEOUT = 1,
	ITF_REASON_DNS = 2,
	ITF_REASON_CONNECT = 3,
	ITF_REASON_TLS = 4,
	ITF_REASON_HTTP_STATUS = 5,
	ITF_REASON_BODY_MISMATCH = 6,
	ITF_REASON_PROTOCOL = 7, /* the peer spoke garbage */
	ITF_REASON_RECV = 8, /* connection broke while reading */
	ITF_REASON_SEND = 9, /* connection broke while sending */
	ITF_REASON_EXPECT_MISMATCH = 10, /* tcp: answer lacks the expected */
	ITF_REASON_TOO_LARGE = 11, /* answer exceeded its cap */
	ITF_REASON_EXEC_FAILED = 12,
	ITF_REASON_PARSE_ERROR = 13,
	ITF_REASON_CANCELLED = 14,
	ITF_REASON_INTERNAL = 15,
	ITF_REASON_CHECK_WARNING = 16,
	ITF_REASON_CHECK_CRITICAL = 17,
	ITF_REASON_CHECK_UNKNOWN = 18,
	ITF_REASON_AUTH = 19,
	ITF_REASON_KILLED = 20, /* a check program died by a signal */
	ITF_REASON_RATE_LIMITED = 21, /* the server asked to wait (HTTP 429) */
	ITF_REASON_UNREACHABLE = 22, /* icmp: only "unreachable" came back */
	ITF_REASON_LOSS = 23, /* icmp: more echoes lost than max_loss */
	ITF_REASON_DNS_RCODE = 24, /* dns: an answer code not expected */
	ITF_REASON_ANSWER_MISMATCH = 25, /* dns: answers not as expected */
	ITF_REASON_TOO_MANY_SERIES = 26 /* a feed past a cap on its series */
};
#define ITF_REASON_MAX ITF_REASON_TOO_MANY_SERIES

/* Log levels, as syslog's. */
enum itf_log_level {
	ITF_LOG_ERR = 3,
	ITF_LOG_WARNING = 4,
	ITF_LOG_NOTICE = 5,
	ITF_LOG_INFO = 6,
	ITF_LOG_DEBUG = 7
};

/* The type of a data source a collector declares with emit_ds (v2). */
enum itf_ds_type {
	ITF_DS_GAUGE = 0,
	ITF_DS_COUNTER = 1,
	ITF_DS_DERIVE = 2,
	ITF_DS_ABSOLUTE = 3
};

/* How a declared data source is stored. min and max: NAN for none. */
struct itf_ds_spec {
	enum itf_ds_type type;
	double min;
	double max;
};

/* ops->flags (v2). */
/* The series' data sources come from what its runs emit with emit_ds, on
 * top of its template's (a template with only up and reason, say): the
 * first run's data sources make the file; a data source that appears
 * later is reported and not stored. */
#define ITF_COLLECTOR_DYNAMIC 0x1u

/* One day of a series' daily averages (read_daily). */
struct itf_daily {
	long long end; /* the day's end, seconds since the epoch (UTC) */
	double value; /* NAN: unknown */
};

/*
 * What read_daily found: status 0 and the days (n may be 0: no whole day
 * with a value yet); -1, the series cannot be read as it should (error
 * says why); -2, no such series yet (error says so). days and error
 * belong to the host, valid during the call.
 */
typedef void (*itf_daily_fn)(struct itf_run *run, void *arg, int status,
    const struct itf_daily *days, size_t n, const char *error);

/* The type of a configuration key a collector accepts. */
enum itf_key_type {
	ITF_KEY_STRING = 1,
	ITF_KEY_INT = 2,
	ITF_KEY_FLOAT = 3, /* an int is accepted too */
	ITF_KEY_BOOL = 4,
	ITF_KEY_STRING_LIST = 5, /* a list or array of strings */
	ITF_KEY_GROUP = 6, /* a group of string settings, e.g. env */
	ITF_KEY_PAIR_LIST = 7 /* a list of ("from", "to") string pairs */
};

/*
 * One key a collector accepts in its configuration block. The host checks
 * a value against its key before configure runs and reports each error
 * at the value's file:line, so configure only assigns what it gets; it is
 * still called when a check failed (its own errors are reported along),
 * and must not mind a value outside its key: the configuration is
 * refused anyway.
 */
struct itf_key {
	const char *name;
	enum itf_key_type type;
	/* Version 5. */
	int ranged; /* 1: an INT or FLOAT value must be min to max */
	double min, max;
	/* A STRING value must be one of these (NULL-terminated); NULL: any. */
	const char *const *values;
	/* Said when a check fails, instead of "\"NAME\" must be MIN to MAX"
	 * or "unknown NAME \"VALUE\" (want A | B)"; NULL: those. */
	const char *message;
};

/*
 * Entries of a key table. Positional, so that a table built with
 * -Wextra says nothing of fields it leaves out.
 *   ITF_KEY(name, type)                      a key checked for its type;
 *   ITF_KEY_RANGE(name, type, min, max, msg) an INT or FLOAT of min to
 *                                            max (msg: NULL, or what to
 *                                            say instead);
 *   ITF_KEY_VALUES(name, values, msg)        a STRING, one of values;
 *   ITF_KEY_END                              the end of the table.
 */
#define ITF_KEY(name, type)                         \
	{                                           \
		(name), (type), 0, 0, 0, NULL, NULL \
	}
#define ITF_KEY_RANGE(name, type, min, max, msg)             \
	{                                                    \
		(name), (type), 1, (min), (max), NULL, (msg) \
	}
#define ITF_KEY_VALUES(name, values, msg)                        \
	{                                                        \
		(name), ITF_KEY_STRING, 0, 0, 0, (values), (msg) \
	}
#define ITF_KEY_END                                             \
	{                                                       \
		NULL, (enum itf_key_type)0, 0, 0, 0, NULL, NULL \
	}

/*
 * What the host offers. Pointers stay valid for the life of the process.
 * Strings handed out by the getters belong to the host and are valid only
 * during configure(): copy what you keep. The instance pointer is valid
 * until destroy().
 */
struct itf_host_services {
	uint32_t abi_version; /* ITF_COLLECTOR_ABI_VERSION of the host */

	/* Log a message, prefixed with the instance's system and series. */
	void (*log)(const struct itf_instance *inst, enum itf_log_level level,
	    const char *fmt, ...)
#if defined(__GNUC__)
	    __attribute__((format(printf, 3, 4)))
#endif
	    ;

	/* The event base every callback runs on. */
	struct event_base *(*event_base)(void);

	/*
	 * Configuration getters for the instance's own block. Each returns 1
	 * when the key is set and stores the value, 0 when it is absent.
	 * Types were checked against the collector's keys before configure.
	 */
	int (*conf_string)(const struct itf_instance *inst, const char *key,
	    const char **out);
	int (*conf_int)(const struct itf_instance *inst, const char *key,
	    long long *out);
	int (*conf_float)(const struct itf_instance *inst, const char *key,
	    double *out);
	int (*conf_bool)(const struct itf_instance *inst, const char *key,
	    int *out);
	/* A string list: *out is a NULL-terminated array of *n strings. */
	int (*conf_strings)(const struct itf_instance *inst, const char *key,
	    const char *const **out, size_t *n);
	/* A group of strings: names and values, NULL-terminated, *n pairs. */
	int (*conf_pairs)(const struct itf_instance *inst, const char *key,
	    const char *const **names, const char *const **values, size_t *n);

	/*
	 * Report a configuration error in configure(), located at the key's
	 * line (or the block's when key is NULL or absent). configure() then
	 * returns -1.
	 */
	void (*conf_error)(const struct itf_instance *inst, const char *key,
	    const char *fmt, ...)
#if defined(__GNUC__)
	    __attribute__((format(printf, 3, 4)))
#endif
	    ;

	/* The instance's interval and timeout, in milliseconds. */
	uint64_t (*interval_ms)(const struct itf_instance *inst);
	uint64_t (*timeout_ms)(const struct itf_instance *inst);

	/*
	 * Record a value of the run, by data source name of the series'
	 * template. A data source never emitted is stored as unknown (U).
	 * Returns 0, or -1 when the template has no such data source.
	 */
	int (*emit)(struct itf_run *run, const char *ds, double value);

	/*
	 * End the run: exactly once per start(). message may be NULL; it is
	 * logged and kept as the run's last message.
	 */
	void (*run_done)(struct itf_run *run, enum itf_status status,
	    enum itf_reason reason, const char *message);

	/* The instance a run belongs to. */
	struct itf_instance *(*run_instance)(struct itf_run *run);

	/* Version 2. */

	/*
	 * Record a value and declare how its data source is stored: for
	 * collectors with ITF_COLLECTOR_DYNAMIC, whose data sources come from
	 * what they measure (check output, say). ds must match
	 * [a-z0-9_]{1,19}. Returns 0, or -1 when ds is not a valid name.
	 */
	int (*emit_ds)(struct itf_run *run, const char *ds, double value,
	    const struct itf_ds_spec *spec);

	/*
	 * A list of ("from", "to") pairs, e.g. map = ( ("a", "b") ): the
	 * firsts and seconds, NULL-terminated, *n pairs.
	 */
	int (*conf_pair_list)(const struct itf_instance *inst, const char *key,
	    const char *const **firsts, const char *const **seconds, size_t *n);

	/* The instance's system id and series id (a feed's: its fallback
	 * system, NULL when it has none, and its id). */
	const char *(*instance_system)(const struct itf_instance *inst);
	const char *(*instance_series)(const struct itf_instance *inst);

	/* Version 3. */

	/*
	 * Record a value of any series: for feeds, which fill series of many
	 * systems (licence servers, cost files). system must be configured
	 * (see system_exists) or "unallocated"; perspective one of the five;
	 * series an id; the file is made from template_name; ds one of its
	 * data sources. time is the value's time in seconds since the epoch,
	 * or 0 for the run's. Values of one series at one time make one
	 * update; a series' updates are stored in time order. With a
	 * counting template ("mode count": events) a value is a count of
	 * events at time: it is added to the row (a UTC day for events)
	 * that time falls in, to what the run gave that row and what the
	 * file held there. Returns 0, or -1 (a bad name, an unknown
	 * template or data source, an unknown system).
	 */
	int (*emit_series)(struct itf_run *run, const char *system,
	    const char *perspective, const char *series,
	    const char *template_name, const char *ds, double value,
	    long long time);

	/* 1 if id is a configured system. */
	int (*system_exists)(const struct itf_instance *inst, const char *id);

	/*
	 * The path of a file where the instance may keep state across
	 * restarts (what a feed has already counted, say), in the daemon's
	 * data directory; its directory exists. Write it whole (a temporary,
	 * then rename). Returns 0, or -1 when there is no such place.
	 */
	int (*state_path)(const struct itf_instance *inst, char *buf,
	    size_t len);

	/* Version 4. */

	/*
	 * Record a row of values of a dynamic series (ITF_COLLECTOR_DYNAMIC)
	 * at its own time: the instance's series when sub is NULL, else the
	 * series "<series>-<sub>" of the same system (sub [a-z0-9_-]+, the
	 * whole a valid id), made from the same template. names[i] is a data
	 * source ([a-z0-9_]{1,19}), values[i] its value (NAN: unknown),
	 * specs[i] how it is stored (NULL: GAUGE, no bounds). time is in
	 * seconds since the epoch, 0 for the run's slot. Rows of a series at
	 * one time make one update.
	 *
	 * A run that called emit_row stores its rows and nothing at its slot:
	 * each row carries the run's up and reason, rows go in time order, a
	 * row at or before its series' last stored time is skipped (counted
	 * and logged once). n may be 0 (names, values and specs NULL): such a
	 * run stores what other rows it has, or nothing (a program that runs
	 * on, whose values come later). Returns 0, or -1 (a bad name, too
	 * many values: nothing of the row is kept).
	 */
	int (*emit_row)(struct itf_run *run, const char *sub, long long time,
	    const char *const *names, const double *values,
	    const struct itf_ds_spec *specs, size_t n);

	/*
	 * Keep an event the instance's program reported (a collectd
	 * PUTNOTIF) in the journal, and log it: severity "failure",
	 * "warning" or "okay"; time in seconds since the epoch, 0 for now;
	 * source where it comes from in the program's terms (or NULL);
	 * message one line.
	 */
	void (*event)(const struct itf_instance *inst, const char *severity,
	    long long time, const char *source, const char *message);

	/* Version 5. */

	/*
	 * The secret in the file at path (a password, a token): its first
	 * line. Read at each call, so a renewed file counts at the next
	 * run: call it where the secret is used, never keep it from
	 * configure (configure checks only that a path is given). A file
	 * others may read or write is refused. Returns the secret, which
	 * the caller wipes (explicit_bzero) and frees, or NULL with *cause
	 * (the caller frees) naming the file but never its content. Never
	 * log a secret.
	 */
	char *(*secret)(const struct itf_instance *inst, const char *path,
	    char **cause);

	/*
	 * Read back the daily averages of data source ds of the series
	 * perspective/series of the run's system, as stored, over the
	 * span_s seconds to the end of today: from the first day with a
	 * value to the last that is over and has one. The read runs off the
	 * loop; done(run, arg, ...) comes later on the loop, never from
	 * inside read_daily, and not at all once the run has ended (a
	 * cancelled run). One read per run at a time. Returns 0, or -1
	 * (bad names, a read already in flight: done is never called).
	 */
	int (*read_daily)(struct itf_run *run, const char *perspective,
	    const char *series, const char *ds, long long span_s,
	    itf_daily_fn done, void *arg);

	/*
	 * The ids of the configured systems, sorted, in *n: an array the
	 * caller frees with free(); the ids are the host's, valid while
	 * inst is (copy them for what outlives it, such as a worker's job).
	 */
	const char **(*system_ids)(const struct itf_instance *inst, size_t *n);
};

/* A collector type. */
struct itf_collector_ops {
	uint32_t abi_version; /* ITF_COLLECTOR_ABI_VERSION it was built for */
	const char *name; /* the configuration's `type` */
	const char *perspective; /* default perspective of its series */
	const char *template_name; /* default RRD template */
	const struct itf_key *keys; /* keys it accepts, {NULL, 0}-terminated */

	/*
	 * Read and check the instance's settings, allocate its state in
	 * *state. Report each error with host->conf_error and return -1.
	 */
	int (*configure)(const struct itf_host_services *host,
	    struct itf_instance *inst, void **state);

	/* Start one run; see the lifetime above. Returns 0, or -1 when the
	 * run could not start (it then must not call run_done). */
	int (*start)(void *state, struct itf_run *run);

	/* Cancel the run in flight; must call run_done before returning. */
	void (*cancel)(void *state, struct itf_run *run);

	/* Free the state. */
	void (*destroy)(void *state);

	/* Version 2. */
	uint32_t flags; /* ITF_COLLECTOR_DYNAMIC */

	/* Version 3. */
	/* Seconds between runs when the configuration does not say (0: the
	 * configuration's defaults.interval). */
	uint32_t default_interval;

	/*
	 * Called (when not NULL) for an instance a reload kept because its
	 * settings did not change: a collector that learned something from
	 * its target (a Munin plugin's fields) learns it again.
	 */
	void (*reloaded)(void *state);
};

/* The type of the entry symbol a plugin exports. */
typedef const struct itf_collector_ops *(*itf_collector_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* ITFOLLOW_COLLECTOR_H */
