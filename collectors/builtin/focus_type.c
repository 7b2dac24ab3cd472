/*
 * The FinOps FOCUS cost feed as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (focus.c), so that
 * reading a configuration links none of it.
 */
#include "feedsrc.h"
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key focus_type_keys[] = {
	FEEDSRC_KEYS,
	FEEDSRC_AUTH_KEYS,
	ITF_KEY("map", ITF_KEY_PAIR_LIST),
	ITF_KEY("cost_column", ITF_KEY_STRING),
	ITF_KEY("system_key", ITF_KEY_STRING),
	ITF_KEY("currency", ITF_KEY_STRING),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_focus_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "focus",
	.perspective = "cost",
	.template_name = "cost",
	.keys = focus_type_keys,
	.default_interval = 86400,
};
