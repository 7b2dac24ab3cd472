/*
 * The check program as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (exec.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

/* format = ...: by enum exec_format. */
const char *const exec_type_formats[] = { "nagios", "munin", "collectd", NULL };

const struct itf_key exec_type_keys[] = {
	ITF_KEY("command", ITF_KEY_STRING_LIST),
	ITF_KEY_VALUES("format", exec_type_formats, NULL),
	ITF_KEY("env", ITF_KEY_GROUP),
	ITF_KEY("user", ITF_KEY_STRING),
	ITF_KEY("warning_is_up", ITF_KEY_BOOL),
	ITF_KEY("max_output", ITF_KEY_INT),
	ITF_KEY("datasources", ITF_KEY_PAIR_LIST),
	ITF_KEY("types_db", ITF_KEY_STRING),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_exec_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "exec",
	.perspective = "quality",
	.template_name = "dynamic",
	.keys = exec_type_keys,
	.flags = ITF_COLLECTOR_DYNAMIC,
};
