/*
 * FOCUS cost rows: exact amounts, charge periods, keys from Tags and
 * columns, rejected rows with their row and column, a missing column,
 * and the same result whatever the chunks the stream arrives in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <csv.h>

#include "parse_focus.h"

struct rows {
	size_t n;
	long long micros;
	long long start, end;
	char key[64];
};

static void
row_cb(const struct parse_focus_row *r, void *arg)
{
	struct rows *rs = arg;

	rs->n++;
	rs->micros += r->micros;
	rs->start = r->start;
	rs->end = r->end;
	snprintf(rs->key, sizeof rs->key, "%s", r->key ? r->key : "(none)");
}

static void
test_amounts(void **unused)
{
	static const struct {
		const char *s;
		long long want;
	} ok[] = { { "12.34", 12340000 }, { "-0.5", -500000 },
		{ "0.0000004", 0 }, { "0.0000005", 1 }, { " 7 ", 7000000 },
		{ "1e3", 1000000000 }, { "2.5E-1", 250000 },
		{ "10100.00", 10100000000LL }, { "+3", 3000000 },
		{ "0.1234564", 123456 } };
	static const char *bad[] = { "", "-", "$10,100.00 ", "null", "1,5",
		"1e", "abc", "1.2.3", "99999999999999999999" };
	long long v;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(parse_focus_amount(ok[i].s, strlen(ok[i].s),
		                     &v),
		    0);
		if (v != ok[i].want)
			fail_msg("%s: %lld, want %lld", ok[i].s, v, ok[i].want);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse_focus_amount(bad[i], strlen(bad[i]), &v) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
	}
}

static const char csv[] =
    "\xef\xbb\xbf"
    "BillingCurrency,ChargePeriodStart,ChargePeriodEnd,"
    "EffectiveCost,ServiceName,Tags,x_Other\r\n"
    "SEK,2026-01-01T00:00:00Z,2026-01-04T00:00:00Z,10.01,Web,"
    "\"{\"\"itfollow-system\"\": \"\"portal\"\"}\",\"multi\nline\"\r\n"
    "\r\n"
    "SEK,1/2/26,1/3/26,5.00,Web,{},\r\n"
    "SEK,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,\"$5.00 \",Web,{},\r\n"
    "SEK,2026-01-02T00:00:00Z,2026-01-01T00:00:00Z,5.00,Web,{},\r\n"
    "SEK,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,-2.5,Db,"
    "\"{\"\"team\"\": \"\"x\"\"}\",\r\n";

static void
run(size_t chunk, const char *key, struct rows *rs, size_t *rejected,
    char ***errors, size_t *nerrors)
{
	struct parse_focus *p;
	char *cause = NULL;
	size_t i, n;

	memset(rs, 0, sizeof *rs);
	p = parse_focus_new("EffectiveCost", key, row_cb, rs);
	for (i = 0; i < sizeof csv - 1; i += n) {
		n = sizeof csv - 1 - i < chunk ? sizeof csv - 1 - i : chunk;
		parse_focus_feed(p, csv + i, n);
	}
	assert_int_equal(parse_focus_finish(p, &cause), 0);
	*rejected = parse_focus_rejected(p);
	if (errors != NULL) {
		char *const *e = parse_focus_errors(p, nerrors);

		*errors = calloc(*nerrors + 1, sizeof **errors);
		for (i = 0; i < *nerrors; i++)
			(*errors)[i] = strdup(e[i]);
	}
	parse_focus_free(p);
}

static void
test_rows(void **unused)
{
	struct rows rs;
	size_t rejected, nerrors, i, chunk;
	char **errors;

	run(sizeof csv, "tag:itfollow-system", &rs, &rejected, &errors,
	    &nerrors);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.micros, 10010000 - 2500000);
	assert_int_equal(rejected, 3);
	assert_int_equal(nerrors, 3);
	assert_string_equal(errors[0],
	    "row 2, column ChargePeriodStart: bad date");
	assert_string_equal(errors[1],
	    "row 3, column EffectiveCost: bad amount");
	assert_string_equal(errors[2],
	    "row 4, column ChargePeriodEnd: not after ChargePeriodStart");
	/* The last row's Tags have no itfollow-system: no key. */
	assert_string_equal(rs.key, "(none)");
	assert_int_equal(rs.start, 1767312000);
	assert_int_equal(rs.end, 1767398400);
	for (i = 0; i < nerrors; i++)
		free(errors[i]);
	free(errors);
	/* Chunked as a stream arrives: the same. */
	for (chunk = 1; chunk < 64; chunk += 7) {
		run(chunk, "tag:itfollow-system", &rs, &rejected, NULL, NULL);
		assert_int_equal(rs.n, 2);
		assert_int_equal(rs.micros, 7510000);
		assert_int_equal(rejected, 3);
	}
	/* Keyed by a column. */
	run(sizeof csv, "column:ServiceName", &rs, &rejected, NULL, NULL);
	assert_string_equal(rs.key, "Db");
}

static void
test_missing_column(void **unused)
{
	static const char hdr[] = "BillingCurrency,ChargePeriodEnd,"
	                          "EffectiveCost,Tags\n";
	struct parse_focus *p;
	struct rows rs;
	char *cause = NULL;

	p = parse_focus_new("EffectiveCost", "tag:x", row_cb, &rs);
	parse_focus_feed(p, hdr, sizeof hdr - 1);
	assert_int_equal(parse_focus_finish(p, &cause), -1);
	assert_string_equal(cause,
	    "the header has no ChargePeriodStart column");
	free(cause);
	parse_focus_free(p);
}

struct billing {
	size_t n;
	long long bp[4][2];
	int has_bp;
};

static void
billing_cb(const struct parse_focus_row *r, void *arg)
{
	struct billing *b = arg;

	if (b->n < 4) {
		b->bp[b->n][0] = r->bp_start;
		b->bp[b->n][1] = r->bp_end;
	}
	b->has_bp = r->has_bp;
	b->n++;
}

/* Billing periods: read when the header has them, a bad one rejected. */
static void
test_billing(void **unused)
{
	static const char in[] =
	    "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,"
	    "ChargePeriodEnd,ListCost,Tags\n"
	    "2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,2026-03-31T22:00:00+02:00,"
	    "2026-04-01T22:00:00+02:00,100.00,{}\n"
	    "2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,2026-03-02T00:00:00Z,"
	    "2026-03-03T00:00:00Z,1,{}\n"
	    "2026-04-01T00:00:00Z,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z,"
	    "2026-03-03T00:00:00Z,1,{}\n"
	    "March,2026-04-01T00:00:00Z,2026-03-02T00:00:00Z,"
	    "2026-03-03T00:00:00Z,1,{}\n";
	static const char nobp[] = "ChargePeriodStart,ChargePeriodEnd,ListCost,"
	                           "Tags\n2026-03-02,2026-03-03,1,{}\n";
	struct parse_focus *p;
	struct billing b;
	char *cause = NULL, *const * e;
	size_t n;

	memset(&b, 0, sizeof b);
	p = parse_focus_new("ListCost", "tag:x", billing_cb, &b);
	parse_focus_feed(p, in, sizeof in - 1);
	assert_int_equal(parse_focus_finish(p, &cause), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.has_bp, 1);
	assert_int_equal(b.bp[0][0], 1772323200);
	assert_int_equal(b.bp[1][1], 1775001600);
	e = parse_focus_errors(p, &n);
	assert_int_equal(n, 2);
	assert_string_equal(e[0],
	    "row 3, column BillingPeriodEnd: not after "
	    "BillingPeriodStart");
	assert_string_equal(e[1], "row 4, column BillingPeriodStart: bad date");
	parse_focus_free(p);
	memset(&b, 0, sizeof b);
	p = parse_focus_new("ListCost", "tag:x", billing_cb, &b);
	parse_focus_feed(p, nobp, sizeof nobp - 1);
	assert_int_equal(parse_focus_finish(p, &cause), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.has_bp, 0);
	parse_focus_free(p);
}

/* Quirks of the scanner, each fed whole and a byte at a time. */
static const char quirks[] =
    "\"ChargePeriodStart\" , ChargePeriodEnd,\"Effective\"\"Cost\","
    "EffectiveCost,ServiceName,Tags\r"
    "  \t \n"
    "2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,x,\" 1.25 \" ,\"We\"b\"x"
    ",y\",{}\r"
    " 2026-01-01T00:00:00Z , 2026-01-02T00:00:00Z ,x,2,\"A \"\"B\"\"\","
    "\"{\"\"itfollow-system\"\": \"\"a\\u0062\"\"}\"\n"
    "2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,x,4,C,"
    "\"{\"\"itfollow-system\"\": \"\"old\"\", "
    "\"\"itfollow-system\"\": \"\"new\"\"}\"\n"
    "2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,x,8,\"D\nE\",\"{\"\"a\"\":[1]"
    ",\"\"itfollow-system\"\": \"\"n\"\"}\",extra,fields\n"
    "2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,x,16,F,\"{\"\"x\"\": ";

struct keys {
	size_t n;
	long long micros;
	char keys[256];
};

static void
keys_cb(const struct parse_focus_row *r, void *arg)
{
	struct keys *k = arg;
	size_t len = strlen(k->keys);

	k->n++;
	k->micros += r->micros;
	snprintf(k->keys + len, sizeof k->keys - len, "%s|",
	    r->key != NULL ? r->key : "-");
}

static void
quirks_run(const char *key, size_t chunk, struct keys *k, size_t *rejected)
{
	struct parse_focus *p;
	char *cause = NULL;
	size_t i, n;

	memset(k, 0, sizeof *k);
	p = parse_focus_new("EffectiveCost", key, keys_cb, k);
	for (i = 0; i < sizeof quirks - 1; i += n) {
		n = sizeof quirks - 1 - i < chunk ? sizeof quirks - 1 - i
		                                  : chunk;
		parse_focus_feed(p, quirks + i, n);
	}
	assert_int_equal(parse_focus_finish(p, &cause), 0);
	*rejected = parse_focus_rejected(p);
	parse_focus_free(p);
}

static void
test_scanner(void **unused)
{
	struct keys k;
	size_t rejected, chunk;

	for (chunk = 1; chunk <= sizeof quirks; chunk++) {
		quirks_run("column:ServiceName", chunk, &k, &rejected);
		/* A CR ends the header, a line of blanks is no row; a
		 * quote inside a quoted field that no delimiter follows is
		 * kept (as libcsv does); the last row, its Tags cut by the
		 * end of the file, is still read. */
		assert_int_equal(k.n, 5);
		assert_int_equal(rejected, 0);
		assert_int_equal(k.micros, 31250000);
		assert_string_equal(k.keys, "We\"b\"x,y|A \"B\"|C|D\nE|F|");
		quirks_run("tag:itfollow-system", chunk, &k, &rejected);
		/* An escape and nesting go to jansson; duplicates: the last;
		 * the cut Tags are not JSON. */
		assert_string_equal(k.keys, "-|ab|new|n|-|");
	}
}

/* The Tags scanner agrees with jansson, or leaves the object to it. */
static void
test_tags(void **unused)
{
	static const struct {
		const char *json;
		int want;
		const char *value;
	} cases[] = {
		{ "{\"k\": \"v\"}", 1, "v" },
		{ " { \"a\" : \"b\" ,\"k\":\"\" } ", 1, "" },
		{ "{}", 0, NULL },
		{ "{\"k\": null}", 0, NULL },
		{ "{\"k\": \"x\", \"k\": null}", 0, NULL },
		{ "{\"kk\": \"x\"}", 0, NULL },
		{ "{\"k\": 1}", -1, NULL },
		{ "{\"k\": \"a\\\"b\"}", -1, NULL },
		{ "{\"k\": \"\xc3\xa5\"}", -1, NULL },
		{ "{\"k\": \"v\"} x", -1, NULL },
		{ "{\"k\": \"v\",}", -1, NULL },
		{ "[\"k\"]", -1, NULL },
		{ "{\"k\": \"v\"", -1, NULL },
		{ "{\"k\" \"v\"}", -1, NULL },
		{ "{\"k\": nul}", -1, NULL },
	};
	const char *v;
	size_t i, len;
	int got;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = parse_focus_tag(cases[i].json, strlen(cases[i].json), "k",
		    &v, &len);
		if (got != cases[i].want)
			fail_msg("%s: %d, want %d", cases[i].json, got,
			    cases[i].want);
		if (got == 1 &&
		    (len != strlen(cases[i].value) ||
		        memcmp(v, cases[i].value, len) != 0))
			fail_msg("%s: \"%.*s\"", cases[i].json, (int)len, v);
	}
}

/* libcsv's count of records (the reader this scanner replaced). */
static void
csv_field_cb(void *s, size_t len, void *arg)
{
	(void)s;
	(void)len;
	(void)arg;
}

static void
csv_row_cb(int c, void *arg)
{
	(void)c;
	(*(size_t *)arg)++;
}

static size_t
csv_records(const char *buf, size_t len)
{
	struct csv_parser cp;
	size_t n = 0;

	csv_init(&cp, CSV_APPEND_NULL);
	csv_parse(&cp, buf, len, csv_field_cb, csv_row_cb, &n);
	csv_fini(&cp, csv_field_cb, csv_row_cb, &n);
	csv_free(&cp);
	return n;
}

static void
count_cb(const struct parse_focus_row *r, void *arg)
{
	(void)r;
	(*(size_t *)arg)++;
}

/* Records and rows of buf fed in chunks of chunk bytes. */
static size_t
scan_records(const char *buf, size_t len, size_t chunk, size_t *rows)
{
	struct parse_focus *p;
	char *cause = NULL;
	size_t i, n, records;

	*rows = 0;
	p = parse_focus_new("EffectiveCost", "column:Tags", count_cb, rows);
	for (i = 0; i < len; i += n) {
		n = len - i < chunk ? len - i : chunk;
		parse_focus_feed(p, buf + i, n);
	}
	if (parse_focus_finish(p, &cause) != 0)
		free(cause);
	/* The header, then every data row, taken or rejected. */
	records = (parse_focus_rows(p) + parse_focus_rejected(p)) +
	    (len > 0 && cause == NULL ? 1 : 0);
	parse_focus_free(p);
	return records;
}

/*
 * Random text of CSV's special bytes: the scanner finds the records
 * libcsv finds, whatever the chunks.
 */
static void
test_random_records(void **unused)
{
	static const char alphabet[] = "\",,\r\n \t1{}:a";
	static const char head[] = "ChargePeriodStart,ChargePeriodEnd,"
	                           "EffectiveCost,Tags\n";
	char buf[256];
	size_t i, k, len, rows, rows1, want, got;
	unsigned seed = 1;

	for (i = 0; i < 3000; i++) {
		memcpy(buf, head, sizeof head - 1);
		len = sizeof head - 1 +
		    (seed = seed * 1103515245 + 12345) %
		        (sizeof buf - sizeof head);
		for (k = sizeof head - 1; k < len; k++) {
			seed = seed * 1103515245 + 12345;
			buf[k] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		want = csv_records(buf, len);
		got = scan_records(buf, len, len + 1, &rows);
		if (got != want)
			fail_msg("case %zu: %zu records, libcsv %zu: \"%.*s\"",
			    i, got, want, (int)len, buf);
		if (scan_records(buf, len, 1, &rows1) != got || rows1 != rows)
			fail_msg("case %zu: not the same a byte at a time", i);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amounts),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_missing_column),
		cmocka_unit_test(test_billing),
		cmocka_unit_test(test_scanner),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_random_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
