/*
 * The generic JSON and CSV feeds as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (genfeed.c), so that
 * reading a configuration links none of it.
 */
#include "feedsrc.h"
#include "itfollow/collector.h"
#include "types.h"

const struct itf_key genfeed_type_json_keys[] = {
	FEEDSRC_KEYS,
	ITF_KEY("values", ITF_KEY_GROUP),
	ITF_KEY("time", ITF_KEY_STRING),
	ITF_KEY("rows", ITF_KEY_STRING),
	ITF_KEY("cumulative", ITF_KEY_BOOL),
	FEEDSRC_AUTH_KEYS,
	ITF_KEY_END,
};

const struct itf_key genfeed_type_csv_keys[] = {
	FEEDSRC_KEYS,
	ITF_KEY("values", ITF_KEY_GROUP),
	ITF_KEY("date_column", ITF_KEY_STRING),
	ITF_KEY("cumulative", ITF_KEY_BOOL),
	FEEDSRC_AUTH_KEYS,
	ITF_KEY_END,
};

const struct itf_collector_ops collector_json_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "json",
	.perspective = "external-benefit",
	.template_name = "gauge",
	.keys = genfeed_type_json_keys,
	.default_interval = 300,
};

const struct itf_collector_ops collector_csv_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "csv",
	.perspective = "external-benefit",
	.template_name = "gauge",
	.keys = genfeed_type_csv_keys,
	.default_interval = 3600,
};
