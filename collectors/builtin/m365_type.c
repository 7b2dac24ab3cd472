/*
 * The Microsoft 365 licence feed as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (m365.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key m365_type_keys[] = {
	ITF_KEY("url", ITF_KEY_STRING),
	ITF_KEY("token_url", ITF_KEY_STRING),
	ITF_KEY("token_file", ITF_KEY_STRING),
	ITF_KEY("tenant", ITF_KEY_STRING),
	ITF_KEY("client_id", ITF_KEY_STRING),
	ITF_KEY("client_secret_file", ITF_KEY_STRING),
	ITF_KEY("exclude_skus", ITF_KEY_STRING),
	ITF_KEY("skus", ITF_KEY_PAIR_LIST),
	ITF_KEY("ca_file", ITF_KEY_STRING),
	ITF_KEY("tls_verify", ITF_KEY_BOOL),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_m365_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "m365",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = m365_type_keys,
	.default_interval = 3600,
};
