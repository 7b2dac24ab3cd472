/*
 * Fuzz target: the chart itfollow-render reads from the daemon
 * (chart_wire.h). Whatever the bytes, the reader refuses them with a
 * cause or returns a chart; a chart it returns is written again and read
 * again to the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "chart_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
fuzz_chartwire_write(const struct chart *c, int w, int h, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL || chart_wire_write(f, c, w, h) != 0)
		abort();
	fclose(f);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chart *c, *again;
	char *cause = NULL, *one, *two;
	size_t n1, n2;
	int w, h, w2, h2;
	FILE *f;

	if (size == 0 || (f = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	if (chart_wire_read(f, &c, &w, &h, &cause) != 0) {
		fclose(f);
		if (cause == NULL || c != NULL)
			abort();
		free(cause);
		return 0;
	}
	fclose(f);
	one = fuzz_chartwire_write(c, w, h, &n1);
	if ((f = fmemopen(one, n1, "r")) == NULL)
		abort();
	if (chart_wire_read(f, &again, &w2, &h2, &cause) != 0 || w2 != w ||
	    h2 != h)
		abort();
	fclose(f);
	two = fuzz_chartwire_write(again, w2, h2, &n2);
	if (n1 != n2 || memcmp(one, two, n1) != 0)
		abort();
	free(one);
	free(two);
	chart_free(c);
	chart_free(again);
	return 0;
}
