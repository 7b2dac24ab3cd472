/*
 * Instantiation: the daemon's step, apart from reading the configuration
 * (conf.h), that makes running collectors of a configuration model. It
 * loads the plugins the model names (as the daemon's user: see
 * plugin_defer) and calls each collector type's configure. Only the
 * daemon does this; the tool reads the model alone.
 */
#ifndef INSTANCE_H
#define INSTANCE_H

#include "conf.h"

/*
 * Configure every collector of conf, read with its settings kept
 * (conf_read's keep), through host; let go of the settings. A plugin
 * that cannot be loaded, or fails its configure, is logged and its
 * collector dropped: the rest runs. Every other error goes to errs; when
 * errs holds errors already (the model's), no plugin is loaded.
 * Returns 0, or -1 when errs got errors.
 */
int instance_configure(struct conf *conf, const struct itf_host_services *host,
    struct conf_errors *errs);
/*
 * conf_read and instance_configure: the configuration the daemon runs.
 * NULL with every error in errs.
 */
struct conf *instance_load(const char *file, const char *text,
    const struct itf_host_services *host, struct conf_errors *errs);

#endif
