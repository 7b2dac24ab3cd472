/*
 * The built-in collectors as the daemon runs them: each one's
 * struct itf_collector_ops with its functions (configure, start, cancel,
 * destroy), looked up by the name of the data-only type the configuration
 * model holds. Only the daemon links this table, and with it the
 * collectors' run code (libcurl, c-ares, the engines); the tool reads
 * configurations with the types alone.
 */
#include <stddef.h>
#include <string.h>

#include "builtin.h"
#include "conftype.h"

extern const struct itf_collector_ops collector_http_ops;
extern const struct itf_collector_ops collector_tcp_ops;
extern const struct itf_collector_ops collector_exec_ops;
extern const struct itf_collector_ops collector_flexlm_ops;
extern const struct itf_collector_ops collector_rlm_ops;
extern const struct itf_collector_ops collector_m365_ops;
extern const struct itf_collector_ops collector_json_ops;
extern const struct itf_collector_ops collector_csv_ops;
extern const struct itf_collector_ops collector_xapi_ops;
extern const struct itf_collector_ops collector_focus_ops;
extern const struct itf_collector_ops collector_users_ops;
extern const struct itf_collector_ops collector_icmp_ops;
extern const struct itf_collector_ops collector_dns_ops;

static const struct itf_collector_ops *const builtin_table[] = {
	&collector_http_ops,
	&collector_tcp_ops,
	&collector_exec_ops,
	&collector_flexlm_ops,
	&collector_rlm_ops,
	&collector_m365_ops,
	&collector_json_ops,
	&collector_csv_ops,
	&collector_xapi_ops,
	&collector_focus_ops,
	&collector_users_ops,
	&collector_icmp_ops,
	&collector_dns_ops,
	NULL,
};

const struct itf_collector_ops *
builtin_run_ops(const struct itf_collector_ops *type)
{
	size_t i;

	/* A plugin's ops, or run ops already, are run as they are. */
	if (type->name == NULL || conftype_builtin(type->name) != type)
		return type;
	for (i = 0; builtin_table[i] != NULL; i++) {
		if (strcmp(builtin_table[i]->name, type->name) == 0)
			return builtin_table[i];
	}
	return type;
}
