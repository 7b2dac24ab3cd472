/*
 * The collector instances of the configuration: a system's collectors and
 * the top-level feeds, and a system's users denominator. Each is read into
 * a struct itf_instance with its type's ops as the plugin registry knows
 * them without loading anything (plugin.h), its common keys, template and
 * reload fingerprint; its type's configure is the daemon's to call.
 */
#include <libconfig.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "conftype.h"
#include "ident.h"
#include "xmalloc.h"

/*
 * The name of the file a collector was read from, as the collector keeps
 * it: one copy for all the collectors of a file, instead of one in each of
 * thousands. Kept for the process's life: a process reads few files (the
 * daemon its one, again at each reload), and a collector a reload keeps
 * outlives the configuration it was read with.
 */
static const char *
conf_collector_file(const char *file)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char **names;
	static size_t n;
	const char *name = NULL;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < n && name == NULL; i++) {
		if (strcmp(names[i], file) == 0)
			name = names[i];
	}
	if (name == NULL) {
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n] = xstrdup(file);
		name = names[n++];
	}
	pthread_mutex_unlock(&lock);
	return name;
}

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

/*
 * The system a feed writes to when nothing maps a value elsewhere: it must
 * be configured. Feeds are read after every system.
 */
static struct conf_system *
conf_collector_feed_system(struct conf_ctx *ctx, const config_setting_t *g)
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

static void
conf_collector_journal_keys(struct conf_ctx *ctx, const config_setting_t *g,
    struct itf_instance *inst)
{
	inst->fail_after = (unsigned)conf_get_long(ctx, g, "fail_after", 1,
	    1000, (long)ctx->conf->fail_after);
	inst->cert_warn_days = conf_get_long(ctx, g, "cert_warn_days", 0, 3650,
	    ctx->conf->cert_warn_days);
}

/* Append a canonical text of setting s to *buf: the reload fingerprint. */
static void
conf_collector_fingerprint(const config_setting_t *s, char **buf)
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
			conf_collector_fingerprint(config_setting_get_elem(s,
			                               i),
			    buf);
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

/*
 * What of a collector depends on its type's ops: its keys, default
 * interval, perspective and template, and so its fingerprint. The model
 * knows a plugin's type by name only (conftype_unloaded_ops); the daemon
 * calls this again once it has loaded the plugin (conf_instance_typed).
 */
void
conf_collector_typed(struct conf_ctx *ctx, struct itf_instance *inst,
    const struct itf_collector_ops *ops)
{
	const config_setting_t *g = inst->setting;
	const char *persp, *tname;
	long long interval, timeout;
	int feed = inst->feed, unloaded = ops == &conftype_unloaded_ops;

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
	conf_collector_fingerprint(g, &inst->fingerprint);
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
	switch (conftype_lookup(type, ctx->conf->plugin_dir, &ops, &cause)) {
	case CONFTYPE_BUILTIN:
		return ops;
	case CONFTYPE_UNKNOWN:
		conf_errors_add(ctx->errs, ctx->file,
		    conf_line(config_setting_get_member(g, "type")), "%s",
		    cause);
		free(cause);
		return NULL;
	case CONFTYPE_PLUGIN:
		/* Loaded by the daemon only (instance.c); known meanwhile
		 * by what the configuration says of it. */
		return &conftype_unloaded_ops;
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
void
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
		sys = conf_collector_feed_system(ctx, g);

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
	conf_collector_journal_keys(ctx, g, inst);
	if (feed)
		inst->max_series = (unsigned)conf_get_long(ctx, g, "max_series",
		    1, CONF_MAX_SERIES_MAX, CONF_MAX_SERIES);
	inst->zone = conf_get_zone(ctx, g);
	inst->file = conf_collector_file(ctx->file);
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
void
conf_collector_users(struct conf_ctx *ctx, struct conf_system *sys,
    const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "users");
	const struct itf_collector_ops *ops = NULL;
	struct itf_instance *inst;

	if (s == NULL)
		return;
	if ((ops = conftype_builtin("users")) == NULL)
		return; /* built in: cannot happen */
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
	inst->file = conf_collector_file(ctx->file);
	inst->line = conf_line(s);
	/* Its getters read the system's block: users is a key of it. */
	inst->setting = g;
	inst->users = 1;
	xasprintf(&inst->fingerprint, "%s|users|", inst->key);
	conf_collector_fingerprint(s, &inst->fingerprint);
	if (config_setting_get_member(g, "users_from") != NULL)
		conf_collector_fingerprint(config_setting_get_member(g,
		                               "users_from"),
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
