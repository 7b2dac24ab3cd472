/*
 * The getters a collector type's configure calls on its instance
 * (struct itf_host_services): its own keys read from the instance's
 * libconfig setting, kept until the configuration has settled. Lists are
 * handed out as arrays freed after the configure call (conf_scratch_free);
 * an error names the key's file and line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <libconfig.h>

#include "conf.h"
#include "conf_priv.h"
#include "log.h"
#include "xmalloc.h"

/* The instance's own setting named key, or NULL. */
static const config_setting_t *
conf_inst_member(const struct itf_instance *inst, const char *key)
{
	if (inst->setting == NULL)
		return NULL;
	return config_setting_get_member(inst->setting, key);
}

int
conf_inst_string(const struct itf_instance *inst, const char *key,
    const char **out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
		return 0;
	*out = config_setting_get_string(s);
	return 1;
}

int
conf_inst_int(const struct itf_instance *inst, const char *key, long long *out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || !conf_type_ok(s, ITF_KEY_INT))
		return 0;
	*out = config_setting_get_int64(s);
	return 1;
}

int
conf_inst_float(const struct itf_instance *inst, const char *key, double *out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || !conf_type_ok(s, ITF_KEY_FLOAT))
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		*out = config_setting_get_float(s);
	else
		*out = (double)config_setting_get_int64(s);
	return 1;
}

int
conf_inst_bool(const struct itf_instance *inst, const char *key, int *out)
{
	const config_setting_t *s = conf_inst_member(inst, key);

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_BOOL)
		return 0;
	*out = config_setting_get_bool(s);
	return 1;
}

int
conf_inst_strings(const struct itf_instance *inst, const char *key,
    const char *const **out, size_t *n)
{
	const config_setting_t *s = conf_inst_member(inst, key), *e;
	const char **list;
	int i, len;

	if (s == NULL || !conf_type_ok(s, ITF_KEY_STRING_LIST))
		return 0;
	len = config_setting_length(s);
	list = xcalloc((size_t)len + 1, sizeof *list);
	conf_scratch_add(list);
	*n = 0;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_errors_add(inst->errs, inst->file, conf_line(e),
			    "\"%s\" must hold only strings", key);
			continue;
		}
		list[(*n)++] = config_setting_get_string(e);
	}
	*out = list;
	return 1;
}

int
conf_inst_pair_list(const struct itf_instance *inst, const char *key,
    const char *const **firsts, const char *const **seconds, size_t *n)
{
	const config_setting_t *s = conf_inst_member(inst, key), *e;
	const char **fl, **sl;
	int i, len;

	if (s == NULL || !conf_pair_list_ok(s))
		return 0;
	len = config_setting_length(s);
	fl = xcalloc((size_t)len + 1, sizeof *fl);
	sl = xcalloc((size_t)len + 1, sizeof *sl);
	conf_scratch_add(fl);
	conf_scratch_add(sl);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		fl[i] =
		    config_setting_get_string(config_setting_get_elem(e, 0));
		sl[i] =
		    config_setting_get_string(config_setting_get_elem(e, 1));
	}
	*n = (size_t)len;
	*firsts = fl;
	*seconds = sl;
	return 1;
}

int
conf_inst_pairs(const struct itf_instance *inst, const char *key,
    const char *const **names, const char *const **values, size_t *n)
{
	const config_setting_t *s = conf_inst_member(inst, key), *e;
	const char **nl, **vl;
	int i, len;

	if (s == NULL || config_setting_type(s) != CONFIG_TYPE_GROUP)
		return 0;
	len = config_setting_length(s);
	nl = xcalloc((size_t)len + 1, sizeof *nl);
	vl = xcalloc((size_t)len + 1, sizeof *vl);
	conf_scratch_add(nl);
	conf_scratch_add(vl);
	*n = 0;
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_errors_add(inst->errs, inst->file, conf_line(e),
			    "\"%s.%s\" must be a string", key,
			    config_setting_name(e));
			continue;
		}
		nl[*n] = config_setting_name(e);
		vl[(*n)++] = config_setting_get_string(e);
	}
	*names = nl;
	*values = vl;
	return 1;
}

void
conf_inst_verror(const struct itf_instance *inst, const char *key,
    const char *fmt, va_list ap)
{
	const config_setting_t *s = NULL;
	char *msg;
	int line = inst->line;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (key != NULL)
		s = conf_inst_member(inst, key);
	if (s != NULL)
		line = conf_line(s);
	if (inst->errs != NULL)
		conf_errors_add(inst->errs, inst->file, line, "%s", msg);
	else
		log_err("%s:%d: %s", inst->file, line, msg);
	free(msg);
}
