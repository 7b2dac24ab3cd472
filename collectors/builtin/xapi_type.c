/*
 * The xAPI learning-record feed as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (xapi.c), so that
 * reading a configuration links none of it.
 */
#include "feedsrc.h"
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key xapi_type_keys[] = {
	ITF_KEY("url", ITF_KEY_STRING),
	ITF_KEY("verbs", ITF_KEY_PAIR_LIST),
	ITF_KEY("courses", ITF_KEY_PAIR_LIST),
	FEEDSRC_AUTH_KEYS,
	ITF_KEY("version", ITF_KEY_STRING),
	ITF_KEY("overlap", ITF_KEY_INT),
	ITF_KEY("ca_file", ITF_KEY_STRING),
	ITF_KEY("tls_verify", ITF_KEY_BOOL),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_xapi_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "xapi",
	.perspective = "maturity",
	.template_name = "events",
	.keys = xapi_type_keys,
	.default_interval = 3600,
};
