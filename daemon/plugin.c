/*
 * Collector type registry. Built-in collectors are registered through the
 * same struct itf_collector_ops a plugin exports, in one table.
 */
#include <string.h>

#include "plugin.h"
#include "xmalloc.h"

extern const struct itf_collector_ops collector_http_ops;
extern const struct itf_collector_ops collector_tcp_ops;

static const struct itf_collector_ops *const plugin_builtin[] = {
	&collector_http_ops,
	&collector_tcp_ops,
	NULL,
};

const struct itf_collector_ops *
plugin_find(const char *type, char **cause)
{
	size_t i;

	for (i = 0; plugin_builtin[i] != NULL; i++) {
		if (strcmp(plugin_builtin[i]->name, type) == 0)
			return plugin_builtin[i];
	}
	xasprintf(cause, "unknown collector type \"%s\"", type);
	return NULL;
}
