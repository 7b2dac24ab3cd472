/*
 * Fuzz target: the head of an HTTP/1.x answer (collectors/parse/
 * parse_reply.c), which the tool reads from the daemon it asks to flush.
 * The input arrives in pieces, as from a socket: a verdict reached on a
 * prefix (a head, or not an answer) must stay the same for every longer
 * input, a head found must end inside the input and carry a status of 100
 * to 599, and a refusal must say why.
 */
#include <stdint.h>
#include <stdlib.h>

#include "parse_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_reply_check(long end, size_t len, const struct parse_reply *r)
{
	if (end > (long)len || end > PARSE_REPLY_HEAD_MAX || end < -1)
		abort();
	if (end > 0 &&
	    (r->code < 100 || r->code > 599 || r->minor < 0 || r->minor > 9 ||
	        r->error != NULL))
		abort();
	if (end == -1 && r->error == NULL)
		abort();
	if (end == 0 && len > PARSE_REPLY_HEAD_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct parse_reply r;
	size_t len, step;
	long end = 0, first = 0;

	/* The first byte says how big the pieces are. */
	step = size > 0 ? (size_t)data[0] % 16 + 1 : 1;
	for (len = 0; len < size;) {
		len = len + step < size ? len + step : size;
		end = parse_reply_head(buf, len, &r);
		fuzz_reply_check(end, len, &r);
		if (first != 0 && end != first)
			abort(); /* a verdict changed with more input */
		first = end;
	}
	end = parse_reply_head(buf, size, &r);
	fuzz_reply_check(end, size, &r);
	return 0;
}
