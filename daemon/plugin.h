/*
 * The registry of collector types: the built-in ones, listed in one table,
 * and (later) those loaded from plugins.
 */
#ifndef PLUGIN_H
#define PLUGIN_H

#include "itfollow/collector.h"

/* The collector type named type, or NULL with a message in *cause. */
const struct itf_collector_ops *plugin_find(const char *type, char **cause);

#endif
