/*
 * Privileges: becoming daemon.user after what needs root is done.
 */
#ifndef PRIV_H
#define PRIV_H

#include "conf.h"

/*
 * Called once, after the status server is bound and before any collector
 * runs. Root with daemon.user set: create data_dir owned by that user, then
 * become it (groups, gid, uid) and check root cannot be regained. Not root:
 * check the process runs as daemon.user, if set. Root without daemon.user:
 * log a warning. Returns 0, or -1 with the cause (file:line when the
 * configuration is at fault) in *cause, which the caller frees.
 */
int priv_drop(const struct conf *, char **cause);

#endif
