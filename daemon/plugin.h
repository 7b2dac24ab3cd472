/*
 * The registry of collector types: the built-in ones, listed in one table,
 * and those loaded from plugins (daemon.plugin_dir/TYPE.so) with dlopen.
 */
#ifndef PLUGIN_H
#define PLUGIN_H

#include "itfollow/collector.h"

enum plugin_result {
	PLUGIN_FOUND = 0,
	PLUGIN_UNKNOWN = -1, /* no such type: a configuration error */
	PLUGIN_BROKEN = -2, /* a plugin file that cannot be used: skipped */
	PLUGIN_DEFERRED = -3 /* a plugin file, not loaded (plugin_defer) */
};

/*
 * The ops of a collector whose plugin was deferred: no keys, no
 * callbacks. The configuration keeps such a collector (its series,
 * perspective and template as configured) for the tool and -n to know of,
 * but it is never configured or run.
 */

/*
 * The collector type named type: built in, or a plugin in plugin_dir (may
 * be NULL). *ops is a host-owned struct with every field of this version
 * (those a plugin's older ABI lacks are zero). On failure *cause says why
 * (naming the plugin's file).
 */
enum plugin_result plugin_find(const char *type, const char *plugin_dir,
    const struct itf_collector_ops **ops, char **cause);
/* 1 if ops came from a plugin file. */
int plugin_is_loaded(const struct itf_collector_ops *ops);
/* The file a plugin came from, or NULL. */
const char *plugin_file(const struct itf_collector_ops *ops);
/*
 * While on, plugin_find loads no plugin file: a type that names one is
 * PLUGIN_DEFERRED, and counted. The daemon reads its configuration so as
 * root, to bind and drop privileges, and reads it again as daemon.user to
 * load the plugins: no plugin code (constructors, configure) runs as root.
 * `itfollowd -n` and the tool never load plugins at all.
 */
void plugin_defer(int on);
/* How many collectors' plugins were deferred since plugin_defer(1). */
unsigned plugin_deferred(void);
/* Unload every plugin (at exit, when no instance is left). */
void plugin_unload_all(void);

#endif
