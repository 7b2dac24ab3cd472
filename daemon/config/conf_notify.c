/*
 * The notifiers of the configuration: exec (a command run as a non-root
 * user) or webhook (a URL, an optional secret header whose value is read
 * from its file at delivery, never here: only the file's mode is checked).
 */
#include <libconfig.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_priv.h"
#include "secret.h"
#include "xmalloc.h"

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

void
conf_notify_free(struct conf_notifier *nt)
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
conf_notify_secret_file(struct conf_ctx *ctx, const config_setting_t *g,
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
conf_notify_strv(struct conf_ctx *ctx, const config_setting_t *g,
    const char *name)
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
conf_notify_check(struct conf_ctx *ctx, const config_setting_t *g,
    struct conf_notifier *nt)
{
	const char *v;
	char **p;

	if (!nt->webhook) {
		if (nt->argv == NULL || nt->argv[0] == NULL)
			conf_errors_add(ctx->errs, ctx->file, nt->line,
			    "exec notifier \"%s\" needs \"command\" [\"/path\", \"arg\", ...]",
			    nt->id);
		else if (nt->argv[0][0] != '/')
			conf_errors_add(ctx->errs, ctx->file, nt->line,
			    "notifier command \"%s\" must be an absolute path",
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
		conf_notify_secret_file(ctx, g, nt->secret_file);
	}
	for (p = nt->systems; p != NULL && *p != NULL; p++) {
		if (conf_find_system(ctx->conf, *p) == NULL)
			conf_errors_add(ctx->errs, ctx->file,
			    conf_line(config_setting_get_member(g, "systems")),
			    "notifier \"%s\": \"%s\" is not a configured system",
			    nt->id, *p);
	}
}

/* notifiers = ( { id; type = "exec" | "webhook"; ... }, ... ) */
void
conf_notify_list(struct conf_ctx *ctx, const config_setting_t *list)
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
				    "duplicate notifier id \"%s\" (first at line %d)",
				    id, conf->notifiers[k].line);
		}
		nt.id = xstrdup(id);
		type = conf_get_vocab(ctx, g, "type", types, 1);
		nt.webhook = type != NULL && strcmp(type, "webhook") == 0;
		nt.argv = conf_notify_strv(ctx, g, "command");
		nt.systems = conf_notify_strv(ctx, g, "systems");
		if (type != NULL)
			conf_notify_check(ctx, g, &nt);
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
