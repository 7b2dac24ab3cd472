/*
 * The systems of the configuration: each one's id, names and tags, its
 * maintenance windows, service hours and holidays, its users denominator
 * and its collectors, kept in the order read and indexed by id.
 */
#include <libconfig.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"
#include "ident.h"
#include "idindex.h"
#include "xmalloc.h"

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

void
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

	conf_maint_list(ctx, config_setting_get_member(g, "maintenance"),
	    &sys->maint, &sys->nmaint);
	conf_hours_list(ctx, config_setting_get_member(g, "service_hours"),
	    &sys->hours);
	conf_hours_holidays(ctx, config_setting_get_member(g, "holidays"),
	    &sys->hours);
	conf_collector_users(ctx, sys, g);
	list = config_setting_get_member(g, "collectors");
	if (list == NULL || !conf_type_ok(list, ITF_KEY_STRING_LIST))
		return;
	n = config_setting_length(list);
	for (k = 0; k < n; k++)
		conf_collector(ctx, sys, config_setting_get_elem(list, k));
}
