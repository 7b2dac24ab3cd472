/*
 * The DNS probe as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (dns.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key dns_type_keys[] = {
	ITF_KEY("name", ITF_KEY_STRING),
	ITF_KEY("qtype", ITF_KEY_STRING),
	ITF_KEY("server", ITF_KEY_STRING),
	ITF_KEY("transport", ITF_KEY_STRING),
	ITF_KEY("recursion", ITF_KEY_BOOL),
	ITF_KEY("expect_rcode", ITF_KEY_STRING),
	ITF_KEY("expect_answer", ITF_KEY_STRING_LIST),
	ITF_KEY("min_ttl", ITF_KEY_INT),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_dns_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "dns",
	.perspective = "quality",
	.template_name = "dns",
	.keys = dns_type_keys,
};
