/*
 * The dashboard's charts on their way to itfollow-render: a chart read back
 * from the wire is the chart written (every text, time, flag and the bytes
 * of every double, unknown values included), a chart cut short anywhere is
 * refused with a cause, and the renderer draws the very bytes chart_render
 * draws in this process, for a time chart (librrd) and for bars (cairo).
 */
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chart.h"
#include "chart_wire.h"
#include "renderer.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */

static struct chart *
test_renderer_time_chart(void)
{
	struct chart *c = chart_new("Availability of portal", T0, T0 + 86400);
	size_t i, r;

	snprintf(c->vlabel, sizeof c->vlabel, "%%");
	c->percent = 1;
	c->decimals = 3;
	chart_add_col(c, "up", CHART_AREA);
	chart_add_col(c, "total ms", CHART_LINE);
	for (i = 0; i < 96; i++) {
		r = chart_add_row(c, "row", T0 + (time_t)i * 900,
		    T0 + (time_t)(i + 1) * 900);
		if (i % 17 != 3)
			chart_set(c, r, 0, i % 11 == 0 ? 50.0 : 100.0);
		chart_set(c, r, 1, 12.5 + (double)(i % 7) / 3.0);
	}
	c->bands = calloc(c->nrows, 1);
	for (i = 40; i < 44; i++)
		c->bands[i] = CHART_BAND_OUTAGE;
	c->bands[60] = CHART_BAND_MAINT;
	chart_note(c, "availability portal: 99.123 %%");
	chart_note(c, "outage web 2026-01-01T10:00:00Z..2026-01-01T11:00:00Z");
	return c;
}

static struct chart *
test_renderer_bar_chart(void)
{
	struct chart *c = chart_new("Cost of portal", T0, T0 + 365 * 86400);
	const char *q[] = { "2026Q1", "2026Q2", "2026Q3", "2026Q4" };
	size_t i, r;

	c->bars = 1;
	c->stack = 1;
	chart_add_col(c, "licences", CHART_STACK);
	chart_add_col(c, "hosting", CHART_STACK);
	for (i = 0; i < 4; i++) {
		r = chart_add_row(c, q[i], T0 + (time_t)i * 7776000,
		    T0 + (time_t)(i + 1) * 7776000);
		chart_set_display(c, r, "Q");
		chart_set(c, r, 0, 12345.67 * (double)(i + 1));
		chart_set(c, r, 1, i == 2 ? NAN : 999.5);
	}
	chart_note(c, "total portal: 134567.89");
	return c;
}

static void
test_renderer_same(const struct chart *a, const struct chart *b)
{
	size_t i;

	assert_string_equal(a->title, b->title);
	assert_string_equal(a->vlabel, b->vlabel);
	assert_true(a->from == b->from && a->to == b->to);
	assert_true(a->decimals == b->decimals && a->percent == b->percent &&
	    a->bars == b->bars && a->stack == b->stack &&
	    a->shade == b->shade && a->compact == b->compact);
	assert_int_equal(a->ncols, b->ncols);
	for (i = 0; i < a->ncols; i++) {
		assert_string_equal(a->cols[i], b->cols[i]);
		assert_int_equal(a->styles[i], b->styles[i]);
	}
	assert_int_equal(a->nrows, b->nrows);
	for (i = 0; i < a->nrows; i++) {
		assert_string_equal(a->labels[i], b->labels[i]);
		assert_true(a->starts[i] == b->starts[i]);
		assert_true(a->ends[i] == b->ends[i]);
		if (a->display != NULL)
			assert_string_equal(a->display[i], b->display[i]);
		if (a->bands != NULL)
			assert_int_equal(a->bands[i], b->bands[i]);
	}
	assert_true((a->display == NULL) == (b->display == NULL));
	assert_true((a->bands == NULL) == (b->bands == NULL));
	assert_memory_equal(a->vals, b->vals,
	    a->nrows * a->ncols * sizeof *a->vals);
	assert_int_equal(a->nnotes, b->nnotes);
	for (i = 0; i < a->nnotes; i++)
		assert_string_equal(a->notes[i], b->notes[i]);
}

static char *
test_renderer_wire(const struct chart *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	assert_int_equal(chart_wire_write(f, c, 640, 240), 0);
	fclose(f);
	return buf;
}

static void
test_roundtrip(void **unused)
{
	struct chart *charts[2] = { test_renderer_time_chart(),
		test_renderer_bar_chart() };
	struct chart *back;
	char *buf, *cause = NULL;
	size_t i, len, cut;
	int w, h;
	FILE *f;

	for (i = 0; i < 2; i++) {
		buf = test_renderer_wire(charts[i], &len);
		f = fmemopen(buf, len, "r");
		assert_int_equal(chart_wire_read(f, &back, &w, &h, &cause), 0);
		fclose(f);
		assert_true(w == 640 && h == 240);
		test_renderer_same(charts[i], back);
		chart_free(back);
		/* Cut anywhere, or one byte too many: refused, said why. */
		for (cut = 0; cut <= len; cut++) {
			if (cut == len)
				buf[len] = 'x';
			f = fmemopen(buf, cut == len ? len + 1 : cut, "r");
			assert_int_equal(chart_wire_read(f, &back, &w, &h,
			                     &cause),
			    -1);
			assert_null(back);
			assert_non_null(cause);
			free(cause);
			cause = NULL;
			fclose(f);
		}
		free(buf);
		chart_free(charts[i]);
	}
}

/* itfollow-render of this build: bin/ beside tests/. */
static char *
test_renderer_path(void)
{
	char exe[PATH_MAX], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	*slash = '\0';
	assert_true(asprintf(&path, "%s/../bin/itfollow-render", exe) > 0);
	return path;
}

static void
test_same_picture(void **unused)
{
	struct chart *charts[2] = { test_renderer_time_chart(),
		test_renderer_bar_chart() };
	char *path = test_renderer_path(), *cause = NULL;
	void *here, *there;
	size_t i, nhere, nthere;

	for (i = 0; i < 2; i++) {
		assert_int_equal(chart_render(charts[i], "PNG", 640, 240, &here,
		                     &nhere, &cause),
		    0);
		if (renderer_draw(path, charts[i], 640, 240, &there, &nthere,
		        &cause) != 0)
			fail_msg("%s", cause);
		assert_true(nhere > 1000);
		assert_int_equal(nhere, nthere);
		assert_memory_equal(here, there, nhere);
		free(here);
		free(there);
		chart_free(charts[i]);
	}
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_same_picture),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
