/*
 * The collector types a configuration may name, as the model knows them
 * without running anything: the built-in types as data (their key
 * tables; no run code: the daemon swaps in the run ops, daemon/builtin.c),
 * and a plugin type by its file only. Loading plugins is the daemon's
 * (daemon/plugin.c).
 */
#ifndef CONFTYPE_H
#define CONFTYPE_H

#include "itfollow/collector.h"

enum conftype_result {
	CONFTYPE_BUILTIN = 0, /* a built-in type: its ops */
	CONFTYPE_PLUGIN = 1, /* a plugin type whose file is there, not loaded */
	CONFTYPE_UNKNOWN = -1 /* no such type: a configuration error */
};

/*
 * What a collector of a plugin not loaded is known as: its series,
 * perspective and template come from the configuration alone, and it
 * never runs.
 */
extern const struct itf_collector_ops conftype_unloaded_ops;

/* A built-in type by name, or NULL. */
const struct itf_collector_ops *conftype_builtin(const char *type);
/*
 * The file of plugin type type in plugin_dir (caller frees): one that
 * exists or that known (set by conftype_set_known) says was loaded; NULL
 * with *cause ("unknown collector type ...") if neither.
 */
char *conftype_plugin_file(const char *type, const char *plugin_dir,
    char **cause);
/*
 * Look type up without loading anything: CONFTYPE_BUILTIN with *ops,
 * CONFTYPE_PLUGIN (*ops NULL), or CONFTYPE_UNKNOWN with *cause.
 */
enum conftype_result conftype_lookup(const char *type, const char *plugin_dir,
    const struct itf_collector_ops **ops, char **cause);
/* The daemon's plugin loader says which files it holds loaded. */
void conftype_set_known(int (*known)(const char *file));

#endif
