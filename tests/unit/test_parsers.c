/*
 * Pure parsers and checks: expected-status lists, RRD templates, ids,
 * scheduler slots and offsets.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ident.h"
#include "parse_status.h"
#include "scheduler.h"
#include "template.h"

static void
test_status_ranges(void **unused)
{
	struct status_ranges sr;
	char *cause = NULL;

	assert_int_equal(parse_status_ranges("2xx", &sr, &cause), 0);
	assert_true(parse_status_match(&sr, 200));
	assert_true(parse_status_match(&sr, 299));
	assert_false(parse_status_match(&sr, 300));
	assert_false(parse_status_match(&sr, 199));

	assert_int_equal(parse_status_ranges("200-399, 401", &sr, &cause), 0);
	assert_int_equal(sr.n, 2);
	assert_true(parse_status_match(&sr, 302));
	assert_true(parse_status_match(&sr, 401));
	assert_false(parse_status_match(&sr, 400));
	assert_false(parse_status_match(&sr, 500));

	assert_int_equal(parse_status_ranges("204", &sr, &cause), 0);
	assert_true(parse_status_match(&sr, 204));
	assert_false(parse_status_match(&sr, 200));
}

static void
test_status_ranges_bad(void **unused)
{
	static const char *bad[] = { "", "2x", "abc", "200-", "399-200", "600",
		"99", "2000", "200,,201", "200;201", "6xx", "200 201",
		"1000-2000", "-200" };
	struct status_ranges sr;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (parse_status_ranges(bad[i], &sr, &cause) == 0)
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "bad status list"));
		free(cause);
	}
}

static const char good_tmpl[] = "# comment\n"
                                "step 60\n"
                                "ds up GAUGE 120 0 1   # trailing comment\n"
                                "ds total GAUGE 2m 0 U\r\n"
                                "rra AVERAGE 0.5 1m 2d\n"
                                "rra MAX 0.5 1h 1y\n";

static void
test_template(void **unused)
{
	struct tmpl *t;
	char **errs = NULL, **argv;
	size_t nerrs = 0;
	int argc;

	t = template_parse("http", good_tmpl, "http.tmpl", &errs, &nerrs);
	assert_non_null(t);
	assert_int_equal(nerrs, 0);
	assert_int_equal(t->step, 60);
	assert_int_equal(t->nds, 2);
	assert_string_equal(t->ds[1].name, "total");
	assert_int_equal(t->ds[1].heartbeat, 120);
	assert_true(isnan(t->ds[1].max));
	assert_int_equal(t->nrra, 2);
	assert_int_equal(template_ds_index(t, "total"), 1);
	assert_int_equal(template_ds_index(t, "nope"), -1);

	template_create_args(t, 60, &argv, &argc);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "DS:up:GAUGE:120:0:1");
	assert_string_equal(argv[1], "DS:total:GAUGE:120:0:U");
	assert_string_equal(argv[2], "RRA:AVERAGE:0.5:1:2880");
	assert_string_equal(argv[3], "RRA:MAX:0.5:60:8760");
	template_args_free(argv, argc);

	/* A 300 s probe: the step grows, the history kept stays. */
	template_create_args(t, 300, &argv, &argc);
	assert_string_equal(argv[0], "DS:up:GAUGE:600:0:1");
	assert_string_equal(argv[2], "RRA:AVERAGE:0.5:1:576");
	assert_string_equal(argv[3], "RRA:MAX:0.5:12:8760");
	template_args_free(argv, argc);
	template_unref(t);
}

static void
test_template_errors(void **unused)
{
	static const char bad[] = "step 60\n"
	                          "ds Up GAUGE 120 0 1\n"
	                          "ds x GAUGE 120 5 1\n"
	                          "ds y FLOAT 120 0 1\n"
	                          "ds z GAUGE soon 0 1\n"
	                          "rra AVG 0.5 1m 2d\n"
	                          "rra AVERAGE 1.5 1m 2d\n"
	                          "rra AVERAGE 0.5 1d 1h\n"
	                          "bogus 1\n";
	static const char *want[] = {
		"b.tmpl:2: bad data source name \"Up\" (want [a-z0-9_]{1,19})",
		"b.tmpl:3: min is not below max",
		"b.tmpl:4: unknown data source type \"FLOAT\"",
		"b.tmpl:5: bad heartbeat \"soon\"",
		"b.tmpl:6: unknown consolidation \"AVG\"",
		"b.tmpl:7: bad xff \"1.5\" (0 <= xff < 1)",
		"b.tmpl:8: retention is shorter than resolution",
		"b.tmpl:9: unknown directive \"bogus\"",
	};
	char **errs = NULL;
	size_t nerrs = 0, i;

	assert_null(template_parse("b", bad, "b.tmpl", &errs, &nerrs));
	assert_int_equal(nerrs, sizeof want / sizeof want[0]);
	for (i = 0; i < nerrs; i++) {
		assert_string_equal(errs[i], want[i]);
		free(errs[i]);
	}
	free(errs);

	errs = NULL;
	nerrs = 0;
	assert_null(
	    template_parse("e", "# nothing\n", "e.tmpl", &errs, &nerrs));
	assert_int_equal(nerrs, 3);
	for (i = 0; i < nerrs; i++)
		free(errs[i]);
	free(errs);
}

/* mode count: one archive at the step, GAUGE or ABSOLUTE counts. */
static void
test_template_count(void **unused)
{
	static const char good[] = "step 1d\nmode count\n"
	                           "ds count ABSOLUTE 1d 0 U\n"
	                           "rra AVERAGE 0.5 1d 7y\n";
	static const char bad[] = "step 1h\nmode count\n"
	                          "ds count DERIVE 1h 0 U\n"
	                          "rra AVERAGE 0.5 1h 1y\n"
	                          "rra AVERAGE 0.5 1d 7y\n";
	static const char *want[] = {
		"c.tmpl:1: mode count keeps one archive whose rows are the "
		"step (they are the buckets counts add up in)",
		"c.tmpl:1: mode count wants GAUGE or ABSOLUTE data sources, "
		"not DERIVE (count)",
	};
	struct tmpl *t;
	char **errs = NULL;
	size_t nerrs = 0, i;

	(void)unused;
	t = template_parse("events", good, "events.tmpl", &errs, &nerrs);
	assert_non_null(t);
	assert_int_equal(t->count, 1);
	assert_int_equal(t->replace, 0);
	template_unref(t);
	assert_null(template_parse("c", bad, "c.tmpl", &errs, &nerrs));
	assert_int_equal(nerrs, 2);
	for (i = 0; i < nerrs; i++) {
		assert_string_equal(errs[i], want[i]);
		free(errs[i]);
	}
	free(errs);
	errs = NULL;
	nerrs = 0;
	assert_null(template_parse("m", "step 1d\nmode sum\n", "m.tmpl", &errs,
	    &nerrs));
	assert_string_equal(errs[0],
	    "m.tmpl:2: mode wants \"replace\" or \"count\"");
	for (i = 0; i < nerrs; i++)
		free(errs[i]);
	free(errs);
}

static void
test_durations(void **unused)
{
	assert_int_equal(template_duration("90"), 90);
	assert_int_equal(template_duration("5m"), 300);
	assert_int_equal(template_duration("2d"), 172800);
	assert_int_equal(template_duration("1y"), 31536000);
	assert_int_equal(template_duration("0"), -1);
	assert_int_equal(template_duration("5q"), -1);
	assert_int_equal(template_duration("5mm"), -1);
	assert_int_equal(template_duration("-5"), -1);
	assert_int_equal(template_duration(""), -1);
}

static void
test_ident(void **unused)
{
	static const char *good[] = { "a", "portal", "0", "a-b_c9",
		"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
		"abcd" };
	static const char *bad[] = { "", "A", "-a", "_a", ".", "..", "../x",
		"a/b", "/abs", "a b", "a.b", "é",
		"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
		"abcde" };
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(ident_valid(good[i]));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ident_valid(bad[i]))
			fail_msg("\"%s\" was accepted", bad[i]);
	}
	assert_false(ident_valid(NULL));
	assert_true(ident_valid_ds("cert_days"));
	assert_true(ident_valid_ds("_x"));
	assert_false(ident_valid_ds("cert-days"));
	assert_false(ident_valid_ds("abcdefghijabcdefghij"));
	assert_true(ident_valid_perspective("external-benefit"));
	assert_false(ident_valid_perspective("quality/.."));
	assert_true(ident_valid_category("innovative"));
	assert_false(ident_valid_category("Basic"));
	assert_true(ident_valid_portfolio("cooperation"));
	assert_false(ident_valid_portfolio(""));
}

static void
test_ident_show(void **unused)
{
	char buf[IDENT_SHOW_SIZE], lng[201];

	(void)unused;
	assert_string_equal(ident_show("../a b", buf), "../a b");
	assert_string_equal(ident_show("a\nb\\c\x7f\xff", buf),
	    "a\\x0ab\\x5cc\\x7f\\xff");
	assert_string_equal(ident_show(NULL, buf), "(none)");
	memset(lng, '\x01', 200);
	lng[200] = '\0';
	ident_show(lng, buf);
	assert_int_equal(strlen(buf), 64 * 4 + 3);
	assert_string_equal(buf + 64 * 4, "...");
}

static void
test_scheduler_slots(void **unused)
{
	assert_int_equal(scheduler_next_slot(1000, 60000, 500), 60500);
	assert_int_equal(scheduler_next_slot(60500, 60000, 500), 60500);
	assert_int_equal(scheduler_next_slot(60501, 60000, 500), 120500);
	assert_int_equal(scheduler_next_slot(100, 60000, 500), 500);
	assert_int_equal(scheduler_next_slot(0, 10000, 0), 0);
}

static void
test_scheduler_offsets(void **unused)
{
	enum { N = 10000, BUCKETS = 100 };
	unsigned counts[BUCKETS] = { 0 }, max = 0;
	uint64_t off, interval = 10000;
	char key[64];
	int i;

	/* Stable: the same key gives the same offset. */
	assert_int_equal(scheduler_offset("portal/start", 60000),
	    scheduler_offset("portal/start", 60000));
	assert_int_not_equal(scheduler_offset("portal/start", 60000),
	    scheduler_offset("portal/smtp", 60000));
	/* Spread: 10,000 probes over 10 s, no 100 ms bucket holds > 2x. */
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof key, "bench%d/p%d", i / 100, i % 100);
		off = scheduler_offset(key, interval);
		assert_true(off < interval);
		counts[off * BUCKETS / interval]++;
	}
	for (i = 0; i < BUCKETS; i++) {
		if (counts[i] > max)
			max = counts[i];
	}
	assert_true(max < 2 * N / BUCKETS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_ranges),
		cmocka_unit_test(test_ident_show),
		cmocka_unit_test(test_status_ranges_bad),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_template_count),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_scheduler_slots),
		cmocka_unit_test(test_scheduler_offsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
