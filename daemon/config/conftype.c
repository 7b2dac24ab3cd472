/*
 * The collector types the configuration model knows: the built-in types,
 * registered through the same struct itf_collector_ops a plugin exports,
 * in one table (their key tables are what the model checks a collector's
 * settings against), and plugin types by their file alone. Nothing here
 * loads or runs a collector: reading a configuration must not.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conftype.h"
#include "ident.h"
#include "xmalloc.h"

extern const struct itf_collector_ops collector_http_ops;
extern const struct itf_collector_ops collector_tcp_ops;
extern const struct itf_collector_ops collector_exec_ops;
extern const struct itf_collector_ops collector_flexlm_ops;
extern const struct itf_collector_ops collector_rlm_ops;
extern const struct itf_collector_ops collector_m365_ops;
extern const struct itf_collector_ops collector_json_ops;
extern const struct itf_collector_ops collector_csv_ops;
extern const struct itf_collector_ops collector_xapi_ops;
extern const struct itf_collector_ops collector_focus_ops;
extern const struct itf_collector_ops collector_users_ops;
extern const struct itf_collector_ops collector_icmp_ops;
extern const struct itf_collector_ops collector_dns_ops;

static const struct itf_collector_ops *const conftype_builtins[] = {
	&collector_http_ops,
	&collector_tcp_ops,
	&collector_exec_ops,
	&collector_flexlm_ops,
	&collector_rlm_ops,
	&collector_m365_ops,
	&collector_json_ops,
	&collector_csv_ops,
	&collector_xapi_ops,
	&collector_focus_ops,
	&collector_users_ops,
	&collector_icmp_ops,
	&collector_dns_ops,
	NULL,
};

const struct itf_collector_ops conftype_unloaded_ops = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "(plugin not loaded)",
	.perspective = "quality",
};

static int (*conftype_known)(const char *file);

void
conftype_set_known(int (*known)(const char *file))
{
	conftype_known = known;
}

const struct itf_collector_ops *
conftype_builtin(const char *type)
{
	size_t i;

	for (i = 0; conftype_builtins[i] != NULL; i++) {
		if (strcmp(conftype_builtins[i]->name, type) == 0)
			return conftype_builtins[i];
	}
	return NULL;
}

char *
conftype_plugin_file(const char *type, const char *plugin_dir, char **cause)
{
	struct stat sb;
	char *file;

	/* The type names a file: only a plain id may. */
	if (plugin_dir == NULL || !ident_valid(type)) {
		xasprintf(cause, "unknown collector type \"%s\"", type);
		return NULL;
	}
	xasprintf(&file, "%s/%s.so", plugin_dir, type);
	if ((conftype_known == NULL || !conftype_known(file)) &&
	    stat(file, &sb) != 0) {
		xasprintf(cause,
		    "unknown collector type \"%s\" (no built-in type and no %s)",
		    type, file);
		free(file);
		return NULL;
	}
	return file;
}

enum conftype_result
conftype_lookup(const char *type, const char *plugin_dir,
    const struct itf_collector_ops **ops, char **cause)
{
	char *file;

	*ops = NULL;
	if ((*ops = conftype_builtin(type)) != NULL)
		return CONFTYPE_BUILTIN;
	if ((file = conftype_plugin_file(type, plugin_dir, cause)) == NULL)
		return CONFTYPE_UNKNOWN;
	free(file);
	return CONFTYPE_PLUGIN;
}
