/*
 * RRD data source names from labels; the algorithm is described, and fixed,
 * in parse_dsname.h. One pass over the label, whatever its length: only the
 * first PARSE_DSNAME_MAX + 1 characters of the sanitised form are kept, as
 * that is all the result can use.
 */
#include <stdint.h>
#include <string.h>

#include "parse_dsname.h"
#include "parse_util.h"

/* Characters of the long form kept before '_' and the hash. */
#define PARSE_DSNAME_PREFIX 12

/* Six lower-case hex digits of the hash folded to 24 bits, and a NUL. */
static void
parse_dsname_hex(uint32_t h, char *out)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	h = ((h >> 24) ^ h) & 0xffffff;
	for (i = 5; i >= 0; i--) {
		out[i] = digits[h & 0xf];
		h >>= 4;
	}
	out[6] = '\0';
}

/* 1 if the label is '/' (or several): a file system's root. */
static int
parse_dsname_root(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != '/')
			return 0;
	}
	return len > 0;
}

void
parse_dsname(const char *label, size_t len, char out[PARSE_DSNAME_SIZE])
{
	const unsigned char *p = (const unsigned char *)label;
	char s[PARSE_DSNAME_SIZE + 1];
	size_t i, n = 0, pending = 0;
	int in_run = 0;
	unsigned char c;

	/*
	 * Underscores (the label's own and those standing for runs of other
	 * bytes) wait in "pending" until a letter or digit follows: those
	 * before the first one and after the last one are the trimmed ones.
	 */
	for (i = 0; i < len; i++) {
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if (c == '_') {
			pending++;
			in_run = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
			if (!in_run)
				pending++;
			in_run = 1;
			continue;
		}
		in_run = 0;
		if (n == 0)
			pending = 0;
		for (; pending > 0; pending--) {
			if (n < sizeof s - 1)
				s[n] = '_';
			n++;
		}
		if (n < sizeof s - 1)
			s[n] = (char)c;
		n++;
	}

	if (n >= 1 && n <= PARSE_DSNAME_MAX) {
		memcpy(out, s, n);
		out[n] = '\0';
		return;
	}
	if (n == 0 && parse_dsname_root(p, len)) {
		memcpy(out, "root", 5);
		return;
	}
	if (n == 0) {
		memcpy(out, "v_", 2);
		parse_dsname_hex(parse_util_hash(PARSE_UTIL_HASH, label, len),
		    out + 2);
		return;
	}
	/* The sanitised form never starts with '_', so n stays above 0. */
	n = PARSE_DSNAME_PREFIX;
	while (s[n - 1] == '_')
		n--;
	memcpy(out, s, n);
	out[n] = '_';
	parse_dsname_hex(parse_util_hash(PARSE_UTIL_HASH, label, len),
	    out + n + 1);
}
