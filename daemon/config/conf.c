/*
 * Configuration loading and checking: the libconfig reading, the key
 * checks and getters every part of the model uses, the load itself and
 * the model's lookups. The conf*.c files of this folder are the only users
 * of libconfig: everything else sees struct conf. Checking is exhaustive: a
 * load reports every error it finds (syntax, unknown keys, wrong types, bad
 * ids, duplicates, unknown vocabularies, timeouts not below intervals, and
 * what each collector type says of its own keys), each as file:line. The
 * parts of the model are read by conf_daemon.c, conf_system.c,
 * conf_collector.c, conf_maint.c, conf_hours.c, conf_notify.c and
 * conf_template.c; the collectors' getters are in conf_inst.c.
 */
#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "conf_priv.h"
#include "confcut.h"
#include "conftext.h"
#include "ident.h"
#include "idindex.h"
#include "log.h"
#include "xmalloc.h"

#define CONF_MAX_INTERVAL (7 * 86400)

const char conf_embedded[] =
    "# Embedded default: the daemon watches its own status endpoint.\ndaemon = { data_dir = \"itfollow-data\";\n  status_listen = \"127.0.0.1:8470\"; log_level = \"info\"; };\ndefaults = { interval = 60; timeout = 10; };\nsystems = (\n  { id = \"itfollowd\"; name = \"itfollow daemon\";\n    owner = \"itfollow\"; category = \"basic\";\n    portfolio = \"information\";\n    collectors = (\n      { type = \"http\"; series = \"health\";\n        url = \"http://127.0.0.1:8470/health\"; }\n    ); }\n);\n";

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

/* Arrays handed out by the list getters during one configure() call. */
static void **conf_scratch;
static size_t conf_nscratch;

int
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
int
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
int
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
int
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
const char *
conf_get_str(const config_setting_t *g, const char *name)
{
	const config_setting_t *s;

	s = config_setting_get_member(g, name);
	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return NULL;
	return config_setting_get_string(s);
}

/* A number member in seconds as milliseconds; 0 when absent, -1 when bad. */
long long
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
char *
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
const char *
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

/* One setting against a key table; 0, or -1 when reported. */
int
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
long
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

void
conf_service_spans(const struct conf *c, const char *system, time_t from,
    time_t to, struct spans *out)
{
	struct conf_system *sys = conf_find_system(c, system);

	hours_spans(sys != NULL ? &sys->hours : NULL, &c->hours, c->tz, from,
	    to, out);
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

/*
 * A relative path in a configuration file is taken relative to the file's
 * directory, so a configuration means the same from any working directory.
 */
void
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

/* A zone: an id (daemon.zone, a collector's zone), or NULL. */
char *
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
		    "zone needs a PostgreSQL journal (store.journal): only daemons that share one divide collectors by zone");
		return NULL;
	}
	return xstrdup(v);
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

void
conf_warn_mode(const struct conf *conf)
{
	struct stat sb;

	if (conf->embedded || stat(conf->file, &sb) != 0)
		return;
	if (sb.st_mode & S_IROTH)
		log_warn(
		    "configuration %s is readable by others (mode %04o): keep it 0640 or stricter",
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

/* conf_read, with text (when not NULL) the file's own when not embedded. */
static struct conf *
conf_read_as(const char *file, const char *text, int embedded, int keep,
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
	conf->embedded = embedded;
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
	conf_template_load(&ctx);

	systems = config_setting_get_member(root, "systems");
	if (systems != NULL && conf_type_ok(systems, ITF_KEY_STRING_LIST)) {
		n = config_setting_length(systems);
		for (i = 0; i < n; i++)
			conf_system(&ctx, config_setting_get_elem(systems, i));
	}
	conf_maint_list(&ctx, config_setting_get_member(root, "maintenance"),
	    &conf->maint, &conf->nmaint);
	conf_hours_list(&ctx, config_setting_get_member(root, "service_hours"),
	    &conf->hours);
	conf_hours_holidays(&ctx, config_setting_get_member(root, "holidays"),
	    &conf->hours);
	conf_notify_list(&ctx, config_setting_get_member(root, "notifiers"));
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

struct conf *
conf_read(const char *file, const char *text, int keep,
    struct conf_errors *errs)
{
	return conf_read_as(file, text, text != NULL, keep, errs);
}

struct conf *
conf_read_system(const char *file, const char *id, struct conf_errors *errs)
{
	struct conf_errors mine = { NULL, 0 };
	struct conf *conf = NULL;
	char *text, *cause = NULL;
	size_t len;

	/* Anything unusual (a file that cannot be cut, an error in what is
	 * left) is the whole file's to report, as conf_read does. */
	if ((text = conftext_read(file, &len, &cause)) != NULL &&
	    confcut_others(text, &len, id) > 0)
		conf = conf_read_as(file, text, 0, 0, &mine);
	free(text);
	free(cause);
	conf_errors_clear(&mine);
	return conf != NULL ? conf : conf_read(file, NULL, 0, errs);
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
		conf_notify_free(&conf->notifiers[i]);
	free(conf->notifiers);
	tz_free(conf->tz);
	hours_free(&conf->hours);
	free(conf);
}

void
conf_scratch_add(void *p)
{
	conf_scratch = xreallocarray(conf_scratch, conf_nscratch + 1,
	    sizeof *conf_scratch);
	conf_scratch[conf_nscratch++] = p;
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
