/*
 * What the files of the configuration model share and nothing else sees:
 * the state of one load, the key tables' entry type, the checks and
 * getters of conf.c, and the reader of each part of a configuration
 * (conf_daemon.c, conf_system.c, conf_collector.c, conf_maint.c,
 * conf_hours.c, conf_notify.c, conf_template.c). Only these files include
 * libconfig.
 */
#ifndef CONF_PRIV_H
#define CONF_PRIV_H

#include <libconfig.h>

#include "conf.h"

/* What a key of a block may be. */
struct conf_key {
	const char *name;
	enum itf_key_type type;
};

/* State of one load. */
struct conf_ctx {
	struct conf *conf;
	struct conf_errors *errs;
	const struct itf_host_services *host;
	const char *file;
	int journal_given; /* store.journal is set (valid or not) */
};

/* conf.c: checks and getters; each error is added to ctx with file:line. */
int conf_line(const config_setting_t *);
int conf_type_ok(const config_setting_t *, enum itf_key_type);
int conf_pair_list_ok(const config_setting_t *);
int conf_check_keys(struct conf_ctx *, const config_setting_t *,
    const char *what, const struct conf_key *, const struct itf_key *);
int conf_check_one_key(struct conf_ctx *, const config_setting_t *,
    const char *what, const struct conf_key *);
const char *conf_get_str(const config_setting_t *, const char *name);
long long conf_get_ms(struct conf_ctx *, const config_setting_t *,
    const char *name);
char *conf_get_vocab(struct conf_ctx *, const config_setting_t *,
    const char *name, const char *const *list, int required);
const char *conf_get_id(struct conf_ctx *, const config_setting_t *,
    const char *name);
long conf_get_long(struct conf_ctx *, const config_setting_t *,
    const char *name, long min, long max, long dflt);
char *conf_get_zone(struct conf_ctx *, const config_setting_t *);
void conf_relative(struct conf_ctx *, char **path);
/* An array handed out by a getter, freed by conf_scratch_free(). */
void conf_scratch_add(void *);

/* The readers of the parts of a configuration. */
void conf_daemon(struct conf_ctx *, const config_setting_t *root);
void conf_template_load(struct conf_ctx *);
void conf_system(struct conf_ctx *, const config_setting_t *);
void conf_collector(struct conf_ctx *, struct conf_system *,
    const config_setting_t *);
void conf_collector_typed(struct conf_ctx *, struct itf_instance *,
    const struct itf_collector_ops *);
void conf_collector_users(struct conf_ctx *, struct conf_system *,
    const config_setting_t *);
void conf_maint_list(struct conf_ctx *, const config_setting_t *,
    struct conf_maint **, size_t *);
void conf_hours_list(struct conf_ctx *, const config_setting_t *,
    struct hours *);
void conf_hours_holidays(struct conf_ctx *, const config_setting_t *,
    struct hours *);
void conf_notify_list(struct conf_ctx *, const config_setting_t *);
void conf_notify_free(struct conf_notifier *);

#endif
