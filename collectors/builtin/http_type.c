/*
 * The HTTP(S) probe as data: its key table and its type (name, perspective,
 * template, default interval), what the configuration model checks a
 * configuration against. Apart from the run code (http.c), so that
 * reading a configuration links none of it.
 */
#include "itfollow/collector.h"
#include "types.h"

/* auth = ...: by their index + 1 (http.c). */
const char *const http_type_auths[] = { "basic", "bearer", NULL };

/* The host checks ranges and vocabularies before configure. */
const struct itf_key http_type_keys[] = {
	ITF_KEY("url", ITF_KEY_STRING),
	ITF_KEY("method", ITF_KEY_STRING),
	ITF_KEY("headers", ITF_KEY_STRING_LIST),
	ITF_KEY("body", ITF_KEY_STRING),
	ITF_KEY("expect_status", ITF_KEY_STRING),
	ITF_KEY("body_regex", ITF_KEY_STRING),
	ITF_KEY("follow_redirects", ITF_KEY_BOOL),
	ITF_KEY_RANGE("max_redirects", ITF_KEY_INT, 0, 50,
	    "max_redirects must be 0 to 50"),
	ITF_KEY_VALUES("auth", http_type_auths, NULL),
	ITF_KEY("username", ITF_KEY_STRING),
	ITF_KEY("password_file", ITF_KEY_STRING),
	ITF_KEY("token_file", ITF_KEY_STRING),
	ITF_KEY("tls_verify", ITF_KEY_BOOL),
	ITF_KEY("ca_file", ITF_KEY_STRING),
	ITF_KEY("ip_version", ITF_KEY_INT),
	ITF_KEY_RANGE("max_body", ITF_KEY_INT, 1, 64 * 1024 * 1024,
	    "max_body must be 1 to 67108864 bytes"),
	ITF_KEY_END,
};

const struct itf_collector_ops collector_http_type = {
	.abi_version = ITF_COLLECTOR_ABI_VERSION,
	.name = "http",
	.perspective = "quality",
	.template_name = "http",
	.keys = http_type_keys,
};
