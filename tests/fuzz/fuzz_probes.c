/*
 * Fuzz target: what the network probes read from the network, DNS
 * answers (parse_dns) and ICMP messages (parse_icmp) as each kind of
 * socket gives them. Every parser sees every input, under every set of
 * flags, and what it returns must lie inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_dns.h"
#include "parse_icmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_dns(const uint8_t *data, size_t size)
{
	struct parse_dns d;
	char *cause = NULL;
	size_t i;

	if (parse_dns(data, size, &d, &cause) == 0) {
		if (d.rcode < 0 || d.rcode > 15 || d.nanswers != d.ancount)
			abort();
		for (i = 0; i < d.nanswers; i++) {
			if (d.answers[i].name == NULL ||
			    d.answers[i].data == NULL ||
			    strlen(d.answers[i].name) >= PARSE_DNS_NAME_MAX)
				abort();
		}
	} else if (cause == NULL)
		abort();
	free(cause);
	parse_dns_free(&d);
}

static void
fuzz_icmp(const uint8_t *data, size_t size, unsigned flags)
{
	struct parse_icmp m;
	const char *why;

	if (parse_icmp(data, size, flags, &m, &why) != 0) {
		if (why == NULL)
			abort();
		return;
	}
	if (m.data != NULL &&
	    (m.data < data || m.data + m.datalen > data + size))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags;

	fuzz_dns(data, size);
	for (flags = 0; flags < 8; flags++)
		fuzz_icmp(data, size, flags);
	return 0;
}
