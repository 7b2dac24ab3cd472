/*
 * The daemon-wide settings of the configuration: the daemon group (paths,
 * log level, limits, the user it runs as, shard, time zone, its membership
 * of a shared journal), the store group (write delay, rrdcached, the
 * journal) and the defaults every collector inherits.
 */
#include <ctype.h>
#include <grp.h>
#include <libconfig.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"
#include "confaddr.h"
#include "ident.h"
#include "log.h"
#include "xmalloc.h"

#define CONF_DEFAULT_DATA_DIR "/var/lib/itfollow"
#define CONF_DEFAULT_LISTEN "127.0.0.1:8470"
/* Values held while rrdcached is unreachable (store.buffer_max). */
#define CONF_DEFAULT_BUFFER_MAX 1000000
/*
 * store.write_delay: a minute of each file's updates written with one
 * librrd call; readers ask the daemon to write them first (flushreq.c).
 */
#define CONF_DEFAULT_WRITE_DELAY 60

static const struct conf_key conf_store_keys[] = {
	{ "write_delay", ITF_KEY_INT },
	{ "rrdcached", ITF_KEY_STRING },
	{ "buffer_max", ITF_KEY_INT },
	{ "journal", ITF_KEY_STRING },
	{ "journal_password_file", ITF_KEY_STRING },
	{ NULL, 0 },
};
static const struct conf_key conf_daemon_keys[] = {
	{ "data_dir", ITF_KEY_STRING },
	{ "templates_dir", ITF_KEY_STRING },
	{ "status_listen", ITF_KEY_STRING },
	{ "log_level", ITF_KEY_STRING },
	{ "plugin_dir", ITF_KEY_STRING },
	{ "max_children", ITF_KEY_INT },
	{ "user", ITF_KEY_STRING },
	{ "group", ITF_KEY_STRING },
	{ "shard", ITF_KEY_STRING },
	{ "max_new_series_per_hour", ITF_KEY_INT },
	{ "name", ITF_KEY_STRING },
	{ "zone", ITF_KEY_STRING },
	{ "role", ITF_KEY_STRING },
	{ "heartbeat", ITF_KEY_INT },
	{ "lease", ITF_KEY_INT },
	{ "timezone", ITF_KEY_STRING },
	{ NULL, 0 },
};
static const struct conf_key conf_defaults_keys[] = {
	{ "interval", ITF_KEY_FLOAT },
	{ "timeout", ITF_KEY_FLOAT },
	{ "fail_after", ITF_KEY_INT },
	{ "cert_warn_days", ITF_KEY_INT },
	{ "notify_interval", ITF_KEY_INT },
	{ NULL, 0 },
};

static void
conf_daemon_journal_defaults(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct conf *conf = ctx->conf;

	conf->fail_after =
	    (unsigned)conf_get_long(ctx, g, "fail_after", 1, 1000, 3);
	conf->cert_warn_days =
	    conf_get_long(ctx, g, "cert_warn_days", 0, 3650, 14);
	conf->notify_interval =
	    conf_get_long(ctx, g, "notify_interval", 0, 30 * 86400, 3600);
}

static void
conf_daemon_max_children(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s;
	long long n;

	ctx->conf->max_children = 32;
	s = config_setting_get_member(g, "max_children");
	if (s == NULL || !conf_type_ok(s, ITF_KEY_INT))
		return;
	n = config_setting_get_int64(s);
	if (n < 1 || n > 4096)
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "max_children must be 1 to 4096");
	else
		ctx->conf->max_children = (unsigned)n;
}

/*
 * daemon.user and daemon.group: who the daemon becomes when started as root
 * (see priv.c). Checked here so that an unknown name is a file:line error.
 */
static void
conf_daemon_user(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct conf *conf = ctx->conf;
	const config_setting_t *s;
	struct passwd *pw;

	if ((s = config_setting_get_member(g, "user")) != NULL &&
	    conf_type_ok(s, ITF_KEY_STRING)) {
		conf->user = xstrdup(config_setting_get_string(s));
		conf->user_line = conf_line(s);
		if ((pw = getpwnam(conf->user)) == NULL)
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "no user \"%s\" (daemon.user)", conf->user);
		else if (pw->pw_uid == 0)
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "daemon.user \"%s\" is root; name the user the daemon runs as instead",
			    conf->user);
	}
	if ((s = config_setting_get_member(g, "group")) != NULL &&
	    conf_type_ok(s, ITF_KEY_STRING)) {
		conf->group = xstrdup(config_setting_get_string(s));
		if (getgrnam(conf->group) == NULL)
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "no group \"%s\" (daemon.group)", conf->group);
		else if (conf->user == NULL)
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "daemon.group needs daemon.user");
	}
}

/* daemon.shard = "k/n": this daemon runs the k-th of n parts. */
static void
conf_daemon_shard(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "shard");
	const char *v;
	unsigned k, n;
	int end = 0;

	if (s == NULL || !conf_type_ok(s, ITF_KEY_STRING))
		return;
	v = config_setting_get_string(s);
	if (sscanf(v, "%u/%u%n", &k, &n, &end) != 2 || v[end] != '\0' ||
	    n < 1 || n > 1024 || k >= n || !isdigit((unsigned char)v[0])) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "shard \"%s\" is not \"k/n\" with 0 <= k < n <= 1024", v);
		return;
	}
	ctx->conf->shard_k = k;
	ctx->conf->shard_n = n;
}

/* store.rrdcached and store.buffer_max. */
static void
conf_daemon_rrdcached(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s;
	const char *v;

	ctx->conf->buffer_max = CONF_DEFAULT_BUFFER_MAX;
	s = config_setting_get_member(g, "rrdcached");
	if (s != NULL && conf_type_ok(s, ITF_KEY_STRING)) {
		v = config_setting_get_string(s);
		if (!confaddr_rrdcached(v))
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "rrdcached \"%s\" is not \"unix:/path\" or \"host:port\"",
			    v);
		else
			ctx->conf->rrdcached = xstrdup(v);
	}
	s = config_setting_get_member(g, "buffer_max");
	if (s != NULL && conf_type_ok(s, ITF_KEY_INT)) {
		if (config_setting_get_int64(s) < 0 ||
		    config_setting_get_int64(s) > 100000000)
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "buffer_max must be 0 to 100000000 values");
		else
			ctx->conf->buffer_max =
			    (size_t)config_setting_get_int64(s);
	}
}

/* store.journal and store.journal_password_file. */
static void
conf_daemon_journal(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s;
	const char *v;
	char *cause = NULL;

	s = config_setting_get_member(g, "journal");
	ctx->journal_given = s != NULL;
	if (s != NULL && (v = conf_get_str(g, "journal")) != NULL) {
		if (!confaddr_is_pg(v))
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "journal \"%s\" is not a PostgreSQL connection string (\"postgresql://...\" or \"host=... dbname=...\"); leave it out for the SQLite file in data_dir",
			    v);
		else if (confaddr_pg_check(v, &cause) != 0) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "journal: %s", cause);
			free(cause);
		} else
			ctx->conf->journal = xstrdup(v);
	}
	s = config_setting_get_member(g, "journal_password_file");
	if (s == NULL || (v = conf_get_str(g, "journal_password_file")) == NULL)
		return;
	if (config_setting_get_member(g, "journal") == NULL)
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "journal_password_file needs a PostgreSQL journal");
	ctx->conf->journal_password_file = xstrdup(v);
	conf_relative(ctx, &ctx->conf->journal_password_file);
}

/* The host's name as a member name (an id), when daemon.name is not set. */
static char *
conf_daemon_host_member(void)
{
	char host[256], id[IDENT_MAX + 1], *p;

	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "itfollowd");
	host[sizeof host - 1] = '\0';
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (ident_valid(host))
		return xstrdup(host);
	ident_from_name("", host, id);
	return xstrdup(id);
}

/* daemon.name, zone, role, heartbeat, lease: a member of a shared
 * journal, which they need. */
static void
conf_daemon_member(struct conf_ctx *ctx, const config_setting_t *g)
{
	static const char *const roles[] = { "collector", "viewer", NULL };
	static const char *const keys[] = { "name", "zone", "role", "heartbeat",
		"lease", NULL };
	struct conf *conf = ctx->conf;
	const config_setting_t *s;
	const char *v;
	char *role;
	size_t i;

	conf->heartbeat = 10;
	if (g == NULL || conf->journal == NULL) {
		/* (A journal that is there but wrong is reported as such.) */
		for (i = 0; g != NULL && !ctx->journal_given && keys[i] != NULL;
		     i++) {
			if ((s = config_setting_get_member(g, keys[i])) != NULL)
				conf_errors_add(ctx->errs, ctx->file,
				    conf_line(s),
				    "daemon.%s needs a PostgreSQL journal (store.journal)",
				    keys[i]);
		}
		if (conf->journal != NULL)
			conf->member = conf_daemon_host_member();
		conf->lease = 2 * conf->heartbeat;
		return;
	}
	if ((s = config_setting_get_member(g, "name")) != NULL &&
	    (v = conf_get_str(g, "name")) != NULL) {
		if (ident_valid(v))
			conf->member = xstrdup(v);
		else
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "bad name \"%s\" (want [a-z0-9][a-z0-9_-]{0,63})",
			    v);
	}
	if (conf->member == NULL)
		conf->member = conf_daemon_host_member();
	conf->zone = conf_get_zone(ctx, g);
	if ((role = conf_get_vocab(ctx, g, "role", roles, 0)) != NULL)
		conf->viewer = strcmp(role, "viewer") == 0;
	free(role);
	conf->heartbeat =
	    (unsigned)conf_get_long(ctx, g, "heartbeat", 1, 3600, 10);
	conf->lease = (unsigned)conf_get_long(ctx, g, "lease", 1, 86400,
	    2L * conf->heartbeat);
	if (conf->lease < conf->heartbeat)
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "lease")),
		    "lease (%u s) is shorter than the heartbeat interval (%u s): a member would be taken over between two of its heartbeats",
		    conf->lease, conf->heartbeat);
	if (conf->shard_n > 0)
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "shard")),
		    "daemon.shard with a PostgreSQL journal: daemons that share one divide the collectors themselves; leave shard out");
}

/* daemon.timezone: an IANA name from the system's tzdata. */
static void
conf_daemon_timezone(struct conf_ctx *ctx, const config_setting_t *g)
{
	const char *v = conf_get_str(g, "timezone");
	char *cause = NULL;

	if (v == NULL)
		return;
	if (tz_load(v, &ctx->conf->tz, &cause) != 0) {
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "timezone")), "%s",
		    cause);
		free(cause);
	}
}

/* daemon.log_level: a log level's name. */
static void
conf_daemon_log_level(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct conf *conf = ctx->conf;
	const char *v;

	if ((v = conf_get_str(g, "log_level")) != NULL &&
	    (conf->log_level = log_level_parse(v)) == -1) {
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "log_level")),
		    "unknown log_level \"%s\" (want error | warning | notice | info | debug)",
		    v);
		conf->log_level = LOG_INFO;
	}
}

/* The daemon group's keys, when it is a group. */
static void
conf_daemon_group(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct conf *conf = ctx->conf;
	const char *v;

	conf_check_keys(ctx, g, "daemon", conf_daemon_keys, NULL);
	if ((v = conf_get_str(g, "data_dir")) != NULL)
		conf->data_dir = xstrdup(v);
	if ((v = conf_get_str(g, "templates_dir")) != NULL)
		conf->templates_dir = xstrdup(v);
	if ((v = conf_get_str(g, "status_listen")) != NULL)
		conf->status_listen = xstrdup(v);
	if ((v = conf_get_str(g, "plugin_dir")) != NULL)
		conf->plugin_dir = xstrdup(v);
	conf_daemon_max_children(ctx, g);
	conf->max_new_series_per_hour =
	    (unsigned)conf_get_long(ctx, g, "max_new_series_per_hour", 1,
	        CONF_MAX_SERIES_MAX, CONF_NEW_SERIES_PER_HOUR);
	conf_daemon_user(ctx, g);
	conf_daemon_shard(ctx, g);
	conf_daemon_timezone(ctx, g);
	conf_daemon_log_level(ctx, g);
}

/*
 * What the daemon group leaves unset, its defaults; its paths relative to
 * the file; status_listen checked (g is the daemon member, whatever it is).
 */
static void
conf_daemon_settle(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct conf *conf = ctx->conf;

	if (conf->data_dir == NULL)
		conf->data_dir = xstrdup(CONF_DEFAULT_DATA_DIR);
	if (conf->templates_dir == NULL)
		conf->templates_dir = xstrdup(ITF_TEMPLATES_DIR);
	conf_relative(ctx, &conf->data_dir);
	conf_relative(ctx, &conf->templates_dir);
	if (conf->plugin_dir != NULL)
		conf_relative(ctx, &conf->plugin_dir);
	if (conf->max_children == 0)
		conf->max_children = 32;
	if (conf->max_new_series_per_hour == 0)
		conf->max_new_series_per_hour = CONF_NEW_SERIES_PER_HOUR;
	if (conf->status_listen == NULL)
		conf->status_listen = xstrdup(CONF_DEFAULT_LISTEN);
	else if (strrchr(conf->status_listen, ':') == NULL ||
	    atoi(strrchr(conf->status_listen, ':') + 1) < 1 ||
	    atoi(strrchr(conf->status_listen, ':') + 1) > 65535)
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "status_listen")),
		    "status_listen \"%s\" is not host:port",
		    conf->status_listen);
}

/* The store group: rrdcached, the journal, write_delay. */
static void
conf_daemon_store(struct conf_ctx *ctx, const config_setting_t *root)
{
	struct conf *conf = ctx->conf;
	const config_setting_t *g, *d;

	conf->buffer_max = CONF_DEFAULT_BUFFER_MAX;
	conf->write_delay = CONF_DEFAULT_WRITE_DELAY;
	g = config_setting_get_member(root, "store");
	if (g == NULL || config_setting_type(g) != CONFIG_TYPE_GROUP)
		return;
	conf_daemon_rrdcached(ctx, g);
	conf_daemon_journal(ctx, g);
	conf_check_keys(ctx, g, "store", conf_store_keys, NULL);
	d = config_setting_get_member(g, "write_delay");
	if (d == NULL || !conf_type_ok(d, ITF_KEY_INT))
		return;
	if (config_setting_get_int64(d) < 0 ||
	    config_setting_get_int64(d) > 3600)
		conf_errors_add(ctx->errs, ctx->file, conf_line(d),
		    "write_delay must be 0 to 3600 seconds");
	else
		conf->write_delay = (unsigned)config_setting_get_int64(d);
}

/* The defaults group: what collectors inherit. */
static void
conf_daemon_defaults(struct conf_ctx *ctx, const config_setting_t *root)
{
	struct conf *conf = ctx->conf;
	const config_setting_t *g;
	long long ms;

	g = config_setting_get_member(root, "defaults");
	if (g != NULL && config_setting_type(g) != CONFIG_TYPE_GROUP)
		g = NULL;
	if (g != NULL) {
		conf_check_keys(ctx, g, "defaults", conf_defaults_keys, NULL);
		if ((ms = conf_get_ms(ctx, g, "interval")) > 0)
			conf->interval_ms = (uint64_t)ms;
		if ((ms = conf_get_ms(ctx, g, "timeout")) > 0)
			conf->timeout_ms = (uint64_t)ms;
	}
	conf_daemon_journal_defaults(ctx, g);
}

void
conf_daemon(struct conf_ctx *ctx, const config_setting_t *root)
{
	struct conf *conf = ctx->conf;
	const config_setting_t *g, *dg = NULL;

	conf->log_level = LOG_INFO;
	conf->interval_ms = 60000;
	conf->timeout_ms = 10000;
	g = config_setting_get_member(root, "daemon");
	if (g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP) {
		conf_daemon_group(ctx, g);
		dg = g;
	}
	conf_daemon_settle(ctx, g);
	conf_daemon_store(ctx, root);
	conf_daemon_defaults(ctx, root);
	conf_daemon_member(ctx, dg);
}
