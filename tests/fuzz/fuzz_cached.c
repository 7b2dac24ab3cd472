/*
 * Fuzz target: rrdcached's answers (collectors/parse/parse_cached.c),
 * which the store reads on its own connection to rrdcached. The first
 * byte picks the answer (a batch's, STATS', or commands' sent alone), the
 * number of commands sent and the size of the pieces the rest arrives in,
 * as from a socket. Whatever comes: no more is read than was given, a
 * whole line at a time; every refused command is one of those sent; a
 * refusal says why; and an answer read in pieces reads as when whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_cached.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_cached_seen {
	size_t ncmd, n; /* commands sent, refusals seen */
};

static void
fuzz_cached_refused(void *arg, size_t cmd, const char *msg, size_t len)
{
	struct fuzz_cached_seen *s = arg;

	if (cmd < 1 || cmd > s->ncmd || memchr(msg, '\n', len) != NULL ||
	    len >= PARSE_CACHED_LINE_MAX)
		abort();
	s->n++;
}

/* Read buf in pieces of step: the bytes read, or -1; *n refusals seen. */
static long
fuzz_cached_run(enum parse_cached_what what, size_t ncmd, const char *buf,
    size_t len, size_t step, size_t *n)
{
	struct fuzz_cached_seen s = { ncmd, 0 };
	struct parse_cached p;
	size_t start = 0, end = 0;
	long used;

	parse_cached_init(&p, what, ncmd);
	while (end < len && p.state != PARSE_CACHED_DONE) {
		end = end + step < len ? end + step : len;
		do {
			used = parse_cached_feed(&p, buf + start, end - start,
			    fuzz_cached_refused, &s);
			if (used < 0) {
				if (p.why[0] == '\0')
					abort();
				*n = s.n;
				return -1;
			}
			if ((size_t)used > end - start ||
			    (used > 0 && buf[start + (size_t)used - 1] != '\n'))
				abort();
			start += (size_t)used;
		} while (used > 0 && p.state != PARSE_CACHED_DONE);
	}
	*n = s.n;
	return (long)start;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum parse_cached_what what;
	size_t ncmd, step, n1, n2;
	long whole, pieces;

	if (size == 0)
		return 0;
	what = data[0] % 3 == 0 ? PARSE_CACHED_BATCH
	    : data[0] % 3 == 1  ? PARSE_CACHED_STATS
	                        : PARSE_CACHED_EACH;
	ncmd = (size_t)(data[0] >> 2) % 8;
	step = (size_t)(data[0] >> 5) * 3 + 1;
	whole = fuzz_cached_run(what, ncmd, (const char *)data + 1, size - 1,
	    size, &n1);
	pieces = fuzz_cached_run(what, ncmd, (const char *)data + 1, size - 1,
	    step, &n2);
	if (whole != pieces || n1 != n2)
		abort(); /* pieces read otherwise than the whole */
	return 0;
}
