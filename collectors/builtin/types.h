/*
 * The built-in collector types as data (the *_type.c files): each type's
 * name, perspective, template, default interval, flags and key table,
 * with no function, and the vocabularies its run code shares. The
 * configuration model reads these (daemon/config/conftype.c), so a
 * program that reads configurations without running collectors (the
 * tool) links none of the run code. Each run ops (collector_*_ops in the
 * collector's own file) repeats its type's fields and points at the same
 * key table; the daemon runs those (daemon/builtin.c), and a unit test
 * checks that the two agree.
 */
#ifndef TYPES_H
#define TYPES_H

#include "itfollow/collector.h"

extern const struct itf_key dns_type_keys[];
extern const struct itf_collector_ops collector_dns_type;
extern const char *const exec_type_formats[];
extern const struct itf_key exec_type_keys[];
extern const struct itf_collector_ops collector_exec_type;
extern const struct itf_key focus_type_keys[];
extern const struct itf_collector_ops collector_focus_type;
extern const struct itf_key genfeed_type_json_keys[];
extern const struct itf_key genfeed_type_csv_keys[];
extern const struct itf_collector_ops collector_json_type;
extern const struct itf_collector_ops collector_csv_type;
extern const char *const http_type_auths[];
extern const struct itf_key http_type_keys[];
extern const struct itf_collector_ops collector_http_type;
extern const struct itf_key icmp_type_keys[];
extern const struct itf_collector_ops collector_icmp_type;
extern const struct itf_key licence_type_keys[];
extern const struct itf_collector_ops collector_flexlm_type;
extern const struct itf_collector_ops collector_rlm_type;
extern const struct itf_key m365_type_keys[];
extern const struct itf_collector_ops collector_m365_type;
extern const struct itf_key tcp_type_keys[];
extern const struct itf_collector_ops collector_tcp_type;
extern const struct itf_key users_type_keys[];
extern const struct itf_collector_ops collector_users_type;
extern const struct itf_key xapi_type_keys[];
extern const struct itf_collector_ops collector_xapi_type;

#endif
