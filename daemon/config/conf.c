/*
 * Configuration loading and checking. This file is the only user of
 * libconfig: everything else sees struct conf. Checking is exhaustive: a
 * load reports every error it finds (syntax, unknown keys, wrong types, bad
 * ids, duplicates, unknown vocabularies, timeouts not below intervals, and
 * what each collector type says of its own keys), each as file:line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <libconfig.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "ident.h"
#include "confaddr.h"
#include "log.h"
#include "parse_time.h"
#include "conftext.h"
#include "idindex.h"
#include "plugin.h"
#include "secret.h"
#include "xmalloc.h"

#define CONF_DEFAULT_DATA_DIR "/var/lib/itfollow"
#define CONF_DEFAULT_LISTEN "127.0.0.1:8470"
#define CONF_MAX_INTERVAL (7 * 86400)
/* Values held while rrdcached is unreachable (store.buffer_max). */
#define CONF_DEFAULT_BUFFER_MAX 1000000
/*
 * store.write_delay: a minute of each file's updates written with one
 * librrd call; readers ask the daemon to write them first (flushreq.c).
 */
#define CONF_DEFAULT_WRITE_DELAY 60

const char conf_embedded[] =
    "# Embedded default: the daemon watches its own status endpoint.\n"
    "daemon = { data_dir = \"itfollow-data\";\n"
    "  status_listen = \"127.0.0.1:8470\"; log_level = \"info\"; };\n"
    "defaults = { interval = 60; timeout = 10; };\n"
    "systems = (\n"
    "  { id = \"itfollowd\"; name = \"itfollow daemon\";\n"
    "    owner = \"itfollow\"; category = \"basic\";\n"
    "    portfolio = \"information\";\n"
    "    collectors = (\n"
    "      { type = \"http\"; series = \"health\";\n"
    "        url = \"http://127.0.0.1:8470/health\"; }\n"
    "    ); }\n"
    ");\n";

/* What a key of a block may be. */
struct conf_key {
	const char *name;
	enum itf_key_type type;
};

static const struct conf_key conf_top_keys[] = {
	{ "daemon", ITF_KEY_GROUP },
	{ "defaults", ITF_KEY_GROUP },
	{ "systems", ITF_KEY_STRING_LIST },
	{ "feeds", ITF_KEY_STRING_LIST },
	{ "store", ITF_KEY_GROUP },
	{ "maintenance", ITF_KEY_STRING_LIST },
	{ "notifiers", ITF_KEY_STRING_LIST },
	{ "service_hours", ITF_KEY_STRING_LIST },
	{ "holidays", ITF_KEY_STRING_LIST },
	{ NULL, 0 },
};
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
static const struct conf_key conf_system_keys[] = {
	{ "id", ITF_KEY_STRING },
	{ "name", ITF_KEY_STRING },
	{ "owner", ITF_KEY_STRING },
	{ "category", ITF_KEY_STRING },
	{ "portfolio", ITF_KEY_STRING },
	{ "collectors", ITF_KEY_STRING_LIST },
	{ "maintenance", ITF_KEY_STRING_LIST },
	{ "service_hours", ITF_KEY_STRING_LIST },
	{ "holidays", ITF_KEY_STRING_LIST },
	{ "users", 0 }, /* a number or a group: the users collector checks */
	{ "users_from", ITF_KEY_STRING }, /* checked by the users collector */
	{ NULL, 0 },
};
/* Keys every collector block has, whatever its type. */
static const struct conf_key conf_collector_keys[] = {
	{ "type", ITF_KEY_STRING },
	{ "series", ITF_KEY_STRING },
	{ "interval", ITF_KEY_FLOAT },
	{ "timeout", ITF_KEY_FLOAT },
	{ "perspective", ITF_KEY_STRING },
	{ "template", ITF_KEY_STRING },
	{ "fail_after", ITF_KEY_INT },
	{ "cert_warn_days", ITF_KEY_INT },
	{ "zone", ITF_KEY_STRING },
	{ NULL, 0 },
};

/* Keys every feed has: a feed fills series of many systems. */
static const struct conf_key conf_feed_keys[] = {
	{ "type", ITF_KEY_STRING },
	{ "id", ITF_KEY_STRING },
	{ "system", ITF_KEY_STRING },
	{ "interval", ITF_KEY_FLOAT },
	{ "timeout", ITF_KEY_FLOAT },
	{ "perspective", ITF_KEY_STRING },
	{ "template", ITF_KEY_STRING },
	{ "max_series", ITF_KEY_INT },
	{ "zone", ITF_KEY_STRING },
	{ NULL, 0 },
};

/* State of one load. */
struct conf_ctx {
	struct conf *conf;
	struct conf_errors *errs;
	const struct itf_host_services *host;
	const char *file;
	int journal_given; /* store.journal is set (valid or not) */
};

/* Arrays handed out by the list getters during one configure() call. */
static void **conf_scratch;
static size_t conf_nscratch;

void
conf_errors_add(struct conf_errors *e, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *full, *safe;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (line > 0)
		xasprintf(&full, "%s:%d: %s", file, line, msg);
	else
		xasprintf(&full, "%s: %s", file, msg);
	free(msg);
	/* An error is one line, whatever the file holds. */
	safe = log_escape(full);
	free(full);
	full = safe;
	e->msgs = xreallocarray(e->msgs, e->n + 1, sizeof *e->msgs);
	e->msgs[e->n++] = full;
}

/* "file:line: ..." -> the length of file and the line (0 when none). */
static size_t
conf_errors_key(const char *msg, long *line)
{
	const char *colon = strchr(msg, ':');
	char *end;

	*line = 0;
	if (colon == NULL)
		return strlen(msg);
	*line = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != ':')
		*line = 0;
	return (size_t)(colon - msg);
}

static int
conf_errors_before(const char *a, const char *b)
{
	size_t la, lb;
	long na, nb;
	int c;

	la = conf_errors_key(a, &na);
	lb = conf_errors_key(b, &nb);
	c = strncmp(a, b, la < lb ? la : lb);
	if (c != 0 || la != lb)
		return c < 0 || (c == 0 && la < lb);
	return na < nb;
}

void
conf_errors_sort(struct conf_errors *e)
{
	size_t i, k;
	char *m;

	/* Insertion sort: stable, and error lists are short. */
	for (i = 1; i < e->n; i++) {
		m = e->msgs[i];
		for (k = i; k > 0 && conf_errors_before(m, e->msgs[k - 1]); k--)
			e->msgs[k] = e->msgs[k - 1];
		e->msgs[k] = m;
	}
}

void
conf_errors_clear(struct conf_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}

static int
conf_line(const config_setting_t *s)
{
	int line;

	while (s != NULL && (line = config_setting_source_line(s)) == 0)
		s = config_setting_parent(s);
	return s != NULL ? line : 0;
}

static const char *
conf_type_name(enum itf_key_type t)
{
	switch (t) {
	case ITF_KEY_STRING:
		return "a string";
	case ITF_KEY_INT:
		return "an integer";
	case ITF_KEY_FLOAT:
		return "a number";
	case ITF_KEY_BOOL:
		return "true or false";
	case ITF_KEY_STRING_LIST:
		return "a list";
	case ITF_KEY_GROUP:
		return "a group";
	case ITF_KEY_PAIR_LIST:
		return "a list of (\"from\", \"to\") pairs";
	}
	return "?";
}

/* A list of two-string lists: ( ("a", "b"), ("c", "d") ). */
static int
conf_pair_list_ok(const config_setting_t *s)
{
	const config_setting_t *e;
	int i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return 0;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((config_setting_type(e) != CONFIG_TYPE_LIST &&
		        config_setting_type(e) != CONFIG_TYPE_ARRAY) ||
		    config_setting_length(e) != 2 ||
		    config_setting_type(config_setting_get_elem(e, 0)) !=
		        CONFIG_TYPE_STRING ||
		    config_setting_type(config_setting_get_elem(e, 1)) !=
		        CONFIG_TYPE_STRING)
			return 0;
	}
	return 1;
}

/* Does setting s have the type t? Lists of strings are checked here too. */
static int
conf_type_ok(const config_setting_t *s, enum itf_key_type t)
{
	int type = config_setting_type(s);

	switch (t) {
	case ITF_KEY_STRING:
		return type == CONFIG_TYPE_STRING;
	case ITF_KEY_INT:
		return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
	case ITF_KEY_FLOAT:
		return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 ||
		    type == CONFIG_TYPE_FLOAT;
	case ITF_KEY_BOOL:
		return type == CONFIG_TYPE_BOOL;
	case ITF_KEY_STRING_LIST:
		return type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY;
	case ITF_KEY_GROUP:
		return type == CONFIG_TYPE_GROUP;
	case ITF_KEY_PAIR_LIST:
		return conf_pair_list_ok(s);
	}
	return 0;
}

/* The allowed values of a key, "a | b | c", into buf. */
static const char *conf_vocab_list(const char *const *, char *, size_t);

/*
 * A collector's own checks of one value s of key k (version 5 of struct
 * itf_key): its range, its allowed values. Returns the number of errors.
 */
static int
conf_check_value(struct conf_ctx *ctx, const config_setting_t *s,
    const struct itf_key *k)
{
	const char *v;
	char buf[512];
	double d;
	size_t i;

	if (k->ranged && (k->type == ITF_KEY_INT || k->type == ITF_KEY_FLOAT)) {
		d = config_setting_type(s) == CONFIG_TYPE_FLOAT
		    ? config_setting_get_float(s)
		    : (double)config_setting_get_int64(s);
		if (d >= k->min && d <= k->max)
			return 0;
		if (k->message != NULL)
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "%s", k->message);
		else
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "\"%s\" must be %.15g to %.15g", k->name, k->min,
			    k->max);
		return 1;
	}
	if (k->values == NULL || k->type != ITF_KEY_STRING)
		return 0;
	v = config_setting_get_string(s);
	for (i = 0; k->values[i] != NULL; i++) {
		if (strcmp(k->values[i], v) == 0)
			return 0;
	}
	if (k->message != NULL)
		conf_errors_add(ctx->errs, ctx->file, conf_line(s), "%s",
		    k->message);
	else
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "unknown %s \"%s\" (want %s)", k->name, v,
		    conf_vocab_list(k->values, buf, sizeof buf));
	return 1;
}

/*
 * Check every key of group g against one or two key tables: unknown keys,
 * wrong types, and values outside a collector key's range or vocabulary
 * are errors. Returns the number of errors.
 */
static int
conf_check_keys(struct conf_ctx *ctx, const config_setting_t *g,
    const char *what, const struct conf_key *a, const struct itf_key *b)
{
	const config_setting_t *s;
	const struct itf_key *own;
	const char *name;
	enum itf_key_type type;
	int i, n, found, errors = 0;
	size_t k;

	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, i);
		name = config_setting_name(s);
		found = 0;
		type = 0;
		own = NULL;
		for (k = 0; a != NULL && a[k].name != NULL && !found; k++) {
			if (strcmp(a[k].name, name) == 0) {
				found = 1;
				type = a[k].type;
			}
		}
		for (k = 0; b != NULL && b[k].name != NULL && !found; k++) {
			if (strcmp(b[k].name, name) == 0) {
				found = 1;
				type = b[k].type;
				own = &b[k];
			}
		}
		if (!found) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "unknown key \"%s\" in %s", name, what);
			errors++;
		} else if (type != 0 && !conf_type_ok(s, type)) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "\"%s\" must be %s", name, conf_type_name(type));
			errors++;
		} else if (own != NULL)
			errors += conf_check_value(ctx, s, own);
	}
	return errors;
}

/* A string member, or NULL (type errors were reported by the key check). */
static const char *
conf_get_str(const config_setting_t *g, const char *name)
{
	const config_setting_t *s;

	s = config_setting_get_member(g, name);
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return NULL;
	return config_setting_get_string(s);
}

/* A number member in seconds as milliseconds; 0 when absent, -1 when bad. */
static long long
conf_get_ms(struct conf_ctx *ctx, const config_setting_t *g, const char *name)
{
	const config_setting_t *s;
	double v;

	s = config_setting_get_member(g, name);
	if (s == NULL || !conf_type_ok(s, ITF_KEY_FLOAT))
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else
		v = (double)config_setting_get_int64(s);
	if (!isfinite(v) || v < 0.001 || v > CONF_MAX_INTERVAL) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "\"%s\" must be between 0.001 and %d seconds", name,
		    CONF_MAX_INTERVAL);
		return -1;
	}
	return llround(v * 1000);
}

static const char *
conf_vocab_list(const char *const *list, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; list[i] != NULL && off < len; i++) {
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? " | " : "", list[i]);
	}
	return buf;
}

/* A required or optional vocabulary member. */
static char *
conf_get_vocab(struct conf_ctx *ctx, const config_setting_t *g,
    const char *name, const char *const *list, int required)
{
	const config_setting_t *s;
	const char *v;
	char buf[256];
	size_t i;

	s = config_setting_get_member(g, name);
	if (s == NULL) {
		if (required)
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "missing \"%s\" (%s)", name,
			    conf_vocab_list(list, buf, sizeof buf));
		return NULL;
	}
	if ((v = conf_get_str(g, name)) == NULL)
		return NULL;
	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], v) == 0)
			return xstrdup(v);
	}
	conf_errors_add(ctx->errs, ctx->file, conf_line(s),
	    "unknown %s \"%s\" (want %s)", name, v,
	    conf_vocab_list(list, buf, sizeof buf));
	return NULL;
}

/* An id member: required, checked against the id pattern. */
static const char *
conf_get_id(struct conf_ctx *ctx, const config_setting_t *g, const char *name)
{
	const config_setting_t *s;
	const char *v;

	s = config_setting_get_member(g, name);
	if (s == NULL) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "missing \"%s\"", name);
		return NULL;
	}
	if ((v = conf_get_str(g, name)) == NULL)
		return NULL;
	if (!ident_valid(v)) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "bad %s \"%s\" (want [a-z0-9][a-z0-9_-]{0,63})", name, v);
		return NULL;
	}
	return v;
}

/* Append a canonical text of setting s to *buf: the reload fingerprint. */
static void
conf_fingerprint(const config_setting_t *s, char **buf)
{
	char *old = *buf, *add = NULL;
	const char *name = config_setting_name(s);
	int i, n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		xasprintf(&add, "%s%s{", old, name != NULL ? name : "");
		free(old);
		*buf = add;
		n = config_setting_length(s);
		for (i = 0; i < n; i++)
			conf_fingerprint(config_setting_get_elem(s, i), buf);
		xasprintf(&add, "%s}", *buf);
		break;
	case CONFIG_TYPE_STRING:
		xasprintf(&add, "%s%s=\"%s\";", old, name != NULL ? name : "",
		    config_setting_get_string(s));
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		xasprintf(&add, "%s%s=%lld;", old, name != NULL ? name : "",
		    config_setting_get_int64(s));
		break;
	case CONFIG_TYPE_FLOAT:
		xasprintf(&add, "%s%s=%.17g;", old, name != NULL ? name : "",
		    config_setting_get_float(s));
		break;
	case CONFIG_TYPE_BOOL:
		xasprintf(&add, "%s%s=%d;", old, name != NULL ? name : "",
		    config_setting_get_bool(s));
		break;
	default:
		return;
	}
	free(*buf);
	*buf = add;
}

struct tmpl *
conf_template(const struct conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->ntmpls; i++) {
		if (strcmp(conf->tmpls[i]->name, name) == 0)
			return conf->tmpls[i];
	}
	return NULL;
}

void
conf_scratch_free(void)
{
	size_t i;

	for (i = 0; i < conf_nscratch; i++)
		free(conf_scratch[i]);
	free(conf_scratch);
	conf_scratch = NULL;
	conf_nscratch = 0;
}

struct conf_system *
conf_find_system(const struct conf *conf, const char *id)
{
	size_t i;

	if (conf->sysindex != NULL)
		return idindex_get(conf->sysindex, id);
	for (i = 0; i < conf->nsystems; i++) {
		if (strcmp(conf->systems[i]->id, id) == 0)
			return conf->systems[i];
	}
	return NULL;
}

/*
 * The system a feed writes to when nothing maps a value elsewhere: it must
 * be configured. Feeds are read after every system.
 */
static struct conf_system *
conf_feed_system(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "system");
	struct conf_system *sys;
	const char *id;

	if (s == NULL || (id = conf_get_str(g, "system")) == NULL)
		return NULL;
	if ((sys = conf_find_system(ctx->conf, id)) == NULL)
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "feed system \"%s\" is not a configured system", id);
	return sys;
}

/* Journal, maintenance and notifier settings. */

static const struct conf_key conf_maint_keys[] = {
	{ "from", ITF_KEY_STRING },
	{ "to", ITF_KEY_STRING },
	{ "day", ITF_KEY_STRING },
	{ "start", ITF_KEY_STRING },
	{ "duration", ITF_KEY_STRING }, /* or an integer: checked below */
	{ "comment", ITF_KEY_STRING },
	{ NULL, 0 },
};
static const struct conf_key conf_notifier_keys[] = {
	{ "id", ITF_KEY_STRING },
	{ "type", ITF_KEY_STRING },
	{ "command", ITF_KEY_STRING_LIST },
	{ "url", ITF_KEY_STRING },
	{ "secret_header", ITF_KEY_STRING },
	{ "secret_file", ITF_KEY_STRING },
	{ "systems", ITF_KEY_STRING_LIST },
	{ "notify_interval", ITF_KEY_INT },
	{ "timeout", ITF_KEY_FLOAT },
	{ "user", ITF_KEY_STRING },
	{ NULL, 0 },
};

static void conf_relative(struct conf_ctx *, char **);
static char *conf_get_zone(struct conf_ctx *, const config_setting_t *);

/* One setting against a key table; 0, or -1 when reported. */
static int
conf_check_one_key(struct conf_ctx *ctx, const config_setting_t *s,
    const char *what, const struct conf_key *keys)
{
	const char *name = config_setting_name(s);
	size_t k;

	for (k = 0; keys[k].name != NULL; k++) {
		if (strcmp(keys[k].name, name) != 0)
			continue;
		if (conf_type_ok(s, keys[k].type))
			return 0;
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "\"%s\" must be %s", name, conf_type_name(keys[k].type));
		return -1;
	}
	conf_errors_add(ctx->errs, ctx->file, conf_line(s),
	    "unknown key \"%s\" in %s", name, what);
	return -1;
}

/* An integer member within [min, max], or dflt when absent or bad. */
static long
conf_get_long(struct conf_ctx *ctx, const config_setting_t *g, const char *name,
    long min, long max, long dflt)
{
	const config_setting_t *s;
	long long v;

	if (g == NULL || (s = config_setting_get_member(g, name)) == NULL ||
	    !conf_type_ok(s, ITF_KEY_INT))
		return dflt;
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "\"%s\" must be %ld to %ld", name, min, max);
		return dflt;
	}
	return (long)v;
}

static void
conf_journal_defaults(struct conf_ctx *ctx, const config_setting_t *g)
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
conf_journal_keys(struct conf_ctx *ctx, const config_setting_t *g,
    struct itf_instance *inst)
{
	inst->fail_after = (unsigned)conf_get_long(ctx, g, "fail_after", 1,
	    1000, (long)ctx->conf->fail_after);
	inst->cert_warn_days = conf_get_long(ctx, g, "cert_warn_days", 0, 3650,
	    ctx->conf->cert_warn_days);
}

/* "7200", "2h", "90m", "1h30m", "1d": seconds; -1 if not one of these. */
static long
conf_duration(const char *s)
{
	long total = 0, v, unit;
	char *end;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		v = strtol(s, &end, 10);
		switch (*end) {
		case 'd':
			unit = 86400;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'm':
			unit = 60;
			break;
		case 's':
		case '\0':
			unit = 1;
			break;
		default:
			return -1;
		}
		if (v > 366L * 86400 / unit)
			return -1;
		total += v * unit;
		s = *end == '\0' ? end : end + 1;
	}
	return total;
}

static int
conf_weekday(const char *s)
{
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
		"sat", "sun" };
	int i;

	for (i = 0; i < 7; i++) {
		if (strcmp(days[i], s) == 0)
			return i;
	}
	return -1;
}

/* "HH:MM" as seconds after midnight; -1 if not. */
static long
conf_clock(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 3600L + m * 60L;
}

static int
conf_maint_time(struct conf_ctx *ctx, const config_setting_t *g,
    const char *name, time_t *out)
{
	const char *v = conf_get_str(g, name);
	long long ns;

	if (v == NULL) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "maintenance window needs \"from\" and \"to\"");
		return -1;
	}
	if (parse_time(v, strlen(v), &ns) != 0) {
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, name)),
		    "bad maintenance %s \"%s\" (want YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM:SSZ)",
		    name, v);
		return -1;
	}
	*out = (time_t)(ns / 1000000000LL);
	return 0;
}

static long
conf_maint_duration(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "duration");
	long d = -1;

	if (s == NULL) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "weekly maintenance window needs \"duration\"");
		return -1;
	}
	if (conf_type_ok(s, ITF_KEY_INT) && config_setting_get_int64(s) > 0 &&
	    config_setting_get_int64(s) <= 7 * 86400)
		d = (long)config_setting_get_int64(s);
	else if (config_setting_type(s) == CONFIG_TYPE_STRING)
		d = conf_duration(config_setting_get_string(s));
	if (d <= 0 || d > 7 * 86400) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "bad maintenance duration (want seconds or \"2h\", "
		    "\"90m\", \"1h30m\"; at most 7 days)");
		return -1;
	}
	return d;
}

static int
conf_maint_one(struct conf_ctx *ctx, const config_setting_t *g,
    struct conf_maint *m)
{
	const config_setting_t *s;
	const char *v;
	int i, n, errs = 0;

	memset(m, 0, sizeof *m);
	m->line = conf_line(g);
	/* duration may be an integer: leave its type to conf_maint_duration */
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, i);
		if (strcmp(config_setting_name(s), "duration") == 0)
			continue;
		if (conf_check_one_key(ctx, s, "maintenance window",
		        conf_maint_keys) != 0)
			errs++;
	}
	if (config_setting_get_member(g, "day") != NULL) {
		m->weekly = 1;
		if (config_setting_get_member(g, "from") != NULL ||
		    config_setting_get_member(g, "to") != NULL) {
			conf_errors_add(ctx->errs, ctx->file, m->line,
			    "a maintenance window is one-off (from, to) or "
			    "weekly (day, start, duration), not both");
			return -1;
		}
		v = conf_get_str(g, "day");
		if (v != NULL && (m->day = conf_weekday(v)) == -1) {
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(config_setting_get_member(g, "day")),
			    "bad maintenance day \"%s\" (want mon | tue | "
			    "wed | thu | fri | sat | sun)",
			    v);
			errs++;
		}
		if ((v = conf_get_str(g, "start")) == NULL) {
			conf_errors_add(ctx->errs, ctx->file, m->line,
			    "weekly maintenance window needs \"start\" "
			    "(\"HH:MM\", UTC)");
			errs++;
		} else if ((m->start = conf_clock(v)) == -1) {
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(config_setting_get_member(g, "start")),
			    "bad maintenance start \"%s\" (want \"HH:MM\", "
			    "UTC)",
			    v);
			errs++;
		}
		if ((m->duration = conf_maint_duration(ctx, g)) == -1)
			errs++;
		return errs == 0 ? 0 : -1;
	}
	if (conf_maint_time(ctx, g, "from", &m->from) != 0 ||
	    conf_maint_time(ctx, g, "to", &m->to) != 0)
		return -1;
	if (m->to <= m->from) {
		conf_errors_add(ctx->errs, ctx->file, m->line,
		    "maintenance window ends before it starts");
		return -1;
	}
	return errs == 0 ? 0 : -1;
}

/* maintenance = ( { from; to; } | { day; start; duration; }, ... ) */
static void
conf_maintenance(struct conf_ctx *ctx, const config_setting_t *list,
    struct conf_maint **out, size_t *nout)
{
	const config_setting_t *g;
	struct conf_maint m;
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "a maintenance window must be a group "
			    "{ from = ...; to = ...; }");
			continue;
		}
		if (conf_maint_one(ctx, g, &m) != 0)
			continue;
		*out = xreallocarray(*out, *nout + 1, sizeof **out);
		(*out)[(*nout)++] = m;
	}
}

/* A service_hours line: three strings. 1 and v, or 0. */
static int
conf_hours_line(const config_setting_t *e, const char *v[3])
{
	int i;

	if ((config_setting_type(e) != CONFIG_TYPE_LIST &&
	        config_setting_type(e) != CONFIG_TYPE_ARRAY) ||
	    config_setting_length(e) != 3)
		return 0;
	for (i = 0; i < 3; i++) {
		if (config_setting_type(config_setting_get_elem(e, i)) !=
		    CONFIG_TYPE_STRING)
			return 0;
		v[i] = config_setting_get_string(config_setting_get_elem(e, i));
	}
	return 1;
}

/* One ("days", "start", "end") line into h; -1 if it does not parse. */
static int
conf_hours_one(struct conf_ctx *ctx, const config_setting_t *e, struct hours *h)
{
	const char *v[3];
	unsigned days;
	long start, end;
	int line = conf_line(e), errs = 0;

	if (!conf_hours_line(e, v)) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "a service_hours line is (\"DAYS\", \"HH:MM\", \"HH:MM\"), e.g. (\"mon-fri\", \"07:00\", \"18:00\")");
		return -1;
	}
	if (hours_parse_days(v[0], &days) != 0) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "bad service_hours days \"%s\" (want mon | tue | wed | thu | fri | sat | sun, ranges such as \"mon-fri\", joined by \",\")",
		    v[0]);
		errs++;
	}
	if (hours_parse_clock(v[1], 0, &start) != 0) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "bad service_hours start \"%s\" (want \"HH:MM\", local time)",
		    v[1]);
		errs++;
	}
	if (hours_parse_clock(v[2], 1, &end) != 0) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "bad service_hours end \"%s\" (want \"HH:MM\" up to \"24:00\", local time)",
		    v[2]);
		errs++;
	}
	if (errs == 0 && end <= start) {
		conf_errors_add(ctx->errs, ctx->file, line,
		    "service hours end (\"%s\") before they start (\"%s\"): a stretch over midnight is two lines",
		    v[2], v[1]);
		errs++;
	}
	if (errs == 0)
		hours_add_window(h, days, start, end);
	return errs == 0 ? 0 : -1;
}

/* service_hours = ( ("mon-fri", "07:00", "18:00"), ... ) */
static void
conf_service_hours(struct conf_ctx *ctx, const config_setting_t *list,
    struct hours *h)
{
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	if ((n = config_setting_length(list)) == 0)
		conf_errors_add(ctx->errs, ctx->file, conf_line(list),
		    "service_hours is empty: leave it out, and every hour is a service hour");
	for (i = 0; i < n; i++)
		conf_hours_one(ctx, config_setting_get_elem(list, i), h);
}

/* holidays = ( "2026-12-24", ... ): local dates; () for none. */
static void
conf_holidays(struct conf_ctx *ctx, const config_setting_t *list,
    struct hours *h)
{
	const config_setting_t *e;
	long day;
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	h->has_holidays = 1;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			conf_errors_add(ctx->errs, ctx->file, conf_line(e),
			    "a holiday is a date string \"YYYY-MM-DD\"");
		else if (hours_parse_date(config_setting_get_string(e), &day) !=
		    0)
			conf_errors_add(ctx->errs, ctx->file, conf_line(e),
			    "holiday \"%s\" is not a date (want YYYY-MM-DD)",
			    config_setting_get_string(e));
		else
			hours_add_holiday(h, day);
	}
}

void
conf_service_spans(const struct conf *c, const char *system, time_t from,
    time_t to, struct spans *out)
{
	struct conf_system *sys = conf_find_system(c, system);

	hours_spans(sys != NULL ? &sys->hours : NULL, &c->hours, c->tz, from,
	    to, out);
}

static void
conf_notifier_free(struct conf_notifier *nt)
{
	char **p;

	free(nt->id);
	for (p = nt->argv; p != NULL && *p != NULL; p++)
		free(*p);
	free(nt->argv);
	for (p = nt->systems; p != NULL && *p != NULL; p++)
		free(*p);
	free(nt->systems);
	free(nt->url);
	free(nt->secret_header);
	free(nt->secret_file);
	free(nt->user);
}

/*
 * A notifier's secret file, when there, kept from others (its mode); one
 * not there yet is read, and missed, at delivery.
 */
static void
conf_secret_file(struct conf_ctx *ctx, const config_setting_t *g,
    const char *path)
{
	struct stat sb;
	char *cause = NULL;

	if (stat(path, &sb) != 0 || secret_check(path, &cause) == 0)
		return;
	conf_errors_add(ctx->errs, ctx->file,
	    conf_line(config_setting_get_member(g, "secret_file")), "%s",
	    cause);
	free(cause);
}

/* A list of strings as a NULL-terminated copy; NULL when absent. */
static char **
conf_strv(struct conf_ctx *ctx, const config_setting_t *g, const char *name)
{
	const config_setting_t *s = config_setting_get_member(g, name), *e;
	char **v;
	int i, n, k = 0;

	if (s == NULL || !conf_type_ok(s, ITF_KEY_STRING_LIST))
		return NULL;
	n = config_setting_length(s);
	v = xcalloc((size_t)n + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(e),
			    "\"%s\" must hold only strings", name);
			continue;
		}
		v[k++] = xstrdup(config_setting_get_string(e));
	}
	return v;
}

static void
conf_notifier_check(struct conf_ctx *ctx, const config_setting_t *g,
    struct conf_notifier *nt)
{
	const char *v;
	char **p;

	if (!nt->webhook) {
		if (nt->argv == NULL || nt->argv[0] == NULL)
			conf_errors_add(ctx->errs, ctx->file, nt->line,
			    "exec notifier \"%s\" needs \"command\" "
			    "[\"/path\", \"arg\", ...]",
			    nt->id);
		else if (nt->argv[0][0] != '/')
			conf_errors_add(ctx->errs, ctx->file, nt->line,
			    "notifier command \"%s\" must be an absolute "
			    "path",
			    nt->argv[0]);
	} else if ((v = conf_get_str(g, "url")) == NULL)
		conf_errors_add(ctx->errs, ctx->file, nt->line,
		    "webhook notifier \"%s\" needs \"url\"", nt->id);
	else if (strncmp(v, "http://", 7) != 0 &&
	    strncmp(v, "https://", 8) != 0)
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "url")),
		    "webhook url \"%s\" must be http:// or https://", v);
	else
		nt->url = xstrdup(v);
	if ((conf_get_str(g, "secret_header") == NULL) !=
	    (conf_get_str(g, "secret_file") == NULL))
		conf_errors_add(ctx->errs, ctx->file, nt->line,
		    "\"secret_header\" and \"secret_file\" go together");
	if ((v = conf_get_str(g, "secret_header")) != NULL)
		nt->secret_header = xstrdup(v);
	if ((v = conf_get_str(g, "secret_file")) != NULL) {
		nt->secret_file = xstrdup(v);
		conf_relative(ctx, &nt->secret_file);
		conf_secret_file(ctx, g, nt->secret_file);
	}
	for (p = nt->systems; p != NULL && *p != NULL; p++) {
		if (conf_find_system(ctx->conf, *p) == NULL)
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(config_setting_get_member(g, "systems")),
			    "notifier \"%s\": \"%s\" is not a configured "
			    "system",
			    nt->id, *p);
	}
}

/* notifiers = ( { id; type = "exec" | "webhook"; ... }, ... ) */
static void
conf_notifiers(struct conf_ctx *ctx, const config_setting_t *list)
{
	static const char *const types[] = { "exec", "webhook", NULL };
	struct conf *conf = ctx->conf;
	const config_setting_t *g;
	struct conf_notifier nt;
	struct passwd *pw;
	const char *id;
	char *type;
	long long ms;
	size_t k;
	int i, n;

	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	n = config_setting_length(list);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, i);
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "a notifier must be a group { id = ...; }");
			continue;
		}
		conf_check_keys(ctx, g, "notifier", conf_notifier_keys, NULL);
		memset(&nt, 0, sizeof nt);
		nt.line = conf_line(g);
		if ((id = conf_get_id(ctx, g, "id")) == NULL)
			id = "(invalid)";
		for (k = 0; k < conf->nnotifiers; k++) {
			if (strcmp(conf->notifiers[k].id, id) == 0)
				conf_errors_add(ctx->errs, ctx->file, nt.line,
				    "duplicate notifier id \"%s\" (first at "
				    "line %d)",
				    id, conf->notifiers[k].line);
		}
		nt.id = xstrdup(id);
		type = conf_get_vocab(ctx, g, "type", types, 1);
		nt.webhook = type != NULL && strcmp(type, "webhook") == 0;
		nt.argv = conf_strv(ctx, g, "command");
		nt.systems = conf_strv(ctx, g, "systems");
		if (type != NULL)
			conf_notifier_check(ctx, g, &nt);
		free(type);
		nt.notify_interval = conf_get_long(ctx, g, "notify_interval", 0,
		    30 * 86400, conf->notify_interval);
		ms = conf_get_ms(ctx, g, "timeout");
		nt.timeout_ms = ms > 0 ? (long)ms : 10000;
		nt.user = xstrdup(conf_get_str(g, "user") != NULL
		        ? conf_get_str(g, "user")
		        : "nobody");
		if (geteuid() == 0 && !nt.webhook &&
		    ((pw = getpwnam(nt.user)) == NULL || pw->pw_uid == 0))
			conf_errors_add(ctx->errs, ctx->file, nt.line,
			    "notifier \"%s\": no non-root user \"%s\"", nt.id,
			    nt.user);
		conf->notifiers = xreallocarray(conf->notifiers,
		    conf->nnotifiers + 1, sizeof *conf->notifiers);
		conf->notifiers[conf->nnotifiers++] = nt;
	}
}

/*
 * What of a collector depends on its type's ops: its keys, default
 * interval, perspective and template, and so its fingerprint. The model
 * knows a plugin's type by name only (plugin_unloaded_ops); the daemon
 * calls this again once it has loaded the plugin (conf_instance_typed).
 */
static void
conf_collector_typed(struct conf_ctx *ctx, struct itf_instance *inst,
    const struct itf_collector_ops *ops)
{
	const config_setting_t *g = inst->setting;
	const char *persp, *tname;
	long long interval, timeout;
	int feed = inst->feed, unloaded = ops == &plugin_unloaded_ops;

	inst->ops = ops;
	if (!unloaded)
		conf_check_keys(ctx, g, feed ? "feed" : "collector",
		    feed ? conf_feed_keys : conf_collector_keys, ops->keys);
	interval = conf_get_ms(ctx, g, "interval");
	timeout = conf_get_ms(ctx, g, "timeout");
	if (interval == 0 && ops->default_interval != 0)
		interval = (long long)ops->default_interval * 1000;
	if (interval == 0)
		interval = (long long)ctx->conf->interval_ms;
	if (timeout == 0)
		timeout = (long long)ctx->conf->timeout_ms;
	if (interval > 0 && interval < 1000)
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "interval must be at least 1 second");
	if (interval > 0 && timeout > 0 && timeout >= interval)
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "timeout (%.3gs) must be below interval (%.3gs)",
		    timeout / 1000.0, interval / 1000.0);
	inst->interval_ms = (uint64_t)interval;
	inst->timeout_ms = (uint64_t)timeout;
	persp = conf_get_str(g, "perspective");
	if (persp == NULL)
		persp = ops->perspective;
	free(inst->perspective);
	inst->perspective = xstrdup(persp);
	tname = conf_get_str(g, "template");
	if (tname == NULL)
		tname =
		    !unloaded ? ops->template_name : conf_get_str(g, "type");
	template_unref(inst->tmpl);
	inst->tmpl = conf_template(ctx->conf, tname);
	if (inst->tmpl == NULL && !unloaded)
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "no template \"%s\" in %s", tname,
		    ctx->conf->templates_dir);
	else if (inst->tmpl != NULL)
		template_ref(inst->tmpl);
	free(inst->fingerprint);
	xasprintf(&inst->fingerprint, "%s|%s|%llu|%llu|%u|%ld|", inst->key,
	    persp, (unsigned long long)interval, (unsigned long long)timeout,
	    inst->fail_after, inst->cert_warn_days);
	conf_fingerprint(g, &inst->fingerprint);
}

void
conf_instance_typed(struct conf *conf, struct itf_instance *inst,
    const struct itf_collector_ops *ops, struct conf_errors *errs)
{
	struct conf_ctx ctx;

	memset(&ctx, 0, sizeof ctx);
	ctx.conf = conf;
	ctx.errs = errs;
	ctx.file = inst->file;
	conf_collector_typed(&ctx, inst, ops);
}

/* A collector's type: built in, or a plugin known by its file only
 * (nothing is loaded here). NULL when the type is unknown (reported). */
static const struct itf_collector_ops *
conf_collector_type(struct conf_ctx *ctx, const config_setting_t *g,
    const char *what)
{
	const struct itf_collector_ops *ops = NULL;
	const char *type = conf_get_str(g, "type");
	char *cause = NULL;

	if (type == NULL) {
		if (config_setting_get_member(g, "type") == NULL)
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "%s has no \"type\"", what);
		else
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "\"type\" must be a string");
		return NULL;
	}
	switch (plugin_lookup(type, ctx->conf->plugin_dir, &ops, &cause)) {
	case PLUGIN_FOUND:
		return ops;
	case PLUGIN_UNKNOWN:
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "type")), "%s",
		    cause);
		free(cause);
		return NULL;
	case PLUGIN_BROKEN:
		free(cause); /* plugin_lookup loads nothing: cannot happen */
		return NULL;
	case PLUGIN_DEFERRED:
		/* Loaded by the daemon only (instance.c); known meanwhile
		 * by what the configuration says of it. */
		return &plugin_unloaded_ops;
	}
	return NULL;
}

/* A series already in the list: a duplicate, reported. */
static void
conf_collector_dup(struct conf_ctx *ctx, struct conf_system *sys,
    const config_setting_t *g, const char *series)
{
	struct itf_instance **list =
	    sys == NULL ? ctx->conf->feeds : sys->insts;
	size_t i, n = sys == NULL ? ctx->conf->nfeeds : sys->ninsts;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i]->series, series) != 0)
			continue;
		if (sys == NULL)
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "duplicate feed id \"%s\" (first at line %d)",
			    series, list[i]->line);
		else
			conf_errors_add(ctx->errs, ctx->file, conf_line(g),
			    "duplicate series \"%s\" in system \"%s\" (first at line %d)",
			    series, sys->id, list[i]->line);
	}
}

/*
 * A collector of system sys, or (sys NULL) a feed of the top-level feeds
 * list: the same but for its keys ("id" and "system" instead of "series")
 * and where it is kept. Only read: its type's configure is the daemon's
 * to call (instance.c), with inst->setting, kept until then.
 */
static void
conf_collector(struct conf_ctx *ctx, struct conf_system *sys,
    const config_setting_t *g)
{
	int feed = sys == NULL;
	const char *what = feed ? "feed" : "collector";
	struct itf_instance ***list;
	size_t *nlist;
	struct itf_instance *inst;
	const struct itf_collector_ops *ops;
	const char *series, *persp;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "a %s must be a group { type = ...; }", what);
		return;
	}
	if ((ops = conf_collector_type(ctx, g, what)) == NULL)
		return;
	series = conf_get_id(ctx, g, feed ? "id" : "series");
	persp = conf_get_str(g, "perspective");
	if (persp != NULL && !ident_valid_perspective(persp))
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "perspective")),
		    "unknown perspective \"%s\"", persp);
	list = feed ? &ctx->conf->feeds : &sys->insts;
	nlist = feed ? &ctx->conf->nfeeds : &sys->ninsts;
	if (series != NULL)
		conf_collector_dup(ctx, sys, g, series);
	if (series == NULL)
		series = "(invalid)";
	if (feed)
		sys = conf_feed_system(ctx, g);

	inst = xcalloc(1, sizeof *inst);
	inst->system = sys;
	inst->feed = feed;
	inst->conf = ctx->conf;
	inst->series = xstrdup(series);
	inst->type = xstrdup(conf_get_str(g, "type"));
	if (feed)
		xasprintf(&inst->key, "feed/%s", series);
	else
		xasprintf(&inst->key, "%s/%s", sys->id, series);
	conf_journal_keys(ctx, g, inst);
	if (feed)
		inst->max_series = (unsigned)conf_get_long(ctx, g, "max_series",
		    1, CONF_MAX_SERIES_MAX, CONF_MAX_SERIES);
	inst->zone = conf_get_zone(ctx, g);
	inst->file = xstrdup(ctx->file);
	inst->line = conf_line(g);
	inst->setting = g;
	conf_collector_typed(ctx, inst, ops);
	*list = xreallocarray(*list, *nlist + 1, sizeof **list);
	(*list)[(*nlist)++] = inst;
}

/*
 * A system's users = ...: the denominator of its cost per user, a series
 * "users" in the cost perspective filled by the built-in users collector,
 * which reads the setting itself (a number, or a group naming a series).
 * Made before the system's collectors, so one named "users" is reported
 * as a duplicate.
 */
static void
conf_users(struct conf_ctx *ctx, struct conf_system *sys,
    const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "users");
	const struct itf_collector_ops *ops = NULL;
	struct itf_instance *inst;
	char *cause = NULL;

	if (s == NULL)
		return;
	if (plugin_lookup("users", NULL, &ops, &cause) != PLUGIN_FOUND) {
		free(cause); /* built in: cannot happen */
		return;
	}
	inst = xcalloc(1, sizeof *inst);
	inst->ops = ops;
	inst->system = sys;
	inst->conf = ctx->conf;
	inst->series = xstrdup("users");
	inst->type = xstrdup("users");
	inst->perspective = xstrdup(ops->perspective);
	xasprintf(&inst->key, "%s/users", sys->id);
	inst->interval_ms = (uint64_t)ops->default_interval * 1000;
	inst->timeout_ms = ctx->conf->timeout_ms;
	inst->file = xstrdup(ctx->file);
	inst->line = conf_line(s);
	/* Its getters read the system's block: users is a key of it. */
	inst->setting = g;
	inst->users = 1;
	xasprintf(&inst->fingerprint, "%s|users|", inst->key);
	conf_fingerprint(s, &inst->fingerprint);
	if (config_setting_get_member(g, "users_from") != NULL)
		conf_fingerprint(config_setting_get_member(g, "users_from"),
		    &inst->fingerprint);
	sys->insts =
	    xreallocarray(sys->insts, sys->ninsts + 1, sizeof *sys->insts);
	sys->insts[sys->ninsts++] = inst;
	if ((inst->tmpl = conf_template(ctx->conf, ops->template_name)) ==
	    NULL) {
		conf_errors_add(ctx->errs, ctx->file, inst->line,
		    "no template \"%s\" in %s", ops->template_name,
		    ctx->conf->templates_dir);
		return;
	}
	template_ref(inst->tmpl);
}

static void
conf_system(struct conf_ctx *ctx, const config_setting_t *g)
{
	struct conf *conf = ctx->conf;
	struct conf_system *sys;
	const config_setting_t *list;
	const char *id, *v;
	int n, k;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "a system must be a group { id = ...; }");
		return;
	}
	conf_check_keys(ctx, g, "system", conf_system_keys, NULL);
	/* A bad id is reported; its collectors are still checked. */
	if ((id = conf_get_id(ctx, g, "id")) == NULL)
		id = "(invalid)";
	if (strcmp(id, "(invalid)") != 0 &&
	    (sys = conf_find_system(conf, id)) != NULL)
		conf_errors_add(ctx->errs, ctx->file, conf_line(g),
		    "duplicate system id \"%s\" (first at line %d)", id,
		    sys->line);
	/* Doubled, not grown by one: tens of thousands of systems. */
	if ((conf->nsystems & (conf->nsystems - 1)) == 0)
		conf->systems = xreallocarray(conf->systems,
		    conf->nsystems == 0 ? 1 : conf->nsystems * 2,
		    sizeof *conf->systems);
	sys = xcalloc(1, sizeof *sys);
	conf->systems[conf->nsystems++] = sys;
	sys->id = xstrdup(id);
	sys->line = conf_line(g);
	if (conf->sysindex == NULL)
		conf->sysindex = idindex_new();
	idindex_put(conf->sysindex, sys->id, sys);
	v = conf_get_str(g, "name");
	sys->name = xstrdup(v != NULL ? v : id);
	v = conf_get_str(g, "owner");
	sys->owner = xstrdup(v != NULL ? v : "");
	sys->category = conf_get_vocab(ctx, g, "category", ident_categories, 1);
	sys->portfolio =
	    conf_get_vocab(ctx, g, "portfolio", ident_portfolios, 1);

	conf_maintenance(ctx, config_setting_get_member(g, "maintenance"),
	    &sys->maint, &sys->nmaint);
	conf_service_hours(ctx, config_setting_get_member(g, "service_hours"),
	    &sys->hours);
	conf_holidays(ctx, config_setting_get_member(g, "holidays"),
	    &sys->hours);
	conf_users(ctx, sys, g);
	list = config_setting_get_member(g, "collectors");
	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	n = config_setting_length(list);
	for (k = 0; k < n; k++)
		conf_collector(ctx, sys, config_setting_get_elem(list, k));
}

static int
conf_template_cmp(const void *a, const void *b)
{
	const struct tmpl *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static void
conf_templates(struct conf_ctx *ctx)
{
	struct conf *conf = ctx->conf;
	DIR *d;
	struct dirent *de;
	char *path, *name, *buf, **errs = NULL;
	size_t len, nerrs = 0, i;
	struct tmpl *t;
	FILE *f;

	if ((d = opendir(conf->templates_dir)) == NULL) {
		conf_errors_add(ctx->errs, ctx->file, 0, "templates_dir %s: %s",
		    conf->templates_dir, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".tmpl") != 0)
			continue;
		name = xstrndup(de->d_name, len - 5);
		xasprintf(&path, "%s/%s", conf->templates_dir, de->d_name);
		if (!ident_valid(name)) {
			conf_errors_add(ctx->errs, path, 0,
			    "bad template name "
			    "(want [a-z0-9][a-z0-9_-]{0,63}.tmpl)");
		} else if ((f = fopen(path, "r")) == NULL) {
			conf_errors_add(ctx->errs, path, 0, "%s",
			    strerror(errno));
		} else {
			buf = xcalloc(1, 65537);
			len = fread(buf, 1, 65536, f);
			buf[len] = '\0';
			fclose(f);
			t = template_parse(name, buf, path, &errs, &nerrs);
			free(buf);
			if (t != NULL) {
				conf->tmpls = xreallocarray(conf->tmpls,
				    conf->ntmpls + 1, sizeof *conf->tmpls);
				conf->tmpls[conf->ntmpls++] = t;
			}
		}
		free(name);
		free(path);
	}
	closedir(d);
	for (i = 0; i < nerrs; i++) {
		conf_errors_add(ctx->errs, "template", 0, "%s", errs[i]);
		free(errs[i]);
	}
	free(errs);
	if (conf->ntmpls > 1)
		qsort(conf->tmpls, conf->ntmpls, sizeof *conf->tmpls,
		    conf_template_cmp);
}

static void
conf_get_max_children(struct conf_ctx *ctx, const config_setting_t *g)
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
 * A relative path in a configuration file is taken relative to the file's
 * directory, so a configuration means the same from any working directory.
 */
static void
conf_relative(struct conf_ctx *ctx, char **path)
{
	const char *slash;
	char *abs;

	if ((*path)[0] == '/' || ctx->conf->embedded ||
	    (slash = strrchr(ctx->file, '/')) == NULL)
		return;
	xasprintf(&abs, "%.*s/%s", (int)(slash - ctx->file), ctx->file, *path);
	free(*path);
	*path = abs;
}

/*
 * daemon.user and daemon.group: who the daemon becomes when started as root
 * (see priv.c). Checked here so that an unknown name is a file:line error.
 */
static void
conf_get_user(struct conf_ctx *ctx, const config_setting_t *g)
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
			    "daemon.user \"%s\" is root; name the user "
			    "the daemon runs as instead",
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
conf_get_shard(struct conf_ctx *ctx, const config_setting_t *g)
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
conf_get_rrdcached(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s;
	const char *v;

	ctx->conf->buffer_max = CONF_DEFAULT_BUFFER_MAX;
	s = config_setting_get_member(g, "rrdcached");
	if (s != NULL && conf_type_ok(s, ITF_KEY_STRING)) {
		v = config_setting_get_string(s);
		if (!confaddr_rrdcached(v))
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "rrdcached \"%s\" is not \"unix:/path\" or "
			    "\"host:port\"",
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
conf_get_journal(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s;
	const char *v;
	char *cause = NULL;

	s = config_setting_get_member(g, "journal");
	ctx->journal_given = s != NULL;
	if (s != NULL && (v = conf_get_str(g, "journal")) != NULL) {
		if (!confaddr_is_pg(v))
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "journal \"%s\" is not a PostgreSQL connection "
			    "string (\"postgresql://...\" or \"host=... "
			    "dbname=...\"); leave it out for the SQLite "
			    "file in data_dir",
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

/* A zone: an id (daemon.zone, a collector's zone), or NULL. */
static char *
conf_get_zone(struct conf_ctx *ctx, const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "zone");
	const char *v;

	if (s == NULL || (v = conf_get_str(g, "zone")) == NULL)
		return NULL;
	if (!ident_valid(v)) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "bad zone \"%s\" (want [a-z0-9][a-z0-9_-]{0,63})", v);
		return NULL;
	}
	if (!ctx->journal_given) {
		conf_errors_add(ctx->errs, ctx->file, conf_line(s),
		    "zone needs a PostgreSQL journal (store.journal): only "
		    "daemons that share one divide collectors by zone");
		return NULL;
	}
	return xstrdup(v);
}

/* The host's name as a member name (an id), when daemon.name is not set. */
static char *
conf_host_member(void)
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
conf_get_member(struct conf_ctx *ctx, const config_setting_t *g)
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
				    "daemon.%s needs a PostgreSQL journal "
				    "(store.journal)",
				    keys[i]);
		}
		if (conf->journal != NULL)
			conf->member = conf_host_member();
		conf->lease = 2 * conf->heartbeat;
		return;
	}
	if ((s = config_setting_get_member(g, "name")) != NULL &&
	    (v = conf_get_str(g, "name")) != NULL) {
		if (ident_valid(v))
			conf->member = xstrdup(v);
		else
			conf_errors_add(ctx->errs, ctx->file, conf_line(s),
			    "bad name \"%s\" (want "
			    "[a-z0-9][a-z0-9_-]{0,63})",
			    v);
	}
	if (conf->member == NULL)
		conf->member = conf_host_member();
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
		    "lease (%u s) is shorter than the heartbeat interval "
		    "(%u s): a member would be taken over between two of its "
		    "heartbeats",
		    conf->lease, conf->heartbeat);
	if (conf->shard_n > 0)
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "shard")),
		    "daemon.shard with a PostgreSQL journal: daemons that "
		    "share one divide the collectors themselves; leave shard "
		    "out");
}

/* daemon.timezone: an IANA name from the system's tzdata. */
static void
conf_get_timezone(struct conf_ctx *ctx, const config_setting_t *g)
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

int
conf_keep_timezone(struct conf *c, struct conf *old)
{
	struct tz *z = c->tz;

	if (strcmp(tz_name(c->tz), tz_name(old->tz)) == 0)
		return 0;
	c->tz = old->tz;
	old->tz = z;
	return 1;
}

static void
conf_daemon(struct conf_ctx *ctx, const config_setting_t *root)
{
	struct conf *conf = ctx->conf;
	const config_setting_t *g, *dg = NULL;
	const char *v;
	long long ms;

	conf->log_level = LOG_INFO;
	conf->interval_ms = 60000;
	conf->timeout_ms = 10000;
	g = config_setting_get_member(root, "daemon");
	if (g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP) {
		conf_check_keys(ctx, g, "daemon", conf_daemon_keys, NULL);
		if ((v = conf_get_str(g, "data_dir")) != NULL)
			conf->data_dir = xstrdup(v);
		if ((v = conf_get_str(g, "templates_dir")) != NULL)
			conf->templates_dir = xstrdup(v);
		if ((v = conf_get_str(g, "status_listen")) != NULL)
			conf->status_listen = xstrdup(v);
		if ((v = conf_get_str(g, "plugin_dir")) != NULL)
			conf->plugin_dir = xstrdup(v);
		conf_get_max_children(ctx, g);
		conf->max_new_series_per_hour =
		    (unsigned)conf_get_long(ctx, g, "max_new_series_per_hour",
		        1, CONF_MAX_SERIES_MAX, CONF_NEW_SERIES_PER_HOUR);
		conf_get_user(ctx, g);
		conf_get_shard(ctx, g);
		dg = g;
		conf_get_timezone(ctx, g);
		if ((v = conf_get_str(g, "log_level")) != NULL &&
		    (conf->log_level = log_level_parse(v)) == -1) {
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(
			        config_setting_get_member(g, "log_level")),
			    "unknown log_level \"%s\" (want "
			    "error | warning | notice | info | debug)",
			    v);
			conf->log_level = LOG_INFO;
		}
	}
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

	conf->buffer_max = CONF_DEFAULT_BUFFER_MAX;
	conf->write_delay = CONF_DEFAULT_WRITE_DELAY;
	g = config_setting_get_member(root, "store");
	if (g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP) {
		const config_setting_t *d;

		conf_get_rrdcached(ctx, g);
		conf_get_journal(ctx, g);
		conf_check_keys(ctx, g, "store", conf_store_keys, NULL);
		d = config_setting_get_member(g, "write_delay");
		if (d != NULL && conf_type_ok(d, ITF_KEY_INT)) {
			if (config_setting_get_int64(d) < 0 ||
			    config_setting_get_int64(d) > 3600)
				conf_errors_add(ctx->errs, ctx->file,
				    conf_line(d),
				    "write_delay must be 0 to 3600 seconds");
			else
				conf->write_delay =
				    (unsigned)config_setting_get_int64(d);
		}
	}

	g = config_setting_get_member(root, "defaults");
	if (g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP) {
		conf_check_keys(ctx, g, "defaults", conf_defaults_keys, NULL);
		if ((ms = conf_get_ms(ctx, g, "interval")) > 0)
			conf->interval_ms = (uint64_t)ms;
		if ((ms = conf_get_ms(ctx, g, "timeout")) > 0)
			conf->timeout_ms = (uint64_t)ms;
	}
	conf_journal_defaults(ctx,
	    g != NULL && config_setting_type(g) == CONFIG_TYPE_GROUP ? g
	                                                             : NULL);
	conf_get_member(ctx, dg);
}

void
conf_warn_mode(const struct conf *conf)
{
	struct stat sb;

	if (conf->embedded || stat(conf->file, &sb) != 0)
		return;
	if (sb.st_mode & S_IROTH)
		log_warn("configuration %s is readable by others (mode %04o): "
		         "keep it 0640 or stricter",
		    conf->file, (unsigned)(sb.st_mode & 07777));
}

/*
 * The text to parse: text itself, or the file's (*own, the caller's to
 * free), looked over first (conftext.h). 0, or -1 with the error added.
 */
static int
conf_text(const char *file, const char *text, char **own,
    struct conf_errors *errs)
{
	char *cause = NULL;
	size_t len;
	int line = 0;

	*own = NULL;
	if (text == NULL &&
	    (text = *own = conftext_read(file, &len, &cause)) == NULL) {
		conf_errors_add(errs, file, 0, "%s", cause);
		free(cause);
		return -1;
	}
	if (conftext_check(text, strlen(text), &line, &cause) != 0) {
		conf_errors_add(errs, file, line, "%s", cause);
		free(cause);
		free(*own);
		*own = NULL;
		return -1;
	}
	return 0;
}

struct conf *
conf_read(const char *file, const char *text, int keep,
    struct conf_errors *errs)
{
	struct conf_ctx ctx;
	struct conf *conf;
	config_t *cfg = xmalloc(sizeof *cfg);
	const config_setting_t *root, *systems, *feeds;
	char *own = NULL;
	int i, n, ok;

	memset(&ctx, 0, sizeof ctx);
	conf = xcalloc(1, sizeof *conf);
	conf->file = xstrdup(file);
	conf->embedded = text != NULL;
	ctx.conf = conf;
	ctx.errs = errs;
	ctx.file = file;

	config_init(cfg);
	if (conf_text(file, text, &own, errs) != 0)
		goto out;
	ok = config_read_string(cfg, own != NULL ? own : text);
	free(own);
	if (!ok) {
		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
			conf_errors_add(errs, file, 0, "cannot read: %s",
			    strerror(errno));
		else
			conf_errors_add(errs,
			    config_error_file(cfg) != NULL
			        ? config_error_file(cfg)
			        : file,
			    config_error_line(cfg), "%s",
			    config_error_text(cfg));
		goto out;
	}
	root = config_root_setting(cfg);
	conf_check_keys(&ctx, root, "the top level", conf_top_keys, NULL);
	conf_daemon(&ctx, root);
	conf_templates(&ctx);

	systems = config_setting_get_member(root, "systems");
	if (systems != NULL && conf_type_ok(systems, ITF_KEY_STRING_LIST)) {
		n = config_setting_length(systems);
		for (i = 0; i < n; i++)
			conf_system(&ctx, config_setting_get_elem(systems, i));
	}
	conf_maintenance(&ctx, config_setting_get_member(root, "maintenance"),
	    &conf->maint, &conf->nmaint);
	conf_service_hours(&ctx,
	    config_setting_get_member(root, "service_hours"), &conf->hours);
	conf_holidays(&ctx, config_setting_get_member(root, "holidays"),
	    &conf->hours);
	conf_notifiers(&ctx, config_setting_get_member(root, "notifiers"));
	feeds = config_setting_get_member(root, "feeds");
	if (feeds != NULL && conf_type_ok(feeds, ITF_KEY_STRING_LIST)) {
		n = config_setting_length(feeds);
		for (i = 0; i < n; i++)
			conf_collector(&ctx, NULL,
			    config_setting_get_elem(feeds, i));
	}
out:
	conf->settings = cfg;
	if (!keep)
		conf_settled(conf);
	conf_errors_sort(errs);
	if (errs->n != 0 && !keep) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

void
conf_settled(struct conf *conf)
{
	struct conf_system *sys;
	size_t i, k;

	if (conf->settings == NULL)
		return;
	for (i = 0; i < conf->nsystems; i++) {
		sys = conf->systems[i];
		for (k = 0; k < sys->ninsts; k++)
			sys->insts[k]->setting = NULL;
	}
	for (i = 0; i < conf->nfeeds; i++)
		conf->feeds[i]->setting = NULL;
	config_destroy(conf->settings);
	free(conf->settings);
	conf->settings = NULL;
}

void
conf_instance_free(struct itf_instance *inst)
{
	if (inst == NULL)
		return;
	if (inst->state != NULL)
		inst->ops->destroy(inst->state);
	template_unref(inst->tmpl);
	free(inst->type);
	free(inst->zone);
	free(inst->series);
	free(inst->perspective);
	free(inst->key);
	free(inst->fingerprint);
	free(inst->file);
	free(inst);
}

void
conf_free(struct conf *conf)
{
	struct conf_system *sys;
	size_t i, k;

	if (conf == NULL)
		return;
	conf_settled(conf);
	for (i = 0; i < conf->nsystems; i++) {
		sys = conf->systems[i];
		for (k = 0; k < sys->ninsts; k++)
			conf_instance_free(sys->insts[k]);
		free(sys->insts);
		free(sys->id);
		free(sys->name);
		free(sys->owner);
		free(sys->category);
		free(sys->portfolio);
		free(sys->maint);
		hours_free(&sys->hours);
		free(sys);
	}
	free(conf->systems);
	idindex_free(conf->sysindex);
	for (i = 0; i < conf->nfeeds; i++)
		conf_instance_free(conf->feeds[i]);
	free(conf->feeds);
	for (i = 0; i < conf->ntmpls; i++)
		template_unref(conf->tmpls[i]);
	free(conf->tmpls);
	free(conf->file);
	free(conf->data_dir);
	free(conf->templates_dir);
	free(conf->status_listen);
	free(conf->rrdcached);
	free(conf->journal);
	free(conf->journal_password_file);
	free(conf->member);
	free(conf->zone);
	free(conf->plugin_dir);
	free(conf->user);
	free(conf->group);
	free(conf->maint);
	for (i = 0; i < conf->nnotifiers; i++)
		conf_notifier_free(&conf->notifiers[i]);
	free(conf->notifiers);
	tz_free(conf->tz);
	hours_free(&conf->hours);
	free(conf);
}

/* The instance's own setting named key, or NULL. */
static const config_setting_t *
conf_inst_member(const struct itf_instance *inst, const char *key)
{
	if (inst->setting == NULL)
		return NULL;
	return config_setting_get_member(inst->setting, key);
}

int
conf_inst_string(const struct itf_instance *inst, const char *key,
    const char **out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return 0;
	*out = config_setting_get_string(s);
	return 1;
}

int
conf_inst_int(const struct itf_instance *inst, const char *key, long long *out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || !conf_type_ok(s, ITF_KEY_INT))
		return 0;
	*out = config_setting_get_int64(s);
	return 1;
}

int
conf_inst_float(const struct itf_instance *inst, const char *key, double *out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || !conf_type_ok(s, ITF_KEY_FLOAT))
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		*out = config_setting_get_float(s);
	else
		*out = (double)config_setting_get_int64(s);
	return 1;
}

int
conf_inst_bool(const struct itf_instance *inst, const char *key, int *out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_BOOL)
		return 0;
	*out = config_setting_get_bool(s);
	return 1;
}

static void
conf_scratch_add(void *p)
{
	conf_scratch = xreallocarray(conf_scratch, conf_nscratch + 1,
	    sizeof *conf_scratch);
	conf_scratch[conf_nscratch++] = p;
}

int
conf_inst_strings(const struct itf_instance *inst, const char *key,
    const char *const **out, size_t *n)
{
	const config_setting_t *s = conf_inst_member(inst, key), *e;
	const char **list;
	int i, len;

	if (s == NULL || !conf_type_ok(s, ITF_KEY_STRING_LIST))
		return 0;
	len = config_setting_length(s);
	list = xcalloc((size_t)len + 1, sizeof *list);
	conf_scratch_add(list);
	*n = 0;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_errors_add(inst->errs, inst->file, conf_line(e),
			    "\"%s\" must hold only strings", key);
			continue;
		}
		list[(*n)++] = config_setting_get_string(e);
	}
	*out = list;
	return 1;
}

int
conf_inst_pair_list(const struct itf_instance *inst, const char *key,
    const char *const **firsts, const char *const **seconds, size_t *n)
{
	const config_setting_t *s = conf_inst_member(inst, key), *e;
	const char **fl, **sl;
	int i, len;

	if (s == NULL || !conf_pair_list_ok(s))
		return 0;
	len = config_setting_length(s);
	fl = xcalloc((size_t)len + 1, sizeof *fl);
	sl = xcalloc((size_t)len + 1, sizeof *sl);
	conf_scratch_add(fl);
	conf_scratch_add(sl);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		fl[i] =
		    config_setting_get_string(config_setting_get_elem(e, 0));
		sl[i] =
		    config_setting_get_string(config_setting_get_elem(e, 1));
	}
	*n = (size_t)len;
	*firsts = fl;
	*seconds = sl;
	return 1;
}

int
conf_inst_pairs(const struct itf_instance *inst, const char *key,
    const char *const **names, const char *const **values, size_t *n)
{
	const config_setting_t *s = conf_inst_member(inst, key), *e;
	const char **nl, **vl;
	int i, len;

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_GROUP)
		return 0;
	len = config_setting_length(s);
	nl = xcalloc((size_t)len + 1, sizeof *nl);
	vl = xcalloc((size_t)len + 1, sizeof *vl);
	conf_scratch_add(nl);
	conf_scratch_add(vl);
	*n = 0;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_errors_add(inst->errs, inst->file, conf_line(e),
			    "\"%s.%s\" must be a string", key,
			    config_setting_name(e));
			continue;
		}
		nl[*n] = config_setting_name(e);
		vl[(*n)++] = config_setting_get_string(e);
	}
	*names = nl;
	*values = vl;
	return 1;
}

void
conf_inst_verror(const struct itf_instance *inst, const char *key,
    const char *fmt, va_list ap)
{
	const config_setting_t *s = NULL;
	char *msg;
	int line = inst->line;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (key != NULL)
		s = conf_inst_member(inst, key);
	if (s != NULL)
		line = conf_line(s);
	if (inst->errs != NULL)
		conf_errors_add(inst->errs, inst->file, line, "%s", msg);
	else
		log_err("%s:%d: %s", inst->file, line, msg);
	free(msg);
}

int
conf_is_tag(const char *by)
{
	return strcmp(by, "category") == 0 || strcmp(by, "portfolio") == 0 ||
	    strcmp(by, "owner") == 0;
}

const char *
conf_system_tag(const struct conf_system *sys, const char *by)
{
	if (strcmp(by, "category") == 0)
		return sys->category;
	if (strcmp(by, "portfolio") == 0)
		return sys->portfolio;
	if (strcmp(by, "owner") == 0)
		return sys->owner != NULL ? sys->owner : "(no owner)";
	return NULL;
}
