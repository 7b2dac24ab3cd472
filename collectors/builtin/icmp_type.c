/*
 * The ICMP echo probe as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (icmp.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key icmp_type_keys[] = {
	ITF_KEY("host", ITF_KEY_STRING),
	ITF_KEY("count", ITF_KEY_INT),
	ITF_KEY("ping_interval", ITF_KEY_FLOAT),
	ITF_KEY("ping_timeout", ITF_KEY_FLOAT),
	ITF_KEY("size", ITF_KEY_INT),
	ITF_KEY("max_loss", ITF_KEY_FLOAT),
	ITF_KEY("ip_version", ITF_KEY_INT),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_icmp_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "icmp",
	.perspective = "quality",
	.template_name = "icmp",
	.keys = icmp_type_keys,
};
