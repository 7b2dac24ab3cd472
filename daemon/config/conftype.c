/*
 * The collector types the configuration model knows: the built-in types,
 * described by the same struct itf_collector_ops a plugin exports, in one
 * table (their key tables are what the model checks a collector's
 * settings against), and plugin types by their file alone. The built-in
 * types here are data only (collectors/builtin/types.h): no function, so
 * a program that reads configurations links no collector's run code; the
 * daemon swaps in the run ops when it configures an instance
 * (daemon/builtin.c). Nothing here loads or runs a collector: reading a
 * configuration must not.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conftype.h"
#include "ident.h"
#include "xmalloc.h"

extern const struct itf_collector_ops collector_http_type;
extern const struct itf_collector_ops collector_tcp_type;
extern const struct itf_collector_ops collector_exec_type;
extern const struct itf_collector_ops collector_flexlm_type;
extern const struct itf_collector_ops collector_rlm_type;
extern const struct itf_collector_ops collector_m365_type;
extern const struct itf_collector_ops collector_json_type;
extern const struct itf_collector_ops collector_csv_type;
extern const struct itf_collector_ops collector_xapi_type;
extern const struct itf_collector_ops collector_focus_type;
extern const struct itf_collector_ops collector_users_type;
extern const struct itf_collector_ops collector_icmp_type;
extern const struct itf_collector_ops collector_dns_type;

static const struct itf_collector_ops *const conftype_builtins[] = {
	&collector_http_type,
	&collector_tcp_type,
	&collector_exec_type,
	&collector_flexlm_type,
	&collector_rlm_type,
	&collector_m365_type,
	&collector_json_type,
	&collector_csv_type,
	&collector_xapi_type,
	&collector_focus_type,
	&collector_users_type,
	&collector_icmp_type,
	&collector_dns_type,
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
