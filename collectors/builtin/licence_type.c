/*
 * The FlexNet (flexlm) and RLM licence feeds as data: their key table
 * and their types (name, perspective, template, default interval), what
 * the configuration model checks a configuration against. Apart from the run code (licence.c), so that
 * reading a configuration links none of it.
 */
#include "feedsrc.h"
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key licence_type_keys[] = {
	FEEDSRC_KEYS,
	ITF_KEY("features", ITF_KEY_PAIR_LIST),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_flexlm_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "flexlm",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = licence_type_keys,
	.default_interval = 300,
};

const struct itf_collector_ops collector_rlm_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "rlm",
	.perspective = "maturity",
	.template_name = "licence",
	.keys = licence_type_keys,
	.default_interval = 300,
};
