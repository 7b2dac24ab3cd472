/*
 * The users of a system as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (users.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key users_type_keys[] = {
	ITF_KEY("users", ITF_KEY_FLOAT), /* or a group: checked in configure */
	ITF_KEY("users_from", ITF_KEY_STRING),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_users_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "users",
	.perspective = "cost",
	.template_name = "users",
	.keys = users_type_keys,
	.default_interval = 86400,
};
