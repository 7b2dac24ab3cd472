/*
 * Fuzz target: generic feeds (JSON documents read by pointers, CSV rows),
 * FOCUS cost rows,
 * xAPI statement pages, timestamps, and the names feeds make series of.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ident.h"
#include "parse_csvfeed.h"
#include "parse_focus.h"
#include "parse_jsonfeed.h"
#include "parse_time.h"
#include "parse_xapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_focus_row(const struct parse_focus_row *r, void *arg)
{
	long long *sum = arg;

	if (r->end <= r->start)
		abort(); /* rejected rows never reach here */
	*sum += r->micros / 1000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const pointers[] = { "", "/stats/total", "/a~1b",
		"/list/1", "/0", "/statements/0/stored" };
	static const char *const columns[] = { "value", "Tickets opened" };
	const char *buf = (const char *)data;
	struct parse_jsonfeed *doc;
	struct parse_csvfeed_opts o = { "date", columns, 2 };
	struct parse_csvfeed c;
	struct parse_xapi x;
	char *cause = NULL, *name, id[IDENT_MAX + 1];
	long long t;
	double v;
	size_t i;

	if ((doc = parse_jsonfeed_load(buf, size, &cause)) != NULL) {
		for (i = 0; i < sizeof pointers / sizeof pointers[0]; i++) {
			if (parse_jsonfeed_number(doc, pointers[i], &v,
			        &cause) != 0) {
				free(cause);
				cause = NULL;
			}
			if (parse_jsonfeed_time(doc, pointers[i], &t, &cause) !=
			    0) {
				free(cause);
				cause = NULL;
			}
		}
		parse_jsonfeed_free(doc);
	}
	free(cause);
	/* FOCUS, fed in two chunks as a stream arrives, keyed both ways. */
	for (i = 0; i < 2; i++) {
		struct parse_focus *pf;
		long long sum = 0;

		pf = parse_focus_new(i ? "BilledCost" : "EffectiveCost",
		    i ? "column:ServiceName" : "tag:itfollow-system",
		    fuzz_focus_row, &sum);
		parse_focus_feed(pf, buf, size / 2);
		parse_focus_feed(pf, buf + size / 2, size - size / 2);
		if (parse_focus_finish(pf, &cause) != 0) {
			free(cause);
			cause = NULL;
		}
		parse_focus_free(pf);
	}
	parse_csvfeed(buf, size, &o, &c);
	parse_csvfeed_free(&c);
	parse_xapi(buf, size, &x);
	parse_xapi_free(&x);
	parse_time(buf, size, &t);
	/* Names from a feed: always a valid id. */
	name = malloc(size + 1);
	memcpy(name, buf, size);
	name[size] = '\0';
	ident_from_name("licence-", name, id);
	if (!ident_valid(id))
		abort();
	free(name);
	return 0;
}
