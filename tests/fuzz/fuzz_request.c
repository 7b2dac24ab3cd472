/*
 * Fuzz target: the status server's request parser (collectors/parse/parse_request.c).
 * The input arrives as a client might send it, in pieces: the end of the
 * head is looked for after each piece, and a head found is parsed; every
 * verdict must be a status the server can send and a path that starts
 * with '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct parse_request_scan scan;
	struct parse_request r;
	size_t len, step;
	long end = 0;

	/* The first byte says how big the pieces are. */
	step = size > 0 ? (size_t)data[0] % 16 + 1 : 1;
	memset(&scan, 0, sizeof scan);
	for (len = 0; len < size && end == 0;) {
		len = len + step < size ? len + step : size;
		end = parse_request_end(buf, len, &scan);
	}
	if (end > (long)size)
		abort();
	if (end > 0) {
		parse_request(buf, (size_t)end, &r);
		if (r.path[0] != '/' || strlen(r.path) > PARSE_REQUEST_PATH_MAX)
			abort();
		if (r.code != 0 &&
		    (r.code < 400 || r.code > 505 || r.error == NULL ||
		        r.keep_alive))
			abort();
	}
	/* And the parser alone, on anything. */
	parse_request(buf, size, &r);
	return 0;
}
