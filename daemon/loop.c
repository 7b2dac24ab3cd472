/*
 * Signals and reload. A reload reads the file again; a configuration with
 * errors is logged, error by error, and the running one stays. On stop,
 * runs in flight are cancelled (they write nothing), the queued writes are
 * flushed, and everything is freed.
 */
#include <curl/curl.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <event2/event.h>
#include <event2/thread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cached.h"
#include "cluster.h"
#include "collect.h"
#include "curlev.h"
#include "instance.h"
#include "dashboard.h"
#include "flushreq.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "offload.h"
#include "pinger.h"
#include "plugin.h"
#include "priv.h"
#include "proc.h"
#include "series.h"
#include "seriescap.h"
#include "status.h"
#include "store_rrd.h"
#include "xmalloc.h"

struct loop {
	const struct loop_opts *opts;
	struct event_base *base;
	struct collect *co;
	struct store *store;
	struct status *status;
	struct dashboard *dash; /* its routes on status */
	struct flushreq *flush; /* its route on status */
	struct event *sigterm, *sigint, *sighup;
	struct event *trim;
	struct journal *journal;
	struct notify *notify;
	struct cluster *cluster; /* NULL: no PostgreSQL journal */
};

/*
 * A viewer writes nothing, so its dashboard owns the process's rrdcached
 * connection and flushes each file through it before reading, as the tool
 * does. (A daemon that collects leaves the connection to its writer.)
 */
#define LOOP_FLUSH_WAIT_MS 2000
#define LOOP_FLUSH_BUSY_S 10

struct loop_flush {
	char *addr;
	char *data_dir;
};
static struct loop_flush loop_flush;

static void
loop_flush_cb(const char *path, void *arg)
{
	struct loop_flush *f = arg;
	char *cause = NULL;

	if (cached_flush_path(f->addr, f->data_dir, path, &cause) != 0)
		log_debug("dashboard: %s: %s; read as it is", path, cause);
	free(cause);
}

/*
 * A daemon that collects: its dashboard asks the writer to write what it
 * holds for a file (write_delay; and through rrdcached) before reading it.
 * A writer that did not answer in time is not waited for again for a while:
 * the page shows the files as they are.
 */
static void
loop_store_flush_cb(const char *path, void *arg)
{
	static time_t busy_until;
	time_t now = time(NULL);

	if (now < __atomic_load_n(&busy_until, __ATOMIC_RELAXED))
		return;
	if (store_flush_wait(arg, path, LOOP_FLUSH_WAIT_MS) != 0) {
		log_debug("dashboard: %s: the writer is busy; read as it is",
		    path);
		__atomic_store_n(&busy_until, now + LOOP_FLUSH_BUSY_S,
		    __ATOMIC_RELAXED);
	}
}

static void
loop_viewer_flush(const struct conf *conf, struct store *store)
{
	if (!conf->viewer) {
		series_set_flush(loop_store_flush_cb, store);
		return;
	}
	if (conf->rrdcached == NULL)
		return;
	loop_flush.addr = xstrdup(conf->rrdcached);
	loop_flush.data_dir = xstrdup(conf->data_dir);
	series_set_flush(loop_flush_cb, &loop_flush);
}

/* An outage started or ended: tell the notifiers. */
static void
loop_journal_event_cb(const struct journal_event *ev, void *arg)
{
	struct loop *l = arg;

	notify_outage(l->notify, collect_conf(l->co), ev);
}

/*
 * Give the allocator's free pages back to the system now and then. Probes
 * allocate and free a few kilobytes each in every turn of the loop, and
 * the writer threads do the same on their own arenas; glibc returns only
 * the top of an arena by itself, so pages freed below long-lived blocks
 * would otherwise stay resident at their peak for good.
 */
#define LOOP_TRIM_S 10

static void
loop_trim_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static void
loop_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	log_notice("signal %d: stopping", (int)sig);
	event_base_loopbreak(l->base);
}

/*
 * Read the configuration file; on errors, log them after "<prefix>file has
 * N error(s)<suffix>" and return NULL.
 */
static struct conf *
loop_load(const char *file, const char *prefix, const char *suffix)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *c;
	size_t i;

	if ((c = instance_load(file, NULL, collect_host(), &errs)) != NULL)
		return c;
	log_err("%s%s has %zu error(s)%s", prefix, file, errs.n, suffix);
	for (i = 0; i < errs.n; i++)
		log_err("%s", errs.msgs[i]);
	conf_errors_clear(&errs);
	return NULL;
}

/*
 * Read the configuration again, this time loading its plugins (after the
 * privilege drop). 0, or -1 with *conf unchanged.
 */
static int
loop_read_again(const struct loop_opts *opts, struct conf **conf)
{
	struct conf *c;

	log_notice("loading %u plugin collector(s) as the daemon's user",
	    plugin_deferred());
	c = loop_load(opts->conf_file, "", "; its plugins are not loaded");
	if (c == NULL)
		return -1;
	if (conf_keep_timezone(c, *conf))
		log_warn("daemon.timezone changed; takes effect at restart");
	conf_free(*conf);
	*conf = c;
	return 0;
}

static int
loop_differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

/* What a member is stays as it started. */
static void
loop_reload_member(const struct conf *conf, const struct conf *old)
{
	if (loop_differ(conf->journal, old->journal) ||
	    loop_differ(conf->journal_password_file,
	        old->journal_password_file))
		log_warn(
		    "reload: store.journal changed; takes effect at restart");
	if (loop_differ(conf->member, old->member) ||
	    loop_differ(conf->zone, old->zone) || conf->viewer != old->viewer ||
	    conf->heartbeat != old->heartbeat || conf->lease != old->lease)
		log_warn(
		    "reload: daemon.name, zone, role, heartbeat or lease changed; takes effect at restart");
}

static void
loop_reload(struct loop *l)
{
	struct conf *conf, *old = collect_conf(l->co);

	if (l->opts->conf_file == NULL) {
		log_notice(
		    "reload: running the embedded configuration; nothing to read");
		return;
	}
	conf = loop_load(l->opts->conf_file,
	    "reload: ", "; keeping the running configuration");
	if (conf == NULL)
		return;
	if (strcmp(conf->data_dir, old->data_dir) != 0)
		log_warn("reload: data_dir changed; takes effect at restart");
	if (conf->write_delay != old->write_delay)
		log_warn(
		    "reload: store.write_delay changed; takes effect at restart");
	if (strcmp(conf->status_listen, old->status_listen) != 0)
		log_warn(
		    "reload: status_listen changed; takes effect at restart");
	if ((conf->user == NULL) != (old->user == NULL) ||
	    (conf->user != NULL && strcmp(conf->user, old->user) != 0))
		log_warn(
		    "reload: daemon.user changed; takes effect at restart");
	if ((conf->rrdcached == NULL) != (old->rrdcached == NULL) ||
	    (conf->rrdcached != NULL &&
	        strcmp(conf->rrdcached, old->rrdcached) != 0) ||
	    conf->buffer_max != old->buffer_max)
		log_warn(
		    "reload: store.rrdcached or store.buffer_max changed; takes effect at restart");
	if (conf->shard_k != old->shard_k || conf->shard_n != old->shard_n)
		log_warn(
		    "reload: daemon.shard changed; takes effect at restart");
	loop_reload_member(conf, old);
	if (conf_keep_timezone(conf, old))
		log_warn(
		    "reload: daemon.timezone changed; takes effect at restart");
	conf_warn_mode(conf);
	log_set_level(conf->log_level);
	proc_set_max(conf->max_children);
	if (l->cluster != NULL)
		cluster_conf(l->cluster, conf);
	collect_apply(l->co, conf);
	collect_reassign(l->co);
}

static void
loop_hup_cb(evutil_socket_t sig, short what, void *arg)
{
	log_notice("SIGHUP: reloading");
	loop_reload(arg);
}

/* What feeds may create (seriescap.h), for /metrics. */
static void
loop_metrics_series(struct evbuffer *b)
{
	struct seriescap_stats cs;

	seriescap_get_stats(&cs);
	status_metric(b, "itfollow_feed_series_admitted_total", "counter",
	    "Series feeds began to fill.", cs.admitted);
	status_metric(b, "itfollow_feed_series_created_total", "counter",
	    "Series feeds began to fill that had no file yet.", cs.created);
	status_metric(b, "itfollow_feed_series_refused_total", "counter",
	    "New series refused at max_series or the hourly cap, by run (the run ends down, too_many_series).",
	    cs.refused);
	status_metric(b, "itfollow_feed_series_new_this_hour", "gauge",
	    "New series (files) feeds made this clock hour.", cs.this_hour);
}

/* The journal's and the notifiers' counters, for /metrics. */
static void
loop_metrics_cb(struct evbuffer *b, void *arg)
{
	struct loop *l = arg;
	struct journal_stats js;
	struct notify_counters nc;

	journal_get_stats(l->journal, &js);
	status_metric(b, "itfollow_journal_up", "gauge",
	    "1 while the journal is open and its last write worked.",
	    (unsigned long long)js.ok);
	status_metric(b, "itfollow_journal_records_total", "counter",
	    "Records written to the journal.", js.written);
	status_metric(b, "itfollow_journal_errors_total", "counter",
	    "Journal transactions that failed (and are retried).", js.errors);
	status_metric(b, "itfollow_journal_dropped_total", "counter",
	    "Journal records dropped because its queue was full.", js.dropped);
	status_metric(b, "itfollow_journal_queue_depth", "gauge",
	    "Journal records waiting to be written.", js.queued);
	evbuffer_add_printf(b,
	    "# HELP itfollow_journal_oldest_seconds How long the oldest record waiting for the journal has waited.\n# TYPE itfollow_journal_oldest_seconds gauge\nitfollow_journal_oldest_seconds %.3f\n# HELP itfollow_journal_lag_seconds How long the oldest record of the last batch written had waited.\n# TYPE itfollow_journal_lag_seconds gauge\nitfollow_journal_lag_seconds %.3f\n",
	    js.oldest_ms / 1000.0, js.lag_ms / 1000.0);
	if (l->cluster != NULL)
		cluster_metrics(l->cluster, b);
	notify_get_counters(l->notify, &nc);
	status_metric(b, "itfollow_notifications_total", "counter",
	    "Notifications due, per notifier.", nc.events);
	status_metric(b, "itfollow_notifications_suppressed_total", "counter",
	    "Notifications not sent: planned outage or within notify_interval.",
	    nc.suppressed_maintenance + nc.suppressed_rate);
	status_metric(b, "itfollow_notification_attempts_total", "counter",
	    "Notification deliveries tried.", nc.attempts);
	status_metric(b, "itfollow_notifications_delivered_total", "counter",
	    "Notifications delivered.", nc.delivered);
	status_metric(b, "itfollow_notification_failures_total", "counter",
	    "Notification attempts that failed (retried with backoff).",
	    nc.failures);
	status_metric(b, "itfollow_notifications_given_up_total", "counter",
	    "Notifications dropped after their last attempt.", nc.given_up);
	status_metric(b, "itfollow_notifications_pending", "gauge",
	    "Notifications waiting for delivery or a retry.", nc.pending);
	loop_metrics_series(b);
}

/* /health: the journal waits for its store, or the cluster is amiss. */
static int
loop_problem_cb(char *buf, size_t len, void *arg)
{
	struct loop *l = arg;
	struct journal_stats js;

	journal_get_stats(l->journal, &js);
	if (!js.ok && js.error[0] != '\0') {
		snprintf(buf, len, "journal %s: %s; %llu records wait",
		    journal_where(l->journal), js.error,
		    (unsigned long long)js.queued);
		return 1;
	}
	return l->cluster != NULL && cluster_problem(l->cluster, buf, len);
}

/* The open outage of a series for /api/v1/systems, from the journal. */
static json_t *
loop_outage_cb(const char *system, const char *series, void *arg)
{
	const char *reason;
	char when[32];
	time_t start;

	(void)arg;
	if (!journal_open_outage(system, series, &start, &reason))
		return NULL;
	log_iso(start, when, sizeof when);
	return json_pack("{s:s, s:I, s:s}", "start", when, "start_epoch",
	    (json_int_t)start, "reason", reason);
}

/* Does conf have a collector of type? */
static int
loop_has_type(const struct conf *conf, const char *type)
{
	size_t i, k;

	for (i = 0; i < conf->nsystems; i++) {
		for (k = 0; k < conf->systems[i]->ninsts; k++) {
			if (strcmp(conf->systems[i]->insts[k]->ops->name,
			        type) == 0)
				return 1;
		}
	}
	return 0;
}

/*
 * As many descriptors as the hard limit allows: every probe in flight
 * holds one, and the status server keeps off the last quarter (httpd.c).
 * Check programs get the soft limit the daemon was started with.
 */
static void
loop_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	was = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = was;
	}
	proc_set_nofile((unsigned long long)was);
	log_notice("open files: at most %llu (RLIMIT_NOFILE; it was %llu)",
	    (unsigned long long)rl.rlim_cur, (unsigned long long)was);
}

/*
 * Start the journal; with a PostgreSQL one, join its members first (a
 * conflict is refused before anything is written) and decide what runs
 * here once the journal has read the series' states. 0, or -1 (logged).
 */
static int
loop_join(struct loop *l, const struct conf *conf)
{
	char *cause = NULL;

	if (l->journal == NULL)
		return 0;
	if (conf->journal != NULL) {
		l->cluster = cluster_new(l->base, conf, l->co, l->journal);
		if (cluster_join(l->cluster, &cause) != 0)
			goto fail;
	}
	if (journal_start(l->journal, &cause) != 0)
		goto fail;
	if (l->cluster != NULL && cluster_start(l->cluster) != 0)
		return -1;
	return 0;
fail:
	log_err("%s", cause);
	free(cause);
	return -1;
}

/* The RRD writer started for conf; 0, or -1 (logged, nothing left). */
static int
loop_start_store(struct loop *l, const struct conf *conf)
{
	char *cause = NULL;

	l->store = store_new(conf->data_dir);
	store_set_delay(l->store, conf->write_delay);
	store_set_rrdcached(l->store, conf->viewer ? NULL : conf->rrdcached,
	    conf->buffer_max);
	loop_viewer_flush(conf, l->store);
	if (store_start(l->store, &cause) != 0) {
		log_err("%s", cause);
		free(cause);
		store_free(l->store);
		return -1;
	}
	return 0;
}

/* The status server and its routes; -1 if the daemon cannot go on. */
static int
loop_start_status(struct loop *l, const struct conf *conf)
{
	char *cause = NULL;

	l->status =
	    status_start(l->base, conf->status_listen, l->co, l->store, &cause);
	if (l->status == NULL) {
		if (!l->opts->test_mode) {
			log_err("%s", cause);
			free(cause);
			return -1;
		}
		log_warn("%s", cause);
		free(cause);
		return 0;
	}
	log_info("status server on http://%s/", conf->status_listen);
	l->dash = dashboard_start(l->status, l->base);
	l->flush = flushreq_start(l->status, l->base);
	if (l->journal != NULL) {
		status_set_outage(l->status, loop_outage_cb, NULL);
		status_set_metrics(l->status, loop_metrics_cb, l);
		status_set_problem(l->status, loop_problem_cb, l);
	}
	return 0;
}

/*
 * What needs root is done, privileges dropped, deferred plugins loaded
 * (*conf read again) and the journal joined; 0, or -1 (logged).
 */
static int
loop_drop(struct loop *l, struct conf **conf)
{
	char *cause = NULL;

	/* Raw ICMP sockets, if icmp probes need them: root or CAP_NET_RAW
	 * opens them, here, and CAP_NET_RAW is given up. */
	if (pinger_prepare((*conf)->user, loop_has_type(*conf, "icmp"),
	        &cause) != 0) {
		log_warn("%s", cause);
		free(cause);
		cause = NULL;
	}
	if (priv_drop(*conf, &cause) != 0) {
		log_err("%s", cause);
		free(cause);
		return -1;
	}
	/* The plugins main deferred: loaded now, as daemon.user. */
	if (plugin_deferred() > 0 && loop_read_again(l->opts, conf) != 0)
		return -1;
	/* After the drop, so that the journal's files belong to the user. */
	if (loop_join(l, *conf) != 0)
		return -1;
	return 0;
}

/* Runs conf's collectors until a signal stops the loop. */
static void
loop_dispatch(struct loop *l, struct conf *conf)
{
	l->sigterm = evsignal_new(l->base, SIGTERM, loop_stop_cb, l);
	l->sigint = evsignal_new(l->base, SIGINT, loop_stop_cb, l);
	l->sighup = evsignal_new(l->base, SIGHUP, loop_hup_cb, l);
	evsignal_add(l->sigterm, NULL);
	evsignal_add(l->sigint, NULL);
	evsignal_add(l->sighup, NULL);
	if (l->opts->trim_heap) {
		struct timeval tv = { LOOP_TRIM_S, 0 };

		l->trim = event_new(l->base, -1, EV_PERSIST, loop_trim_cb, l);
		event_add(l->trim, &tv);
	}

	proc_set_max(conf->max_children);
	collect_apply(l->co, conf);
	notify_resume(l->notify, collect_conf(l->co), l->journal);
	if (!l->opts->test_mode || collect_inflight(l->co) > 0)
		event_base_dispatch(l->base);

	event_free(l->sigterm);
	event_free(l->sigint);
	event_free(l->sighup);
	if (l->trim != NULL)
		event_free(l->trim);
}

/* Everything stopped and freed, in order; the exit status. */
static int
loop_end(struct loop *l, struct conf *conf, int rc)
{
	collect_shutdown(l->co);
	notify_free(l->notify);
	proc_shutdown();
	offload_shutdown();
	store_stop(l->store);
	journal_stop(l->journal);
	/* Written: the others may take over from what the journal says. */
	cluster_stop(l->cluster, 1);
	if (l->opts->test_mode && rc == 0)
		rc = collect_test_report(l->co, stdout);
	dashboard_free(l->dash);
	flushreq_free(l->flush);
	status_free(l->status);
	collect_free(l->co);
	/*
	 * A lookup cut short (a tcp probe's name, still resolving) ends in
	 * deferred callbacks: let them run, or what they free leaks.
	 */
	event_base_loop(l->base, EVLOOP_NONBLOCK);
	conf_free(conf);
	curlev_shutdown();
	pinger_shutdown();
	plugin_unload_all();
	store_free(l->store);
	cluster_free(l->cluster);
	journal_free(l->journal);
	journal_reader_close();
	series_set_flush(NULL, NULL);
	free(loop_flush.addr);
	free(loop_flush.data_dir);
	event_base_free(l->base);
	return rc;
}

int
loop_run(const struct loop_opts *opts, struct conf *conf)
{
	struct loop l;

	memset(&l, 0, sizeof l);
	l.opts = opts;
	loop_raise_nofile();
	/* What the daemon makes (RRD files, the journal, state) is not for
	 * others: 0640 and 0750. Check programs get the umask back. */
	proc_set_umask((unsigned)umask(027));
	evthread_use_pthreads();
	l.base = event_base_new();
	if (l.base == NULL) {
		log_err("event_base_new failed");
		conf_free(conf);
		return 1;
	}
	if (loop_start_store(&l, conf) != 0) {
		conf_free(conf);
		event_base_free(l.base);
		return 1;
	}
	l.co = collect_new(l.base, l.store, opts->test_mode);
	if (!opts->test_mode) {
		l.journal = journal_new(conf);
		l.notify = notify_new(l.base, l.journal);
		journal_set_event_cb(l.journal, loop_journal_event_cb, &l);
		collect_set_journal(l.co, l.journal, l.notify);
	}
	collect_set_shard(l.co, conf->shard_k, conf->shard_n);
	if (loop_start_status(&l, conf) != 0)
		return loop_end(&l, conf, 1);
	log_notice("data in %s/rrd", conf->data_dir);
	if (!opts->test_mode)
		conf_warn_mode(conf);
	if (loop_drop(&l, &conf) != 0)
		return loop_end(&l, conf, 1);
	loop_dispatch(&l, conf);
	return loop_end(&l, NULL, 0);
}
