/*
 * Graph paths of the dashboard (only checked parts make a graph, and a
 * graph's path reads back as itself), and chart tables (CSV and JSON print
 * the same numbers, unknown values empty or null).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "chart.h"
#include "dashpage.h"

static void
test_parse_good(void **unused)
{
	struct dashpage_graph g;
	char path[256];

	assert_int_equal(
	    dashpage_parse_graph(
	        "/graph/availability/system/portal/24h/400x120.png", 1, &g),
	    0);
	assert_string_equal(g.preset, "availability");
	assert_string_equal(g.scope, "system");
	assert_string_equal(g.id, "portal");
	assert_string_equal(g.last, "24h");
	assert_int_equal(g.width, 400);
	assert_int_equal(g.height, 120);
	dashpage_graph_path(&g, 1, path, sizeof path);
	assert_string_equal(path,
	    "/graph/availability/system/portal/24h/400x120.png");
	dashpage_graph_path(&g, 0, path, sizeof path);
	assert_string_equal(path,
	    "graph/availability/system/portal/24h/400x120.png");
	assert_int_equal(
	    dashpage_parse_graph("/graph/cost-per-user/by/portfolio/1y/"
	                         "800x250.png",
	        1, &g),
	    0);
}

static void
test_parse_bad(void **unused)
{
	static const char *const bad[] = {
		"/graph/availability/system/../24h/400x120.png",
		"/graph/availability/system/..%2f/24h/400x120.png",
		"/graph/availability/system/Portal/24h/400x120.png",
		"/graph/availability/system/portal/24h/400x120.png/x",
		"/graph/availability/system/portal/24h/99x120.png",
		"/graph/availability/system/portal/24h/400x2001.png",
		"/graph/availability/system/portal/24h/400x120.gif",
		"/graph/availability/system/portal/2d/400x120.png",
		"/graph/uptime/system/portal/24h/400x120.png",
		"/graph/availability/by/colour/24h/400x120.png",
		"/graph/availability/file/portal/24h/400x120.png",
		"/graph//availability/system/portal/24h/400x120.png",
		"/graph/availability/system/portal/24h",
		"graph/availability/system/portal/24h/400x120.png",
		"/etc/passwd",
		"",
		/* Aliases of one graph: only one spelling is served. */
		"/graph/availability/system/portal/24h/+400x0120.png",
		"/graph/availability/system/portal/24h/0400x120.png",
		"/graph/availability/system/portal/24h/400x+120.png",
		"/graph/availability/system/portal/24h/ 400x120.png",
		"/graph/availability/system/portal/24h/400x120.png/",
	};
	struct dashpage_graph g;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (dashpage_parse_graph(bad[i], 1, &g) != -1)
			fail_msg("accepted %s", bad[i]);
	}
}

static char *
table(const struct chart *c, const char *format)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	chart_table(c, format, f);
	fclose(f);
	return buf;
}

static void
test_table(void **unused)
{
	struct chart *c = chart_new("cost", 1767225600, 1775001600);
	char *s;

	chart_add_col(c, "service", CHART_AREA);
	chart_add_col(c, "owner \"x\"", CHART_STACK);
	chart_add_row(c, "2026-01", 1767225600, 1769904000);
	chart_add_row(c, "2026-02", 1769904000, 1772323200);
	chart_set(c, 0, 0, 1234.5);
	chart_set(c, 0, 1, -0.001);
	chart_set(c, 1, 1, 7);
	chart_note(c, "total service: %s", "1234.50");
	c->bars = 1;
	assert_false(chart_empty(c));
	assert_true(isnan(chart_get(c, 1, 0)));
	s = table(c, "csv");
	assert_string_equal(s,
	    "period,service,owner \"x\"\n"
	    "2026-01,1234.50,0.00\n"
	    "2026-02,,7.00\n"
	    "# total service: 1234.50\n");
	free(s);
	s = table(c, "json");
	assert_non_null(strstr(s,
	    "{\"period\": \"2026-02\", \"service\": "
	    "null, \"owner \\\"x\\\"\": 7.00}"));
	free(s);
	chart_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
