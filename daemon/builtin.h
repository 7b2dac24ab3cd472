/*
 * The built-in collectors' run ops, which the daemon swaps in for the
 * types the configuration model read (data only, see conftype.c) when it
 * configures an instance.
 */
#ifndef BUILTIN_H
#define BUILTIN_H

#include "itfollow/collector.h"

/*
 * The ops to run an instance of type with: for a built-in type as the
 * model holds it (data only, conftype_builtin), the run ops of the same
 * name; any other ops (a plugin's) are returned as they are.
 */
const struct itf_collector_ops *builtin_run_ops(
    const struct itf_collector_ops *type);

#endif
