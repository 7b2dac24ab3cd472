/*
 * Fuzz target: generic feeds (JSON documents read by pointers, CSV rows),
 * FOCUS cost rows (the same whatever the chunks; Tags read as jansson
 * reads them),
 * xAPI statement pages, timestamps, and the names feeds make series of.
 */
#include <jansson.h>
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

/* What one FOCUS parse made of an input. */
struct fuzz_focus_sum {
	size_t rows, rejected;
	long long sum;
	uint32_t keys; /* a hash of the keys, in order */
};

static void
fuzz_focus_key_row(const struct parse_focus_row *r, void *arg)
{
	struct fuzz_focus_sum *s = arg;
	const char *k = r->key != NULL ? r->key : "\x01";

	s->sum += r->micros / 1000;
	for (; *k != '\0'; k++)
		s->keys = (s->keys ^ (unsigned char)*k) * 16777619u;
	s->keys = (s->keys ^ '|') * 16777619u;
}

static void
fuzz_focus_parse(const char *buf, size_t size, size_t chunk,
    struct fuzz_focus_sum *s)
{
	struct parse_focus *pf;
	char *cause = NULL;
	size_t i, n;

	memset(s, 0, sizeof *s);
	s->keys = 2166136261u;
	pf = parse_focus_new("EffectiveCost", "tag:itfollow-system",
	    fuzz_focus_key_row, s);
	for (i = 0; i < size; i += n) {
		n = size - i < chunk ? size - i : chunk;
		parse_focus_feed(pf, buf + i, n);
	}
	if (parse_focus_finish(pf, &cause) != 0)
		free(cause);
	s->rows = parse_focus_rows(pf);
	s->rejected = parse_focus_rejected(pf);
	parse_focus_free(pf);
}

static void
fuzz_focus_tag_row(const struct parse_focus_row *r, void *arg)
{
	char **key = arg;

	free(*key);
	*key = r->key != NULL ? strdup(r->key) : NULL;
}

/* The input as a row's Tags, CSV-quoted: the key jansson finds in it. */
static void
fuzz_focus_tags_column(const char *buf, size_t size)
{
	static const char head[] = "ChargePeriodStart,ChargePeriodEnd,"
	                           "EffectiveCost,Tags\n"
	                           "2026-01-01,2026-01-02,1,\"";
	struct parse_focus *pf;
	json_error_t err;
	json_t *root, *v;
	char *csv, *p, *key = NULL, *cause = NULL;
	const char *want = NULL;
	size_t i;

	csv = p = malloc(sizeof head + 2 * size + 2);
	memcpy(p, head, sizeof head - 1);
	p += sizeof head - 1;
	for (i = 0; i < size; i++) {
		if (buf[i] == '"')
			*p++ = '"';
		*p++ = buf[i];
	}
	*p++ = '"';
	*p++ = '\n';
	pf = parse_focus_new("EffectiveCost", "tag:itfollow-system",
	    fuzz_focus_tag_row, &key);
	parse_focus_feed(pf, csv, (size_t)(p - csv));
	if (parse_focus_finish(pf, &cause) != 0)
		abort();
	if (parse_focus_rows(pf) != 1)
		abort();
	parse_focus_free(pf);
	root = json_loadb(buf, size, 0, &err);
	if (root != NULL && json_is_object(root)) {
		v = json_object_get(root, "itfollow-system");
		if (json_is_string(v))
			want = json_string_value(v);
	}
	if ((want == NULL) != (key == NULL) ||
	    (want != NULL && strcmp(want, key) != 0))
		abort();
	json_decref(root);
	free(key);
	free(csv);
}

/*
 * The scanner makes the same rows whatever the chunks, and its Tags
 * reading agrees with jansson's whenever it does not leave it to jansson.
 */
static void
fuzz_focus_scanner(const char *buf, size_t size)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64 };
	struct fuzz_focus_sum whole, part;
	json_error_t err;
	json_t *root, *v;
	const char *val;
	size_t i, len;
	int got;

	fuzz_focus_parse(buf, size, size + 1, &whole);
	for (i = 0; i < sizeof chunks / sizeof chunks[0] && size < 65536; i++) {
		fuzz_focus_parse(buf, size, chunks[i], &part);
		if (part.rows != whole.rows ||
		    part.rejected != whole.rejected || part.sum != whole.sum ||
		    part.keys != whole.keys)
			abort();
	}
	got = parse_focus_tag(buf, size, "itfollow-system", &val, &len);
	if (got == -1)
		return;
	root = json_loadb(buf, size, 0, &err);
	if (root == NULL || !json_is_object(root))
		abort();
	v = json_object_get(root, "itfollow-system");
	if (got != json_is_string(v) ||
	    (got == 1 &&
	        (strlen(json_string_value(v)) != len ||
	            memcmp(json_string_value(v), val, len) != 0)))
		abort();
	json_decref(root);
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
	char *cause = NULL, *name, id[IDENT_MAX + 1], shown[IDENT_SHOW_SIZE];
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
		/* A list of points, each element's pointers from it. */
		parse_jsonfeed_rows(doc, "/days", "/date", pointers, 3, &c);
		parse_csvfeed_free(&c);
		parse_jsonfeed_rows(doc, "", "/0", pointers + 3, 3, &c);
		for (i = 1; i < c.nrows; i++) {
			if (c.rows[i - 1].time >= c.rows[i].time)
				abort();
		}
		parse_csvfeed_free(&c);
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
	fuzz_focus_scanner(buf, size);
	fuzz_focus_tags_column(buf, size);
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
	/* And shown in a log line: printable, bounded. */
	ident_show(name, shown);
	for (i = 0; shown[i] != '\0'; i++) {
		if (i >= IDENT_SHOW_SIZE || shown[i] < 0x20 || shown[i] > 0x7e)
			abort();
	}
	free(name);
	return 0;
}
