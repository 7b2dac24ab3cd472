/*
 * The TCP probe as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (tcp.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key tcp_type_keys[] = {
	ITF_KEY("host", ITF_KEY_STRING),
	ITF_KEY_RANGE("port", ITF_KEY_INT, 1, 65535, "port must be 1 to 65535"),
	ITF_KEY("send", ITF_KEY_STRING),
	ITF_KEY("expect", ITF_KEY_STRING),
	ITF_KEY("ip_version", ITF_KEY_INT),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_tcp_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "tcp",
	.perspective = "quality",
	.template_name = "tcp",
	.keys = tcp_type_keys,
};
