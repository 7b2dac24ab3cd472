/*
 * Instantiation of a configuration model: plugins loaded, each collector
 * configured through the host's services. Reading (conf.c) runs none of
 * this, so the tool and `itfollowd -n` never load a plugin nor call a
 * collector's code beyond its key table; -n does call the built-in
 * types' configure, which reads no secret and makes no file.
 */
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "conftype.h"
#include "instance.h"
#include "log.h"
#include "plugin.h"

/* Drop inst from its list (it failed as a plugin: the rest runs). */
static void
instance_drop(struct conf *conf, struct itf_instance *inst)
{
	struct itf_instance **list =
	    inst->feed ? conf->feeds : inst->system->insts;
	size_t *n = inst->feed ? &conf->nfeeds : &inst->system->ninsts;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (list[i] != inst)
			continue;
		memmove(&list[i], &list[i + 1], (*n - i - 1) * sizeof *list);
		(*n)--;
		break;
	}
	conf_instance_free(inst);
}

/*
 * Load inst's plugin if the model left it unloaded: 0, 1 if it stays
 * unloaded (deferred, or the model has errors: the configuration is
 * refused anyway, and the plugin's interval and template would be
 * checked twice), -1 if it is to be dropped.
 */
static int
instance_plugin(struct conf *conf, struct itf_instance *inst,
    struct conf_errors *errs, int model_ok)
{
	const struct itf_collector_ops *ops = NULL;
	const char *type = inst->type;
	char *cause = NULL;

	if (inst->ops != &conftype_unloaded_ops)
		return 0;
	if (!model_ok)
		return 1;
	switch (plugin_find(type, conf->plugin_dir, &ops, &cause)) {
	case PLUGIN_FOUND:
		conf_instance_typed(conf, inst, ops, errs);
		return 0;
	case PLUGIN_UNKNOWN:
	case PLUGIN_BROKEN:
		/* Not the configuration's fault: skip it, run the rest. */
		log_err("%s:%d: %s; %s skipped", inst->file, inst->line, cause,
		    inst->feed ? "feed" : "collector");
		free(cause);
		return -1;
	case PLUGIN_DEFERRED:
		return 1;
	}
	return 1;
}

/* Configure one instance: 0, or -1 if it is to be dropped. */
static int
instance_one(struct conf *conf, struct itf_instance *inst,
    const struct itf_host_services *host, struct conf_errors *errs,
    int model_ok)
{
	struct conf_errors perrs = { NULL, 0 };
	const struct itf_collector_ops *ops;
	size_t i, before;
	int rc;

	if ((rc = instance_plugin(conf, inst, errs, model_ok)) != 0)
		return rc == 1 ? 0 : -1;
	/* The model read a built-in type as data: run it with its code. */
	inst->ops = ops = builtin_run_ops(inst->ops);
	inst->host = host;
	if (inst->tmpl == NULL)
		return 0; /* reported */
	inst->errs = plugin_is_loaded(ops) ? &perrs : errs;
	before = inst->errs->n;
	if (ops->configure(host, inst, &inst->state) != 0 &&
	    inst->errs->n == before) {
		if (inst->users)
			conf_errors_add(inst->errs, inst->file, inst->line,
			    "users of system \"%s\" failed to configure",
			    inst->system->id);
		else
			conf_errors_add(inst->errs, inst->file, inst->line,
			    "collector \"%s\" of type %s failed to configure",
			    inst->series, ops->name);
	}
	conf_scratch_free();
	inst->errs = NULL;
	if (perrs.n == 0)
		return 0;
	/* A plugin that fails its init: logged, that collector skipped. */
	for (i = 0; i < perrs.n; i++)
		log_err("%s (plugin %s); %s skipped", perrs.msgs[i],
		    plugin_file(ops), inst->feed ? "feed" : "collector");
	conf_errors_clear(&perrs);
	if (inst->state != NULL)
		ops->destroy(inst->state);
	inst->state = NULL;
	return -1;
}

int
instance_configure(struct conf *conf, const struct itf_host_services *host,
    struct conf_errors *errs)
{
	struct itf_instance *inst;
	size_t i, k, before = errs->n;
	int ok = errs->n == 0;

	for (i = 0; i < conf->nsystems; i++) {
		for (k = 0; k < conf->systems[i]->ninsts; k++) {
			inst = conf->systems[i]->insts[k];
			if (instance_one(conf, inst, host, errs, ok) != 0) {
				instance_drop(conf, inst);
				k--;
			}
		}
	}
	for (i = 0; i < conf->nfeeds; i++) {
		inst = conf->feeds[i];
		if (instance_one(conf, inst, host, errs, ok) != 0) {
			instance_drop(conf, inst);
			i--;
		}
	}
	conf_settled(conf);
	conf_errors_sort(errs);
	return errs->n != before ? -1 : 0;
}

struct conf *
instance_load(const char *file, const char *text,
    const struct itf_host_services *host, struct conf_errors *errs)
{
	struct conf *conf;
	size_t before = errs->n;

	conf = conf_read(file, text, 1, errs);
	if (instance_configure(conf, host, errs) != 0 || errs->n != before) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}
