/*
 * Fuzz target: licence server output (lmstat -a, rlmstat -a) and
 * Microsoft Graph subscribedSkus JSON.
 */
#include <stdint.h>
#include <stdlib.h>

#include "parse_lmstat.h"
#include "parse_m365.h"
#include "parse_rlmstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct parse_lmstat l;
	struct parse_rlmstat r;
	struct parse_m365 m;

	parse_lmstat(buf, size, &l);
	parse_lmstat_free(&l);
	parse_rlmstat(buf, size, &r);
	parse_rlmstat_free(&r);
	parse_m365(buf, size, &m);
	parse_m365_free(&m);
	return 0;
}
